// Mention autocomplete for a <textarea>: typing "@" offers the space's people (with their community)
// and its communities; choosing one inserts "@[Name] " (brackets so names with spaces work).
// Accessible as a textbox with a listbox popup: aria-autocomplete, aria-controls,
// aria-activedescendant; Arrow keys move, Enter or Tab choose, Escape closes; a polite status says
// how many suggestions there are. Names go in through textContent only.
const QUERY = /(^|[\s(>])@\[?([^\]\n@[]{0,40})$/u;
const LIMIT = 8;
let counter = 0;

const fold = (s) => s.normalize("NFKD").replace(/\p{M}/gu, "").toLocaleLowerCase();

export function mentionOptions(candidates, query) {
  const q = fold(query.trim());
  const people = (candidates.people || []).map((p) => ({
    name: p.name, label: p.communities && p.communities.length ? `${p.name} (${p.communities.join(", ")})` : p.name,
  }));
  const communities = (candidates.communities || []).map((c) => ({
    name: c.name, label: `${c.name}: everyone from ${c.name} in this space`,
  }));
  return [...people, ...communities].filter((o) => !q || fold(o.name).includes(q)).slice(0, LIMIT);
}

export function installMentions(textarea, candidates) {
  if (textarea.dataset.mentionsReady) return;
  textarea.dataset.mentionsReady = "true";
  const id = `mentions-${++counter}`;
  const listbox = document.createElement("ul");
  listbox.id = id;
  listbox.className = "mention-list";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", "People and communities to mention");
  listbox.hidden = true;
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  textarea.after(listbox, status);
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", id);
  let options = [];
  let active = -1;
  let match = null;

  function close() {
    listbox.hidden = true;
    listbox.replaceChildren();
    textarea.removeAttribute("aria-activedescendant");
    options = [];
    active = -1;
    match = null;
  }

  function highlight(index) {
    active = index;
    [...listbox.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) textarea.setAttribute("aria-activedescendant", `${id}-${index}`);
    else textarea.removeAttribute("aria-activedescendant");
  }

  function choose(index) {
    const option = options[index];
    if (!option || !match) return;
    const caret = textarea.selectionStart;
    const start = match.start;
    const before = textarea.value.slice(0, start);
    const after = textarea.value.slice(caret);
    const inserted = `@[${option.name}] `;
    textarea.value = before + inserted + after;
    const at = before.length + inserted.length;
    textarea.setSelectionRange(at, at);
    close();
    status.textContent = `${option.name} mentioned.`;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function update() {
    const caret = textarea.selectionStart;
    if (caret !== textarea.selectionEnd) { close(); return; }
    const found = QUERY.exec(textarea.value.slice(0, caret));
    if (!found) { close(); return; }
    match = { start: caret - found[0].length + found[1].length, query: found[2] };
    options = mentionOptions(candidates, found[2]);
    if (!options.length) {
      close();
      status.textContent = "Nobody in this space matches.";
      return;
    }
    listbox.replaceChildren(...options.map((o, i) => {
      const li = document.createElement("li");
      li.id = `${id}-${i}`;
      li.setAttribute("role", "option");
      li.textContent = o.label;
      li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
      return li;
    }));
    listbox.hidden = false;
    highlight(0);
    status.textContent = `${options.length} ${options.length === 1 ? "suggestion" : "suggestions"}: use the arrow keys, Enter to choose.`;
  }

  textarea.addEventListener("input", update);
  textarea.addEventListener("click", update);
  textarea.addEventListener("blur", () => setTimeout(close, 0));
  textarea.addEventListener("keydown", (event) => {
    if (listbox.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + options.length) % options.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      if (active >= 0) { event.preventDefault(); choose(active); }
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
}
