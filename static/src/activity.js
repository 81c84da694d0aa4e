// The activity page: watch it live, tick steps over the socket (the form posts still work without it),
// keep the timebox counting down, and show verdicts and who took part as they change.
import { connect } from "./lib/live.js";

const root = document.querySelector("[data-activity-id]");
const VERDICTS = { useful: "useful", partly: "partly useful", not_useful: "not useful" };

function text(tag, content, className) {
  const el = document.createElement(tag);
  el.textContent = content;
  if (className) el.className = className;
  return el;
}

function renderStep(step) {
  const li = document.getElementById(`step-${step.number}`);
  if (!li) return;
  li.dataset.done = step.done ? "true" : "false";
  li.classList.toggle("activity-step--done", step.done);
  li.querySelector("[data-role=state]").textContent = step.done
    ? `Done${step.done_by ? ` — ticked by ${step.done_by}` : ""}` : "Not done yet";
  const form = li.querySelector("form");
  if (form) {
    form.querySelector("input[name=done]").value = step.done ? "false" : "true";
    form.querySelector("button").textContent = `Mark step ${step.number} ${step.done ? "not done" : "done"}`;
  }
}

function renderCount(done, total) {
  document.getElementById("steps-count").textContent = `(${done} of ${total} done)`;
}

function renderParticipation(rows) {
  for (const row of rows) {
    const list = document.querySelector(`#activity-participation ul[data-community-id="${row.community_id}"]`);
    if (!list) continue;
    list.replaceChildren(...(row.people.length ? row.people.map((p) => text("li", p.display_name))
      : [text("li", `Nobody from ${row.community} yet.`, "empty")]));
  }
}

function renderVerdicts(rows, breakthrough) {
  for (const row of rows) {
    const item = document.querySelector(`#activity-verdicts > li[data-community-id="${row.community_id}"]`);
    if (!item) continue;
    item.querySelector("[data-role=verdict]").textContent = row.verdict ? VERDICTS[row.verdict] : "not answered yet";
    item.querySelector("[data-role=judgements]").replaceChildren(...row.judgements.map((j) =>
      text("li", `${j.display_name || "A former member"}: ${j.verdict_label}${j.would_change ? ` — would change: ${j.would_change}` : ""}`)));
  }
  let notice = document.getElementById("breakthrough-notice");
  if (breakthrough && !notice) {
    notice = text("p", "A breakthrough: every community found it useful.", "notice notice--success");
    notice.id = "breakthrough-notice";
    document.getElementById("activity-live").before(notice);
  }
}

function renderTimebox(endsOn, open) {
  const el = document.getElementById("days-left");
  if (!el || !open) return;
  const end = new Date(`${endsOn}T23:59:59`);
  const left = Math.floor((end - new Date()) / 86400000) + 1;
  el.textContent = left > 1 ? `${left} days left` : left === 1 ? "Last day" : "The timebox has ended";
}

function renderAll(activity) {
  activity.steps.forEach(renderStep);
  renderCount(activity.steps_done, activity.steps_total);
  renderParticipation(activity.participation);
  renderVerdicts(activity.verdicts, activity.breakthrough);
}

if (root) {
  const activityId = Number(root.dataset.activityId);
  const status = document.getElementById("activity-live");
  const labels = {
    connected: "Live: steps ticked by others appear here at once.",
    disconnected: "Connection lost: reconnecting…",
    reconnecting: "Connection lost: reconnecting…",
    error: "Cannot connect right now; retrying…",
  };
  const socket = connect({
    onState: (s, detail) => {
      status.textContent = s === "error" && detail ? `Cannot connect: ${detail}` : labels[s];
      status.dataset.state = s;
    },
  });
  socket.on("connect", () => {
    socket.emit("join_activity", { activity_id: activityId }, (ack) => {
      if (ack && ack.ok) {
        renderAll(ack.activity);
        status.dataset.state = "joined";
      } else status.textContent = `Live updates unavailable: ${(ack && ack.error) || "no answer"}`;
    });
  });
  socket.on("activity_step_done", (msg) => {
    if (msg.activity_id !== activityId) return;
    renderStep(msg.step);
    renderCount(msg.steps_done, root.querySelectorAll(".activity-step").length);
    renderParticipation(msg.participation);
  });
  socket.on("activity_judged", (msg) => {
    if (msg.activity_id === activityId) renderVerdicts(msg.verdicts, msg.breakthrough);
  });
  socket.on("activity_closed", (msg) => {
    if (msg.activity.id !== activityId) return;
    status.textContent = "This activity has been closed. Reload to judge it or see the final state.";
    root.querySelectorAll(".step-form").forEach((form) => form.remove());
  });

  // Tick over the socket when connected; otherwise the form posts as usual.
  root.addEventListener("submit", (event) => {
    const form = event.target.closest(".step-form");
    if (!form || !socket.connected) return;
    event.preventDefault();
    const number = Number(form.closest("[data-step]").dataset.step);
    const done = form.querySelector("input[name=done]").value === "true";
    const button = form.querySelector("button");
    button.disabled = true;
    socket.emit("tick_step", { activity_id: activityId, number, done }, (ack) => {
      button.disabled = false;
      if (ack && ack.ok) renderStep(ack.step);
      else status.textContent = `Could not tick the step: ${(ack && ack.error) || "no answer"}`;
    });
  });

  const tick = () => renderTimebox(root.dataset.endsOn, !!document.getElementById("days-left"));
  tick();
  setInterval(tick, 60000);
}
