// Co-authors' cursor labels (y-codemirror.next draws them) stay out of the way: a name shows while
// the pointer is over that cursor, and for a moment after that person types or moves, as in
// Google Docs; otherwise only the coloured caret shows, and never covers the text.
import { ViewPlugin } from "@codemirror/view";

export const LABEL_SHOWN_MS = 1500;

export function remoteCursorLabels(awareness, { shownFor = LABEL_SHOWN_MS } = {}) {
  return ViewPlugin.fromClass(class {
    constructor(view) {
      this.view = view;
      this.activeUntil = new Map(); // the label's text (the person's name) → time it hides
      this.timer = null;
      this.onChange = ({ added, updated }) => {
        const until = Date.now() + shownFor;
        for (const id of added.concat(updated)) {
          if (id === awareness.clientID) continue;
          const state = awareness.getStates().get(id);
          const name = state && state.user && state.user.name;
          if (name) this.activeUntil.set(name, until);
        }
        this.schedule();
      };
      awareness.on("change", this.onChange);
    }

    update() { this.schedule(); } // the carets may have been drawn again

    schedule() {
      this.view.requestMeasure({ key: this, read: () => null, write: () => this.apply() });
    }

    apply() {
      const now = Date.now();
      let next = Infinity;
      for (const caret of this.view.dom.querySelectorAll(".cm-ySelectionCaret")) {
        const info = caret.querySelector(".cm-ySelectionInfo");
        const until = this.activeUntil.get(info ? info.textContent : "") || 0;
        caret.classList.toggle("cm-ySelectionCaret--active", until > now);
        if (until > now) next = Math.min(next, until);
      }
      clearTimeout(this.timer);
      this.timer = next === Infinity ? null : setTimeout(() => this.schedule(), next - now + 20);
    }

    destroy() {
      awareness.off("change", this.onChange);
      clearTimeout(this.timer);
    }
  });
}
