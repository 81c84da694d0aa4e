// The baseline for bench/live.py: a bare Node socket.io relay with no authentication, no storage
// and no state. It answers join_document, forwards each document_message to the rest of the room
// as it arrives (one emit per message) and acknowledges it. Prints "listening PORT" when ready.
import { createRequire } from "node:module";
import http from "node:http";
import path from "node:path";

const root = process.argv[2];
const require = createRequire(path.join(root, "package.json"));
const { Server } = require("socket.io");

const server = http.createServer();
const io = new Server(server, { maxHttpBufferSize: 1e6, perMessageDeflate: false });
io.on("connection", (socket) => {
  socket.on("join_document", (data, ack) => {
    socket.join(`document:${data.document_id}`);
    if (typeof ack === "function") ack({ ok: true, role: "editor", document_id: data.document_id });
  });
  socket.on("document_message", (documentId, message, ack) => {
    socket.to(`document:${documentId}`).emit("document_message", documentId, message);
    if (typeof ack === "function") ack({ ok: true });
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
