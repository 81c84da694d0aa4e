// The joint-response editor: CodeMirror 6 bound to a Y.Text named "body", kept on this device
// (IndexedDB) so nothing typed offline is lost, synced over Socket.IO, with a live sanitised preview.
import * as Y from "yjs";
import { IndexeddbPersistence } from "y-indexeddb";
import { basicSetup } from "codemirror";
import { Compartment, EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { markdown } from "@codemirror/lang-markdown";
import { yCollab } from "y-codemirror.next";
import { connect } from "./lib/live.js";
import { SocketIOProvider } from "./lib/yprovider.js";
import { csrfHeaders } from "./lib/csrf.js";
import { authorAt, authorMarks, hideAuthors, showAuthors } from "./lib/authorship.js";

const root = document.getElementById("document");
const POSITION_LABELS = { endorse: "Endorse", reservations: "Endorse with reservations",
  stand_aside: "Stand aside", block: "Block" };
const STATUS_LABELS = { drafting: "Drafting", in_review: "In review", adopted: "Adopted", withdrawn: "Withdrawn" };
const CURSOR_COLOURS = ["#1f5f8b", "#8b1f5f", "#5f8b1f", "#8b5f1f", "#1f8b7a", "#5f1f8b"];

if (root) start(root);

function start(root) {
  const documentId = Number(root.dataset.documentId);
  const stateLine = document.getElementById("connection-state");
  const presenceList = document.getElementById("document-presence");
  const preview = document.getElementById("preview");
  const roleNote = document.getElementById("role-note");

  const ydoc = new Y.Doc();
  const ytext = ydoc.getText("body");
  let local = null;
  try {
    local = new IndexeddbPersistence(`convene-document-${documentId}`, ydoc);
  } catch (err) {
    local = null; // private browsing without IndexedDB: edits still sync, but not across a reload offline
  }

  let online = false;
  const socket = connect({
    onState: (state) => { online = state === "connected"; render(); },
  });
  const provider = new SocketIOProvider(socket, documentId, ydoc, {
    onChange: () => render(),
    onRefused: (error) => { refusal = error; render(); },
  });
  let refusal = null;
  const colour = CURSOR_COLOURS[Number(root.dataset.userId) % CURSOR_COLOURS.length];
  provider.awareness.setLocalStateField("user", { name: root.dataset.userName, color: colour, colorLight: `${colour}33` });

  const editable = new Compartment();
  const canEdit = () => provider.role === "editor" || (provider.role === null && root.dataset.canEdit === "true");
  const view = new EditorView({
    parent: document.getElementById("editor"),
    state: EditorState.create({
      doc: ytext.toString(),
      extensions: [
        basicSetup, markdown(), EditorView.lineWrapping, authorMarks,
        yCollab(ytext, provider.awareness),
        editable.of(editability(root.dataset.canEdit === "true")),
        EditorView.contentAttributes.of({ "aria-label": "Document text (Markdown)" }),
        EditorView.updateListener.of((update) => { if (update.selectionSet && showingAuthors) announceAuthor(); }),
      ],
    }),
  });

  let editableNow = root.dataset.canEdit === "true";
  function editability(on) {
    return [EditorState.readOnly.of(!on), EditorView.editable.of(on)];
  }

  function render() {
    let text, state;
    if (refusal) { state = "error"; text = `Not saved: ${refusal}`; }
    else if (!online) {
      state = "offline";
      text = provider.unsent || provider.inFlight
        ? "Offline: your edits are kept on this device and will be sent when the connection returns."
        : "Offline: reconnecting…";
    } else if (!provider.joined || !provider.synced) { state = "syncing"; text = "Connected: syncing…"; }
    else if (provider.inFlight || provider.unsent) { state = "saving"; text = "Saving…"; }
    else { state = "saved"; text = provider.role === "editor" ? "Connected: all changes saved." : "Connected: read-only, live."; }
    stateLine.textContent = text;
    stateLine.dataset.state = state;
    const allowed = canEdit();
    if (allowed !== editableNow) {
      editableNow = allowed;
      // Never dispatch from inside an editor update (a local edit reaches us synchronously).
      queueMicrotask(() => view.dispatch({ effects: editable.reconfigure(editability(allowed)) }));
    }
  }

  // Live preview through the server's one sanitiser, a moment after typing stops.
  let previewTimer = null;
  ytext.observe(() => {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 350);
    checkChangedSinceProposal();
    if (showingAuthors) refreshAuthors();
  });
  async function refreshPreview() {
    try {
      const response = await fetch(root.dataset.previewUrl, {
        method: "POST", headers: csrfHeaders(), credentials: "same-origin",
        body: JSON.stringify({ text: ytext.toString() }),
      });
      if (!response.ok) throw new Error(String(response.status));
      preview.innerHTML = (await response.json()).html; // sanitised by the server (bleach)
      preview.removeAttribute("aria-busy");
    } catch (err) {
      preview.setAttribute("aria-busy", "true");
    }
  }

  // Who is here.
  socket.on("document_presence_changed", (msg) => {
    if (msg.document_id !== documentId) return;
    presenceList.replaceChildren(...msg.present.map((p) => {
      const li = document.createElement("li");
      li.textContent = `${p.display_name}${p.communities.length ? ` (${p.communities.join(", ")})` : ""}`;
      if (p.role === "viewer") li.append(document.createTextNode(" · reading"));
      return li;
    }));
  });

  // Status and endorsement changes, live.
  socket.on("document_updated", (msg) => {
    if (msg.id !== documentId || !msg.record) return;
    document.getElementById("document-status").textContent = STATUS_LABELS[msg.status] || msg.status;
    renderRecord(msg.record);
    if ("proposed" in msg) followProposal(msg.proposed);
    if (msg.status === "adopted" || msg.status === "withdrawn") {
      provider.role = "viewer";
      roleNote.textContent = `This document is ${STATUS_LABELS[msg.status].toLowerCase()}: nobody can change it now.`;
      render();
    }
  });

  function renderRecord(record) {
    const body = document.querySelector("#endorsement-record tbody");
    if (!body) return;
    body.replaceChildren(...record.map((r) => {
      const tr = document.createElement("tr");
      tr.dataset.communityId = r.community_id;
      const th = document.createElement("th");
      th.scope = "row";
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.style.setProperty("--community", r.colour);
      badge.textContent = r.community;
      th.append(badge);
      const position = document.createElement("td");
      if (r.position) {
        const strong = document.createElement("strong");
        strong.textContent = POSITION_LABELS[r.position];
        position.append(strong);
        if (r.changed_since) {
          const warn = document.createElement("span");
          warn.className = "warning";
          warn.textContent = " changed since endorsement";
          position.append(document.createElement("br"), warn);
        }
      } else {
        position.innerHTML = '<span class="muted">Has not acted yet</span>';
      }
      const cells = [r.by || "", r.version ? `version ${r.version}` : "", r.note || ""].map((t) => {
        const td = document.createElement("td");
        td.textContent = t;
        return td;
      });
      tr.append(th, position, ...cells);
      return tr;
    }));
  }

  // Editing after a version was proposed: say so at once, before anyone records a position.
  let proposedText = root.dataset.proposedText;
  const changedNote = document.getElementById("changed-since-proposal");
  function checkChangedSinceProposal() {
    if (!changedNote) return;
    changedNote.hidden = proposedText === undefined || ytext.toString() === proposedText;
  }
  // Proposed again (by a steward's position on changed text, or by an editor), adopted or withdrawn.
  function followProposal(proposed) {
    proposedText = proposed ? proposed.text : undefined;
    if (proposed) {
      document.querySelectorAll("[data-proposed-number]").forEach((n) => { n.textContent = String(proposed.number); });
    }
    if (proposed && changedNote) {
      const link = changedNote.querySelector("[data-proposed-diff]");
      const url = new URL(link.href);
      url.searchParams.set("from", String(proposed.id));
      link.href = url.toString();
    }
    checkChangedSinceProposal();
  }

  // Who wrote what.
  let showingAuthors = false;
  let names = new Map();
  const toggle = document.getElementById("toggle-authors");
  const legend = document.getElementById("author-legend");
  async function refreshAuthors() {
    const styles = showAuthors(view, ytext, names);
    legend.hidden = false;
    legend.replaceChildren();
    const title = document.createElement("p");
    title.textContent = "Authors (hover or move the cursor over text to see who wrote it):";
    const list = document.createElement("ul");
    list.className = "inline-list";
    for (const [name, style] of styles) {
      const li = document.createElement("li");
      li.className = `cm-author cm-author-${style}`;
      li.textContent = name;
      list.append(li);
    }
    const at = document.createElement("p");
    at.id = "author-at-cursor";
    at.setAttribute("aria-live", "polite");
    legend.append(title, list, at);
    announceAuthor();
  }
  function announceAuthor() {
    const at = document.getElementById("author-at-cursor");
    if (!at) return;
    const who = authorAt(ytext, names, view.state.selection.main.head);
    at.textContent = who ? `At the cursor: written by ${who}.` : "";
  }
  toggle.addEventListener("change", async () => {
    showingAuthors = toggle.checked;
    if (!showingAuthors) { hideAuthors(view); legend.hidden = true; return; }
    try {
      const response = await fetch(root.dataset.authorsUrl, { credentials: "same-origin" });
      const body = await response.json();
      names = new Map(body.items.map((a) => [a.client_id, a.display_name]));
    } catch (err) { /* offline: show what we know */ }
    refreshAuthors();
  });

  document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));
  if (local) local.on("synced", () => render());
  window.addEventListener("beforeunload", (event) => {
    if (!local && (provider.inFlight || provider.unsent)) event.preventDefault();
  });
  render();
  window.conveneEditor = { ydoc, ytext, view, provider, socket }; // for tests and debugging
}
