// One Socket.IO connection per page, authenticated by the session cookie, with a visible state.
import { io } from "socket.io-client";

const hooks = [];
let current = null;
let currentIsFallback = false;

// `fallback`: a socket opened only for the header's notice count; a page's own socket replaces it.
export function connect({ onState, fallback = false } = {}) {
  if (current && currentIsFallback && !fallback) {
    current.disconnect();
    current = null;
  }
  const socket = io({ transports: ["websocket", "polling"], withCredentials: true });
  const report = (state, detail) => onState && onState(state, detail);
  socket.on("connect", () => report("connected"));
  socket.on("disconnect", (reason) => report("disconnected", reason));
  socket.on("connect_error", (err) => report("error", err && err.message));
  socket.io.on("reconnect_attempt", () => report("reconnecting"));
  if (!current) {
    current = socket;
    currentIsFallback = fallback;
    hooks.forEach((hook) => hook(socket));
  }
  return socket;
}

// Run `hook(socket)` on the page's first socket, now or when it opens (the header's notice count uses it).
export function onSocket(hook) {
  hooks.push(hook);
  if (current) hook(current);
}
onSocket.current = () => current;
