// The link form under the formatting toolbar: "Link address" and "Add link" rather than Markdown's
// [text](address). Ctrl+K or the Link button opens it with focus in the address; Enter adds the
// link, Escape or Cancel closes it; focus goes back to the text either way.
import { applyLink, linkTargetAt, setLinkTarget } from "./format-commands.js";

let made = 0;

export function createLinkForm() {
  const id = `link-form-${++made}`;
  const form = document.createElement("form");
  form.className = "link-form";
  form.hidden = true;
  form.noValidate = true;
  form.setAttribute("aria-label", "Link");
  const label = document.createElement("label");
  label.htmlFor = `${id}-address`;
  label.textContent = "Link address";
  const input = document.createElement("input");
  input.id = `${id}-address`;
  input.type = "text";
  input.inputMode = "url";
  input.autocomplete = "url";
  input.placeholder = "example.org/page";
  const error = document.createElement("p");
  error.id = `${id}-error`;
  error.className = "error";
  error.hidden = true;
  error.textContent = "Type the address the link goes to.";
  const add = document.createElement("button");
  add.type = "submit";
  add.className = "button";
  add.textContent = "Add link";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "button button--secondary";
  cancel.textContent = "Cancel";
  form.append(label, input, add, cancel, error);

  let view = null;
  function close() {
    form.hidden = true;
    error.hidden = true;
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
    if (view) {
      view.dispatch({ effects: setLinkTarget.of(null) });
      view.focus();
    }
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!view || !applyLink(view, input.value)) {
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", error.id);
      input.focus();
      return;
    }
    form.hidden = true;
    error.hidden = true;
    view.focus();
  });
  cancel.addEventListener("click", close);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });

  return {
    element: form,
    open(editorView) {
      view = editorView;
      if (view.state.readOnly) return false;
      const target = linkTargetAt(view.state);
      view.dispatch({ effects: setLinkTarget.of(target) });
      input.value = target.url;
      add.textContent = target.existing ? "Change link" : "Add link";
      form.hidden = false;
      input.focus();
      input.select();
      return true;
    },
  };
}
