// Load generator for bench/live.py: E typists and R readers on one document, all in this one Node
// process, as third-party Yjs clients (yjs + y-protocols + socket.io-client from the repo's
// node_modules) speaking Convene's documented protocol (docs/realtime.md, "Documents").
//
// Input: one JSON object on argv[2]. Output: progress lines on stderr, one JSON object on stdout.
// Every client keeps its own Y.Doc; a keystroke is one Yjs insert of one ASCII character (its clock
// advances by one), so a recipient has "seen" keystroke k of typist t as soon as its document's
// state for t's client id passes k's clock. Same process, same clock: latency is exact.
import { performance } from "node:perf_hooks";
import { createRequire } from "node:module";
import path from "node:path";

const options = JSON.parse(process.argv[2]);
const require = createRequire(path.join(options.root, "package.json"));
const Y = require("yjs");
const syncProtocol = require("y-protocols/sync");
const awarenessProtocol = require("y-protocols/awareness");
const encoding = require("lib0/encoding");
const decoding = require("lib0/decoding");
const { io } = require("socket.io-client");

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const {
  url, urls = [url], documentId, editorTokens = [], readerTokens = [], editors, readers, seconds,
  keysPerSecond = 5, cursors = true, settleSeconds = 15, connectConcurrency = 20, seed = 1,
  perMessageDeflate = false, resyncSeconds = 0,
} = options;

let rngState = seed >>> 0 || 1;
function random() { // xorshift32: the same keystrokes for the relay and Convene
  rngState ^= rngState << 13; rngState >>>= 0;
  rngState ^= rngState >>> 17;
  rngState ^= rngState << 5; rngState >>>= 0;
  return rngState / 4294967296;
}
const log = (...args) => process.stderr.write(args.join(" ") + "\n");
const now = () => performance.now();

const typed = new Map();    // typist Yjs client id -> [{clock, at}]
const typists = [];
const clients = [];
let refused = 0, acked = 0, gapsDetected = 0, resyncs = 0, disconnects = 0, garbled = 0;
const ackLatency = [];

class Client {
  constructor(index, token, editor) {
    this.index = index;
    this.editor = editor;
    this.doc = new Y.Doc();
    this.text = this.doc.getText("body");
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.synced = false;
    this.joined = false;
    this.latencies = [];
    this.cursorsSeen = 0;
    this.lastSeq = null;
    this.lastResync = -1e9;
    this.pointers = new Map(); // typist client id -> index of the next keystroke not yet seen
    this.socket = io(urls[index % urls.length], { // several processes: clients spread over them
      transports: ["websocket"], auth: { token }, reconnection: true, forceNew: true,
      perMessageDeflate: perMessageDeflate ? { threshold: 0 } : false,
    });
    this.socket.on("connect", () => this.join());
    this.socket.on("disconnect", () => { disconnects += 1; this.joined = false; });
    this.socket.on("document_message", (id, data, meta) => {
      if (id !== documentId) return;
      try {
        this.receive(new Uint8Array(data), meta);
      } catch (error) {
        garbled += 1;
        if (garbled <= 3) log(`client ${this.index}: could not read a message: ${error && error.stack}`);
      }
    });
    this.doc.on("update", (update, origin) => {
      if (origin === this || !this.editor) return;
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      syncProtocol.writeUpdate(encoder, update);
      this.send(encoding.toUint8Array(encoder), true);
    });
    this.awareness.on("update", ({ added, updated, removed }, origin) => {
      if (origin === this || !this.editor || !this.joined) return;
      const changed = added.concat(updated, removed).filter((id) => id === this.doc.clientID);
      if (!changed.length) return;
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
      encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed));
      this.send(encoding.toUint8Array(encoder), false);
    });
  }

  join() {
    this.socket.emit("join_document", { document_id: documentId }, (ack) => {
      if (!ack || !ack.ok) {
        log(`client ${this.index}: join refused: ${ack && ack.error}`);
        return;
      }
      this.joined = true;
      if (typeof ack.seq === "number") this.lastSeq = Math.max(this.lastSeq ?? 0, ack.seq);
      this.syncStep1();
      if (this.editor) this.awareness.setLocalStateField("user", { color: "#1f5f8b" });
    });
  }

  syncStep1() {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    this.send(encoding.toUint8Array(encoder), false);
  }

  send(message, timed) {
    const sentAt = now();
    this.socket.emit("document_message", documentId, message, (ack) => {
      if (!ack || !ack.ok) {
        refused += 1;
        if (refused <= 5) log(`refused: ${ack && ack.error}`);
      } else if (timed) {
        acked += 1;
        ackLatency.push(now() - sentAt);
      }
    });
  }

  receive(buffer, meta) {
    const decoder = decoding.createDecoder(buffer);
    const type = decoding.readVarUint(decoder);
    if (type === MESSAGE_SYNC) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      const syncType = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this);
      if (syncType === syncProtocol.messageYjsSyncStep1 && encoding.length(encoder) > 1 && this.editor) {
        this.send(encoding.toUint8Array(encoder), false);
      }
      if (syncType === syncProtocol.messageYjsSyncStep2) this.synced = true;
      // The client's duty (docs/realtime.md): a relayed update names the room's sequence; a jump
      // means something was missed, so ask for it at once with a sync step 1.
      let gap = false;
      if (meta && typeof meta === "object" && typeof meta.seq === "number") {
        if (typeof meta.prev === "number" && this.lastSeq !== null && meta.prev > this.lastSeq) gap = true;
        if (this.lastSeq === null || meta.seq > this.lastSeq) this.lastSeq = meta.seq;
      }
      if (syncType === syncProtocol.messageYjsUpdate && (this.doc.store.pendingStructs || this.doc.store.pendingDs)) gap = true;
      if (gap && now() - this.lastResync >= 500) {
        this.lastResync = now();
        gapsDetected += 1;
        this.syncStep1();
      }
      this.observe();
    } else if (type === MESSAGE_AWARENESS) {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
      this.cursorsSeen += 1;
    }
  }

  observe() {
    const t = now();
    for (const [clientId, keys] of typed) {
      if (clientId === this.doc.clientID) continue;
      let i = this.pointers.get(clientId) || 0;
      if (i >= keys.length) continue;
      const state = Y.getState(this.doc.store, clientId);
      while (i < keys.length && keys[i].clock < state) {
        this.latencies.push(t - keys[i].at);
        keys[i].seen += 1;
        if (t > keys[i].last) keys[i].last = t;
        i += 1;
      }
      this.pointers.set(clientId, i);
    }
  }

  keystroke() {
    const length = this.text.length;
    const position = Math.floor(random() * (length + 1));
    const character = String.fromCharCode(97 + Math.floor(random() * 26));
    const clock = Y.getState(this.doc.store, this.doc.clientID);
    typed.get(this.doc.clientID).push({ clock, at: now(), seen: 0, last: 0 });
    this.doc.transact(() => this.text.insert(position, character), "local");
    if (cursors) {
      const relative = Y.createRelativePositionFromTypeIndex(this.text, position + 1);
      const json = Y.relativePositionToJSON(relative);
      this.awareness.setLocalStateField("cursor", { anchor: json, head: json });
    }
  }
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  const k = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[k] * 10) / 10;
}

async function waitFor(predicate, timeoutMs) {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    if (predicate()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return predicate();
}

async function main() {
  const startCpu = process.cpuUsage();
  const plan = [];
  for (let i = 0; i < editors; i += 1) plan.push([editorTokens[i % Math.max(1, editorTokens.length)], true]);
  for (let i = 0; i < readers; i += 1) plan.push([readerTokens[i % Math.max(1, readerTokens.length)], false]);
  for (let i = 0; i < plan.length; i += connectConcurrency) {
    const batch = plan.slice(i, i + connectConcurrency).map(([token, editor], j) => new Client(i + j, token, editor));
    clients.push(...batch);
    await waitFor(() => batch.every((c) => c.synced), 60000);
  }
  const allSynced = await waitFor(() => clients.every((c) => c.synced), 60000);
  log(`${clients.length} clients ${allSynced ? "synced" : "NOT all synced"}`);
  for (const client of clients) if (client.editor) { typists.push(client); typed.set(client.doc.clientID, []); }
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const periodic = resyncSeconds > 0
    ? setInterval(() => { for (const c of clients) if (c.joined) { resyncs += 1; c.syncStep1(); } }, resyncSeconds * 1000)
    : null;
  const started = now();
  // One ticker for every typist: each has its own schedule (5 keys a second, random phase) and types
  // whatever is due, so a busy event loop delays keystrokes but does not drop them; a keystroke's
  // latency is measured from when it was actually typed and sent.
  const interval = 1000 / keysPerSecond;
  const due = typists.map(() => started + random() * interval);
  const end = started + seconds * 1000;
  await new Promise((resolve) => {
    const ticker = setInterval(() => {
      const t = now();
      typists.forEach((client, i) => {
        let n = 0;
        while (due[i] <= t && due[i] < end && n < 3) { client.keystroke(); due[i] += interval; n += 1; }
      });
      if (t >= end) { clearInterval(ticker); resolve(); }
    }, 5);
  });
  const lastKeystroke = now();
  const typingCpu = process.cpuUsage(startCpu);
  let keystrokes = 0;
  for (const keys of typed.values()) keystrokes += keys.length;
  const expected = keystrokes * (clients.length - 1);
  const delivered = () => clients.reduce((n, c) => n + c.latencies.length, 0);
  const allDelivered = await waitFor(() => delivered() >= expected, settleSeconds * 1000);
  if (periodic) clearInterval(periodic);
  let lastSeen = 0;
  for (const keys of typed.values()) for (const k of keys) if (k.last > lastSeen) lastSeen = k.last;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const texts = new Set(clients.map((c) => c.text.toString()));
  const all = [];
  for (const client of clients) for (const v of client.latencies) all.push(v);
  all.sort((a, b) => a - b);
  ackLatency.sort((a, b) => a - b);
  const cpu = process.cpuUsage(startCpu);
  const result = {
    clients: clients.length, editors, readers, seconds, keys_per_second: keysPerSecond, cursors,
    keystrokes, deliveries_expected: expected, deliveries: all.length,
    delivered_fraction: expected ? Math.round((all.length / expected) * 10000) / 10000 : null,
    all_delivered: allDelivered,
    latency_ms: { p50: percentile(all, 50), p90: percentile(all, 90), p99: percentile(all, 99),
                  max: all.length ? Math.round(all[all.length - 1]) : null },
    ack_ms: { p50: percentile(ackLatency, 50), p99: percentile(ackLatency, 99), count: ackLatency.length },
    converged: texts.size === 1,
    distinct_copies: texts.size,
    last_delivery_after_last_keystroke_ms: lastSeen ? Math.round(lastSeen - lastKeystroke) : null,
    final_length: clients[0] ? clients[0].text.length : 0,
    refused, gaps_detected: gapsDetected, resyncs, disconnects, garbled,
    cursor_messages_received: clients.reduce((n, c) => n + c.cursorsSeen, 0),
    node_cpu_percent_of_one_core_typing: Math.round(((typingCpu.user + typingCpu.system) / 1e6 / seconds) * 1000) / 10,
    node_cpu_seconds: Math.round((cpu.user + cpu.system) / 1e4) / 100,
    typing_seconds_measured: Math.round((lastKeystroke - started) / 100) / 10,
  };
  for (const client of clients) client.socket.close();
  process.stdout.write(JSON.stringify(result) + "\n");
  setTimeout(() => process.exit(0), 200);
}

main().catch((error) => { log(error.stack || String(error)); process.exit(1); });
