// A card's own page: live when someone else changes the card (the board's room: title, column,
// assignees, due date, labels, description, checklist and history swapped in place, and an edit in
// progress told what changed, never overwritten); its description annotated for this reader by the
// server, re-annotated live when a glossary the space convenes changes (`glossary_changed`, sent to
// the space's room), "Read in my words", and gentle jargon hints beside the description while it is
// being written.
import { connect } from "./lib/live.js";
import { installPopovers, refreshFragments } from "./lib/glossary.js";
import { textareaHints } from "./lib/jargon-hints.js";
import { installComments } from "./lib/comments.js";
import { refreshCommentBodies, setReadingMode } from "./lib/reading-mode.js";

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
      setReadingMode(mode); // the card's comments read the same way, now and when they change live
      const comments = document.querySelector("#comments [data-comments]");
      const bodiesUrl = comments && comments.dataset.bodiesUrl;
      if (await refreshDescription() && await refreshCommentBodies(bodiesUrl).catch(() => false)) {
        mineToggle.setAttribute("aria-pressed", String(mode === "mine"));
        mineNote.hidden = mode !== "mine";
        glossaryLive.textContent = mode === "mine" ? "The description and comments show the text in your community's words."
          : "The description and comments show the text as written.";
      } else {
        mode = mode === "mine" ? "annotated" : "mine"; // say so, keep the toggle and what is shown in step
        setReadingMode(mode);
        await refreshDescription();
        await refreshCommentBodies(bodiesUrl).catch(() => false);
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

  // --- the card itself, live --------------------------------------------------------------------
  const cardId = Number(root.dataset.cardId);
  const boardId = Number(root.dataset.boardId);
  const liveEl = document.getElementById("card-live");
  const editForm = description ? description.closest("form") : null;
  let seq = Number(root.dataset.seq);
  let base = editForm ? formValues() : null; // what the form showed when the person started typing
  let pending = null; // { theirs, fields }: changed by someone else and by the person, not yet resolved
  const changers = new Set(); // who changed the card since the form's version
  let refreshing = null, again = false;
  const moveSelect = document.querySelector('#card form select[name="column_id"]');
  let shownColumn = moveSelect ? Number(moveSelect.value) : null;

  const FIELDS = { title: "title", description: "description", assignee_ids: "assignees", due_on: "due date", labels: "labels" };

  function formValues() {
    const f = editForm.elements;
    return {
      title: f.title.value, description: f.description.value, due_on: f.due_on.value, labels: f.labels.value,
      assignee_ids: [...editForm.querySelectorAll('input[name="assignee_ids"]:checked')].map((i) => i.value).sort().join(","),
      version: Number(f.version.value),
    };
  }

  function valuesOf(card) { // the card as its edit form shows it (routes.render_card)
    return {
      title: card.title, description: card.description, due_on: card.due_on || "", labels: card.labels.join(", "),
      assignee_ids: card.assignees.map((a) => String(a.user_id)).sort().join(","), version: card.version,
    };
  }

  function setField(name, value) {
    const f = editForm.elements;
    if (name === "assignee_ids") {
      const ids = new Set(value ? value.split(",") : []);
      editForm.querySelectorAll('input[name="assignee_ids"]').forEach((box) => { box.checked = ids.has(box.value); });
    } else {
      f[name].value = value;
      if (name === "description") f[name].dispatchEvent(new Event("input")); // jargon hints follow the text
    }
  }

  function setVersion(version) {
    root.dataset.version = String(version);
    // Every form on the page is now based on this version (the edit form only once a clash is settled).
    document.querySelectorAll('#card form input[name="version"]').forEach((input) => {
      if (!editForm || input.form !== editForm || !pending) input.value = String(version);
    });
  }

  function who() {
    const names = [...changers];
    if (!names.length) return "someone else";
    return names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  }

  function listOf(fields) {
    const words = fields.map((f) => FIELDS[f]);
    return words.length === 1 ? words[0] : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
  }

  function noticeEl() {
    let notice = document.getElementById("card-changed");
    if (!notice) {
      notice = document.createElement("div");
      notice.id = "card-changed";
      notice.className = "notice notice--warning";
      notice.tabIndex = -1;
      editForm.prepend(notice);
    }
    return notice;
  }

  function para(text, strong) {
    const p = document.createElement("p");
    if (strong) { const b = document.createElement("strong"); b.textContent = strong; p.append(b, " "); }
    p.append(text);
    return p;
  }

  function showClash() {
    const notice = noticeEl();
    notice.setAttribute("role", "alert");
    const choose = document.createElement("p");
    for (const [choice, label, cls] of [["theirs", "Use their version", "button button--secondary"], ["mine", "Keep yours", "button"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = cls;
      button.dataset.choice = choice;
      button.textContent = label;
      button.addEventListener("click", () => settle(choice));
      choose.append(button, " ");
    }
    notice.replaceChildren(
      para(`They changed the ${listOf(pending.fields)}, which you are changing too. Nothing is saved or lost yet: choose which version to keep.`,
        `This card was changed by ${who()} while you were editing.`),
      choose);
    notice.hidden = false;
  }

  function settle(choice) {
    const { theirs, fields } = pending;
    const mine = formValues();
    pending = null;
    const notice = noticeEl();
    notice.removeAttribute("role");
    if (choice === "mine") {
      notice.replaceChildren(para(`Saving the card now replaces ${who()}'s ${listOf(fields)} with yours; everything else they changed is kept.`,
        "Your edit is kept."));
      setVersion(theirs.version);
      base = theirs;
      changers.clear();
      editForm.elements[fields[0] === "assignee_ids" ? "title" : fields[0]].focus();
      return;
    }
    // Their version in the form; what the person typed stays on the page to copy from.
    notice.replaceChildren(para(`The form shows ${who()}'s version. What you had written is below, not saved, to copy from.`,
      "Their version is in the form."));
    for (const f of fields) {
      if (f === "assignee_ids") continue;
      const id = `card-changed-yours-${f}`;
      const label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = `Your ${FIELDS[f]} (not saved)`;
      const copy = document.createElement("textarea");
      copy.id = id;
      copy.readOnly = true;
      copy.rows = f === "description" ? 5 : 1;
      copy.value = mine[f];
      notice.append(label, copy);
    }
    for (const f of fields) setField(f, theirs[f]);
    setVersion(theirs.version);
    base = theirs;
    changers.clear();
    notice.focus();
  }

  // Someone else's change reached this page: untouched fields take the new values; a field the person
  // is changing that was also changed by someone else is a clash they settle ("Use their version" or
  // "Keep yours") before saving; until then a save is refused with the 409 page, never applied blindly.
  function reconcile(card) {
    const theirs = valuesOf(card);
    if (theirs.version === base.version && !pending) return;
    const mine = formValues();
    const clash = [];
    const changed = [];
    for (const f of Object.keys(FIELDS)) {
      if (theirs[f] !== base[f]) changed.push(f);
      if (mine[f] === base[f]) setField(f, theirs[f]);
      else if (theirs[f] !== base[f] && theirs[f] !== mine[f]) clash.push(f);
    }
    if (clash.length) {
      pending = { theirs, fields: clash };
      for (const f of Object.keys(FIELDS)) if (!clash.includes(f)) base[f] = theirs[f];
      showClash();
      return;
    }
    const typing = Object.keys(FIELDS).some((f) => mine[f] !== base[f]);
    pending = null;
    setVersion(theirs.version);
    base = theirs;
    if (changed.length) {
      liveEl.textContent = `${who()} changed the ${listOf(changed)}: the form shows the new version${typing ? ", with your changes kept" : ""}.`;
    }
    changers.clear();
  }

  function swapCardFragments(doc) {
    for (const fresh of doc.querySelectorAll("[data-card-fragment]")) {
      const target = root.querySelector(`[data-card-fragment="${CSS.escape(fresh.dataset.cardFragment)}"]`);
      if (!target) continue;
      // Keep the keyboard where it was: the same control (by position) in a swapped part.
      const active = document.activeElement;
      const focusables = (node) => [...node.querySelectorAll("a[href], button, input, select, textarea, [tabindex]")];
      const index = target.contains(active) ? focusables(target).indexOf(active) : -1;
      target.replaceChildren(...[...fresh.childNodes].map((n) => document.importNode(n, true)));
      if (index >= 0) (focusables(target)[index] || target.closest("section") || root).focus?.();
    }
  }

  async function refreshCard() {
    if (refreshing) { again = true; return refreshing; }
    refreshing = (async () => {
      try {
        const response = await fetch(root.dataset.liveUrl, { credentials: "same-origin", headers: { Accept: "text/html" } });
        if (!response.ok) throw new Error(String(response.status));
        const doc = new DOMParser().parseFromString(await response.text(), "text/html");
        const card = JSON.parse(doc.querySelector("script[data-card-state]").textContent);
        swapCardFragments(doc);
        document.title = `${card.title} · Convene`;
        // "Move to column" shows where the card is now, unless the person has already chosen another.
        if (moveSelect && moveSelect.value === String(shownColumn)) moveSelect.value = String(card.column_id);
        shownColumn = card.column_id;
        if (editForm) reconcile(card);
        else { setVersion(card.version); if (changers.size) liveEl.textContent = `${who()} changed this card.`; changers.clear(); }
        await refreshDescription();
      } catch (err) {
        liveEl.textContent = "This card changed, but the new version could not be loaded: reload the page to see it.";
      }
    })();
    await refreshing;
    refreshing = null;
    if (again) { again = false; await refreshCard(); }
  }

  const CARD_EVENTS = ["card_updated", "card_moved", "card_archived", "card_restored"];
  const COLUMN_EVENTS = ["column_updated", "column_moved"];

  function concerns(name, payload) {
    return COLUMN_EVENTS.includes(name) || (payload.card && payload.card.id === cardId);
  }

  function heard(name, payload) {
    if (!concerns(name, payload)) return false;
    if (payload.activity && payload.card) changers.add(payload.activity.actor.display_name);
    return true;
  }

  // `glossary_changed` is sent to the space's room, the card's changes to the board's: join both on
  // every (re)connect, since the server forgets rooms when a connection drops (a reader of the card is
  // shown in the space's presence too).
  const socket = connect({
    onState: (state) => {
      if (state === "connected") return;
      liveEl.dataset.state = state;
      liveEl.textContent = "Connection lost: reconnecting…";
    },
  });
  let joined = false;
  socket.on("connect", () => {
    socket.emit("join_board", { board_id: boardId, since: seq }, (ack) => {
      if (!ack || !ack.ok) {
        liveEl.textContent = `Live updates unavailable: ${(ack && ack.error) || "no answer"}`;
        return;
      }
      // Catch up: whatever happened to the card while this page was away.
      const missed = ack.snapshot ? true : ack.events.filter((e) => heard(e.name, e.payload)).length > 0;
      seq = Math.max(seq, ack.seq);
      liveEl.dataset.state = "live";
      liveEl.textContent = "";
      if (missed) refreshCard();
    });
  });
  for (const name of [...CARD_EVENTS, ...COLUMN_EVENTS]) {
    socket.on(name, (payload) => {
      if (payload.board_id !== boardId) return;
      const gap = payload.seq > seq + 1; // missed one: refresh anyway, the page shows the card as it is now
      seq = Math.max(seq, payload.seq);
      if (heard(name, payload) || gap) refreshCard();
    });
  }
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
