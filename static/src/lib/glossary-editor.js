// CodeMirror 6: underline glossary terms while writing, with the same popover on hover and on
// keyboard focus (the cursor inside a term), announced to screen readers through a live region.
//
// Terms come from GET /api/v1/spaces/{id}/glossary (or the page) as
//   [{id, forms: ["case", "cases"], kind: "term" | "false_friend" | "loaded", title, lines: [text…]}]
// and can be replaced at any time (after `glossary_changed`) with `setGlossaryTerms`.
import { StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView, hoverTooltip, showTooltip } from "@codemirror/view";

export const setGlossaryTerms = StateEffect.define();

const WORD = /[\p{L}\p{N}\p{M}_]/u;
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// One alternation, longest form first, whole words (Unicode) where the form starts/ends with a word character.
export function compileTerms(terms) {
  const byForm = new Map();
  for (const term of terms || []) {
    for (const raw of term.forms || []) {
      const form = String(raw).trim();
      if (!form) continue;
      const key = form.toLowerCase();
      if (!byForm.has(key)) byForm.set(key, { form, terms: [] });
      byForm.get(key).terms.push(term);
    }
  }
  const forms = [...byForm.values()].sort((a, b) => b.form.length - a.form.length);
  if (!forms.length) return { regexp: null, byForm };
  const parts = forms.map(({ form }) => {
    const before = WORD.test(form[0]) ? "(?<![\\p{L}\\p{N}\\p{M}_])" : "";
    const after = WORD.test(form[form.length - 1]) ? "(?![\\p{L}\\p{N}\\p{M}_])" : "";
    return `${before}${escapeRegExp(form)}${after}`;
  });
  return { regexp: new RegExp(parts.join("|"), "giu"), byForm };
}

export function findTerms(text, compiled) {
  const found = [];
  if (!compiled.regexp) return found;
  compiled.regexp.lastIndex = 0;
  let m;
  while ((m = compiled.regexp.exec(text))) {
    if (!m[0].length) { compiled.regexp.lastIndex += 1; continue; }
    const entry = compiled.byForm.get(m[0].toLowerCase());
    if (entry) found.push({ from: m.index, to: m.index + m[0].length, terms: entry.terms });
  }
  return found;
}

function kindOf(terms) {
  if (terms.some((t) => t.kind === "false_friend")) return "false_friend";
  if (terms.some((t) => t.kind === "loaded")) return "loaded";
  return "term";
}

const LABEL = { false_friend: "False friend", loaded: "Loaded term", term: "Glossary term" };

// The popover's content, built with textContent only.
export function popoverNode(terms) {
  const box = document.createElement("div");
  box.className = "term-popover term-popover--editor";
  box.setAttribute("role", "region");
  for (const term of terms) {
    const section = document.createElement("div");
    section.className = "term-entry";
    const head = document.createElement("p");
    const strong = document.createElement("strong");
    strong.textContent = term.title || (term.forms && term.forms[0]) || "";
    head.append(strong);
    if (term.community) head.append(` in ${term.community}`);
    section.append(head);
    if (term.kind !== "term") {
      const flag = document.createElement("p");
      flag.className = `flag flag--${term.kind.replace("_", "-")}`;
      flag.textContent = LABEL[term.kind];
      section.append(flag);
    }
    for (const line of term.lines || []) {
      const p = document.createElement("p");
      p.textContent = line;
      section.append(p);
    }
    box.append(section);
  }
  box.setAttribute("aria-label", `Glossary: ${terms.map((t) => t.title).join(", ")}`);
  return box;
}

function decorate(doc, compiled) {
  const marks = findTerms(doc.toString(), compiled).map(({ from, to, terms }) => {
    const kind = kindOf(terms);
    return Decoration.mark({
      class: kind === "term" ? "cm-term" : `cm-term cm-term--${kind.replace("_", "-")}`,
      attributes: { "data-term-ids": terms.map((t) => t.id).join(" "), "data-kind": kind },
      terms,
    }).range(from, to);
  });
  return Decoration.set(marks, true);
}

export function glossaryUnderline({ terms = [], announce = null } = {}) {
  const field = StateField.define({
    create: (state) => {
      const compiled = compileTerms(terms);
      return { compiled, decorations: decorate(state.doc, compiled) };
    },
    update(value, tr) {
      let { compiled } = value;
      let changed = tr.docChanged;
      for (const effect of tr.effects) {
        if (effect.is(setGlossaryTerms)) { compiled = compileTerms(effect.value); changed = true; }
      }
      return changed ? { compiled, decorations: decorate(tr.state.doc, compiled) } : value;
    },
    provide: (f) => EditorView.decorations.from(f, (v) => v.decorations),
  });

  const termAt = (state, pos, side = 0) => {
    let hit = null;
    state.field(field).decorations.between(pos, pos, (from, to, deco) => {
      if ((side < 0 ? from < pos : from <= pos) && (side > 0 ? to > pos : to >= pos)) {
        hit = { from, to, terms: deco.spec.terms };
        return false;
      }
      return undefined;
    });
    return hit;
  };

  // Keyboard: the cursor inside a term shows its popover, without a mouse.
  const cursorTooltip = StateField.define({
    create: () => null,
    update(value, tr) {
      const sel = tr.state.selection.main;
      if (!sel.empty) return null;
      const hit = termAt(tr.state, sel.head);
      if (!hit) return null;
      // The same tooltip while the cursor stays in the same term with the same entries: a new one
      // each transaction (a co-author typing elsewhere) would redraw it under the reader's eyes.
      if (value && value.pos === hit.from && value.end === hit.to
          && tr.state.field(field) === tr.startState.field(field)) return value;
      return { pos: hit.from, end: hit.to, above: false, create: () => ({ dom: popoverNode(hit.terms) }) };
    },
    provide: (f) => showTooltip.from(f),
  });

  const hover = hoverTooltip((view, pos, side) => {
    const hit = termAt(view.state, pos, side);
    if (!hit) return null;
    return { pos: hit.from, end: hit.to, above: true, create: () => ({ dom: popoverNode(hit.terms) }) };
  });

  // Screen readers: say which term the cursor entered (CodeMirror tooltips are not in the reading order).
  const speak = EditorView.updateListener.of((update) => {
    if (!announce || !(update.selectionSet || update.docChanged)) return;
    const sel = update.state.selection.main;
    const hit = sel.empty ? termAt(update.state, sel.head) : null;
    const key = hit ? `${hit.from}:${hit.to}` : "";
    if (announce.dataset.lastTerm === key) return;
    announce.dataset.lastTerm = key;
    announce.textContent = hit
      ? hit.terms.map((t) => `${LABEL[t.kind] || LABEL.term}: ${t.title}${t.community ? `, ${t.community}` : ""}. ${(t.lines || []).join(" ")}`).join(" ")
      : "";
  });

  return [field, cursorTooltip, hover, speak];
}

// The shape the extension wants, from the API's /spaces/{id}/glossary answer and a reader community.
export function termsFromSpaceGlossary(glossary, { readingAs = null, communities = {} } = {}) {
  const byId = new Map(glossary.terms.map((t) => [t.id, t]));
  return glossary.terms
    .filter((t) => t.community_id !== readingAs)
    .map((t) => {
      let kind = t.status === "loaded" ? "loaded" : "term";
      const lines = [t.definition_text ?? t.definition]; // the definition is Markdown: show its text
      if (t.status === "loaded" && t.loaded_note) lines.push(`Loaded: ${t.loaded_note}`);
      for (const b of glossary.bridges) {
        const otherId = b.from_term_id === t.id ? b.to_term_id : b.to_term_id === t.id ? b.from_term_id : null;
        const other = otherId && byId.get(otherId);
        if (!other || (readingAs !== null && other.community_id !== readingAs)) continue;
        if (b.relation === "false_friend") { kind = "false_friend"; lines.push(`False friend of “${other.term}”.`); }
        else if (b.relation === "equivalent") lines.push(`You would say “${other.term}”.`);
        else lines.push(`${b.relation}: “${other.term}”.`);
      }
      return { id: t.id, forms: [t.term, ...t.aliases], kind, title: t.term,
               community: communities[t.community_id] || "", lines };
    });
}
