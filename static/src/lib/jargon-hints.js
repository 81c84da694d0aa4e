// Jargon hints while writing: words another convened community marks as loaded or as a false friend,
// and all-capitals acronyms found in no glossary (POST /api/v1/spaces/{id}/jargon-hints). Gentle by
// design: a list beside the editor and a dashed underline in the text, never a dialog, never a block.
// Everything shown is built with textContent: a hint's words come from other people's glossaries.
import { StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView } from "@codemirror/view";

export const HINT_TEXT_MAX = 100_000; // the API refuses more: longer documents get no hints
export const setJargonHints = StateEffect.define();

const KIND_LABELS = { false_friend: "False friend", loaded: "Loaded term", unknown_acronym: "Unknown acronym" };
const RELATION_WORDS = {
  equivalent: "you would say", broader: "the broader term is", narrower: "a narrower term is",
  related: "a related term is", false_friend: "the same word means something else:",
};

// Underlines in the editor; they follow edits until the next answer replaces them.
const hintField = StateField.define({
  create: () => Decoration.none,
  update(marks, tr) {
    marks = marks.map(tr.changes);
    for (const effect of tr.effects) {
      if (!effect.is(setJargonHints)) continue;
      marks = Decoration.set(effect.value.map((h) => Decoration.mark({
        class: "cm-jargon-hint",
        attributes: { title: h.message, "data-hint-kind": h.kind },
        hint: h,
      }).range(h.from, h.to)), true);
    }
    return marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

export const jargonHintMarks = [
  hintField,
  // A border, not a text decoration: glossary terms are already underlined and a hint may be one.
  EditorView.baseTheme({ ".cm-jargon-hint": { borderBottom: "2px dashed #8a4b00" } }),
];

// Where a hint's word is now (edits since the answer move it), or null if it was edited away.
export function hintRange(state, hint) {
  let found = null;
  state.field(hintField).between(0, state.doc.length, (from, to, deco) => {
    if (deco.spec.hint !== hint) return undefined;
    found = { from, to };
    return false;
  });
  return found;
}

// Hints answered for `sent` (the text as it was), placed in the editor as it is now: `changes` are
// the edits made since. A hint whose word was edited meanwhile is dropped; the next answer brings it back.
export function placeHints(hints, changes, doc) {
  const placed = [];
  for (const hint of hints) {
    const from = changes.mapPos(hint.utf16_start, 1);
    const to = changes.mapPos(hint.utf16_end, -1);
    if (to <= from || to > doc.length || doc.sliceString(from, to) !== hint.text) continue;
    placed.push({ ...hint, from, to });
  }
  return placed;
}

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

// One list item per hint: what it is (in words and an icon, not colour), why, and where to go next.
export function renderHints(list, hints, { termUrl, addTermUrl, onShow }) {
  list.replaceChildren(...hints.map((hint) => {
    const li = document.createElement("li");
    li.className = `jargon-hint jargon-hint--${hint.kind.replace("_", "-")}`;
    const flag = document.createElement("strong");
    flag.className = hint.kind === "unknown_acronym" ? "flag" : `flag flag--${hint.kind.replace("_", "-")}`;
    flag.textContent = `${KIND_LABELS[hint.kind] || "Hint"}: `;
    const message = document.createElement("span");
    message.textContent = hint.message;
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
    show.addEventListener("click", () => onShow(hint));
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
export function hintSummary(hints) {
  if (!hints.length) return "No hints right now.";
  const words = [...new Set(hints.map((h) => `“${h.text}”`))];
  return `${hints.length === 1 ? "1 hint" : `${hints.length} hints`} about words other communities may read differently: ${words.join(", ")}.`;
}
