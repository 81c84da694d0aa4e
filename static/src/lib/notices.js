// The header's unread notice count, kept live: the server sends `notice_count_changed` to the
// person's own room (joined on connect) after every change that commits.
import { connect, onSocket } from "./live.js";
import { csrfHeaders } from "./csrf.js";

let announcer = null;

function render(link, unread) {
  const before = Number(link.dataset.unread || 0);
  link.dataset.unread = String(unread);
  let badge = link.querySelector(".count");
  if (!unread) {
    if (badge) badge.remove();
    link.normalize();
    link.lastChild.textContent = link.lastChild.textContent.trimEnd();
  } else {
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "count";
      link.append(" ", badge);
    }
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " unread";
    badge.replaceChildren(String(unread), hidden);
  }
  if (unread > before) {
    // Screen readers hear it (the region exists from page load, so the change is announced).
    announcer.textContent = `${unread} unread notice${unread === 1 ? "" : "s"}.`;
    const here = document.getElementById("notices-arrived");
    if (here) here.hidden = false; // on the notices page: offer to show the new ones
  }
}

async function refetch(link) {
  // After a reconnect: changes made while away were not sent to us.
  try {
    const response = await fetch("/api/v1/notices?unread=1", { credentials: "same-origin" });
    if (response.ok) render(link, (await response.json()).unread);
  } catch (_) { /* offline: the next event or reconnect corrects it */ }
}

// On the notices page, following a notice's link marks its line read (the request outlives the page).
function markReadOnFollow() {
  document.querySelectorAll("li.notice-line--unread[data-notice-ids] a").forEach((a) => {
    a.addEventListener("click", () => {
      const ids = a.closest("li").dataset.noticeIds.split(",").map(Number);
      fetch("/api/v1/notices/read", { method: "POST", headers: csrfHeaders(), credentials: "same-origin",
        keepalive: true, body: JSON.stringify({ ids }) }).catch(() => {});
    });
  });
}

export function installNoticeCount() {
  markReadOnFollow();
  const link = document.getElementById("notices-link");
  if (!link) return; // signed out
  announcer = document.createElement("div");
  announcer.className = "visually-hidden";
  announcer.setAttribute("role", "status");
  announcer.id = "notices-announcer";
  document.body.append(announcer);
  let seen = false;
  onSocket((socket) => {
    socket.on("notice_count_changed", (msg) => {
      if (msg && Number.isInteger(msg.unread)) render(link, msg.unread);
    });
    socket.on("connect", () => {
      link.dataset.live = "connected";
      if (seen) refetch(link);
      seen = true;
    });
    socket.on("disconnect", () => { link.dataset.live = "disconnected"; });
  });
  // Pages with live features open their socket while their script runs; share it. Otherwise open one,
  // once every module script has run (DOMContentLoaded comes after them; a timer could come between).
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    if (!onSocket.current()) connect({ fallback: true });
  };
  if (document.readyState === "complete") start();
  else {
    document.addEventListener("DOMContentLoaded", start);
    window.addEventListener("load", start);
  }
}
