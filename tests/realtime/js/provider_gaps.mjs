// Drives static/src/lib/yprovider.js with a fake socket (no server) and prints what it sent, as JSON:
// the browser provider's duties of docs/realtime.md, "Nobody left behind".
import * as Y from "yjs";
import * as encoding from "lib0/encoding";
import * as syncProtocol from "y-protocols/sync";
import { SocketIOProvider } from "../../../static/src/lib/yprovider.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const handlers = {};
const sent = [];
const socket = {
  connected: true,
  on(name, fn) { handlers[name] = fn; },
  off() {},
  emit(name, ...args) {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    if (name === "join_document") ack({ ok: true, role: "editor", document_id: 1, seq: 5 });
    if (name === "document_message") {
      const message = args[1];
      sent.push(message[0] === 0 && message[1] === 0 ? "step1" : message[0] === 0 ? `sync${message[1]}` : "awareness");
      ack({ ok: true });
    }
  },
};
const updateMessage = (update) => {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
};
const other = new Y.Doc();
const updates = [];
other.on("update", (u) => updates.push(u));
for (const ch of "abcd") other.getText("body").insert(0, ch);

const doc = new Y.Doc();
const provider = new SocketIOProvider(socket, 1, doc, { resyncMs: 700 });
const steps = () => sent.filter((s) => s === "step1").length;
const report = { afterJoin: steps() };
handlers.document_message(1, updateMessage(updates[0]), { seq: 6, prev: 5 });          // in sequence
report.inSequence = steps();
handlers.document_message(1, updateMessage(updates[1]), { seq: 9, prev: 8 });          // 6 < 8: missed 7 and 8
report.afterSeqGap = steps();
await sleep(550);
handlers.document_message(1, updateMessage(updates[3]), { seq: 10, prev: 9 });         // in seq, but needs updates[2]
report.afterPending = steps();
report.text = doc.getText("body").toString();
await sleep(800);
report.afterPeriodic = steps();
report.lastSeq = provider.lastSeq;
provider.destroy();
process.stdout.write(JSON.stringify(report) + "\n");
