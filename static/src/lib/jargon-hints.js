// Jargon hints while writing: words another convened community marks as loaded or as a false friend,
// and all-capitals acronyms found in no glossary (POST /api/v1/spaces/{id}/jargon-hints). Gentle by
// design: a list beside the editor and a dashed underline in the text, never a dialog, never a block.
// Everything shown is built with textContent: a hint's words come from other people's glossaries.
// This module is plain DOM, for any writer: the list beside the field, its polite status, and
// `textareaHints` for a <textarea> (a card's description). The document editor adds CodeMirror's
// underlines from jargon-hints-editor.js; kept apart so a page without CodeMirror does not load it.
import { csrfHeaders } from "./csrf.js";

export const HINT_TEXT_MAX = 100_000; // the API refuses more: longer texts get no hints

const KIND_LABELS = { false_friend: "False friend", loaded: "Loaded term", unknown_acronym: "Unknown acronym" };
const RELATION_WORDS = {
  equivalent: "you would say", broader: "the broader term is", narrower: "a narrower term is",
  related: "a related term is", false_friend: "the same word means something else:",
};

function bridgeLine(bridge) {
  const words = RELATION_WORDS[bridge.relation] || `${bridge.relation}:`;
  const p = document.createElement("p");
  p.className = "jargon-hint__bridge";
  p.textContent = `In ${bridge.community}, ${words} “${bridge.term}”${bridge.status === "confirmed" ? "" : ` (${bridge.status})`}.`;
  return p;
}

function link(text, href) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

// The hints to list: one per word and kind, however often the word occurs (the editor still
// underlines every occurrence). Each keeps its first occurrence and how many there are.
export function distinctHints(hints) {
  const byKey = new Map();
  for (const hint of hints) {
    const key = `${hint.kind}\u0000${hint.term_id ?? ""}\u0000${hint.text.toLowerCase()}`;
    const seen = byKey.get(key);
    if (seen) seen.occurrences += 1;
    else byKey.set(key, { ...hint, occurrences: 1, first: hint });
  }
  return [...byKey.values()];
}

// One list item per distinct hint: what it is (in words and an icon, not colour), why, and where to go next.
export function renderHints(list, hints, { termUrl, addTermUrl, onShow }) {
  list.replaceChildren(...distinctHints(hints).map((hint) => {
    const li = document.createElement("li");
    li.className = `jargon-hint jargon-hint--${hint.kind.replace("_", "-")}`;
    const flag = document.createElement("strong");
    flag.className = hint.kind === "unknown_acronym" ? "flag" : `flag flag--${hint.kind.replace("_", "-")}`;
    flag.textContent = `${KIND_LABELS[hint.kind] || "Hint"}: `;
    const message = document.createElement("span");
    message.textContent = hint.occurrences > 1 ? `${hint.message} (${hint.occurrences} times in the text)` : hint.message;
    const head = document.createElement("p");
    head.append(flag, message);
    li.append(head);
    for (const bridge of hint.bridges || []) {
      if (bridge.relation !== "false_friend") li.append(bridgeLine(bridge));
    }
    const actions = document.createElement("p");
    actions.className = "jargon-hint__actions";
    const show = document.createElement("button");
    show.type = "button";
    show.className = "link-button";
    show.textContent = `Show “${hint.text}” in the text`;
    show.addEventListener("click", () => onShow(hint.first)); // the hint as answered: its first occurrence
    actions.append(show, " · ");
    if (hint.term_id) actions.append(link(`${hint.community}'s glossary entry`, termUrl(hint.term_id)));
    else {
      const url = new URL(addTermUrl, window.location.href);
      url.searchParams.set("term", hint.text);
      actions.append(link(`Add “${hint.text}” to the glossary`, url.toString()));
    }
    li.append(actions);
    return li;
  }));
}

// What the polite status says: only when the set of hinted words changes, so typing stays quiet.
// It counts what the list shows: one hint per distinct word and kind.
export function hintSummary(hints) {
  const listed = distinctHints(hints);
  if (!listed.length) return "No hints right now.";
  const words = [...new Set(listed.map((h) => `“${h.text}”`))];
  return `${listed.length === 1 ? "1 hint" : `${listed.length} hints`} about words other communities may read differently: ${words.join(", ")}.`;
}

// Hints for a <textarea>: asked for once typing pauses (and on first focus, for text already there),
// shown in `list` with a polite `status` that speaks only when the hinted words change. A textarea
// cannot underline, so "Show … in the text" selects the word in the field instead.
export function textareaHints(textarea, { url, section, list, status, termUrl, addTermUrl, delay = 800 }) {
  let timer = null;
  let asked = 0;   // the latest request; older answers are dropped
  let said = "";
  let started = false;
  section.hidden = false;

  function show(hint) {
    const value = textarea.value;
    let start = hint.utf16_start; // a JavaScript string index is a UTF-16 offset
    if (value.slice(start, hint.utf16_end) !== hint.text) start = value.indexOf(hint.text); // edited since
    if (start < 0) return;
    textarea.focus();
    textarea.setSelectionRange(start, start + hint.text.length);
  }

  function apply(hints, note = null) {
    renderHints(list, hints, { termUrl, addTermUrl, onShow: show });
    const now = note || hintSummary(hints);
    if (now !== said) status.textContent = now;
    said = now;
  }

  async function refresh() {
    started = true;
    const text = textarea.value;
    if (text.length > HINT_TEXT_MAX) {
      apply([], "The text is too long for hints.");
      return true;
    }
    const mine = ++asked;
    try {
      const response = await fetch(url, {
        method: "POST", headers: csrfHeaders(), credentials: "same-origin", body: JSON.stringify({ text }),
      });
      if (!response.ok) throw new Error(String(response.status));
      const body = await response.json();
      if (mine !== asked) return true; // a later request is on its way
      // Typed on meanwhile: keep the hints whose word is still where it was; the next answer brings the rest.
      const now = textarea.value;
      apply(body.items.filter((h) => now.slice(h.utf16_start, h.utf16_end) === h.text));
      return true;
    } catch (err) {
      return false; // offline: hints are optional, say nothing
    }
  }

  // Debounce: a hint is a suggestion, asked for once typing has paused, not per keystroke.
  textarea.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, delay);
  });
  textarea.addEventListener("focus", () => { if (!started && textarea.value) refresh(); });
  // After a glossary change: ask again, but only for someone who has started writing here.
  return { refresh: () => (started ? refresh() : Promise.resolve(true)), ask: refresh };
}

// --- comments-perf (issue 9 follow-ups): hints on reply and edit boxes ---------------------------------
// A page with 50 threads has 50 reply boxes (and edit boxes for one's own comments), and threads are
// swapped in live: rather than render a hints list under each, the list is added under a box the first
// time someone writes in it (hints need JavaScript anyway). Same list, status and wording as the
// new-comment form. `selector` picks the boxes inside `container`.
let hintSections = 0;

function hintsSectionAfter(field) {
  const id = `comment-hints-${++hintSections}`;
  const section = document.createElement("section");
  section.className = "hints";
  section.dataset.commentHints = "";
  section.setAttribute("aria-labelledby", `${id}-heading`);
  const heading = document.createElement("h3");
  heading.id = `${id}-heading`;
  heading.textContent = "Words other communities may read differently";
  const status = document.createElement("p");
  status.className = "muted";
  status.setAttribute("role", "status");
  status.dataset.hintsStatus = "";
  status.textContent = "Hints appear here as you write. They are only suggestions.";
  const list = document.createElement("ul");
  list.className = "hint-list";
  list.dataset.hintsList = "";
  section.append(heading, status, list);
  field.after(section);
  return section;
}

export function commentBoxHints(container, selector, { url, termUrl, addTermUrl }) {
  if (!url) return;
  container.addEventListener("focusin", (event) => {
    const textarea = event.target;
    if (!(textarea instanceof HTMLTextAreaElement) || !textarea.matches(selector) || textarea.dataset.hints) return;
    textarea.dataset.hints = "on";
    const field = textarea.closest(".field") || textarea;
    const section = hintsSectionAfter(field);
    const hints = textareaHints(textarea, {
      url, section, list: section.querySelector("[data-hints-list]"), status: section.querySelector("[data-hints-status]"),
      termUrl, addTermUrl,
    });
    if (textarea.value.trim()) hints.ask(); // an edit box starts with the comment's text
  });
}
