// The board page: live updates in sequence order, catch-up after reconnect, filters, and moving
// cards by drag and drop or from the keyboard (each step announced to screen readers).
import { connect } from "./lib/live.js";
import { installTileCounts } from "./lib/comments.js";

const root = document.querySelector(".board[data-board-id]");

if (root) {
  const boardId = Number(root.dataset.boardId);
  const canChange = root.dataset.canChange === "true";
  const columnsEl = document.getElementById("board-columns");
  const announcer = document.getElementById("board-announcer");
  const liveEl = document.getElementById("board-live");
  const feed = document.getElementById("activity-feed");
  const filterForm = document.getElementById("board-filters");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  let lastSeq = Number(root.dataset.seq);
  let joined = false;
  let buffered = [];

  // --- small DOM helpers (user text only ever goes in through textContent) ---------------
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === "text") node.textContent = v;
      else if (k === "dataset") Object.assign(node.dataset, v);
      else if (k === "className") node.className = v;
      else node.setAttribute(k, v);
    }
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  };
  const cardEl = (id) => document.getElementById(`card-${id}`);
  const columnEl = (id) => document.getElementById(`column-${id}`);
  const listOf = (columnId) => columnEl(columnId)?.querySelector("ol.board-cards");
  const titleOf = (li) => li.querySelector(".board-card__title").textContent;
  const columnTitle = (section) => section.querySelector(".board-column__title").textContent;
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const today = root.dataset.today;

  function announce(text) {
    announcer.textContent = "";
    window.requestAnimationFrame(() => { announcer.textContent = text; });
  }

  // --- rendering cards and columns from event payloads -----------------------------------
  // One Tab stop a card: for people who can move cards, the tile (Enter opens it, Space picks it
  // up); for others, its title link (as the server renders it, so it works without JavaScript).
  function oneTabStop(li) {
    if (!canChange) return;
    li.tabIndex = 0;
    li.querySelector(".board-card__title").tabIndex = -1;
  }

  function buildCard(card) {
    const communities = card.assignees.flatMap((a) => a.communities.map((c) => c.id));
    const li = el("li", {
      className: `board-card${card.is_joint ? " board-card--joint" : ""}`, id: `card-${card.id}`, tabindex: "0",
      dataset: {
        cardId: card.id, version: card.version, position: card.position,
        assignees: card.assignees.map((a) => a.user_id).join(" "), communities: communities.join(" "),
        labels: JSON.stringify(card.labels), due: card.due_on || "", joint: String(card.is_joint),
      },
    });
    if (canChange) { li.draggable = true; li.setAttribute("aria-describedby", "board-help"); }
    li.append(el("a", { className: "board-card__title", href: `/cards/${card.id}`, text: card.title }));
    oneTabStop(li);
    if (card.is_joint) li.append(" ", el("span", { className: "joint-badge", text: "Joint" }));
    if (card.assignees.length) {
      li.append(el("ul", { className: "board-card__people" }, ...card.assignees.map((a) => el("li", { text: a.display_name },
        a.communities.length ? el("span", { className: "muted", text: ` (${a.communities.map((c) => c.name).join(", ")})` }) : null))));
    }
    if (card.labels.length) li.append(el("ul", { className: "labels" }, ...card.labels.map((l) => el("li", { className: "label", text: l }))));
    if (card.due_on) {
      const [, m, d] = card.due_on.split("-").map(Number);
      li.append(el("p", { className: "due" }, "Due ", el("time", { datetime: card.due_on, text: `${d} ${MONTHS[m - 1]}` }),
        el("span", { className: "due__flag" }))); // overdue or not: markOverdue, once the card has its column
    }
    if (card.checklist.total) li.append(el("p", { className: "checklist-count", text: `Checklist ${card.checklist.done}/${card.checklist.total}` }));
    return li;
  }

  function place(li, columnId) {
    const list = listOf(columnId);
    if (!list) { li.remove(); return; }
    const key = li.dataset.position;
    const id = Number(li.dataset.cardId);
    const next = [...list.children].find((other) => other !== li &&
      (other.dataset.position > key || (other.dataset.position === key && Number(other.dataset.cardId) > id)));
    if (li.parentElement !== list || li.nextElementSibling !== (next || null)) list.insertBefore(li, next || null);
  }

  function upsertCard(card) {
    if (grabbed && grabbed.li.dataset.cardId === String(card.id)) cancelGrab(`${card.title} was changed by someone else; the move was cancelled.`);
    const old = cardEl(card.id);
    if (card.archived) { old?.remove(); return; }
    const li = buildCard(card);
    // comments (issue 9): the comment count is not in card events; keep the one the tile had
    const count = old?.querySelector(".comment-count");
    if (count) li.append(count);
    const hadFocus = old && old === document.activeElement;
    if (old) old.replaceWith(li);
    place(li, card.column_id);
    if (hadFocus) li.focus();
  }

  // Finished cards are never overdue: those in columns marked done, or else in the last column
  // (services.done_column_ids is the same rule).
  function doneColumnIds() {
    const sections = [...columnsEl.querySelectorAll(".board-column")];
    const marked = sections.filter((s) => s.dataset.done === "true");
    return new Set((marked.length ? marked : sections.slice(-1)).map((s) => s.dataset.columnId));
  }

  function isOverdue(li, done) {
    const due = li.dataset.due;
    return Boolean(due) && due < today && !done.has(li.closest(".board-column")?.dataset.columnId);
  }

  function markOverdue(li, done) {
    const p = li.querySelector("p.due");
    if (!p) return;
    const overdue = isOverdue(li, done);
    p.classList.toggle("due--overdue", overdue);
    const flag = p.querySelector(".due__flag");
    if (flag) flag.textContent = overdue ? " (overdue)" : "";
  }

  function buildColumn(column) {
    const section = el("section", {
      className: "board-column", id: `column-${column.id}`, "aria-labelledby": `column-${column.id}-title`,
      dataset: { columnId: column.id, version: column.version, position: column.position, wipLimit: column.wip_limit || "",
        done: String(Boolean(column.done)) },
    });
    section.append(el("header", { className: "board-column__header" },
      el("h2", { id: `column-${column.id}-title`, className: "board-column__title", text: column.title }),
      el("span", { className: "column-done", hidden: "" }, el("span", { "aria-hidden": "true", text: "✓" }), " finished"),
      el("span", { className: "wip" }, el("span", { className: "wip__count", text: "0" }),
        el("span", { className: "wip__rest" }), el("span", { className: "visually-hidden", text: " cards" })),
      el("p", { className: "wip-warning", role: "status", hidden: "", text: "Over the work-in-progress limit" })));
    section.append(el("ol", { className: "board-cards", dataset: { columnId: column.id }, "aria-label": `Cards in ${column.title}` }));
    if (canChange) {
      section.append(el("form", { method: "post", action: `/boards/${boardId}/cards`, className: "add-card", novalidate: "" },
        el("input", { type: "hidden", name: "csrf_token", value: csrf }),
        el("input", { type: "hidden", name: "column_id", value: String(column.id) }),
        el("div", { className: "field add-card__field" },
          el("label", { for: `new-card-${column.id}`, className: "visually-hidden", text: `New card title in ${column.title}` }),
          el("input", { id: `new-card-${column.id}`, name: "title", maxlength: "200", placeholder: "New card title", "aria-invalid": "false" }),
          el("p", { className: "error", id: `new-card-${column.id}-error`, role: "alert", hidden: "" })),
        el("button", { type: "submit", className: "button button--secondary", text: "Add card" })));
    }
    return section;
  }

  function upsertColumn(column) {
    let section = columnEl(column.id);
    if (column.archived) { section?.remove(); return; }
    if (!section) section = buildColumn(column);
    section.dataset.version = column.version;
    section.dataset.position = column.position;
    section.dataset.wipLimit = column.wip_limit || "";
    section.dataset.done = String(Boolean(column.done));
    const doneBox = section.querySelector('input[name="done"]');
    if (doneBox) doneBox.checked = Boolean(column.done);
    section.querySelector(".board-column__title").textContent = column.title;
    section.querySelector("ol.board-cards").setAttribute("aria-label", `Cards in ${column.title}`);
    const newCardLabel = section.querySelector(`label[for="new-card-${column.id}"]`);
    if (newCardLabel) newCardLabel.textContent = `New card title in ${column.title}`;
    section.querySelectorAll('input[name="version"]').forEach((input) => { input.value = column.version; });
    const next = [...columnsEl.children].find((other) => other !== section &&
      (other.dataset.position > column.position || (other.dataset.position === column.position && Number(other.dataset.columnId) > column.id)));
    if (section.parentElement !== columnsEl || section.nextElementSibling !== (next || null)) columnsEl.insertBefore(section, next || null);
  }

  function refreshCounts() {
    const done = doneColumnIds();
    for (const section of columnsEl.querySelectorAll(".board-column")) {
      section.querySelector(".column-done").hidden = !done.has(section.dataset.columnId);
      section.querySelectorAll("li.board-card").forEach((li) => markOverdue(li, done));
      const count = section.querySelectorAll("li.board-card").length;
      const limit = Number(section.dataset.wipLimit) || 0;
      section.querySelector(".wip__count").textContent = String(count);
      const rest = section.querySelector(".wip__rest");
      if (rest) rest.textContent = limit ? ` / ${limit}` : "";
      else if (section.querySelector(".wip__limit")) section.querySelector(".wip__limit").textContent = String(limit);
      section.querySelector(".wip-warning").hidden = !(limit && count > limit);
    }
    const cards = columnsEl.querySelectorAll("li.board-card");
    document.getElementById("open-count").textContent = String(cards.length);
    document.getElementById("joint-count").textContent = String(columnsEl.querySelectorAll('li.board-card[data-joint="true"]').length);
    applyFilters();
  }

  function addActivity(activity) {
    if (!activity || !feed) return;
    feed.querySelector(".empty")?.remove();
    const li = el("li");
    if (activity.card_id) li.append(el("a", { href: `/cards/${activity.card_id}`, text: activity.card_title }), ": ");
    li.append(`${activity.text} by ${activity.actor.display_name} `,
      el("span", { className: "muted" }, el("time", { datetime: activity.at, text: "just now" })));
    feed.prepend(li);
    while (feed.children.length > 30) feed.lastElementChild.remove();
  }

  const HANDLERS = {
    card_created: (p) => upsertCard(p.card),
    card_updated: (p) => upsertCard(p.card),
    card_moved: (p) => upsertCard(p.card),
    card_restored: (p) => upsertCard(p.card),
    card_archived: (p) => upsertCard(p.card),
    column_created: (p) => upsertColumn(p.column),
    column_updated: (p) => upsertColumn(p.column),
    column_moved: (p) => upsertColumn(p.column),
  };

  function apply(name, payload) {
    HANDLERS[name]?.(payload);
    addActivity(payload.activity);
    lastSeq = payload.seq;
    root.dataset.seq = String(lastSeq);
    refreshCounts();
  }

  function applySnapshot(board) {
    const keepColumns = new Set(board.columns.map((c) => String(c.id)));
    columnsEl.querySelectorAll(".board-column").forEach((s) => { if (!keepColumns.has(s.dataset.columnId)) s.remove(); });
    const keepCards = new Set();
    for (const column of board.columns) {
      upsertColumn(column);
      for (const card of column.cards) { keepCards.add(String(card.id)); upsertCard(card); }
    }
    columnsEl.querySelectorAll("li.board-card").forEach((li) => { if (!keepCards.has(li.dataset.cardId)) li.remove(); });
    lastSeq = board.seq;
    root.dataset.seq = String(lastSeq);
    refreshCounts();
  }

  // --- live: apply events strictly in seq order; a gap means ask for what was missed --------
  function receive(name, payload) {
    if (payload.board_id !== boardId) return;
    if (!joined) { buffered.push([name, payload]); return; }
    if (payload.seq <= lastSeq) return;
    if (payload.seq > lastSeq + 1) { join(); return; }
    apply(name, payload);
  }

  function join() {
    joined = false;
    socket.emit("join_board", { board_id: boardId, since: lastSeq }, (ack) => {
      if (!ack || !ack.ok) {
        liveEl.textContent = `Live updates unavailable: ${(ack && ack.error) || "no answer"}`;
        return;
      }
      if (ack.snapshot) applySnapshot(ack.snapshot);
      else for (const e of ack.events) if (e.payload.seq === lastSeq + 1) apply(e.name, e.payload);
      joined = true;
      const pending = buffered.sort((a, b) => a[1].seq - b[1].seq);
      buffered = [];
      for (const [name, payload] of pending) receive(name, payload);
      liveEl.textContent = "Live: changes by others appear as they happen.";
      liveEl.dataset.state = "live";
    });
  }

  const socket = connect({
    onState: (state, detail) => {
      if (state === "connected") return;
      liveEl.dataset.state = state;
      liveEl.textContent = state === "error" && detail ? `Cannot connect: ${detail}` : "Connection lost: reconnecting…";
    },
  });
  socket.on("connect", join);
  for (const name of Object.keys(HANDLERS)) socket.on(name, (payload) => receive(name, payload));
  installTileCounts(socket, boardId); // comments (issue 9): comment counts on tiles, live

  // --- filters (the same rules as services.card_matches) -----------------------------------
  function endOfWeek(isoDay) {
    const d = new Date(`${isoDay}T00:00:00Z`);
    const weekday = (d.getUTCDay() + 6) % 7; // Monday = 0
    d.setUTCDate(d.getUTCDate() + 6 - weekday);
    return d.toISOString().slice(0, 10);
  }

  function applyFilters() {
    if (!filterForm) return;
    const f = new FormData(filterForm);
    const assignee = f.get("assignee"), community = f.get("community"), label = (f.get("label") || "").toLowerCase();
    const due = f.get("due"), joint = f.get("joint");
    const active = assignee || community || label || due || joint;
    let shown = 0, total = 0;
    const done = doneColumnIds();
    for (const li of columnsEl.querySelectorAll("li.board-card")) {
      total += 1;
      const d = li.dataset.due;
      const ok = (!assignee || li.dataset.assignees.split(" ").includes(assignee)) &&
        (!community || li.dataset.communities.split(" ").includes(community)) &&
        (!label || JSON.parse(li.dataset.labels || "[]").some((l) => l.toLowerCase() === label)) &&
        (due !== "overdue" || isOverdue(li, done)) &&
        (due !== "week" || (d && d >= today && d <= endOfWeek(today))) &&
        (!joint || li.dataset.joint === "true");
      li.hidden = !ok;
      if (ok) shown += 1;
    }
    document.getElementById("filter-status").textContent = active ? `${shown} of ${total} cards shown` : "";
  }

  if (filterForm) {
    filterForm.addEventListener("change", () => {
      applyFilters();
      const params = new URLSearchParams([...new FormData(filterForm)].filter(([, v]) => v));
      window.history.replaceState(null, "", `${window.location.pathname}${params.size ? `?${params}` : ""}`);
    });
    filterForm.addEventListener("submit", (event) => { event.preventDefault(); filterForm.dispatchEvent(new Event("change")); });
  }

  // Focus scrolling stops at the scroller's very edge, which would cut the focus ring off; scrolling
  // into view honours the board's scroll-padding (app.css), so whatever has focus shows whole.
  columnsEl.addEventListener("focusin", (event) => {
    event.target.scrollIntoView({ block: "nearest", inline: "nearest" });
  });

  // --- adding a card in place: no reload, so the scroll position and the field's focus stay ----
  function showCardError(form, message) {
    const input = form.querySelector('input[name="title"]');
    const error = form.querySelector("p.error");
    const field = form.querySelector(".add-card__field");
    error.textContent = message || "";
    error.hidden = !message;
    field.classList.toggle("field--error", Boolean(message));
    input.setAttribute("aria-invalid", message ? "true" : "false");
    if (message) input.setAttribute("aria-describedby", error.id);
    else input.removeAttribute("aria-describedby");
  }

  async function addCard(form) {
    const input = form.querySelector('input[name="title"]');
    const columnId = Number(form.querySelector('input[name="column_id"]').value);
    const title = input.value;
    form.setAttribute("aria-busy", "true");
    let response, body;
    try {
      response = await fetch(`/api/v1/boards/${boardId}/cards`, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ column_id: columnId, title }),
      });
      body = await response.json().catch(() => ({}));
    } catch (err) {
      response = null;
    } finally {
      form.removeAttribute("aria-busy");
    }
    input.focus(); // clicking "Add card" moved focus to the button: the next card starts in the field
    if (!response) { showCardError(form, "The card was not added: the server could not be reached. Try again."); return; }
    if (!response.ok) {
      const errors = body.errors || {};
      showCardError(form, errors.title || errors.column_id || body.detail || `The card was not added (${response.status}).`);
      return;
    }
    showCardError(form, "");
    if (input.value === title) input.value = ""; // keep anything typed meanwhile
    upsertCard(body); // the live card_created event replaces it with the same tile
    refreshCounts();
    announce(`Added “${body.title}” to ${columnTitle(form.closest(".board-column"))}.`);
  }

  if (canChange) {
    columnsEl.addEventListener("submit", (event) => {
      const form = event.target.closest && event.target.closest("form.add-card");
      if (!form) return;
      event.preventDefault();
      if (form.getAttribute("aria-busy") === "true") return; // one card per press, however fast
      addCard(form);
    });
  }

  // --- moving cards: one commit path for keyboard and mouse -------------------------------
  function neighbourOf(li) {
    const prev = li.previousElementSibling, next = li.nextElementSibling;
    if (prev) return { after_card_id: Number(prev.dataset.cardId) };
    if (next) return { before_card_id: Number(next.dataset.cardId) };
    return {};
  }

  function commitMove(li, origin) {
    const section = li.closest(".board-column");
    const request = { card_id: Number(li.dataset.cardId), column_id: Number(section.dataset.columnId),
      version: Number(li.dataset.version), ...neighbourOf(li) };
    const unchanged = origin.list === li.parentElement && origin.next === li.nextElementSibling;
    if (unchanged) { announce(`${titleOf(li)} dropped where it was.`); return; }
    li.classList.add("is-saving");
    socket.emit("move_card", request, (ack) => {
      li.classList.remove("is-saving");
      if (ack && ack.ok) {
        li.dataset.version = ack.card.version;
        li.dataset.position = ack.card.position;
        const warning = ack.warnings && ack.warnings.length ? ` ${ack.warnings.join(" ")}` : "";
        announce(`${titleOf(li)} moved to ${columnTitle(section)}.${warning}`);
        refreshCounts();
        return;
      }
      origin.list.insertBefore(li, origin.next && origin.next.parentElement === origin.list ? origin.next : null);
      if (ack && ack.current) upsertCard(ack.current);
      refreshCounts();
      cardEl(request.card_id)?.focus();
      announce(`Not moved: ${(ack && ack.error) || "the server did not answer"}`);
    });
  }

  // Keyboard: Space or Enter picks up, arrows move, Space or Enter drops, Escape cancels.
  let grabbed = null;

  function describePlace(li) {
    const list = li.parentElement;
    const items = [...list.children];
    return `${columnTitle(li.closest(".board-column"))}, position ${items.indexOf(li) + 1} of ${items.length}`;
  }

  function cancelGrab(message) {
    if (!grabbed) return;
    const { li, origin } = grabbed;
    grabbed = null;
    li.classList.remove("is-grabbed");
    li.removeAttribute("aria-grabbed");
    if (li.isConnected) origin.list.insertBefore(li, origin.next && origin.next.parentElement === origin.list ? origin.next : null);
    refreshCounts();
    li.focus();
    announce(message);
  }

  function moveGrabbed(key) {
    const { li } = grabbed;
    const list = li.parentElement;
    if (key === "ArrowUp" && li.previousElementSibling) list.insertBefore(li, li.previousElementSibling);
    else if (key === "ArrowDown" && li.nextElementSibling) list.insertBefore(li, li.nextElementSibling.nextElementSibling);
    else if (key === "ArrowLeft" || key === "ArrowRight") {
      const sections = [...columnsEl.querySelectorAll(".board-column")];
      const i = sections.indexOf(li.closest(".board-column")) + (key === "ArrowLeft" ? -1 : 1);
      if (i < 0 || i >= sections.length) { announce(`${titleOf(li)} is already in the ${key === "ArrowLeft" ? "first" : "last"} column.`); return; }
      const target = sections[i].querySelector("ol.board-cards");
      const index = Math.min([...list.children].indexOf(li), target.children.length);
      target.insertBefore(li, target.children[index] || null);
    } else { announce(`${titleOf(li)}: ${describePlace(li)}.`); return; }
    li.focus();
    announce(`${titleOf(li)}: ${describePlace(li)}.`);
  }

  if (canChange) {
    columnsEl.addEventListener("keydown", (event) => {
      const li = event.target.closest && event.target.closest("li.board-card");
      if (!li || (event.target !== li && !grabbed)) return; // keys on the title link keep their meaning
      const key = event.key;
      if (!grabbed && key === "Enter" && event.target === li) {
        event.preventDefault();
        li.querySelector(".board-card__title").click(); // open the card, as its link would
      } else if (!grabbed && key === " ") {
        event.preventDefault();
        grabbed = { li, origin: { list: li.parentElement, next: li.nextElementSibling } };
        li.classList.add("is-grabbed");
        li.setAttribute("aria-grabbed", "true");
        announce(`Picked up ${titleOf(li)}. ${describePlace(li)}. Use the arrow keys to move it, Space to drop it, Escape to cancel.`);
      } else if (grabbed && grabbed.li === li) {
        if (key.startsWith("Arrow")) { event.preventDefault(); moveGrabbed(key); }
        else if (key === "Escape") { event.preventDefault(); cancelGrab(`Move cancelled. ${titleOf(li)} is back in ${describePlace(grabbed ? grabbed.li : li)}.`); }
        else if (key === " " || key === "Enter") {
          event.preventDefault();
          const { origin } = grabbed;
          grabbed = null;
          li.classList.remove("is-grabbed");
          li.removeAttribute("aria-grabbed");
          announce(`Dropped ${titleOf(li)} in ${describePlace(li)}.`);
          commitMove(li, origin);
        }
      }
    });
    columnsEl.addEventListener("focusout", (event) => {
      if (grabbed && event.target === grabbed.li && event.relatedTarget && !grabbed.li.contains(event.relatedTarget)) {
        cancelGrab(`Move cancelled: focus left ${titleOf(grabbed.li)}.`);
      }
    });

    // Mouse: HTML drag and drop, committed through the same path.
    let dragging = null;
    columnsEl.addEventListener("dragstart", (event) => {
      const li = event.target.closest && event.target.closest("li.board-card");
      if (!li) return;
      dragging = { li, origin: { list: li.parentElement, next: li.nextElementSibling } };
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", li.dataset.cardId);
      li.classList.add("is-grabbed");
      announce(`Dragging ${titleOf(li)}.`);
    });
    columnsEl.addEventListener("dragover", (event) => {
      if (!dragging) return;
      const list = event.target.closest && (event.target.closest("ol.board-cards") ||
        event.target.closest(".board-column")?.querySelector("ol.board-cards"));
      if (!list) return;
      event.preventDefault();
      const after = [...list.children].find((other) => other !== dragging.li &&
        event.clientY < other.getBoundingClientRect().top + other.getBoundingClientRect().height / 2);
      if (dragging.li.nextElementSibling !== (after || null) || dragging.li.parentElement !== list) list.insertBefore(dragging.li, after || null);
    });
    columnsEl.addEventListener("drop", (event) => {
      if (!dragging) return;
      event.preventDefault();
      const { li, origin } = dragging;
      dragging = null;
      li.classList.remove("is-grabbed");
      commitMove(li, origin);
    });
    columnsEl.addEventListener("dragend", () => {
      if (!dragging) return; // dropped outside a column: put it back
      const { li, origin } = dragging;
      dragging = null;
      li.classList.remove("is-grabbed");
      origin.list.insertBefore(li, origin.next);
      announce(`Move cancelled. ${titleOf(li)} is back where it was.`);
    });
  }

  columnsEl.querySelectorAll("li.board-card").forEach(oneTabStop);
  applyFilters();
}
