// Glossary marks made by the server (button.term): an accessible popover per mark, and live swaps.
//
// Each mark is a real <button> with aria-expanded; opening it inserts a region right after it in the
// reading order (so Tab reaches its links and screen readers read it next), filled with copies of
// the server-rendered, sanitised entries in #glossary-entries. Escape or the Close button closes it
// and returns focus to the mark. No user text is ever inserted as HTML from JavaScript.
//
// A mark opens its popover three ways: hovering it (closes when the pointer leaves both the mark and
// the popover), keyboard focus (closes when focus leaves both; Tab from the mark goes on to the next
// mark rather than into the popover), and a click or Enter, which pins it open (Tab then reaches its
// links; Escape, Close or a click elsewhere closes it).
const ID = /^\d+$/;
let current = null; // { button, popover, pinned }
let refocusing = false; // focus returning to a mark after Close/Escape must not reopen it
let hoverTimer = null;
let pointerInside = false; // the pointer is over the open mark or its popover
const HOVER_CLOSE_MS = 300; // time to move the pointer from the mark into its popover

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
  cancelHoverClose();
  popover.remove();
  button.setAttribute("aria-expanded", "false");
  button.removeAttribute("aria-controls");
  if (focus && document.contains(button)) {
    refocusing = true;
    try { button.focus(); } finally { refocusing = false; }
  }
}

export function openPopover(button, { pinned = true } = {}) {
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
  placePopover(button, popover);
  current = { button, popover, pinned };
}

// Below the mark (above it when only there it fits), moved left as far as needed to stay within the
// viewport's width (never past its left edge).
function placePopover(button, popover) {
  popover.style.left = `${Math.max(0, button.offsetLeft)}px`;
  popover.style.top = `${button.offsetTop + button.offsetHeight + 4}px`;
  const margin = 8;
  let box = popover.getBoundingClientRect();
  const mark = button.getBoundingClientRect();
  const viewportHeight = document.documentElement.clientHeight;
  if (box.bottom > viewportHeight - margin && mark.top - box.height - 4 >= margin) {
    popover.style.top = `${button.offsetTop - box.height - 4}px`;
    box = popover.getBoundingClientRect();
  }
  const overflow = box.right - (document.documentElement.clientWidth - margin);
  if (overflow > 0) {
    const left = Math.max(button.offsetLeft - overflow, button.offsetLeft - box.left + margin);
    popover.style.left = `${left}px`;
  }
}

const markOf = (target) => (target && target.closest ? target.closest("button.term[data-term-ids]") : null);
const inCurrent = (node) => !!(current && node && (current.button.contains(node) || current.popover.contains(node)));

export function installPopovers(root = document) {
  root.addEventListener("click", (event) => {
    const button = markOf(event.target);
    if (button) {
      event.preventDefault();
      if (current && current.button === button) {
        if (current.pinned) closePopover();
        else current.pinned = true; // opened by hover or focus: the click keeps it open
      } else openPopover(button);
      return;
    }
    if (current && !current.popover.contains(event.target)) closePopover({ focus: false });
  });
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && current) {
      event.preventDefault();
      closePopover();
      return;
    }
    // Tab from a mark whose popover only opened on focus: go on to the next thing, not into it.
    if (event.key === "Tab" && !event.shiftKey && current && !current.pinned && event.target === current.button) {
      closePopover({ focus: false });
    }
  });
  // Keyboard focus opens a mark's popover; leaving both the mark and the popover closes it.
  root.addEventListener("focusin", (event) => {
    const button = markOf(event.target);
    if (!button || refocusing || (current && current.button === button)) return;
    openPopover(button, { pinned: false });
  });
  root.addEventListener("focusout", (event) => {
    if (!current || current.pinned || !inCurrent(event.target) || inCurrent(event.relatedTarget)) return;
    closePopover({ focus: false });
  });
  // Hover opens it too; it stays while the pointer is over the mark or the popover. Every pointer
  // move checks where it is (boundary events alone miss a mark or popover redrawn under the pointer).
  root.addEventListener("pointerover", (event) => {
    if (event.pointerType === "touch") return; // a tap is a click
    const button = markOf(event.target);
    if (inCurrent(event.target)) { pointerInside = true; cancelHoverClose(); return; }
    if (!button) return;
    if (current && current.pinned) return; // a popover someone opened on purpose stays until closed
    cancelHoverClose();
    openPopover(button, { pinned: false });
    pointerInside = true;
  });
  const followPointer = (event) => {
    if (!current || event.pointerType === "touch") return;
    pointerInside = inCurrent(event.target);
    if (current.pinned) return;
    if (pointerInside) cancelHoverClose();
    else if (!inCurrent(document.activeElement)) scheduleHoverClose(); // focus keeps it open
  };
  root.addEventListener("pointerout", (event) => {
    if (!current || current.pinned || event.pointerType === "touch") return;
    if (inCurrent(event.target) && !inCurrent(event.relatedTarget)) {
      pointerInside = false;
      if (!inCurrent(document.activeElement)) scheduleHoverClose();
    }
  });
  root.addEventListener("pointermove", followPointer);
}

function scheduleHoverClose() {
  if (hoverTimer) return;
  hoverTimer = setTimeout(() => {
    hoverTimer = null;
    if (current && !current.pinned && !inCurrent(document.activeElement)) closePopover({ focus: false });
  }, HOVER_CLOSE_MS);
}

function cancelHoverClose() {
  clearTimeout(hoverTimer);
  hoverTimer = null;
}

// Replace each [data-glossary-fragment] on the page by the one in `html` (our server's own
// sanitised output for this reader, the same bytes a page load would contain). DOMParser builds
// an inert document: nothing in it runs. Focus on a mark survives the swap by position.
export function swapFragments(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const active = document.activeElement;
  const focused = active && active.matches && active.matches("[data-glossary-fragment] button.term") ? placeOf(active) : null;
  // An open popover stays open on the same mark after the swap if it is pinned, holds focus or is
  // under the pointer (one only waiting to close on hover out is let go).
  const open = current && (current.pinned || pointerInside || inCurrent(active))
    ? { place: placeOf(current.button), pinned: current.pinned } : null;
  closePopover({ focus: false });
  for (const fresh of doc.querySelectorAll("[data-glossary-fragment]")) {
    const name = fresh.dataset.glossaryFragment;
    const target = document.querySelector(`[data-glossary-fragment="${CSS.escape(name)}"]`);
    if (!target) continue;
    target.replaceChildren(...[...fresh.childNodes].map((n) => document.importNode(n, true)));
    if (fresh.dataset.mode) target.dataset.mode = fresh.dataset.mode;
  }
  if (focused) {
    const again = markAt(focused);
    if (again) {
      refocusing = true; // focus alone must not open a popover that was closed
      try { again.focus(); } finally { refocusing = false; }
    }
  }
  if (open && open.place) {
    const again = markAt(open.place);
    if (again) openPopover(again, { pinned: open.pinned });
  }
}

// Where a mark is (its fragment and its index there), to find "the same" mark after a swap.
function placeOf(button) {
  const fragment = button.closest("[data-glossary-fragment]");
  if (!fragment) return null;
  return { name: fragment.dataset.glossaryFragment, index: [...fragment.querySelectorAll("button.term")].indexOf(button) };
}

function markAt(place) {
  const marks = document.querySelectorAll(`[data-glossary-fragment="${CSS.escape(place.name)}"] button.term`);
  return marks[Math.min(place.index, marks.length - 1)] || null;
}

export async function refreshFragments(url, { mode = "annotated" } = {}) {
  const target = new URL(url, window.location.href);
  if (mode === "mine") target.searchParams.set("mode", "mine");
  const response = await fetch(target, { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (!response.ok) throw new Error(`glossary refresh failed: ${response.status}`);
  swapFragments(await response.text());
}
