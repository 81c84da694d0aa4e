// Formatting commands for people who do not write Markdown: each one edits the Markdown in the
// document (the stored form stays Markdown in the same Y.Text), toggling what is already there.
// They are CodeMirror commands (view) => boolean, so keys, toolbar buttons and tests share them.
import { ChangeSet, EditorSelection, StateEffect, StateField } from "@codemirror/state";
import { ensureSyntaxTree, syntaxTree } from "@codemirror/language";

function treeOf(state, upTo) {
  return ensureSyntaxTree(state, upTo, 200) || syntaxTree(state);
}

// The innermost node named `name` that contains [from, to], or null.
function enclosing(state, from, to, name) {
  const tree = treeOf(state, to);
  for (const [pos, side] of [[from, 1], [to, -1], [from, -1], [to, 1]]) {
    for (let node = tree.resolveInner(pos, side); node; node = node.parent) {
      if (node.name === name && node.from <= from && node.to >= to) return node;
    }
  }
  return null;
}

// Run one change per selection range; `edit(range)` returns { changes, range? } in the old
// document's positions, or null to leave the range as it is.
function perRange(view, edit) {
  const { state } = view;
  if (state.readOnly) return false;
  const tr = state.changeByRange((range) => {
    const out = edit(state, range);
    if (!out) return { range };
    const set = ChangeSet.of(out.changes, state.doc.length);
    return { changes: set, range: out.range ? out.range(set) : range.map(set) };
  });
  view.dispatch(state.update(tr, { scrollIntoView: true, userEvent: "input.format" }));
  return true;
}

// Bold (`**`) and italic (`*`): unwrap when the selection is inside one, wrap otherwise. An empty
// selection inside a word acts on the word; elsewhere it leaves the cursor between new markers.
function toggleInline(node, marker) {
  return (view) => perRange(view, (state, range) => {
    const inside = enclosing(state, range.from, range.to, node);
    if (inside) {
      const marks = inside.getChildren("EmphasisMark");
      if (marks.length < 2) return null;
      const first = marks[0];
      const last = marks[marks.length - 1];
      return { changes: [{ from: first.from, to: first.to }, { from: last.from, to: last.to }] };
    }
    let { from, to } = range;
    if (range.empty) {
      const word = state.wordAt(from);
      if (word) ({ from, to } = word);
    }
    const m = marker.length;
    const changes = [{ from, insert: marker }, { from: to, insert: marker }];
    if (from === to) return { changes, range: () => EditorSelection.cursor(from + m) };
    return { changes, range: () => EditorSelection.range(range.anchor + m, range.head + m) };
  });
}

export const toggleBold = toggleInline("StrongEmphasis", "**");
export const toggleItalic = toggleInline("Emphasis", "*");

// The lines the selection touches, each once, in order.
function selectedLines(state) {
  const lines = [];
  const seen = new Set();
  for (const range of state.selection.ranges) {
    const last = state.doc.lineAt(range.to).number;
    for (let n = state.doc.lineAt(range.from).number; n <= last; n++) {
      if (!seen.has(n)) { seen.add(n); lines.push(state.doc.line(n)); }
    }
  }
  return lines;
}

// Replace each selected line's prefix (matched by `re` at the line start) by `prefixFor(i)`, or
// remove it when every line already has it (`has(match)`). Empty lines are skipped unless alone.
function toggleLinePrefix(re, has, prefixFor) {
  return (view) => {
    const { state } = view;
    if (state.readOnly) return false;
    let lines = selectedLines(state);
    if (lines.length > 1) lines = lines.filter((l) => l.text.trim() !== "");
    if (!lines.length) return false;
    const matches = lines.map((l) => re.exec(l.text));
    const removing = matches.every((m) => m && has(m));
    const changes = lines.map((line, i) => {
      const m = matches[i];
      const end = line.from + (m ? m[0].length : 0);
      return { from: line.from, to: end, insert: removing ? (m.groups && m.groups.indent) || "" : prefixFor(i, m) };
    });
    view.dispatch(state.update({ changes, scrollIntoView: true, userEvent: "input.format" }));
    return true;
  };
}

export function setHeading(level) {
  return toggleLinePrefix(/^#{1,6}[ \t]+|^#{1,6}$/, (m) => m[0].trim().length === level,
    () => `${"#".repeat(level)} `);
}

const LIST = /^(?<indent>[ \t]*)(?<mark>[-*+]|\d{1,9}[.)])[ \t]+/;
export const toggleBulletList = toggleLinePrefix(LIST, (m) => /[-*+]/.test(m.groups.mark),
  (_i, m) => `${m ? m.groups.indent : ""}- `);
export const toggleNumberedList = toggleLinePrefix(LIST, (m) => /\d/.test(m.groups.mark),
  (i, m) => `${m ? m.groups.indent : ""}${i + 1}. `);
export const toggleQuote = toggleLinePrefix(/^>[ \t]?/, () => true, () => "> ");

// Links go through a small form (see link-form.js): `linkTarget` remembers what the link is for
// (the selection, the word at the cursor, or the link the cursor is in) while the person types its
// address, following co-authors' edits meanwhile; `applyLink` then writes `[text](address)`.
export const setLinkTarget = StateEffect.define();
export const linkTarget = StateField.define({
  create: () => null,
  update(value, tr) {
    for (const effect of tr.effects) if (effect.is(setLinkTarget)) return effect.value;
    if (!value || !tr.docChanged) return value;
    const from = tr.changes.mapPos(value.from, 1);
    const to = Math.max(from, tr.changes.mapPos(value.to, -1));
    return { ...value, from, to };
  },
});

// What a link made now would cover, and the address it has if it is one already.
export function linkTargetAt(state) {
  const range = state.selection.main;
  const link = enclosing(state, range.from, range.to, "Link");
  if (link) {
    const url = link.getChild("URL");
    return { from: link.from, to: link.to, url: url ? state.sliceDoc(url.from, url.to) : "", existing: true };
  }
  let { from, to } = range;
  if (range.empty) {
    const word = state.wordAt(from);
    if (word) ({ from, to } = word);
  }
  return { from, to, url: "", existing: false };
}

// An address people type as they see it: "example.org/x" means https://example.org/x.
export function normaliseAddress(raw) {
  const address = raw.trim().replace(/\s/g, "%20").replace(/[()]/g, (c) => (c === "(" ? "%28" : "%29"));
  if (!address) return "";
  if (/^(https?:|mailto:|tel:|\/|#)/i.test(address)) return address;
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) return `mailto:${address}`;
  return `https://${address}`;
}

export function applyLink(view, rawAddress) {
  const { state } = view;
  const target = state.field(linkTarget, false);
  const url = normaliseAddress(rawAddress);
  if (!target || !url || state.readOnly) return false;
  let changes;
  let end;
  const link = target.existing ? enclosing(state, target.from, target.to, "Link") : null;
  const urlNode = link && link.getChild("URL");
  if (urlNode) {
    changes = { from: urlNode.from, to: urlNode.to, insert: url };
    end = link.to + url.length - (urlNode.to - urlNode.from);
  } else {
    const text = state.sliceDoc(target.from, target.to) || rawAddress.trim();
    const insert = `[${text.replace(/([[\]])/g, "\\$1")}](${url})`;
    changes = { from: target.from, to: target.to, insert };
    end = target.from + insert.length;
  }
  view.dispatch(state.update({ changes, selection: EditorSelection.cursor(end), effects: setLinkTarget.of(null),
    scrollIntoView: true, userEvent: "input.format" }));
  return true;
}

// What the cursor is in, for the toolbar's pressed states.
export function activeFormats(state) {
  const { from, to } = state.selection.main;
  const line = state.doc.lineAt(from).text;
  const heading = /^(#{1,6})[ \t]/.exec(line);
  const list = LIST.exec(line);
  return {
    bold: !!enclosing(state, from, to, "StrongEmphasis"),
    italic: !!enclosing(state, from, to, "Emphasis"),
    heading: heading ? heading[1].length : 0,
    bullet: !!(list && /[-*+]/.test(list.groups.mark)),
    numbered: !!(list && /\d/.test(list.groups.mark)),
    quote: /^>/.test(line),
    link: !!enclosing(state, from, to, "Link"),
  };
}
