// The space page: join its room and keep the "Here now" list live.
import { connect } from "./lib/live.js";
import { installPopovers, refreshFragments } from "./lib/glossary.js";
import { installComments } from "./lib/comments.js";
import { refreshCommentBodies, setReadingMode } from "./lib/reading-mode.js";
import { installParticipation } from "./lib/participation.js";  // participation (issue 10)
import { installSpaceActivities } from "./lib/space-activities.js";  // activities (issue 11)

const root = document.querySelector("[data-space-id]");
const list = document.getElementById("presence-list");
const state = document.getElementById("presence-state");
const liveStatus = document.getElementById("space-live-status");

function renderPresence(people) {
  list.replaceChildren(...people.map((p) => {
    const li = document.createElement("li");
    li.dataset.userId = p.user_id;
    li.textContent = p.display_name;
    if (p.communities && p.communities.length) {
      const span = document.createElement("span");
      span.className = "muted";
      span.textContent = ` (${p.communities.join(", ")})`;
      li.append(span);
    }
    return li;
  }));
  if (!people.length) {
    const li = document.createElement("li");
    li.className = "empty";
    li.textContent = "Nobody else is here right now.";
    list.append(li);
  }
}

if (root) {
  const spaceId = Number(root.dataset.spaceId);
  const labels = {
    connected: "Live: you see who arrives and leaves.",
    disconnected: "Connection lost: reconnecting…",
    reconnecting: "Connection lost: reconnecting…",
    error: "Cannot connect right now; retrying…",
  };
  const socket = connect({
    onState: (s, detail) => {
      state.textContent = s === "error" && detail ? `Cannot connect: ${detail}` : labels[s];
      state.dataset.state = s;
    },
  });
  // Ask to join on every (re)connect: the server forgets rooms when a connection drops.
  socket.on("connect", () => {
    socket.emit("join_space", { space_id: spaceId }, (ack) => {
      if (ack && ack.ok) renderPresence(ack.present);
      else state.textContent = `Live updates unavailable: ${(ack && ack.error) || "no answer"}`;
    });
  });
  socket.on("presence_changed", (msg) => {
    if (msg.space_id === spaceId) renderPresence(msg.present);
  });
  socket.on("space_updated", (msg) => {
    if (msg.space_id !== spaceId) return;
    liveStatus.hidden = false;
    liveStatus.textContent = `This space is now ${msg.status}. Reload to see the change.`;
  });
  // Glossary: marks open popovers; a change to any convened glossary re-annotates without a reload.
  installPopovers(document);
  const reading = document.querySelector("[data-glossary-fragments-url]");
  const glossaryLive = document.getElementById("glossary-live");
  const mineToggle = document.getElementById("read-in-my-words");
  const mineNote = document.getElementById("read-in-my-words-note");
  let mode = "annotated";
  const refresh = async (announce) => {
    if (!reading) return;
    try {
      await refreshFragments(reading.dataset.glossaryFragmentsUrl, { mode });
      if (announce) glossaryLive.textContent = announce;
    } catch (err) {
      glossaryLive.textContent = "The glossary changed; reload the page to see it.";
    }
  };
  if (mineToggle) {
    mineToggle.addEventListener("click", () => {
      mode = mode === "mine" ? "annotated" : "mine";
      setReadingMode(mode); // the discussion's comments read the same way, now and when they change live
      mineToggle.setAttribute("aria-pressed", String(mode === "mine"));
      mineNote.hidden = mode !== "mine";
      refresh(mode === "mine" ? "Showing the text in your community's words." : "Showing the text as written.");
      const bodies = document.querySelector("#discussion [data-comments]");
      refreshCommentBodies(bodies && bodies.dataset.bodiesUrl).catch(() => {
        glossaryLive.textContent = "The comments could not change how they read; reload the page.";
      });
    });
  }
  socket.on("glossary_changed", (msg) => {
    if (msg.space_id === spaceId) refresh("The glossary changed: marks are up to date.");
  });
  // --- comments (issue 9): the space's discussion, live -------------------------------------
  const discussion = document.querySelector("#discussion [data-comments]");
  if (discussion) {
    const status = discussion.querySelector("[data-comments-status]");
    const comments = installComments(discussion, socket, {
      matches: (p) => p.space_id === spaceId && p.card_id === null && p.document_id === null,
      announce: (text) => { status.textContent = text; },
    });
    let seen = false;
    socket.on("connect", () => { if (seen) comments.refreshAll(); seen = true; });
    socket.on("glossary_changed", (msg) => { if (msg.space_id === spaceId) comments.refreshAll(); });
  }
  installParticipation(socket, spaceId);  // participation (issue 10): the balance follows contributions live
  // activities (issue 11): started, ticked, judged and closed activities show up without a reload; after a
  // reconnect the list is fetched again, since events sent while disconnected are lost.
  const activities = installSpaceActivities(socket, spaceId);
  let activitiesSeen = false;
  socket.on("connect", () => { if (activitiesSeen) activities.refresh(); activitiesSeen = true; });
  socket.on("member_joined", (msg) => {
    liveStatus.hidden = false;
    liveStatus.textContent = `${msg.display_name} joined the space.`;
  });
}
