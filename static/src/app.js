// Behaviour every page shares: confirm before destructive buttons; the live notice count.
import { installNoticeCount } from "./lib/notices.js";

document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = button && button.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

installNoticeCount();
