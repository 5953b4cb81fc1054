// The chair's questions and forms, as a modal <dialog> on the page rather than window.confirm():
// its buttons say what they do in the hall's language ("Stemming sluiten", "Toch openen"), it can
// list the ballots it is about, and it does not stop the page. confirm() blocks the script, so the
// running tally behind it would freeze while the chair reads how many members have not voted yet;
// this dialog keeps following the feed (`live`).

import { t } from "/assets/lib/i18n.js";
import { h } from "./render.js";

// A problem the dialog shows in its own words and stays open for (a field left empty).
export class Refusal extends Error {}

let current = null; // { live(snapshot) } of the dialog on screen
let explain = (error) => String(error?.message ?? error);
let counter = 0;

// How an API error reads inside a dialog; `null` closes the dialog (the sign-in came back).
export function setExplainer(fn) {
  explain = fn;
}

// Hands the feed's newest snapshot to the dialog on screen, if it follows the feed.
export function refreshDialog(snapshot) {
  current?.live?.(snapshot);
}

export function dialogOpen() {
  return current !== null;
}

/**
 * Shows a modal dialog and resolves with the answer: null when cancelled (the button, Escape),
 * else what `submit(form)` returned (true without `submit`). `submit` may throw a Refusal (shown
 * in the dialog, which stays open) or an API error (worded by the explainer).
 *
 * title, content (nodes), confirm (the button's words), danger (a red button, and the focus starts
 * on Annuleren so that Enter does not void or delete), submit(form), live(snapshot), wide.
 */
export function showDialog({ title, content, confirm, danger = false, submit = null, live = null, wide = false }) {
  return new Promise((resolve) => {
    const id = `dialog-${++counter}`;
    const error = h("p", { class: "dialog-error error", role: "alert", hidden: true });
    const ok = h("button", {
      type: "submit",
      class: `action ${danger ? "action-danger" : "action-confirm"}`,
      "data-confirm": "",
      text: confirm,
    });
    const cancel = h("button", { type: "button", class: "action", "data-cancel": "", text: t("chair.cancel") });
    const body = h("div", { class: "dialog-body" }, content);
    // The first field when there is one to fill in; else the safe button, or the one that does it.
    if (!body.querySelector("[autofocus]")) (danger ? cancel : ok).autofocus = true;
    const form = h(
      "form",
      { class: "dialog-form", novalidate: true },
      h("h2", { id, class: "dialog-title", text: title }),
      body,
      error,
      h("div", { class: "dialog-buttons" }, ok, cancel),
    );
    const dialog = h("dialog", { class: `chair-dialog${wide ? " wide" : ""}`, "aria-labelledby": id }, form);
    let busy = false;

    // One dialog at a time: a newer one replaces this, which then counts as cancelled.
    function finish(value) {
      if (current?.dialog !== dialog) return;
      current = null;
      dialog.close();
      dialog.remove();
      resolve(value);
    }

    cancel.addEventListener("click", () => !busy && finish(null));
    form.addEventListener("input", () => (error.hidden = true)); // being corrected
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault(); // Escape: our own finish(), once, and not while a request runs
      if (!busy) finish(null);
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (busy) return;
      if (!submit) return finish(true);
      busy = true;
      ok.disabled = true;
      error.hidden = true;
      try {
        finish((await submit(form)) ?? true);
      } catch (problem) {
        const text = problem instanceof Refusal ? problem.message : explain(problem);
        if (text === null) return finish(null);
        error.textContent = text;
        error.hidden = false;
      } finally {
        busy = false;
        ok.disabled = false;
      }
    });

    current?.finish(null);
    current = { dialog, live, finish };
    document.body.append(dialog);
    dialog.showModal();
  });
}

// A plain yes/no question: resolves true or false.
export async function ask(options) {
  return (await showDialog(options)) === true;
}

// A list of ballots by agenda number and title, for a dialog that names them.
export function ballotList(ballots) {
  return h(
    "ul",
    { class: "dialog-ballots" },
    ballots.map((ballot) =>
      h(
        "li",
        {},
        h("span", { class: "agenda", text: ballot.agenda }),
        " ",
        h("span", { class: "title", text: ballot.title }),
        ballot.kind ? h("span", { class: "kind", text: ` (${t(`kind.${ballot.kind}`)})` }) : null,
      ),
    ),
  );
}
