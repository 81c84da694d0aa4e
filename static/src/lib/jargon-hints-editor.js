// Jargon hints in CodeMirror 6 (the document editor): a dashed underline under each hinted word, kept
// in place as the text is edited until the next answer replaces it. The list beside the editor and
// everything without CodeMirror live in jargon-hints.js.
import { StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView } from "@codemirror/view";

export const setJargonHints = StateEffect.define();

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
