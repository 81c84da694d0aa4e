// The moderation queue: join the space's queue room (moderators only) and refresh the list when a flag or
// an action arrives, announcing it politely for screen readers.
import { connect } from "./lib/live.js";

const live = document.getElementById("queue-live");
const items = document.getElementById("queue-items");

async function refresh() {
  const response = await fetch(window.location.pathname, { headers: { Accept: "text/html" }, credentials: "same-origin" });
  if (!response.ok) return;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.getElementById("queue-items");
  if (fresh) items.replaceChildren(...fresh.childNodes);
}

if (live && items) {
  const spaceId = Number(live.dataset.spaceId);
  const socket = connect({
    onState: (state) => { live.dataset.state = state; },
  });
  socket.on("connect", () => {
    socket.emit("join_moderation", { space_id: spaceId }, (ack) => {
      if (ack && ack.ok) { live.dataset.joined = "yes"; refresh(); }
    });
  });
  socket.on("moderation_item_changed", async (item) => {
    if (item.space_id !== spaceId) return;
    await refresh();
    const what = item.status === "open" ? `New flag on a ${item.kind}` : `A ${item.kind} is now ${item.status}`;
    live.textContent = `${what} (${new Date().toLocaleTimeString()}).`;
  });
}
