// A document with 500 comments renders each thread's forms (reply, resolve or reopen, round-robin, flag,
// "Make a card") once per page, in <template data-thread-form="name">, and an empty slot where each belongs
// (templates/documents/_comments.html). Here each slot gets its own copy, with the comment's id in place of
// "__ID__", the thread author's name in place of "__NAME__" and an edit box's text from the slot's `data-body`, so the panel ends up exactly as if the server
// had written every form; the no-JavaScript link to the thread's own page goes. (issue 9, h9perf)
export function fillThreadForms(root) {
  if (!root) return;
  const templates = new Map([...root.querySelectorAll("template[data-thread-form]")]
    .map((t) => [t.dataset.threadForm, t]));
  for (const slot of root.querySelectorAll("[data-form-slot]")) {
    const template = templates.get(slot.dataset.formSlot);
    if (!template) { slot.remove(); continue; }
    const copy = template.content.cloneNode(true);
    const id = slot.dataset.id;
    const name = slot.dataset.name || "";
    for (const el of copy.querySelectorAll("*")) {
      for (const attr of [...el.attributes]) {
        if (attr.value.includes("__ID__")) attr.value = attr.value.replaceAll("__ID__", id);
      }
    }
    const walker = document.createTreeWalker(copy, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeValue.includes("__NAME__")) node.nodeValue = node.nodeValue.replaceAll("__NAME__", name);
    }
    const textarea = "body" in slot.dataset ? copy.querySelector("textarea") : null;
    if (textarea) textarea.textContent = slot.dataset.body; // an edit box starts with the comment as written
    slot.replaceWith(copy);
  }
  root.querySelectorAll("[data-forms-fallback]").forEach((p) => p.remove());
}
