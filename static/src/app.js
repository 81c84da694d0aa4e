// Behaviour every page shares: confirm before destructive buttons; community colours; the live notice count.
import { watchCommunityColours } from "./lib/csp.js";
import { installNoticeCount } from "./lib/notices.js";

document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = button && button.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// Community badges take their colour from data-community-colour (CSP forbids style="…").
watchCommunityColours();
installNoticeCount();
