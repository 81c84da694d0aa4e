// "Who wrote what": each stretch of text marked with its author's name (a tooltip, a legend and the
// name at the cursor, read out politely), never by colour alone.
import { StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView } from "@codemirror/view";

const setMarks = StateEffect.define();

export const authorMarks = StateField.define({
  create: () => Decoration.none,
  update(marks, tr) {
    marks = marks.map(tr.changes);
    for (const effect of tr.effects) if (effect.is(setMarks)) marks = effect.value;
    return marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

// Walk the Y.Text's items: each live, countable item knows the Yjs client that inserted it.
export function authorRanges(ytext) {
  const ranges = [];
  let pos = 0;
  for (let item = ytext._start; item !== null; item = item.right) {
    if (!item.deleted && item.countable) {
      const last = ranges[ranges.length - 1];
      if (last && last.client === item.id.client && last.to === pos) last.to += item.length;
      else ranges.push({ from: pos, to: pos + item.length, client: item.id.client });
      pos += item.length;
    }
  }
  return ranges;
}

export function showAuthors(view, ytext, names) {
  const styles = new Map();
  const marks = authorRanges(ytext).filter((r) => r.to > r.from).map((r) => {
    const name = names.get(r.client) || "someone not recorded";
    if (!styles.has(name)) styles.set(name, styles.size % 6);
    return Decoration.mark({
      class: `cm-author cm-author-${styles.get(name)}`,
      attributes: { title: `Written by ${name}`, "data-author": name },
    }).range(r.from, r.to);
  });
  view.dispatch({ effects: setMarks.of(Decoration.set(marks, true)) });
  return styles;
}

export function hideAuthors(view) {
  view.dispatch({ effects: setMarks.of(Decoration.none) });
}

export function authorAt(ytext, names, pos) {
  const range = authorRanges(ytext).find((r) => pos >= r.from && pos < r.to)
    || authorRanges(ytext).find((r) => pos === r.to);
  return range ? (names.get(range.client) || "someone not recorded") : null;
}
