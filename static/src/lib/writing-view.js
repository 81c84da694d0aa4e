// The writing view: Markdown shown formatted in place (headings, emphasis, lists, quotes, links),
// with the markup hidden except on the lines and spans the cursor or selection touches, where it
// shows so people can see and change it. Only decorations: the document is still the same Markdown.
import { syntaxTree } from "@codemirror/language";
import { Decoration, EditorView, ViewPlugin, WidgetType } from "@codemirror/view";

class BulletWidget extends WidgetType {
  eq() { return true; }
  toDOM() {
    const span = document.createElement("span");
    span.className = "cm-wv-bullet";
    span.textContent = "•";
    return span;
  }
  ignoreEvent() { return false; }
}

const hide = Decoration.replace({});
const bullet = Decoration.replace({ widget: new BulletWidget() });
const strong = Decoration.mark({ class: "cm-wv-strong" });
const em = Decoration.mark({ class: "cm-wv-em" });
const code = Decoration.mark({ class: "cm-wv-code" });
const linkText = Decoration.mark({ class: "cm-wv-link" });
const orderedMark = Decoration.mark({ class: "cm-wv-ol-mark" });
const headingLine = [1, 2, 3, 4, 5, 6].map((n) => Decoration.line({ class: `cm-wv-heading cm-wv-h${n}` }));
const quoteLine = Decoration.line({ class: "cm-wv-quote" });
const listLine = Decoration.line({ class: "cm-wv-li" });

function build(view) {
  const { state } = view;
  const focused = view.hasFocus;
  const ranges = state.selection.ranges;
  // Markup shows where the cursor is (only while the editor has focus, so a page opens clean).
  const touches = (from, to) => focused && ranges.some((r) => r.from <= to && r.to >= from);
  const lineTouched = (pos) => {
    const line = state.doc.lineAt(pos);
    return touches(line.from, line.to);
  };
  const out = [];
  const hideThrough = (from, to) => { if (to > from) out.push(hide.range(from, to)); };
  // A marker and the spaces after it, on its own line only.
  const markerEnd = (mark) => {
    const lineEnd = state.doc.lineAt(mark.from).to;
    let end = mark.to;
    while (end < lineEnd && /[ \t]/.test(state.sliceDoc(end, end + 1))) end++;
    return end;
  };

  for (const { from, to } of view.visibleRanges) {
    syntaxTree(state).iterate({
      from, to,
      enter: (node) => {
        const name = node.name;
        const heading = /^ATXHeading([1-6])$/.exec(name);
        if (heading) {
          out.push(headingLine[Number(heading[1]) - 1].range(state.doc.lineAt(node.from).from));
          if (!lineTouched(node.from)) {
            for (const mark of node.node.getChildren("HeaderMark")) {
              if (mark.from === node.from) hideThrough(mark.from, markerEnd(mark));
              else hideThrough(mark.from, mark.to); // closing #s
            }
          }
          return undefined;
        }
        if (name === "StrongEmphasis" || name === "Emphasis") {
          out.push((name === "StrongEmphasis" ? strong : em).range(node.from, node.to));
          if (!touches(node.from, node.to)) {
            for (const mark of node.node.getChildren("EmphasisMark")) hideThrough(mark.from, mark.to);
          }
          return undefined;
        }
        if (name === "InlineCode") {
          out.push(code.range(node.from, node.to));
          if (!touches(node.from, node.to)) {
            for (const mark of node.node.getChildren("CodeMark")) hideThrough(mark.from, mark.to);
          }
          return undefined;
        }
        if (name === "Link") {
          const marks = node.node.getChildren("LinkMark");
          if (marks.length >= 2 && marks[0].to <= marks[1].from) {
            out.push(linkText.range(marks[0].to, marks[1].from));
            if (!touches(node.from, node.to)) {
              hideThrough(marks[0].from, marks[0].to);
              hideThrough(marks[1].from, node.to); // "](address "title")"
            }
          }
          return false;
        }
        if (name === "Blockquote") {
          for (let pos = node.from; pos <= node.to;) {
            const line = state.doc.lineAt(pos);
            out.push(quoteLine.range(line.from));
            pos = line.to + 1;
          }
          return undefined;
        }
        if (name === "QuoteMark") {
          if (!lineTouched(node.from)) hideThrough(node.from, markerEnd(node));
          return undefined;
        }
        if (name === "ListMark") {
          const list = node.node.parent && node.node.parent.parent;
          out.push(listLine.range(state.doc.lineAt(node.from).from));
          if (list && list.name === "BulletList") {
            if (!lineTouched(node.from)) out.push(bullet.range(node.from, node.to));
          } else {
            out.push(orderedMark.range(node.from, node.to));
          }
          return undefined;
        }
        return undefined;
      },
    });
  }
  return Decoration.set(out, true);
}

export const writingView = [
  ViewPlugin.fromClass(class {
    constructor(view) { this.decorations = build(view); }
    update(update) {
      if (update.docChanged || update.viewportChanged || update.selectionSet || update.focusChanged
          || syntaxTree(update.startState) !== syntaxTree(update.state)) {
        this.decorations = build(update.view);
      }
    }
  }, { decorations: (v) => v.decorations }),
  EditorView.contentAttributes.of({ class: "cm-writing-view" }),
];
