// The space page's activities (issue 11): when one starts, has a step ticked, is judged or is closed,
// fetch the list again from the server (the same partial the page was rendered with, verdicts and
// breakthrough badge included) and say what happened in a polite status line.
const EVENTS = {
  activity_started: (msg) => `Activity “${msg.activity.title}” started.`,
  activity_step_done: (msg, title) => `${title}: step ${msg.step.number} ${msg.step.done ? "done" : "not done any more"}.`,
  activity_judged: (msg, title) => `${msg.judgement.community} answered for “${title}”: ${msg.judgement.verdict_label.toLowerCase()}.`,
  activity_closed: (msg) => `Activity “${msg.activity.title}” closed.`,
};

export function installSpaceActivities(socket, spaceId) {
  const list = document.getElementById("space-activities");
  const status = document.getElementById("space-activities-live");
  if (!list) return { refresh: () => {} };
  let pending = null;
  let said = [];
  const titleOf = (id) => {
    const link = list.querySelector(`[data-activity-id="${Number(id)}"] > a`);
    return link ? link.textContent : "An activity";
  };
  const refresh = async () => {
    pending = null;
    const announce = said;
    said = [];
    let response;
    try {
      response = await fetch(list.dataset.listUrl, { credentials: "same-origin", headers: { Accept: "text/html" } });
    } catch (err) {
      response = null;
    }
    if (!response || !response.ok) {
      status.textContent = "The activities changed; reload the page to see them.";
      return;
    }
    // Keep focus on the same link if the person was on one (the list is rebuilt under it).
    const focused = list.contains(document.activeElement) ? document.activeElement.getAttribute("href") : null;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html").body;
    list.replaceChildren(...[...fresh.childNodes].map((n) => document.importNode(n, true)));
    if (focused) {
      const again = [...list.querySelectorAll("a[href]")].find((a) => a.getAttribute("href") === focused);
      if (again) again.focus();
    }
    if (announce.length) status.textContent = announce.join(" ");
  };
  const schedule = () => {
    // debounce: a burst of ticks must not fetch once per tick
    if (!pending) pending = setTimeout(refresh, 200);
  };
  for (const [name, words] of Object.entries(EVENTS)) {
    socket.on(name, (msg) => {
      const id = msg.activity ? msg.activity.id : msg.activity_id;
      if ((msg.activity ? msg.activity.space_id : msg.space_id) !== spaceId) return;
      said.push(words(msg, titleOf(id)));
      schedule();
    });
  }
  return { refresh: schedule };
}
