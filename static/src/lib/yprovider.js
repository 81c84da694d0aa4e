// A Yjs provider over Socket.IO: the y-websocket message framing, carried as
// `document_message` (documentId, bytes) events, with acknowledgements so the page can say
// honestly whether every edit is saved. See docs/realtime.md, "Documents".
import * as syncProtocol from "y-protocols/sync";
import * as awarenessProtocol from "y-protocols/awareness";
import * as encoding from "lib0/encoding";
import * as decoding from "lib0/decoding";

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
// Every client asks for what it lacks now and then, whatever else it noticed (docs/realtime.md,
// "Nobody left behind"); a noticed gap asks at once.
const RESYNC_MS = 30000;

export class SocketIOProvider {
  constructor(socket, documentId, doc, { onChange = () => {}, onRefused = () => {}, resyncMs = RESYNC_MS } = {}) {
    this.socket = socket;
    this.documentId = documentId;
    this.doc = doc;
    this.awareness = new awarenessProtocol.Awareness(doc);
    this.onChange = onChange;
    this.onRefused = onRefused;
    this.role = null;
    this.joined = false;
    this.synced = false;
    this.inFlight = 0;       // messages sent and not yet acknowledged
    this.unsent = false;     // local edits made while not joined: sent by the next sync step 2
    this.lastError = null;
    this.lastSeq = null;     // the highest relayed seq applied (relayed updates carry {seq, prev})
    this.resyncs = 0;        // sync step 1s sent after a gap (for tests and diagnostics)
    this._lastResync = 0;
    this._resyncTimer = setInterval(() => { if (this.joined) this.syncStep1(); }, resyncMs);

    this._onConnect = () => this.join();
    this._onDisconnect = () => {
      if (this.inFlight > 0) this.unsent = true;  // unacknowledged: the next sync step 2 carries them
      this.joined = false;
      this.synced = false;
      this.inFlight = 0;
      const others = [...this.awareness.getStates().keys()].filter((id) => id !== doc.clientID);
      awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
      this.onChange();
    };
    this._onMessage = (id, data, meta) => {
      if (id === this.documentId) this.receive(new Uint8Array(data), meta);
    };
    this._onUpdate = (update, origin) => {
      if (origin === this) return;
      if (this.joined && this.role === "editor") {
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, MESSAGE_SYNC);
        syncProtocol.writeUpdate(encoder, update);
        this.send(encoding.toUint8Array(encoder));
      } else {
        this.unsent = true;
      }
      this.onChange();
    };
    this._onAwareness = ({ added, updated, removed }, origin) => {
      if (origin === this || !this.joined || this.role !== "editor") return;
      const changed = added.concat(updated, removed).filter((id) => id === doc.clientID);
      if (!changed.length) return;
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
      encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed));
      this.send(encoding.toUint8Array(encoder), { quiet: true });
    };

    socket.on("connect", this._onConnect);
    socket.on("disconnect", this._onDisconnect);
    socket.on("document_message", this._onMessage);
    doc.on("update", this._onUpdate);
    this.awareness.on("update", this._onAwareness);
    if (socket.connected) this.join();
  }

  get saved() {
    return this.joined && this.synced && this.inFlight === 0 && !this.unsent;
  }

  join() {
    this.socket.emit("join_document", { document_id: this.documentId }, (ack) => {
      if (!ack || !ack.ok) {
        this.lastError = (ack && ack.error) || "The server did not answer.";
        this.onRefused(this.lastError);
        this.onChange();
        return;
      }
      this.role = ack.role;
      this.joined = true;
      this.lastError = null;
      if (typeof ack.seq === "number") this.lastSeq = Math.max(this.lastSeq ?? 0, ack.seq);
      // Our step 1 asks for what we lack; the server's step 1 (already sent) makes us send what it lacks.
      this.syncStep1();
      if (this.role === "editor" && this.awareness.getLocalState()) {
        this._onAwareness({ added: [], updated: [this.doc.clientID], removed: [] }, "local");
      }
      this.onChange();
    });
  }

  syncStep1() {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    this.send(encoding.toUint8Array(encoder));
  }

  // A relayed update says which stored updates it holds: {seq, prev} means every update after
  // `prev` up to `seq`. One that starts past what we have seen means we missed some (a process died
  // after storing them, or we were too slow and were skipped): ask for everything we lack at once.
  // Updates Yjs cannot integrate yet (their predecessors are missing) mean the same.
  _checkGap(meta) {
    let gap = false;
    if (meta && typeof meta.seq === "number") {
      if (this.lastSeq !== null && typeof meta.prev === "number" && meta.prev > this.lastSeq) gap = true;
      this.lastSeq = Math.max(this.lastSeq ?? 0, meta.seq);
    }
    if (this.doc.store.pendingStructs || this.doc.store.pendingDs) gap = true;
    const now = Date.now();
    if (gap && this.joined && now - this._lastResync >= 500) {  // at once, but never a storm
      this._lastResync = now;
      this.resyncs += 1;
      this.syncStep1();
    }
  }

  receive(buffer, meta) {
    const decoder = decoding.createDecoder(buffer);
    const type = decoding.readVarUint(decoder);
    if (type === MESSAGE_SYNC) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      const syncType = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this);
      if (syncType === syncProtocol.messageYjsSyncStep1 && encoding.length(encoder) > 1) {
        // The server asked what it lacks: our reply carries edits made offline. Viewers send nothing.
        if (this.role === "editor" || this.role === null) {
          const hadUnsent = this.unsent;
          this.unsent = false;
          this.send(encoding.toUint8Array(encoder), { onRefused: () => { this.unsent = hadUnsent; } });
        }
      }
      if (syncType === syncProtocol.messageYjsSyncStep2) this.synced = true;
      if (syncType === syncProtocol.messageYjsUpdate) this._checkGap(meta);
      this.onChange();
    } else if (type === MESSAGE_AWARENESS) {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
    }
  }

  send(message, { quiet = false, onRefused } = {}) {
    if (!this.socket.connected) {
      if (!quiet) this.unsent = true;
      return;
    }
    if (!quiet) this.inFlight += 1;
    this.socket.emit("document_message", this.documentId, message, (ack) => {
      if (!quiet) this.inFlight = Math.max(0, this.inFlight - 1);
      if (ack && ack.ok && !quiet) this.lastError = null;
      if (!ack || !ack.ok) {
        this.lastError = (ack && ack.error) || "The server did not confirm the save.";
        if (onRefused) onRefused();
        if (!quiet) this.onRefused(this.lastError);
      }
      this.onChange();
    });
  }

  destroy() {
    clearInterval(this._resyncTimer);
    this.socket.off("connect", this._onConnect);
    this.socket.off("disconnect", this._onDisconnect);
    this.socket.off("document_message", this._onMessage);
    this.doc.off("update", this._onUpdate);
    this.awareness.off("update", this._onAwareness);
    this.awareness.destroy();
  }
}
