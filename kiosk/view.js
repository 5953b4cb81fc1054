// Draws the handheld from its state; kiosk.js owns the state and calls render() after changes.

import { formatWeight, submittersText, t } from "/assets/lib/i18n.js";
import { minutesText } from "/assets/lib/minutes.js";

const $ = (id) => document.getElementById(id);

function show(id, visible) {
  $(id).hidden = !visible;
}

function text(id, value) {
  $(id).textContent = value;
  show(id, Boolean(value));
}

export function renderPairing(state) {
  show("pair-view", !state.pass);
  show("vote-view", Boolean(state.pass));
  text("pair-notice", state.pairNotice ? t(state.pairNotice) : "");
  text("pair-error", state.pairError ? t(state.pairError.key, state.pairError.vars) : "");
  $("pair-submit").disabled = state.pairing;
  $("pair-submit").textContent = t(state.pairing ? "pair.busy" : "pair.submit");
}

function renderMember(state) {
  $("member-name").textContent = state.member?.name ?? "";
  $("member-weight").textContent = state.member ? formatWeight(state.member.weight) : "";
}

function renderConnection(state) {
  // A closed meeting is not a lost connection: the handheld stopped on purpose.
  const key = { connecting: "conn.connecting", lost: "conn.lost" }[state.connection];
  text("connection", state.pass && key && !state.closed ? t(key) : "");
  $("connection").classList.toggle("lost", state.connection === "lost");
}

const ballotName = (ballot) => `${ballot.agenda} ${ballot.title}`;

function lastBallotLine(last) {
  if (!last) return "";
  const status = minutesText(last.minutes) || t(`status.${last.status}`);
  return t("ballot.last", { title: ballotName(last), status });
}

// How much of the receipt (the hash of the vote's log entry) the handheld shows: 40 bits, enough
// to find the entry in the published log by eye, short enough to copy onto paper.
const RECEIPT_SHOWN = 10;

// A receipt box (#vote-receipt, #last-receipt), hidden without a receipt. A test ballot's vote
// counts nowhere and is not in the published record: its note must not promise that it is.
function renderReceipt(id, ack, { test = false, choice = null, ballot = null } = {}) {
  const box = $(id);
  box.hidden = !ack;
  if (!ack) return;
  box.querySelector(".receipt-code").textContent = ack.receipt.slice(0, RECEIPT_SHOWN);
  box.querySelector(".receipt-note").textContent = t(test ? "receipt.note.test" : "receipt.note");
  const choiceLine = box.querySelector(".receipt-choice");
  if (choiceLine) choiceLine.textContent = choice ? t("vote.choice", { choice: t(`choice.${choice}`) }) : "";
  const ballotLine = box.querySelector(".receipt-ballot");
  if (ballotLine) {
    ballotLine.textContent = ballot ? t("receipt.ballot", { title: ballotName(ballot) }) : "";
    ballotLine.hidden = !ballot;
  }
}

// A ballot the chair declared void while it was open: said plainly, apart from any result.
function renderVoided(last) {
  const voided = last?.status === "voided" ? last : null;
  show("voided", Boolean(voided));
  if (!voided) return;
  $("voided-ballot").textContent = ballotName(voided);
  text("voided-reason", voided.void_reason ? t("voided.reason", { reason: voided.void_reason }) : "");
}

// No ballot open: waiting for one, or the meeting is over (SPEC 2.11). Either way the last
// ballot and this handheld's receipt stay until the next ballot opens.
function renderWaiting(state) {
  $("no-ballot-title").textContent = t(state.closed ? "closed.title" : "ballot.none");
  $("no-ballot-help").textContent = t(state.closed ? "closed.help" : "ballot.wait");
  renderVoided(state.last);
  text("last-ballot", state.last?.status === "voided" ? "" : lastBallotLine(state.last));
  // The receipt names its ballot when the line above is about another one (a motion withdrawn
  // after the last vote, say) or when there is no line.
  const ack = state.lastReceipt;
  const own = ack && state.last?.id === ack.ballot;
  const ballot = own ? state.last : ack?.title ? ack : null;
  renderReceipt("last-receipt", ack, {
    test: Boolean(ballot?.test),
    choice: ack?.choice,
    ballot: own || !ballot ? null : ballot,
  });
}

// "Nog 30 seconden": the chair's countdown on the open ballot, by this handheld's clock, which a
// phone keeps to the second from the network. Never below zero; at zero the chair may close.
export function renderCountdown(ballot, now = Date.now()) {
  const ends = ballot?.countdown_ends_at ? Date.parse(ballot.countdown_ends_at) : NaN;
  const box = $("countdown");
  if (Number.isNaN(ends)) {
    box.hidden = true;
    return;
  }
  const seconds = Math.max(0, Math.ceil((ends - now) / 1000));
  let words = t("countdown.over");
  if (seconds === 1) words = t("countdown.one");
  else if (seconds > 1) words = t("countdown", { n: seconds });
  if (box.textContent !== words) box.textContent = words;
  box.classList.toggle("over", seconds === 0);
  box.hidden = false;
}

function renderBallot(state, pendingChoice) {
  const ballot = state.ballot;
  show("ballot", Boolean(ballot));
  show("no-ballot", !ballot && Boolean(state.member || state.closed));
  if (!ballot) {
    renderWaiting(state);
    renderCountdown(null);
    return;
  }

  renderCountdown(ballot);
  $("ballot-agenda").textContent = t("agenda", { agenda: ballot.agenda });
  $("ballot-kind").textContent = t(`kind.${ballot.kind}`);
  show("ballot-test", ballot.test);
  $("ballot-title").textContent = ballot.title;
  text("ballot-majority", ballot.majority && ballot.majority !== "simple" ? t(`majority.${ballot.majority}`) : "");
  const advice = ballot.preadvies ? t("preadvies", { advice: t(`preadvies.${ballot.preadvies}`) }) : "";
  text("ballot-preadvies", advice);
  text("ballot-submitters", submittersText(ballot.submitters, 3));
  // Said before the first tap, not only once the other choices lock.
  text("change-rule", ballot.allow_change ? "" : t("ballot.no_change"));

  // A pending tap shows as chosen at once; the words below say whether it has arrived.
  const shown = pendingChoice ?? state.vote;
  const locked = !ballot.allow_change && Boolean(state.vote) && !pendingChoice;
  for (const button of document.querySelectorAll(".choice")) {
    const choice = button.dataset.choice;
    button.setAttribute("aria-pressed", String(choice === shown));
    button.classList.toggle("pending", choice === pendingChoice);
    button.disabled = locked && choice !== state.vote;
  }

  // While a new tap is on its way, the older receipt no longer proves the vote that will count.
  const choice = pendingChoice ?? state.vote;
  let status = "";
  if (pendingChoice) status = t("vote.sending");
  else if (state.vote) status = t("vote.received");
  $("vote-status-text").textContent = status;
  $("vote-choice").textContent = choice ? t("vote.choice", { choice: t(`choice.${choice}`) }) : "";
  const counted = !pendingChoice && state.vote && state.receipt ? { receipt: state.receipt } : null;
  renderReceipt("vote-receipt", counted, { test: ballot.test });
  text("vote-change", ballot.allow_change && state.vote && !pendingChoice ? t("vote.change") : "");
  $("vote-status").className = `vote-status ${pendingChoice ? "sending" : state.vote ? "received" : ""}`;
}

export function render(state, pendingChoice) {
  renderPairing(state);
  renderMember(state);
  renderConnection(state);
  renderBallot(state, pendingChoice);
  text("vote-error", state.error ? t(state.error.key, state.error.vars) : "");
}
