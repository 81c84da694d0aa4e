// A card's own page: its description annotated for this reader by the server, re-annotated live when
// a glossary the space convenes changes (`glossary_changed`, sent to the space's room), "Read in my
// words", and gentle jargon hints beside the description while it is being written.
import { connect } from "./lib/live.js";
import { installPopovers, refreshFragments } from "./lib/glossary.js";
import { textareaHints } from "./lib/jargon-hints.js";
import { installComments } from "./lib/comments.js";

const root = document.getElementById("card");
if (root) start(root);

function start(root) {
  const spaceId = Number(root.dataset.spaceId);
  const glossaryLive = document.getElementById("glossary-live");
  const mineToggle = document.getElementById("read-in-my-words");
  const mineNote = document.getElementById("read-in-my-words-note");
  let mode = "annotated"; // or "mine": "Read in my words"

  // Marks in the description open the same popover as on the space page.
  installPopovers(document);

  // Our server's sanitised, annotated fragments for this reader; focus stays on the same mark.
  async function refreshDescription() {
    try {
      await refreshFragments(root.dataset.fragmentsUrl, { mode });
      return true;
    } catch (err) {
      return false;
    }
  }

  if (mineToggle) {
    mineToggle.addEventListener("click", async () => {
      mode = mode === "mine" ? "annotated" : "mine";
      if (await refreshDescription()) {
        mineToggle.setAttribute("aria-pressed", String(mode === "mine"));
        mineNote.hidden = mode !== "mine";
        glossaryLive.textContent = mode === "mine" ? "The description shows the text in your community's words."
          : "The description shows the text as written.";
      } else {
        mode = mode === "mine" ? "annotated" : "mine"; // nothing changed on the page: say so, keep the toggle
        glossaryLive.textContent = "Could not change how the description reads; check your connection.";
      }
    });
  }

  // Jargon hints beside the description field, for people who can edit the card.
  const description = document.querySelector("#card form textarea[name=description]");
  const hintsSection = document.getElementById("jargon-hints");
  const hints = description && hintsSection ? textareaHints(description, {
    url: root.dataset.jargonHintsUrl,
    section: hintsSection,
    list: document.getElementById("jargon-hints-list"),
    status: document.getElementById("jargon-hints-status"),
    termUrl: (id) => root.dataset.termUrl.replace(/\/0$/, `/${id}`),
    addTermUrl: root.dataset.addTermUrl,
  }) : null;

  // A term or bridge changed: what it means depends on who reads, so fetch this reader's fragments
  // (and the writer's hints) again rather than patching anything from the event.
  async function refreshGlossary(announce) {
    const [ok] = await Promise.all([refreshDescription(), hints ? hints.refresh() : true]);
    if (announce) glossaryLive.textContent = ok ? announce : "The glossary changed; reload the page to see it.";
  }

  // `glossary_changed` is sent to the space's room: join it on every (re)connect, since the server
  // forgets rooms when a connection drops (a reader of the card is shown in the space's presence too).
  const socket = connect();
  let joined = false;
  socket.on("connect", () => {
    socket.emit("join_space", { space_id: spaceId }, (ack) => {
      if (!ack || !ack.ok) return; // the page still works; only live glossary updates are missing
      if (joined) refreshGlossary(""); // back after a drop: a change may have been missed meanwhile
      joined = true;
      root.dataset.liveGlossary = "on";
    });
  });
  socket.on("disconnect", () => { root.dataset.liveGlossary = "off"; });
  socket.on("glossary_changed", (msg) => {
    if (msg.space_id === spaceId) refreshGlossary("The glossary changed: marks are up to date.");
  });

  // --- comments (issue 9): the card's comments, live (events reach the space's room) -------
  const cardId = Number(root.dataset.cardId);
  const discussion = document.querySelector("#comments [data-comments]");
  if (discussion) {
    const status = discussion.querySelector("[data-comments-status]");
    const comments = installComments(discussion, socket, {
      matches: (p) => p.card_id === cardId,
      announce: (text) => { status.textContent = text; },
    });
    let seen = false;
    socket.on("connect", () => { if (seen) comments.refreshAll(); seen = true; });
    socket.on("glossary_changed", (msg) => { if (msg.space_id === spaceId) comments.refreshAll(); });
  }
}
