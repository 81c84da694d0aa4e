// Glossary marks made by the server (button.term): an accessible popover per mark, and live swaps.
//
// Each mark is a real <button> with aria-expanded; opening it inserts a region right after it in the
// reading order (so Tab reaches its links and screen readers read it next), filled with copies of
// the server-rendered, sanitised entries in #glossary-entries. Escape or the Close button closes it
// and returns focus to the mark. No user text is ever inserted as HTML from JavaScript.

const ID = /^\d+$/;
let current = null; // { button, popover }

function entryFor(id) {
  if (!ID.test(id)) return null;
  return document.querySelector(`#glossary-entries .term-entry[data-term-id="${id}"]`)
    // comments render their own entries (issue 9): terms found only in a comment are explained too
    || document.querySelector(`[data-comment-entries] .term-entry[data-term-id="${id}"]`);
}

export function closePopover({ focus = true } = {}) {
  if (!current) return;
  const { button, popover } = current;
  current = null;
  popover.remove();
  button.setAttribute("aria-expanded", "false");
  button.removeAttribute("aria-controls");
  if (focus && document.contains(button)) button.focus();
}

export function openPopover(button) {
  closePopover({ focus: false });
  const popover = document.createElement("div");
  popover.className = "term-popover";
  popover.id = "term-popover";
  popover.setAttribute("role", "region");
  popover.setAttribute("aria-label", `Glossary: ${button.textContent}`);
  const ids = (button.dataset.termIds || "").split(" ");
  let found = 0;
  for (const id of ids) {
    const entry = entryFor(id);
    if (!entry) continue;
    const copy = entry.cloneNode(true);
    copy.removeAttribute("id");
    popover.append(copy);
    found += 1;
  }
  if (!found) {
    const p = document.createElement("p");
    p.textContent = "This term's entry is not available; reload the page.";
    popover.append(p);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.className = "link-button term-popover__close";
  close.textContent = "Close";
  close.addEventListener("click", () => closePopover());
  popover.append(close);
  button.after(popover);
  button.setAttribute("aria-expanded", "true");
  button.setAttribute("aria-controls", popover.id);
  popover.style.left = `${Math.max(0, button.offsetLeft)}px`;
  popover.style.top = `${button.offsetTop + button.offsetHeight + 4}px`;
  current = { button, popover };
}

export function installPopovers(root = document) {
  root.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("button.term[data-term-ids]");
    if (button) {
      event.preventDefault();
      if (current && current.button === button) closePopover();
      else openPopover(button);
      return;
    }
    if (current && !current.popover.contains(event.target)) closePopover({ focus: false });
  });
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && current) {
      event.preventDefault();
      closePopover();
    }
  });
}

// Replace each [data-glossary-fragment] on the page by the one in `html` (our server's own
// sanitised output for this reader, the same bytes a page load would contain). DOMParser builds
// an inert document: nothing in it runs. Focus on a mark survives the swap by position.
export function swapFragments(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const active = document.activeElement;
  let focusIndex = -1;
  let focusName = null;
  if (active && active.matches && active.matches("[data-glossary-fragment] button.term")) {
    focusName = active.closest("[data-glossary-fragment]").dataset.glossaryFragment;
    focusIndex = [...active.closest("[data-glossary-fragment]").querySelectorAll("button.term")].indexOf(active);
  }
  const wasOpen = current && current.button === active;
  closePopover({ focus: false });
  for (const fresh of doc.querySelectorAll("[data-glossary-fragment]")) {
    const name = fresh.dataset.glossaryFragment;
    const target = document.querySelector(`[data-glossary-fragment="${CSS.escape(name)}"]`);
    if (!target) continue;
    target.replaceChildren(...[...fresh.childNodes].map((n) => document.importNode(n, true)));
    if (fresh.dataset.mode) target.dataset.mode = fresh.dataset.mode;
  }
  if (focusName !== null) {
    const marks = document.querySelectorAll(`[data-glossary-fragment="${CSS.escape(focusName)}"] button.term`);
    const again = marks[Math.min(focusIndex, marks.length - 1)];
    if (again) {
      again.focus();
      if (wasOpen) openPopover(again);
    }
  }
}

export async function refreshFragments(url, { mode = "annotated" } = {}) {
  const target = new URL(url, window.location.href);
  if (mode === "mine") target.searchParams.set("mode", "mine");
  const response = await fetch(target, { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (!response.ok) throw new Error(`glossary refresh failed: ${response.status}`);
  swapFragments(await response.text());
}
