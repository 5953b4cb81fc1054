// The chair's live panel: the current ballot as the hall sees it (render.js), with what only the
// chair sees: the running tally, "x van y leden, a van b stemmen", who has not voted yet, and the
// open ballot's own controls (close, void, countdown), so that they stay in reach while the agenda
// beside it scrolls (SPEC 1, 2.7).

import { formatNumber, t } from "/assets/lib/i18n.js";
import { ballotView, h } from "./render.js";

const COUNTDOWNS = [15, 30, 60];

// "2 van 4 leden hebben gestemd, 76 van 193 stemmen": the voters of the present members.
export function progressText(voted, present) {
  return t("chair.progress", {
    m: formatNumber(voted?.members ?? 0),
    of_m: formatNumber(present?.members ?? 0),
    w: formatNumber(voted?.weight ?? 0),
    of_w: formatNumber(present?.weight ?? 0),
  });
}

// The current ballot, the hall screen's drawing with the chair's progress line.
export function currentView(snapshot) {
  const view = ballotView(snapshot.ballot, snapshot.present);
  const line = view.querySelector(".progress-line");
  if (line) line.textContent = progressText(snapshot.ballot.voted, snapshot.present);
  // The chair's line says the weight already, and its own countdown sits with its controls.
  view.querySelector(".progress-more")?.remove();
  return view;
}

// What the chair waits for when closing: the present members (and their votes) without a vote.
export function notVoted(snapshot) {
  const waiting = snapshot?.not_voted ?? [];
  return { members: waiting.length, weight: waiting.reduce((sum, member) => sum + member.weight, 0) };
}

// "Nog niet gestemd: 2 van 4 aanwezige leden, 117 van 193 stemmen." for the close question.
export function closeCountText(snapshot) {
  const missing = notVoted(snapshot);
  if (missing.members === 0) return t("chair.close.all");
  return t(missing.members === 1 ? "chair.close.waiting.one" : "chair.close.waiting", {
    m: formatNumber(missing.members),
    of_m: formatNumber(snapshot?.present?.members ?? 0),
    w: formatNumber(missing.weight),
    of_w: formatNumber(snapshot?.present?.weight ?? 0),
  });
}

// Whole seconds left of the chair's countdown, never below 0; null when none runs. The laptop's
// clock against the server's: both keep network time in a hall, and the chair closes by hand.
export function secondsLeft(endsAt, now = Date.now()) {
  if (!endsAt) return null;
  return Math.max(0, Math.ceil((Date.parse(endsAt) - now) / 1000));
}

export function countdownText(endsAt) {
  const left = secondsLeft(endsAt);
  if (left === null) return "";
  if (left === 0) return t("chair.countdown.over");
  return left === 1 ? t("chair.countdown.left.one") : t("chair.countdown.left", { n: formatNumber(left) });
}

function button(text, cls, onClick, busy, extra = {}) {
  const el = h("button", { type: "button", class: `action ${cls}`, text, ...extra });
  el.disabled = busy;
  el.addEventListener("click", onClick);
  return el;
}

/**
 * The open ballot's controls. `view`: { ballot (its list entry or the feed's), endsAt, busy,
 * act(ballot, action), countdown(ballot, seconds) }.
 */
export function controlsView(view) {
  const { ballot, busy } = view;
  const countdown = h(
    "div",
    { class: "countdown", role: "group", "aria-label": t("chair.countdown") },
    h("span", { class: "countdown-label", text: t("chair.countdown") }),
    COUNTDOWNS.map((n) =>
      button(t("chair.countdown.seconds", { n }), "action-small", () => view.countdown(ballot, n), busy, {
        "data-seconds": n,
      }),
    ),
    view.endsAt
      ? button(t("chair.countdown.stop"), "action-small", () => view.countdown(ballot, 0), busy, {
          "data-seconds": 0,
        })
      : null,
    h("span", { id: "countdown", class: "countdown-left", role: "timer", text: countdownText(view.endsAt) }),
  );
  return h(
    "div",
    { class: "live-controls" },
    h(
      "div",
      { class: "live-actions" },
      button(t("chair.action.close"), "action-close", () => view.act(ballot, "close"), busy, { "data-action": "close" }),
      ballot.test
        ? null
        : button(t("chair.action.void"), "action-void", () => view.act(ballot, "void"), busy, { "data-action": "void" }),
    ),
    countdown,
  );
}

// Who has not voted yet, folded away when the chair wants the room. The <details> stays and only
// its words and list change with each vote, so that it keeps the chair's choice and a click on it.
export function drawWaiting(container, snapshot) {
  if (snapshot?.ballot?.status !== "open") return container.replaceChildren();
  let details = container.querySelector("details");
  if (!details) {
    details = h(
      "details",
      { class: "waiting-details", open: true },
      h("summary", {}, h("h3", { class: "waiting-title" })),
      // Focusable, as a list that scrolls must be for the keyboard.
      h("ul", { class: "waiting-list", tabindex: "0" }),
    );
    container.replaceChildren(details);
  }
  const waiting = snapshot.not_voted ?? [];
  const missing = notVoted(snapshot);
  const vars = { m: formatNumber(missing.members), w: formatNumber(missing.weight) };
  const key = { 0: "chair.waiting.none", 1: "chair.waiting.one" }[waiting.length] ?? "chair.waiting";
  details.querySelector(".waiting-title").textContent = t(key, vars);
  details.querySelector(".waiting-list").setAttribute("aria-label", t(key, vars));
  details.querySelector(".waiting-list").replaceChildren(
    ...waiting.map((member) =>
      h(
        "li",
        { "data-member": member.code },
        h("span", { class: "name", text: member.name }),
        h("span", { class: "weight", text: formatNumber(member.weight) }),
      ),
    ),
  );
}
