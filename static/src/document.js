// The joint-response editor: CodeMirror 6 bound to a Y.Text named "body", kept on this device
// (IndexedDB) so nothing typed offline is lost, synced over Socket.IO, with a live sanitised preview.
// Glossaries: the preview is annotated for this reader by the server, the editor underlines other
// communities' terms, and gentle jargon hints sit beside it; all follow `glossary_changed` live.
import * as Y from "yjs";
import { IndexeddbPersistence } from "y-indexeddb";
import { ChangeSet, Compartment, EditorSelection, EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { yCollab } from "y-codemirror.next";
import { editorSetup, markdownSupport, markdownViewExtras } from "./lib/editor-setup.js";
import { formatKeymap, formatToolbar, undoCommands } from "./lib/format-toolbar.js";
import { writingView } from "./lib/writing-view.js";
import { linkTarget } from "./lib/format-commands.js";
import { createLinkForm } from "./lib/link-form.js";
import { remoteCursorLabels } from "./lib/remote-cursor-labels.js";
import { connect } from "./lib/live.js";
import { cspNonce } from "./lib/csp.js";
import { SocketIOProvider } from "./lib/yprovider.js";
import { csrfHeaders } from "./lib/csrf.js";
import { authorAt, authorMarks, hideAuthors, showAuthors } from "./lib/authorship.js";
import { installPopovers, swapFragments } from "./lib/glossary.js";
import { glossaryUnderline, setGlossaryTerms, termsFromSpaceGlossary } from "./lib/glossary-editor.js";
import { HINT_TEXT_MAX, hintSummary, renderHints } from "./lib/jargon-hints.js";
import { hintRange, jargonHintMarks, placeHints, setJargonHints } from "./lib/jargon-hints-editor.js";
import { commentAnchors, mountDocumentComments } from "./lib/comment-anchors.js"; // comments (issue 9)
import { refreshCommentBodies, setReadingMode } from "./lib/reading-mode.js";
import { fillThreadForms } from "./lib/thread-forms.js";

const root = document.getElementById("document");
const POSITION_LABELS = { endorse: "Endorse", reservations: "Endorse with reservations",
  stand_aside: "Stand aside", block: "Block" };
const STATUS_LABELS = { drafting: "Drafting", in_review: "In review", adopted: "Adopted", withdrawn: "Withdrawn" };
const VIEW_MODE_KEY = "convene:editor-view"; // + ":<user id>" → "writing" (the default) or "markdown"
const CURSOR_COLOURS = ["#1f5f8b", "#8b1f5f", "#5f8b1f", "#8b5f1f", "#1f8b7a", "#5f1f8b"];

if (root) start(root);

function start(root) {
  fillThreadForms(document.getElementById("document-comments")); // the threads' forms, from one copy each
  const documentId = Number(root.dataset.documentId);
  const spaceId = Number(root.dataset.spaceId);
  const stateLine = document.getElementById("connection-state");
  const presenceList = document.getElementById("document-presence");
  const preview = document.getElementById("preview");
  const roleNote = document.getElementById("role-note");
  const hintsSection = document.getElementById("jargon-hints");
  const hintsList = document.getElementById("jargon-hints-list");
  const hintsStatus = document.getElementById("jargon-hints-status");
  let hintsAsked = null; // the latest jargon hints request: { changes made since its text was sent }

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
  // The space's room too, on every (re)connect (the server forgets rooms when a connection drops):
  // `glossary_changed` is sent there, and a reader of the document is in the space's presence.
  let joinedSpace = false;
  socket.on("connect", () => {
    socket.emit("join_space", { space_id: spaceId }, (ack) => {
      if (!ack || !ack.ok) return; // the document still works; only live glossary updates are missing
      if (joinedSpace) refreshGlossary(""); // back after a drop: a change may have been missed meanwhile
      joinedSpace = true;
      root.dataset.liveGlossary = "on";
    });
  });
  socket.on("disconnect", () => { root.dataset.liveGlossary = "off"; });
  const provider = new SocketIOProvider(socket, documentId, ydoc, {
    onChange: () => render(),
    onRefused: () => render(),
  });
  const colour = CURSOR_COLOURS[Number(root.dataset.userId) % CURSOR_COLOURS.length];
  provider.awareness.setLocalStateField("user", { name: root.dataset.userName, color: colour, colorLight: `${colour}33` });

  const editable = new Compartment();
  // Writing view (formatted in place, the default) or plain Markdown: each person's choice, kept here.
  const viewMode = new Compartment();
  const viewModeKey = `${VIEW_MODE_KEY}:${root.dataset.userId}`; // per person, on this device
  let shownAs = readViewMode(viewModeKey);
  // Undo and redo only this person's edits: the Yjs UndoManager tracks local changes, not the co-authors'.
  // It starts tracking nothing; y-codemirror.next adds the editor's own origin (typing, toolbar).
  const undoManager = new Y.UndoManager(ytext, { trackedOrigins: new Set() });
  const linkForm = createLinkForm();
  const commands = { ...undoCommands(undoManager), link: (v) => linkForm.open(v) };
  let toolbar = null; // made once the editor exists
  const glossaryOn = root.dataset.glossaryEnabled === "true";
  const canEdit = () => provider.role === "editor" || (provider.role === null && root.dataset.canEdit === "true");
  const view = new EditorView({
    parent: document.getElementById("editor"),
    state: EditorState.create({
      doc: ytext.toString(),
      extensions: [
        editorSetup, markdownSupport(), EditorView.lineWrapping, authorMarks,
        EditorView.cspNonce.of(cspNonce()), // CSP (issue 12): CodeMirror's <style> elements carry the page's nonce
        formatKeymap(commands), linkTarget,
        yCollab(ytext, provider.awareness, { undoManager }),
        remoteCursorLabels(provider.awareness),
        editable.of(editability(root.dataset.canEdit === "true")),
        viewMode.of(viewModeExtensions(shownAs)),
        EditorView.updateListener.of((update) => {
          if (update.selectionSet || update.docChanged) updateToolbar(update.state);
          if (update.selectionSet && showingAuthors) announceAuthor();
          if (update.docChanged && hintsAsked) hintsAsked.changes = hintsAsked.changes.compose(update.changes);
        }),
        glossaryOn ? glossaryUnderline({ announce: document.getElementById("editor-term-announce") }) : [],
        jargonHintMarks,
        commentAnchors(), // comments on passages (issue 9)
      ],
    }),
  });

  let editableNow = root.dataset.canEdit === "true";
  function editability(on) {
    return [EditorState.readOnly.of(!on), EditorView.editable.of(on)];
  }

  // The formatting toolbar and the view switch above the editor.
  const tools = document.getElementById("editor-tools");
  toolbar = formatToolbar(tools, view, commands, { controls: "editor", linkForm });
  toolbar.setEditable(editableNow);
  function updateToolbar(state) {
    if (toolbar) toolbar.update(state, { canUndo: undoManager.undoStack.length > 0, canRedo: undoManager.redoStack.length > 0 });
  }
  undoManager.on("stack-item-added", () => updateToolbar(view.state));
  undoManager.on("stack-item-popped", () => updateToolbar(view.state));
  updateToolbar(view.state);
  const modeToggle = document.createElement("button");
  modeToggle.type = "button";
  modeToggle.id = "editor-mode";
  modeToggle.className = "editor-mode";
  modeToggle.textContent = "Show Markdown";
  modeToggle.title = "Show the text as plain Markdown, with its markup (**, ##, 1.) visible";
  tools.append(modeToggle);
  const modeNote = document.querySelector("#editor-heading .muted");
  function showMode() {
    modeToggle.setAttribute("aria-pressed", String(shownAs === "markdown"));
    root.dataset.editorView = shownAs;
    if (modeNote) modeNote.textContent = shownAs === "markdown" ? "(Markdown)" : "";
  }
  modeToggle.addEventListener("click", () => {
    shownAs = shownAs === "markdown" ? "writing" : "markdown";
    try { localStorage.setItem(viewModeKey, shownAs); } catch (err) { /* storage off: for this page only */ }
    view.dispatch({ effects: viewMode.reconfigure(viewModeExtensions(shownAs)) });
    showMode();
  });
  showMode();

  function render() {
    let text, state;
    // A refusal stays on screen until the next edit is saved (the provider clears it then).
    if (provider.lastError) { state = "error"; text = `Not saved: ${provider.lastError}`; }
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
      if (hintsSection) hintsSection.hidden = !allowed;
      toolbar.setEditable(allowed);
      // Never dispatch from inside an editor update (a local edit reaches us synchronously).
      queueMicrotask(() => {
        view.dispatch({ effects: editable.reconfigure(editability(allowed)) });
        if (!allowed) applyHints([]); // nobody writes here now: no hints either
      });
    }
  }

  // Live preview through the server's one sanitiser and the glossary, a moment after typing stops.
  let previewTimer = null;
  let hintTimer = null;
  ytext.observe(() => {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 350);
    // Debounce: jargon hints are a suggestion, asked for once typing has paused, not per keystroke.
    clearTimeout(hintTimer);
    hintTimer = setTimeout(refreshHints, 800);
    checkChangedSinceProposal();
    if (showingAuthors) refreshAuthors();
  });
  let mode = "annotated"; // or "mine": "Read in my words"
  let previewAsked = 0;
  let previewShown = 0;
  async function refreshPreview() {
    const asked = ++previewAsked;
    try {
      const response = await fetch(root.dataset.previewUrl, {
        method: "POST", headers: csrfHeaders(), credentials: "same-origin",
        body: JSON.stringify({ text: ytext.toString(), mode }),
      });
      if (!response.ok) throw new Error(String(response.status));
      const body = await response.json();
      if (asked < previewShown) return true; // a later answer is already shown
      previewShown = asked;
      // Our server's sanitised, annotated fragments for this reader; focus stays on the same mark.
      swapFragments(body.fragments);
      preview.removeAttribute("aria-busy");
      return true;
    } catch (err) {
      if (asked >= previewShown) preview.setAttribute("aria-busy", "true");
      return false;
    }
  }

  // Glossary marks in the preview open the same popover as on the space page.
  installPopovers(document);
  const glossaryLive = document.getElementById("glossary-live");
  const mineToggle = document.getElementById("read-in-my-words");
  const mineNote = document.getElementById("read-in-my-words-note");
  if (mineToggle) {
    mineToggle.addEventListener("click", async () => {
      mode = mode === "mine" ? "annotated" : "mine";
      setReadingMode(mode); // the comments beside the text read the same way, now and when they change live
      mineToggle.setAttribute("aria-pressed", String(mode === "mine"));
      mineNote.hidden = mode !== "mine";
      const panel = document.getElementById("document-comments");
      const [previewOk, commentsOk] = await Promise.all([refreshPreview(),
        refreshCommentBodies(panel && panel.dataset.bodiesUrl).catch(() => false)]);
      if (previewOk && commentsOk) {
        glossaryLive.textContent = mode === "mine" ? "The preview and comments show the text in your community's words."
          : "The preview and comments show the text as written.";
      } else {
        glossaryLive.textContent = "Some text could not change how it reads; check your connection.";
      }
    });
  }

  // The editor's underlines: the space's terms as this reader sees them.
  const readingAs = root.dataset.readingAs ? Number(root.dataset.readingAs) : null;
  const communityNames = JSON.parse(root.dataset.glossaryCommunities || "{}");
  async function refreshEditorTerms() {
    if (!glossaryOn) return true;
    try {
      const response = await fetch(root.dataset.glossaryUrl, { credentials: "same-origin",
        headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      const terms = termsFromSpaceGlossary(await response.json(), { readingAs, communities: communityNames });
      view.dispatch({ effects: setGlossaryTerms.of(terms) });
      return true;
    } catch (err) {
      return false; // offline: keep the underlines we have
    }
  }

  // A term or bridge changed in a glossary this space convenes: what it means depends on who reads,
  // so fetch this reader's preview, underlines and hints again rather than patching from the event.
  async function refreshGlossary(announce) {
    const [previewOk, termsOk] = await Promise.all([refreshPreview(), refreshEditorTerms(), refreshHints()]);
    if (!announce) return;
    glossaryLive.textContent = previewOk && termsOk ? announce : "The glossary changed; reload the page to see it.";
  }
  socket.on("glossary_changed", (msg) => {
    if (msg.space_id === spaceId) refreshGlossary("The glossary changed: marks are up to date.");
  });
  refreshEditorTerms();

  // Jargon hints beside the editor, for people who can write here.
  let hintsSaid = "";
  async function refreshHints() {
    if (!canEdit() || !hintsSection) return true;
    const text = view.state.doc.toString();
    if (text.length > HINT_TEXT_MAX) {
      applyHints([], "The text is too long for hints.");
      return true;
    }
    const asked = { changes: ChangeSet.empty(text.length) };
    hintsAsked = asked;
    try {
      const response = await fetch(root.dataset.jargonHintsUrl, {
        method: "POST", headers: csrfHeaders(), credentials: "same-origin", body: JSON.stringify({ text }),
      });
      if (!response.ok) throw new Error(String(response.status));
      const body = await response.json();
      if (hintsAsked !== asked) return true; // a later request is on its way
      hintsAsked = null;
      applyHints(placeHints(body.items, asked.changes, view.state.doc));
      return true;
    } catch (err) {
      if (hintsAsked === asked) hintsAsked = null;
      return false; // offline: hints are optional, say nothing
    }
  }
  function applyHints(hints, note = null) {
    view.dispatch({ effects: setJargonHints.of(hints) });
    renderHints(hintsList, hints, {
      termUrl: (id) => root.dataset.termUrl.replace(/\/0$/, `/${id}`),
      addTermUrl: root.dataset.addTermUrl,
      onShow: (hint) => {
        const range = hintRange(view.state, hint);
        if (!range) return;
        view.dispatch({ selection: EditorSelection.range(range.from, range.to), scrollIntoView: true });
        view.focus();
      },
    });
    const said = note || hintSummary(hints);
    if (said !== hintsSaid) hintsStatus.textContent = said; // polite, and only when something changed
    hintsSaid = said;
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
  const comments = mountDocumentComments({ root, view, ydoc, ytext, provider, socket }); // issue 9
  window.conveneEditor = { ydoc, ytext, view, provider, socket, comments, undoManager }; // for tests and debugging
}

function readViewMode(key) {
  try {
    return localStorage.getItem(key) === "markdown" ? "markdown" : "writing";
  } catch (err) {
    return "writing";
  }
}
function viewModeExtensions(mode) {
  return mode === "markdown"
    ? [markdownViewExtras, EditorView.contentAttributes.of({ "aria-label": "Document text (Markdown)" })]
    : [writingView, EditorView.contentAttributes.of({ "aria-label": "Document text" })];
}
