// Content-Security-Policy helpers (issue 12): the page's nonce, and community colours set through
// the CSSOM from data-* attributes (the policy refuses inline style="…" attributes).

/** The nonce of this page's policy, for libraries that create <style> elements (CodeMirror). */
export function cspNonce() {
  const meta = document.querySelector('meta[name="csp-nonce"]');
  return meta ? meta.content : "";
}

/** Colour every `[data-community-colour]` badge in `root` (its name is always shown too). */
export function paintCommunityColours(root = document) {
  if (root.nodeType !== Node.ELEMENT_NODE && root.nodeType !== Node.DOCUMENT_NODE) return;
  const found = root.matches?.("[data-community-colour]") ? [root] : [];
  for (const el of [...found, ...root.querySelectorAll("[data-community-colour]")]) {
    el.style.setProperty("--community", el.dataset.communityColour);
  }
}

/** Keep colouring badges that arrive later (live fragments, JS-rendered lists). */
export function watchCommunityColours() {
  paintCommunityColours(document);
  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      if (mutation.type === "attributes") paintCommunityColours(mutation.target);
      else mutation.addedNodes.forEach((node) => paintCommunityColours(node));
    }
  }).observe(document.body, { childList: true, subtree: true, attributes: true,
    attributeFilter: ["data-community-colour"] });
}
