// A Yjs provider over Socket.IO: the y-websocket message framing, carried as
// `document_message` (documentId, bytes) events, with acknowledgements so the page can say
// honestly whether every edit is saved. See docs/realtime.md, "Documents".
import * as syncProtocol from "y-protocols/sync";
import * as awarenessProtocol from "y-protocols/awareness";
import * as encoding from "lib0/encoding";
import * as decoding from "lib0/decoding";

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;

export class SocketIOProvider {
  constructor(socket, documentId, doc, { onChange = () => {}, onRefused = () => {} } = {}) {
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
    this._onMessage = (id, data) => {
      if (id === this.documentId) this.receive(new Uint8Array(data));
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
      // Our step 1 asks for what we lack; the server's step 1 (already sent) makes us send what it lacks.
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      syncProtocol.writeSyncStep1(encoder, this.doc);
      this.send(encoding.toUint8Array(encoder));
      if (this.role === "editor" && this.awareness.getLocalState()) {
        this._onAwareness({ added: [], updated: [this.doc.clientID], removed: [] }, "local");
      }
      this.onChange();
    });
  }

  receive(buffer) {
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
    this.socket.off("connect", this._onConnect);
    this.socket.off("disconnect", this._onDisconnect);
    this.socket.off("document_message", this._onMessage);
    this.doc.off("update", this._onUpdate);
    this.awareness.off("update", this._onAwareness);
    this.awareness.destroy();
  }
}
