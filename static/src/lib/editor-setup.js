// CodeMirror's basicSetup without its own undo history (the Yjs UndoManager replaces it, so undo
// only undoes this person's edits) and with the gutters kept for the plain Markdown view only.
import { EditorState, Prec } from "@codemirror/state";
import {
  crosshairCursor, drawSelection, dropCursor, highlightActiveLine, highlightActiveLineGutter, highlightSpecialChars,
  keymap, lineNumbers, rectangularSelection,
} from "@codemirror/view";
import {
  LanguageSupport, bracketMatching, defaultHighlightStyle, foldGutter, foldKeymap, indentOnInput, syntaxHighlighting,
} from "@codemirror/language";
import { commonmarkLanguage, markdownKeymap, pasteURLAsLink } from "@codemirror/lang-markdown";
import { defaultKeymap } from "@codemirror/commands";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";

export const editorSetup = [
  highlightSpecialChars(),
  drawSelection(),
  dropCursor(),
  EditorState.allowMultipleSelections.of(true),
  indentOnInput(),
  syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
  bracketMatching(),
  closeBrackets(),
  rectangularSelection(),
  crosshairCursor(),
  highlightActiveLine(),
  highlightSelectionMatches(),
  keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...foldKeymap]),
];

// Line numbers and folding: useful to people reading Markdown, noise in the writing view.
export const markdownViewExtras = [lineNumbers(), highlightActiveLineGutter(), foldGutter()];

// Markdown as `markdown()` sets it up (CommonMark; Enter continues a list or quote, Backspace removes
// its markup; a URL pasted over selected text makes a link), without the HTML parser for raw HTML
// blocks and its completions: Convene's renderer ignores raw HTML, and that parser brought the HTML,
// CSS and JavaScript grammars into the bundle.
export function markdownSupport() {
  return new LanguageSupport(commonmarkLanguage, [Prec.high(keymap.of(markdownKeymap)), pasteURLAsLink]);
}
