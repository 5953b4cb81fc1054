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
  const key = { connecting: "conn.connecting", lost: "conn.lost" }[state.connection];
  text("connection", state.pass && key ? t(key) : "");
  $("connection").classList.toggle("lost", state.connection === "lost");
}

function lastBallotLine(last) {
  if (!last) return "";
  const status = minutesText(last.minutes) || t(`status.${last.status}`);
  return t("ballot.last", { title: `${last.agenda} ${last.title}`, status });
}

// How much of the receipt (the hash of the vote's log entry) the handheld shows: 40 bits, enough
// to find the entry in the published log by eye, short enough to copy onto paper.
const RECEIPT_SHOWN = 10;

// A receipt box (#vote-receipt, #last-receipt): hidden without a receipt.
function renderReceipt(id, receipt, choice = null) {
  const box = $(id);
  box.hidden = !receipt;
  if (!receipt) return;
  box.querySelector(".receipt-code").textContent = receipt.slice(0, RECEIPT_SHOWN);
  const choiceLine = box.querySelector(".receipt-choice");
  if (choiceLine) choiceLine.textContent = choice ? t("vote.choice", { choice: t(`choice.${choice}`) }) : "";
}

function renderBallot(state, pendingChoice) {
  const ballot = state.ballot;
  show("ballot", Boolean(ballot));
  show("no-ballot", !ballot && Boolean(state.member));
  text("last-ballot", ballot ? "" : lastBallotLine(state.last));
  // The receipt of the ballot that closed stays until the next one opens.
  const last = !ballot && state.last && state.lastReceipt?.ballot === state.last.id ? state.lastReceipt : null;
  renderReceipt("last-receipt", last?.receipt, last?.choice);
  if (!ballot) return;

  $("ballot-agenda").textContent = t("agenda", { agenda: ballot.agenda });
  $("ballot-kind").textContent = t(`kind.${ballot.kind}`);
  show("ballot-test", ballot.test);
  $("ballot-title").textContent = ballot.title;
  const advice = ballot.preadvies ? t("preadvies", { advice: t(`preadvies.${ballot.preadvies}`) }) : "";
  text("ballot-preadvies", advice);
  text("ballot-submitters", submittersText(ballot.submitters, 3));

  // A pending tap shows as chosen at once; the words below say whether it has arrived.
  const shown = pendingChoice ?? state.vote;
  const locked = !ballot.allow_change && Boolean(state.vote) && !pendingChoice;
  for (const button of document.querySelectorAll(".choice")) {
    const choice = button.dataset.choice;
    button.setAttribute("aria-pressed", String(choice === shown));
    button.classList.toggle("pending", choice === pendingChoice);
    button.disabled = locked && choice !== state.vote;
  }
  show("vote-locked", locked);

  // While a new tap is on its way, the older receipt no longer proves the vote that will count.
  const choice = pendingChoice ?? state.vote;
  let status = "";
  if (pendingChoice) status = t("vote.sending");
  else if (state.vote) status = t("vote.received");
  $("vote-status-text").textContent = status;
  $("vote-choice").textContent = choice ? t("vote.choice", { choice: t(`choice.${choice}`) }) : "";
  renderReceipt("vote-receipt", pendingChoice ? null : state.vote && state.receipt);
  $("vote-status").className = `vote-status ${pendingChoice ? "sending" : state.vote ? "received" : ""}`;
}

export function render(state, pendingChoice) {
  renderPairing(state);
  renderMember(state);
  renderConnection(state);
  renderBallot(state, pendingChoice);
  text("vote-error", state.error ? t(state.error.key, state.error.vars) : "");
}
