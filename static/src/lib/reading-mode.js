// "Read in my words": the page's choice, shared by everything that fetches text rendered for this reader,
// so a comment thread fetched after a live event reads the same way as the rest of the page.
import { swapFragments } from "./glossary.js";

let mode = "annotated"; // or "mine"

export function setReadingMode(next) {
  mode = next === "mine" ? "mine" : "annotated";
}

// `url` with `mode=mine` when the reader chose their own words (the server renders "annotated" otherwise).
export function withReadingMode(url) {
  const target = new URL(url, window.location.href);
  if (mode === "mine") target.searchParams.set("mode", "mine");
  else target.searchParams.delete("mode");
  return target.toString();
}

// Every comment body of the place again, in the current mode: one request (GET /comments/bodies).
export async function refreshCommentBodies(url) {
  if (!url) return true;
  const response = await fetch(withReadingMode(url), { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (!response.ok) throw new Error(`comment bodies: ${response.status}`);
  swapFragments(await response.text());
  return true;
}
