// Comments on passages of a joint response (issue 9): select words and comment, see the commented words
// marked in the editor (dotted underline and a ✎ marker, not colour alone), the threads listed beside the
// text in the order of their words, kept in place live as anyone edits.
//
// A passage is two Yjs relative positions: the start sticks to its first character (assoc 0), the end to
// its last (assoc -1), so text typed just outside stays outside. They are resolved here, against this
// page's own Y.Doc, on every change; the server checks and resolves the same bytes with pycrdt
// (workspace/comments/anchors.py). Positions are UTF-16 units, which is what CodeMirror counts too.
//
// The threads themselves (replies, resolve, edit, delete, make a card) are the comments' own HTML
// (templates/comments/_thread.html) and forms; here they are submitted without leaving the page and each
// thread is fetched again, for this reader, when a `comment_*` event says it changed.
import * as Y from "yjs";
import { StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView, WidgetType, keymap } from "@codemirror/view";
import { csrfHeaders } from "./csrf.js";
import { COMMENT_EVENTS, THREAD_FRAGMENT_HEADERS } from "./comments.js";
import { installMentions } from "./mentions.js";
import { commentBoxHints, textareaHints } from "./jargon-hints.js";
import { withReadingMode } from "./reading-mode.js";

const setCommentMarks = StateEffect.define();
let controller = null; // the page's comments panel, once mounted (the keymap reaches it through this)

class CommentMarker extends WidgetType {
  constructor(count) { super(); this.count = count; }
  eq(other) { return other.count === this.count; }
  toDOM() {
    const mark = document.createElement("span");
    mark.className = "cm-comment-marker";
    mark.textContent = "✎";
    mark.setAttribute("aria-hidden", "true"); // the words are announced from the panel, not this glyph
    mark.title = this.count === 1 ? "A comment ends here" : `${this.count} comments end here`;
    return mark;
  }
  ignoreEvent() { return true; }
}

const commentMarks = StateField.define({
  create: () => Decoration.none,
  update(marks, tr) {
    marks = marks.map(tr.changes); // between two resolutions, follow the edits
    for (const effect of tr.effects) if (effect.is(setCommentMarks)) marks = effect.value;
    return marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

// The editor side: marks, and the keyboard shortcuts (they work from the text and from the panel).
export function commentAnchors() {
  const run = (name) => () => (controller ? controller[name]() : false);
  return [
    commentMarks,
    // A document nobody may edit can still be discussed: keep its text reachable from the keyboard
    // (arrows and Shift+arrows select, Ctrl+Alt+M comments) when it is not editable.
    EditorView.contentAttributes.compute([EditorView.editable],
      (state) => (state.facet(EditorView.editable) ? {} : { tabindex: "0" })),
    keymap.of([
      { key: "Ctrl-Alt-m", run: run("startComment") },
      { key: "Ctrl-Alt-n", run: run("next") },
      { key: "Ctrl-Alt-p", run: run("previous") },
    ]),
    EditorView.baseTheme({
      ".cm-comment-range": { textDecoration: "underline dotted 2px", textUnderlineOffset: "3px",
        backgroundColor: "rgba(255, 196, 0, 0.16)" },
      ".cm-comment-range-active": { textDecorationStyle: "solid", backgroundColor: "rgba(255, 196, 0, 0.38)" },
      ".cm-comment-marker": { fontSize: "0.75em", verticalAlign: "super", padding: "0 1px", color: "#6b4f00" },
    }),
  ];
}

const fromB64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const toB64 = (bytes) => btoa(String.fromCharCode(...bytes));

// Mount the panel beside the editor: `view` is the CodeMirror view bound to `ytext` of `ydoc`.
export function mountDocumentComments({ root, view, ydoc, ytext, provider, socket }) {
  const panel = document.getElementById("document-comments");
  if (!panel) return null;
  const documentId = Number(root.dataset.documentId);
  const list = panel.querySelector("[data-doc-threads]");
  const empty = panel.querySelector("[data-doc-comments-empty]");
  const countLine = panel.querySelector("[data-doc-comment-count]");
  const atCursor = document.getElementById("comment-at-cursor");
  const status = document.getElementById("doc-comment-status");
  const form = document.getElementById("doc-comment-new");
  const startButton = document.getElementById("comment-on-selection");
  const threadUrl = (id) => panel.dataset.threadUrl.replace("/0/", `/${id}/`);
  const threads = new Map(); // thread id -> { li, start, end, range }
  let activeId = null;
  let pending = null;        // the passage of the comment being written: { start, end, quote }
  const clearing = new Set(); // fields just submitted: their text is posted, not to be kept

  // --- positions -------------------------------------------------------------------------------
  function register(li) {
    const id = Number(li.dataset.docThread);
    try {
      threads.set(id, { li, start: Y.decodeRelativePosition(fromB64(li.dataset.anchorStart)),
        end: Y.decodeRelativePosition(fromB64(li.dataset.anchorEnd)), range: null });
    } catch (err) {
      threads.set(id, { li, start: null, end: null, range: null }); // listed, never placed
    }
  }
  const isDeleted = (rel) => {
    try { return rel.item ? Y.getItem(ydoc.store, rel.item).deleted : false; } catch (err) { return false; }
  };
  function resolve(t) {
    if (!t.start || !t.end) return null;
    const a = Y.createAbsolutePositionFromRelativePosition(t.start, ydoc);
    const b = Y.createAbsolutePositionFromRelativePosition(t.end, ydoc);
    if (!a || !b || a.type !== ytext || b.type !== ytext) return null; // not in this copy (yet)
    // Removed when nothing is left, or both its first and last characters were deleted.
    const removed = b.index <= a.index || (isDeleted(t.start) && isDeleted(t.end));
    const length = view.state.doc.length; // the editor follows ytext synchronously; never mark past its end
    const from = Math.min(a.index, length);
    return { from, to: removed ? from : Math.min(b.index, length), removed };
  }
  const isResolved = (t) => t.li.querySelector(".thread--resolved") !== null;

  let refreshTimer = null;
  function scheduleRefresh() {
    // Never dispatch inside an editor update (a local edit reaches ytext synchronously).
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 30);
  }
  function refresh() {
    const marks = [];
    const ends = new Map();
    for (const [id, t] of threads) {
      t.range = resolve(t);
      showPassage(t);
      if (!t.range || t.range.removed || isResolved(t)) continue;
      const active = id === activeId;
      marks.push(Decoration.mark({ class: active ? "cm-comment-range cm-comment-range-active" : "cm-comment-range",
        attributes: { "data-comment-thread": String(id) } }).range(t.range.from, t.range.to));
      ends.set(t.range.to, (ends.get(t.range.to) || 0) + 1);
    }
    for (const [at, count] of ends) marks.push(Decoration.widget({ widget: new CommentMarker(count), side: 1 }).range(at));
    view.dispatch({ effects: setCommentMarks.of(Decoration.set(marks, true)) });
    reorder();
    empty.hidden = threads.size > 0;
  }

  function showPassage(t) {
    const removed = Boolean(t.range && t.range.removed);
    t.li.classList.toggle("doc-thread--removed", removed);
    const p = t.li.querySelector("[data-passage]");
    if (!p) return;
    p.querySelector("[data-passage-removed]").hidden = !removed;
    p.querySelector("[data-passage-on]").hidden = removed;
    p.querySelector("[data-show-passage]").hidden = removed || !t.range;
  }

  // Threads in the order of their words (those not placed yet keep the server's order, at the end).
  function order() {
    return [...threads.entries()].sort(([ia, a], [ib, b]) => {
      const pa = a.range ? a.range.from : Infinity;
      const pb = b.range ? b.range.from : Infinity;
      return pa - pb || ia - ib;
    });
  }
  function reorder() {
    const wanted = order().map(([, t]) => t.li);
    const current = [...list.children];
    if (wanted.length === current.length && wanted.every((li, i) => li === current[i])) return;
    const focused = document.activeElement;
    wanted.forEach((li) => list.append(li));
    if (focused && list.contains(focused) && document.activeElement !== focused) focused.focus({ preventScroll: true });
  }

  // --- reading along: where the cursor is, moving between comments --------------------------------
  function describe(t) {
    const first = t.li.querySelector("section.thread > article.comment");
    if (!first) return "";
    const who = first.querySelector(".comment__head strong")?.textContent.trim() || "Someone";
    const communities = [...first.querySelectorAll(".comment__head .badge")].map((b) => b.textContent.trim());
    const body = (first.querySelector(".comment__body, .comment__tombstone")?.textContent || "").trim();
    const replies = t.li.querySelectorAll(".thread__replies > li").length;
    return `Comment by ${who}${communities.length ? ` (${communities.join(", ")})` : ""}: ${body}`
      + (replies ? ` ${replies} ${replies === 1 ? "reply" : "replies"}.` : "")
      + (isResolved(t) ? " Resolved." : "");
  }
  function setActive(id, { announce = false } = {}) {
    if (activeId === id && !announce) return;
    activeId = id;
    for (const [tid, t] of threads) t.li.classList.toggle("doc-thread--active", tid === id);
    if (announce || id !== null) atCursor.textContent = id !== null ? describe(threads.get(id)) : "";
    scheduleRefresh();
  }
  function threadAt(pos) {
    for (const [id, t] of order()) {
      if (t.range && !t.range.removed && !isResolved(t) && t.range.from <= pos && pos <= t.range.to) return id;
    }
    return null;
  }
  let lastHead = -1;
  view.dom.addEventListener("keyup", followCursor);
  view.dom.addEventListener("mouseup", followCursor);
  function followCursor() {
    const head = view.state.selection.main.head;
    if (head === lastHead) return;
    lastHead = head;
    const id = threadAt(head);
    if (id !== activeId) setActive(id);
  }

  function select(t, { focusEditor = false } = {}) {
    if (!t.range || t.range.removed) return false;
    view.dispatch({ selection: { anchor: t.range.from, head: t.range.to }, scrollIntoView: true });
    if (focusEditor) view.focus();
    return true;
  }
  function step(direction) {
    const placed = order().filter(([, t]) => t.range && !t.range.removed);
    if (!placed.length) { atCursor.textContent = "There are no comments on the text."; return true; }
    const inPanel = panel.contains(document.activeElement);
    const current = placed.findIndex(([id]) => id === activeId);
    let index;
    if (current >= 0) {
      index = (current + direction + placed.length) % placed.length;
    } else {
      const head = view.state.selection.main.head;
      index = direction > 0 ? placed.findIndex(([, t]) => t.range.from > head) : -1;
      if (direction < 0) placed.forEach(([, t], i) => { if (t.range.from < head) index = i; });
      if (index < 0) index = direction > 0 ? 0 : placed.length - 1;
    }
    const [id, t] = placed[index];
    select(t);
    setActive(id, { announce: true });
    if (inPanel) t.li.querySelector("[data-passage]").focus();
    return true;
  }

  panel.addEventListener("focusin", (event) => {
    const li = event.target.closest("[data-doc-thread]");
    if (!li) return;
    const id = Number(li.dataset.docThread);
    const t = threads.get(id);
    if (t && id !== activeId) { select(t); setActive(id); }
  });
  panel.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey && event.altKey)) return;
    const key = event.key.toLowerCase();
    if (key === "n" || key === "p") { event.preventDefault(); step(key === "n" ? 1 : -1); }
  });
  panel.addEventListener("click", async (event) => {
    const earlier = event.target.closest("[data-earlier-replies]");
    if (earlier) {
      event.preventDefault();
      const id = Number(earlier.dataset.earlierReplies);
      await refreshThread(id);
      const t = threads.get(id);
      const first = t && t.li.querySelector(".thread__replies > li article");
      if (first) { first.tabIndex = -1; first.focus(); }
      return;
    }
    const button = event.target.closest("[data-show-passage]");
    if (!button) return;
    const t = threads.get(Number(button.closest("[data-doc-thread]").dataset.docThread));
    if (t) select(t, { focusEditor: true });
  });

  // --- writing a new comment --------------------------------------------------------------------
  function say(text) { if (status) status.textContent = text; }
  function startComment() {
    if (!form) return false;
    const sel = view.state.selection.main;
    if (sel.empty) {
      say("Select the words you want to comment on first.");
      atCursor.textContent = "Select the words you want to comment on first.";
      return true;
    }
    const start = Y.createRelativePositionFromTypeIndex(ytext, sel.from, 0);
    const end = Y.createRelativePositionFromTypeIndex(ytext, sel.to, -1);
    pending = { start: toB64(Y.encodeRelativePosition(start)), end: toB64(Y.encodeRelativePosition(end)),
      quote: view.state.sliceDoc(sel.from, sel.to) };
    form.querySelector("[data-new-quote]").textContent = pending.quote;
    form.hidden = false;
    showError("");
    form.querySelector("textarea").focus();
    return true;
  }
  function showError(message) {
    const error = document.getElementById("doc-comment-error");
    error.textContent = message;
    error.hidden = !message;
    form.querySelector("textarea").setAttribute("aria-invalid", message ? "true" : "false");
  }
  function closeForm({ focusEditor = true } = {}) {
    form.hidden = true;
    pending = null;
    form.querySelector("textarea").value = "";
    showError("");
    if (focusEditor) view.focus();
  }
  // The server checks the passage against its copy: send our edits first (a moment at most).
  function whenSaved(timeout = 5000) {
    return new Promise((resolveSaved) => {
      const started = Date.now();
      const check = () => {
        if (provider.saved || !provider.joined || Date.now() - started > timeout) resolveSaved();
        else setTimeout(check, 50);
      };
      check();
    });
  }
  if (startButton) {
    startButton.addEventListener("mousedown", (event) => event.preventDefault()); // keep the editor's selection
    startButton.addEventListener("click", () => startComment());
  }
  if (form) {
    form.querySelector("[data-cancel-comment]").addEventListener("click", () => closeForm());
    form.addEventListener("keydown", (event) => { if (event.key === "Escape") { event.preventDefault(); closeForm(); } });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!pending) return;
      const body = form.querySelector("textarea").value;
      if (!body.trim()) { showError("Write your comment first: it is empty."); return; }
      const submit = form.querySelector('button[type="submit"]');
      submit.disabled = true;
      try {
        await whenSaved();
        const response = await fetch(panel.dataset.apiUrl, {
          method: "POST", headers: { ...csrfHeaders(), Accept: "application/json" }, credentials: "same-origin",
          body: JSON.stringify({ body, anchor: pending }),
        });
        const answer = await response.json().catch(() => ({}));
        if (!response.ok) {
          const errors = answer.errors || {};
          showError(errors.body || errors.anchor || answer.detail || "The comment was not saved.");
          return;
        }
        closeForm({ focusEditor: false });
        await addThread(answer);
        say("Your comment is posted beside the text.");
        const t = threads.get(answer.id);
        if (t) t.li.querySelector("[data-passage]").focus();
      } catch (err) {
        showError("The comment was not saved: the connection failed. Try again.");
      } finally {
        submit.disabled = false;
      }
    });
  }

  // --- threads: add, fetch again, submit their forms -----------------------------------------------
  function passageParagraph(id, quote) {
    const p = document.createElement("p");
    p.className = "doc-thread__quote";
    p.dataset.passage = "";
    p.tabIndex = -1;
    p.id = `passage-${id}`;
    const removed = document.createElement("span");
    removed.dataset.passageRemoved = "";
    removed.hidden = true;
    const strong = document.createElement("strong");
    strong.textContent = "The text it was about was removed.";
    removed.append(strong, " It said");
    const on = document.createElement("span");
    on.dataset.passageOn = "";
    on.textContent = "On";
    const q = document.createElement("q");
    q.textContent = quote || "";
    const show = document.createElement("button");
    show.type = "button";
    show.className = "link-button no-print";
    show.dataset.showPassage = "";
    show.textContent = "Show in the text";
    p.append(removed, " ", on, " ", q, " ", show);
    return p;
  }
  async function addThread(comment) {
    if (threads.has(comment.id) || !comment.anchor) return;
    const li = document.createElement("li");
    li.className = "doc-thread";
    li.dataset.docThread = String(comment.id);
    li.dataset.anchorStart = comment.anchor.start || "";
    li.dataset.anchorEnd = comment.anchor.end || "";
    li.append(passageParagraph(comment.id, comment.anchor.quote));
    list.append(li);
    register(li);
    refresh();
    await refreshThread(comment.id);
  }
  async function refreshThread(id) {
    const t = threads.get(id);
    if (!t) return;
    try {
      const response = await fetch(withReadingMode(threadUrl(id)), { credentials: "same-origin", headers: THREAD_FRAGMENT_HEADERS });
      if (!response.ok) throw new Error(String(response.status));
      const template = document.createElement("template");
      template.innerHTML = await response.text(); // our server's sanitised HTML for this reader
      const section = template.content.querySelector("section.thread");
      if (!section) return;
      const old = t.li.querySelector("section.thread");
      const focusedId = old && old.contains(document.activeElement) ? document.activeElement.id : null;
      // Keep what someone is typing in this thread and which parts they opened.
      if (old) {
        for (const field of old.querySelectorAll("textarea[id]")) {
          const twin = section.querySelector(`#${CSS.escape(field.id)}`);
          if (twin && field.value !== field.defaultValue && !clearing.has(field.id)) twin.value = field.value;
        }
        for (const d of old.querySelectorAll("details[id]")) {
          const twin = section.querySelector(`#${CSS.escape(d.id)}`);
          if (twin) twin.open = d.open;
        }
      }
      clearing.clear();
      if (old) old.replaceWith(section); else t.li.append(section);
      const entries = template.content.querySelector("[data-comment-entries]");
      const oldEntries = t.li.querySelector("[data-comment-entries]");
      if (entries) { if (oldEntries) oldEntries.replaceWith(entries); else t.li.append(entries); }
      if (focusedId && document.getElementById(focusedId)) document.getElementById(focusedId).focus();
      else if (focusedId !== null) t.li.querySelector("[data-passage]").focus();
      scheduleRefresh();
      if (id === activeId) atCursor.textContent = describe(t);
    } catch (err) {
      /* offline: the thread shows what it had; the next event or a reload brings it up to date */
    }
  }

  panel.addEventListener("submit", async (event) => {
    const threadForm = event.target.closest("[data-doc-thread] form[data-comment-form]");
    if (!threadForm || event.defaultPrevented) return;
    event.preventDefault();
    event.stopPropagation(); // we ask for confirmation here (app.js would ask again)
    const confirmText = event.submitter && event.submitter.dataset.confirm;
    if (confirmText && !window.confirm(confirmText)) return;
    const id = Number(threadForm.closest("[data-doc-thread]").dataset.docThread);
    const old = threadForm.querySelector(".error[data-form-error]");
    if (old) old.remove();
    try {
      const response = await fetch(threadForm.action, { method: "POST", body: new FormData(threadForm),
        credentials: "same-origin", headers: { Accept: "application/json" } });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        const p = document.createElement("p");
        p.className = "error";
        p.dataset.formError = "";
        p.setAttribute("role", "alert");
        p.textContent = Object.values(answer.errors || {})[0] || answer.error || "That did not work.";
        threadForm.append(p);
        return;
      }
      threadForm.querySelectorAll("textarea[id]").forEach((f) => clearing.add(f.id));
      await refreshThread(id);
      say(/\/replies$/.test(threadForm.action) ? "Your reply was posted." : "Saved.");
    } catch (err) {
      say("That was not saved: the connection failed.");
    }
  });

  // --- live -----------------------------------------------------------------------------------------
  const onEvent = (msg) => {
    if (!msg || msg.document_id !== documentId) return;
    if (countLine && typeof msg.count === "number") countLine.textContent = `(${msg.count})`;
    if (threads.has(msg.thread_id)) refreshThread(msg.thread_id);
    else if (msg.comment && msg.comment.parent_id === null && msg.comment.anchor) addThread(msg.comment);
  };
  for (const name of COMMENT_EVENTS) socket.on(name, onEvent);

  // Mentions (@ autocomplete) in every comment field of the panel, and jargon hints while writing.
  const candidatesEl = panel.querySelector("script[data-mention-candidates]");
  const candidates = candidatesEl ? JSON.parse(candidatesEl.textContent) : null;
  panel.addEventListener("focusin", (event) => {
    if (candidates && event.target.matches("textarea[data-mentions]")) installMentions(event.target, candidates);
  });
  const hintsSection = form && form.querySelector("[data-comment-hints]");
  if (hintsSection && root.dataset.jargonHintsUrl) {
    textareaHints(form.querySelector("textarea"), {
      url: root.dataset.jargonHintsUrl, section: hintsSection, list: hintsSection.querySelector("[data-hints-list]"),
      status: hintsSection.querySelector("[data-hints-status]"),
      termUrl: (id) => root.dataset.termUrl.replace(/\/0$/, `/${id}`), addTermUrl: root.dataset.addTermUrl,
    });
  }
  // Reply and edit boxes in the threads get theirs once someone writes in one (comments-perf).
  if (root.dataset.jargonHintsUrl) {
    commentBoxHints(panel, "[data-doc-thread] form[data-comment-form] textarea", {
      url: root.dataset.jargonHintsUrl, addTermUrl: root.dataset.addTermUrl,
      termUrl: (id) => root.dataset.termUrl.replace(/\/0$/, `/${id}`),
    });
  }

  list.querySelectorAll("[data-doc-thread]").forEach(register);
  ytext.observe(scheduleRefresh);
  refresh();

  controller = { startComment, next: () => step(1), previous: () => step(-1), refresh, threads };
  return controller;
}
