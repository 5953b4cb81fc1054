// Draws the handheld from its state; kiosk.js owns the state and calls render() after changes.

import { formatWeight, submittersText, t } from "/assets/lib/i18n.js";
import { minutesText } from "/assets/lib/minutes.js";
import { qrSvg } from "./qr.js";
import { checkText, secretOf } from "./secret.js";

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

// An election: two or more candidates, each a choice of its own (SPEC 2.10).
const isElection = (ballot) => (ballot?.candidates?.length ?? 0) >= 2;

function candidateName(ballot, id) {
  return ballot?.candidates?.find((c) => c.id === id)?.name ?? null;
}

// A choice in words: a candidate's name, or voor / tegen / onthouding.
export function choiceName(ballot, choice) {
  if (choice === null || choice === undefined) return "";
  if (typeof choice === "number") return candidateName(ballot, choice) ?? t("choice.candidate", { id: choice });
  return t(`choice.${choice}`);
}

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
function renderReceipt(id, ack, { test = false, choice = null, ballot = null, secret = false } = {}) {
  const box = $(id);
  box.hidden = !ack;
  if (!ack) return;
  box.querySelector(".receipt-code").textContent = ack.receipt.slice(0, RECEIPT_SHOWN);
  box.querySelector(".receipt-note").textContent = t(
    test ? "receipt.note.test" : secret ? "receipt.note.secret" : "receipt.note",
  );
  const choiceLine = box.querySelector(".receipt-choice");
  if (choiceLine) choiceLine.textContent = choice !== null ? t("vote.choice", { choice: choiceName(ballot ?? ack, choice) }) : "";
  // On a secret ballot the receipt proves that the member voted; the secret check shows how.
  box.querySelector(".receipt-label").textContent = t(secret ? "receipt.label.secret" : "receipt.label");
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
  const secret = Boolean(own ? state.last?.secret : ack?.secret);
  renderReceipt("last-receipt", ack, {
    test: Boolean(ballot?.test),
    choice: ack?.choice ?? null,
    ballot: own || !ballot ? null : ballot,
    secret,
  });
  renderSecretCheck("last-secret-check", ack && secret ? ack.ballot : null, state);
}

// The representative's own check of a secret vote (docs/SECRET_BALLOTS.md "Checking"): the
// handheld's secret for the ballot, as text and as a QR code, for `votehall verify --secret`.
// Only once the server acknowledged the vote, and only on this handheld.
function renderSecretCheck(id, ballotId, state) {
  const box = $(id);
  const kept = ballotId !== null ? secretOf(ballotId) : null;
  const code = state.member?.code;
  const text = kept && kept.choice !== null && code ? checkText(ballotId, code, kept.secret) : null;
  box.hidden = !text;
  if (!text) return;
  box.querySelector(".secret-check-help").textContent = t("secret.check.help", {
    units: formatWeight(state.member.weight),
  });
  const shown = box.querySelector(".secret-check-text");
  if (shown.textContent !== text) {
    shown.textContent = text;
    box.querySelector(".secret-check-qr").replaceChildren(qrSvg(text, t("secret.check.qr")));
  }
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
  const single = ballot.candidates?.length === 1 ? ballot.candidates[0] : null;
  text("ballot-candidate", single ? t("ballot.candidate", { name: candidateLabel(single) }) : "");
  text("secret-note", ballot.secret ? t("secret.note") : "");
  // Said before the first tap, not only once the other choices lock.
  text("change-rule", ballot.allow_change ? "" : t("ballot.no_change"));
  // A secret vote changes only with the secret it was cast with; a handheld without it says so
  // before the first tap (issue 14 item 3).
  const lost = Boolean(ballot.secret && state.voted && !secretOf(ballot.id) && pendingChoice === null);
  text("secret-lost", lost ? t(ballot.allow_change ? "secret.lost" : "secret.lost.final") : "");

  // A pending tap shows as chosen at once; the words below say whether it has arrived.
  const shown = pendingChoice ?? state.vote;
  const locked = (!ballot.allow_change && state.vote !== null && pendingChoice === null) || lost;
  renderCandidates(ballot);
  for (const button of document.querySelectorAll(".choice")) {
    const choice = button.dataset.choice;
    const on = shown !== null && choice === String(shown);
    button.setAttribute("aria-pressed", String(on));
    button.classList.toggle("pending", pendingChoice !== null && choice === String(pendingChoice));
    button.disabled = locked && (lost || choice !== String(state.vote));
  }

  // While a new tap is on its way, the older receipt no longer proves the vote that will count.
  const choice = pendingChoice ?? state.vote;
  let status = "";
  if (pendingChoice !== null) status = t("vote.sending");
  else if (state.vote !== null || state.voted) status = t("vote.received");
  $("vote-status-text").textContent = status;
  $("vote-choice").textContent = choice !== null ? t("vote.choice", { choice: choiceName(ballot, choice) }) : "";
  const acked = pendingChoice === null && state.vote !== null;
  const counted = acked && state.receipt ? { receipt: state.receipt } : null;
  renderReceipt("vote-receipt", counted, { test: ballot.test, secret: ballot.secret });
  renderSecretCheck("vote-secret-check", ballot.secret && acked ? ballot.id : null, state);
  text("vote-change", ballot.allow_change && acked && !lost ? t("vote.change") : "");
  const received = state.vote !== null || state.voted;
  $("vote-status").className = `vote-status ${pendingChoice !== null ? "sending" : received ? "received" : ""}`;
}

function candidateLabel(candidate) {
  return candidate.note ? `${candidate.name} (${candidate.note})` : candidate.name;
}

// The candidates of an election as large targets, in the ballot's order, above "onthouding";
// voor / tegen step aside. Rebuilt only when the ballot's candidates change.
function renderCandidates(ballot) {
  const list = $("candidate-list");
  const election = isElection(ballot);
  for (const id of ["choice-for", "choice-against"]) $(id).hidden = election;
  list.hidden = !election;
  const key = election ? `${ballot.id}:${ballot.candidates.map((c) => c.id).join(",")}` : "";
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  list.replaceChildren(
    ...(election ? ballot.candidates : []).map((candidate) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "choice candidate";
      button.dataset.choice = String(candidate.id);
      button.setAttribute("aria-pressed", "false");
      const name = document.createElement("span");
      name.className = "candidate-name";
      name.textContent = candidate.name;
      button.append(name);
      if (candidate.note) {
        const note = document.createElement("span");
        note.className = "candidate-note";
        note.textContent = candidate.note;
        button.append(note);
      }
      return button;
    }),
  );
}

export function render(state, pendingChoice) {
  renderPairing(state);
  renderMember(state);
  renderConnection(state);
  renderBallot(state, pendingChoice);
  text("vote-error", state.error ? t(state.error.key, state.error.vars) : "");
}
