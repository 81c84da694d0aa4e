// The formatting toolbar above the editor: a WAI-ARIA toolbar (one Tab stop, arrow keys, Home/End
// move between its buttons: roving tabindex), each button labelled with its name and shortcut, the
// same commands on the usual keys, and undo/redo through the Yjs UndoManager so they only undo
// this person's own edits, never a co-author's.
import { Prec } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import {
  activeFormats, setHeading, toggleBold, toggleBulletList, toggleItalic, toggleNumberedList, toggleQuote,
} from "./format-commands.js";

const MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
const MOD_ARIA = MAC ? "Meta" : "Control";
const MOD_SHOWN = MAC ? "⌘" : "Ctrl";

// key: CodeMirror's name; aria: aria-keyshortcuts; shown: in the tooltip.
function shortcut(key) {
  const parts = key.split("-");
  const last = parts.pop();
  const aria = parts.map((p) => ({ Mod: MOD_ARIA, Alt: "Alt", Shift: "Shift" }[p])).concat(last.toUpperCase()).join("+");
  const shown = parts.map((p) => ({ Mod: MOD_SHOWN, Alt: MAC ? "⌥" : "Alt", Shift: MAC ? "⇧" : "Shift" }[p]))
    .concat(last.toUpperCase()).join(MAC ? "" : "+");
  return { aria, shown };
}

// The Y.UndoManager's own commands (the undo stack holds only this client's changes).
export function undoCommands(undoManager) {
  return {
    undo: () => { undoManager.undo(); return true; },
    redo: () => { undoManager.redo(); return true; },
  };
}

// `commands`: { undo, redo, link } (the link form's opener).
function buttons({ undo, redo, link }) {
  return [
    { id: "bold", label: "Bold", key: "Mod-b", run: toggleBold, pressed: (f) => f.bold },
    { id: "italic", label: "Italic", key: "Mod-i", run: toggleItalic, pressed: (f) => f.italic },
    { id: "h1", label: "Heading 1", key: "Mod-Alt-1", run: setHeading(1), pressed: (f) => f.heading === 1, group: true },
    { id: "h2", label: "Heading 2", key: "Mod-Alt-2", run: setHeading(2), pressed: (f) => f.heading === 2 },
    { id: "h3", label: "Heading 3", key: "Mod-Alt-3", run: setHeading(3), pressed: (f) => f.heading === 3 },
    { id: "bullet", label: "Bulleted list", key: "Mod-Shift-8", run: toggleBulletList, pressed: (f) => f.bullet, group: true },
    { id: "numbered", label: "Numbered list", key: "Mod-Shift-7", run: toggleNumberedList, pressed: (f) => f.numbered },
    { id: "quote", label: "Quote", key: "Mod-Shift-9", run: toggleQuote, pressed: (f) => f.quote },
    { id: "link", label: "Link", key: "Mod-k", run: link, pressed: (f) => f.link },
    { id: "undo", label: "Undo", key: "Mod-z", run: undo, group: true, history: true },
    { id: "redo", label: "Redo", key: MAC ? "Mod-Shift-z" : "Mod-y", run: redo, history: true },
  ];
}

// Screen readers hear what a key or button did (focus stays in the text, so nothing else says it).
let liveRegion = null;
function runAndSay(def, view) {
  const done = def.run(view);
  if (!done || !liveRegion || def.id === "link") return done; // the link form speaks for itself
  let said;
  if (def.id === "undo") said = "Undone";
  else if (def.id === "redo") said = "Redone";
  else said = def.pressed(activeFormats(view.state)) ? def.label : `${def.label} off`;
  // The same words twice in a row must still be spoken: change the text node each time.
  liveRegion.textContent = liveRegion.textContent === said ? `${said}\u00a0` : said;
  return done;
}

// The keys, above CodeMirror's defaults (Mod-i would select the parent syntax node there).
export function formatKeymap(commands) {
  const defs = buttons(commands);
  const bound = defs.map((def) => ({ key: def.key, run: (view) => runAndSay(def, view), preventDefault: true }));
  const redo = defs.find((def) => def.id === "redo");
  bound.push({ key: MAC ? "Mod-y" : "Mod-Shift-z", run: (view) => runAndSay(redo, view), preventDefault: true });
  return Prec.high(keymap.of(bound));
}

// Build the toolbar into `container` (and the link form under it, when given); returns
// { update(state), setEditable(on) }.
export function formatToolbar(container, view, commands, { controls = null, linkForm = null } = {}) {
  const bar = document.createElement("div");
  bar.className = "format-toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Formatting");
  if (controls) bar.setAttribute("aria-controls", controls);
  const defs = buttons(commands);
  const els = defs.map((def, i) => {
    const { aria, shown } = shortcut(def.key);
    const b = document.createElement("button");
    b.type = "button";
    b.className = `format-button format-button--${def.id}${def.group && i ? " format-button--group" : ""}`;
    b.dataset.format = def.id;
    b.setAttribute("aria-label", def.label);
    b.setAttribute("aria-keyshortcuts", aria);
    b.title = `${def.label} (${shown})`;
    if (!def.history) b.setAttribute("aria-pressed", "false");
    // The glyph is drawn by CSS (content: "…" / ""), so the button's only text is its label.
    const glyph = document.createElement("span");
    glyph.className = "format-glyph";
    glyph.setAttribute("aria-hidden", "true");
    b.append(glyph);
    b.tabIndex = i === 0 ? 0 : -1;
    // Keep the editor's selection: a mouse press must not move focus out of the editor.
    b.addEventListener("mousedown", (event) => event.preventDefault());
    b.addEventListener("click", () => {
      if (b.getAttribute("aria-disabled") === "true") return;
      setCurrent(i);
      runAndSay(def, view);
      view.focus(); // back to the text, to keep writing
    });
    bar.append(b);
    return b;
  });

  let currentIndex = 0;
  function setCurrent(i) {
    els[currentIndex].tabIndex = -1;
    currentIndex = i;
    els[i].tabIndex = 0;
  }
  bar.addEventListener("keydown", (event) => {
    const i = els.indexOf(document.activeElement);
    if (i < 0) return;
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: els.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = (next + els.length) % els.length;
    setCurrent(target);
    els[target].focus();
  });
  container.append(bar);
  liveRegion = document.createElement("p");
  liveRegion.className = "visually-hidden";
  liveRegion.id = "format-announce";
  liveRegion.setAttribute("aria-live", "polite");
  container.append(liveRegion);
  if (linkForm) container.append(linkForm.element);

  return {
    element: bar,
    update(state, { canUndo = true, canRedo = true } = {}) {
      const formats = activeFormats(state);
      defs.forEach((def, i) => {
        if (def.pressed) els[i].setAttribute("aria-pressed", String(!!def.pressed(formats)));
        if (def.id === "undo") els[i].setAttribute("aria-disabled", String(!canUndo));
        if (def.id === "redo") els[i].setAttribute("aria-disabled", String(!canRedo));
      });
    },
    setEditable(on) {
      bar.hidden = !on;
      if (!on && linkForm) linkForm.element.hidden = true;
    },
  };
}
