// One Socket.IO connection per page, authenticated by the session cookie, with a visible state.
import { io } from "socket.io-client";

export function connect({ onState } = {}) {
  const socket = io({ transports: ["websocket", "polling"], withCredentials: true });
  const report = (state, detail) => onState && onState(state, detail);
  socket.on("connect", () => report("connected"));
  socket.on("disconnect", (reason) => report("disconnected", reason));
  socket.on("connect_error", (err) => report("error", err && err.message));
  socket.io.on("reconnect_attempt", () => report("reconnecting"));
  return socket;
}
