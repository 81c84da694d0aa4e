// Comments on a page (a space's discussion, a card; the document panel can reuse it): forms posted
// with fetch, refusals shown beside the field, and threads kept live. Live events carry the comment's
// JSON, but glossary marks depend on who reads, so on `comment_created`/`_updated`/`_resolved`/
// `_deleted` the page fetches the thread again as HTML rendered for this reader
// (GET /comments/<id>/thread) and swaps it in, keeping anything typed and the focus.
import { installMentions } from "./mentions.js";
import { commentBoxHints, textareaHints } from "./jargon-hints.js";
import { withReadingMode } from "./reading-mode.js";

// Asks GET /comments/<id>/thread for the thread alone; without it (a link followed) it answers a whole page.
export const THREAD_FRAGMENT_HEADERS = { Accept: "text/html", "X-Requested-With": "fetch" };

export const COMMENT_EVENTS = ["comment_created", "comment_updated", "comment_resolved", "comment_deleted",
  "comment_hidden", "comment_restored"];  // moderation (issue 10): hidden/restored threads are refetched too

function parse(html) {
  return new DOMParser().parseFromString(`<body>${html}</body>`, "text/html").body;
}

function countWords(n) {
  return `${n} ${n === 1 ? "comment" : "comments"}`;
}

// `matches(payload)` says whether an event is about this place (e.g. this card's comments).
export function installComments(container, socket, { matches, announce = () => {} }) {
  const threads = container.querySelector("[data-threads]");
  const empty = container.querySelector("[data-comments-empty]");
  const count = container.querySelector("[data-comment-count]");
  const threadUrl = (id) => container.dataset.threadUrl.replace(/\/0\/thread$/, `/${id}/thread`);
  const candidatesEl = container.querySelector("script[data-mention-candidates]");
  const candidates = candidatesEl ? JSON.parse(candidatesEl.textContent) : null;

  // Mentions: every comment textarea, including those in threads swapped in later.
  container.addEventListener("focusin", (event) => {
    if (candidates && event.target.matches("textarea[data-mentions]")) installMentions(event.target, candidates);
  });

  // Jargon hints beside the new-comment field.
  const hintsSection = container.querySelector("[data-comment-hints]");
  const newForm = container.querySelector("form[data-new-thread]");
  const hints = hintsSection && newForm ? textareaHints(newForm.querySelector("textarea"), {
    url: container.dataset.jargonHintsUrl, section: hintsSection,
    list: hintsSection.querySelector("[data-hints-list]"), status: hintsSection.querySelector("[data-hints-status]"),
    termUrl: (id) => container.dataset.termUrl.replace(/\/0$/, `/${id}`), addTermUrl: container.dataset.addTermUrl,
  }) : null;
  // ... and beside reply and edit boxes, once someone writes in one (comments-perf).
  commentBoxHints(container, "form[data-comment-form]:not([data-new-thread]) textarea", {
    url: container.dataset.jargonHintsUrl, addTermUrl: container.dataset.addTermUrl,
    termUrl: (id) => container.dataset.termUrl.replace(/\/0$/, `/${id}`),
  });

  function showErrors(form, errors, fallback) {
    form.querySelectorAll(".error[data-comment-error]").forEach((p) => p.remove());
    const textarea = form.querySelector("textarea");
    const message = (errors && (errors.body || Object.values(errors)[0])) || fallback;
    const p = document.createElement("p");
    p.className = "error";
    p.dataset.commentError = "";
    p.setAttribute("role", "alert");
    p.id = `${(textarea || form).id || "comment"}-error-${Date.now()}`;
    p.textContent = message;
    if (textarea) {
      textarea.setAttribute("aria-invalid", "true");
      textarea.setAttribute("aria-describedby", [p.id, textarea.getAttribute("aria-describedby")].filter(Boolean).join(" "));
      textarea.closest(".field").append(p);
      textarea.focus();
    } else form.append(p);
  }

  // Swap one thread for this reader's rendering of it, keeping typed text, open forms and focus.
  async function refreshThread(id) {
    const response = await fetch(withReadingMode(threadUrl(id)), { credentials: "same-origin", headers: THREAD_FRAGMENT_HEADERS });
    if (!response.ok) return false;
    const fresh = parse(await response.text());
    const section = fresh.querySelector(`#thread-${id}`);
    if (!section) return false;
    const old = document.getElementById(`thread-${id}`);
    if (old) {
      const active = document.activeElement && old.contains(document.activeElement) ? document.activeElement : null;
      for (const t of old.querySelectorAll("textarea[id]")) {
        const twin = section.querySelector(`#${CSS.escape(t.id)}`);
        if (twin && t.value !== t.defaultValue) twin.value = t.value;
      }
      for (const d of old.querySelectorAll("details[id]")) {
        const twin = section.querySelector(`#${CSS.escape(d.id)}`);
        if (twin) twin.open = d.open;
      }
      old.replaceWith(section);
      if (active && active.id) {
        const again = document.getElementById(active.id);
        if (again) {
          again.focus();
          if (again.setSelectionRange && active.selectionStart !== undefined) {
            again.setSelectionRange(active.selectionStart, active.selectionEnd);
          }
        }
      } else if (active) section.focus();
    } else {
      // In thread order (oldest first), wherever it belongs: a reconnect can bring an older one in.
      const later = [...threads.querySelectorAll("[data-thread-id]")].find((t) => Number(t.dataset.threadId) > Number(id));
      threads.insertBefore(section, later || null);
    }
    const entries = fresh.querySelector("[data-comment-entries]");
    const oldEntries = container.querySelector(`[data-comment-entries="${id}"]`);
    if (entries) {
      if (oldEntries) oldEntries.replaceWith(entries);
      else container.append(entries);
    }
    if (empty) empty.hidden = true;
    return true;
  }

  container.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-comment-form]");
    if (!form) return;
    event.preventDefault();
    event.stopPropagation(); // this handler asks for confirmation itself (app.js would ask again)
    const message = event.submitter && event.submitter.dataset.confirm;
    if (message && !window.confirm(message)) return;
    const button = event.submitter || form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin", headers: { Accept: "application/json" },
      });
      let body = null;
      try { body = await response.json(); } catch (err) { body = null; }
      if (!response.ok || !body || !body.ok) {
        showErrors(form, body && body.errors, (body && (body.error || body.detail)) || "Not saved: please try again.");
        return;
      }
      const textarea = form.querySelector("textarea");
      const isNew = form.hasAttribute("data-new-thread");
      const isReply = /\/replies$/.test(form.action);
      if (textarea && (isNew || isReply)) {
        textarea.value = "";
        textarea.defaultValue = "";
        textarea.removeAttribute("aria-invalid");
      }
      form.querySelectorAll(".error[data-comment-error]").forEach((p) => p.remove());
      await refreshThread(body.thread_id);
      const target = document.getElementById(`comment-${body.comment_id}`);
      if (isNew && target) announce("Your comment was posted.");
      else if (isReply) {
        announce("Your reply was posted.");
        document.getElementById(`reply-${body.thread_id}`)?.focus();
      }
    } catch (err) {
      showErrors(form, null, "Not saved: the connection failed. Your text is still here; try again.");
    } finally {
      if (button && document.contains(button)) button.disabled = false;
    }
  });

  // After a reconnect or a glossary change: every thread of this place again, including any started
  // while this page was away (the list comes from the API; each thread is rendered for this reader).
  async function refreshAll() {
    let ids = [...threads.querySelectorAll("[data-thread-id]")].map((t) => Number(t.dataset.threadId));
    if (container.dataset.listUrl) {
      try {
        const response = await fetch(container.dataset.listUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (response.ok) {
          const body = await response.json();
          ids = [...new Set([...ids, ...body.items.map((t) => t.id)])].sort((a, b) => a - b);
          if (count) count.textContent = countWords(body.items.reduce((n, t) => n + (t.deleted ? 0 : 1)
            + t.replies.filter((r) => !r.deleted).length, 0));
        }
      } catch (err) { /* offline again: the threads already shown are refreshed below when possible */ }
    }
    for (const id of ids) await refreshThread(id);
  }

  for (const name of COMMENT_EVENTS) {
    socket.on(name, async (payload) => {
      if (!matches(payload)) return;
      if (count && typeof payload.count === "number") count.textContent = countWords(payload.count);
      const known = document.getElementById(`thread-${payload.thread_id}`);
      await refreshThread(payload.thread_id);
      const who = payload.comment && payload.comment.author ? payload.comment.author.display_name : "Someone";
      if (name === "comment_created" && !known) announce(`${who} started a thread.`);
      else if (name === "comment_created") announce(`${who} replied.`);
      else if (name === "comment_hidden") announce("A moderator hid a comment; the reason is shown in its place.");
      else if (name === "comment_restored") announce("A moderator restored a hidden comment.");
    });
  }
  return { refreshThread, refreshAll, hints };
}

// On a board page: keep each card tile's comment count in step with the card's comments.
export function installTileCounts(socket, boardId) {
  for (const name of COMMENT_EVENTS) {
    socket.on(name, (payload) => {
      if (!payload.card_id || typeof payload.count !== "number") return;
      const p = document.querySelector(`#card-${payload.card_id} .comment-count`);
      if (!p) return;
      p.dataset.commentCount = String(payload.count);
      p.textContent = countWords(payload.count);
      p.hidden = payload.count === 0;
    });
  }
}
