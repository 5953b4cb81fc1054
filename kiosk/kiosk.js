// The representative's handheld (SPEC 4.2, 4.4): pair, be welcomed, vote, see the ack.

import "./strings.js";
import { mountToggle, onLangChange, start as startI18n, t } from "/assets/lib/i18n.js";
import { backoffDelay, connect } from "/assets/lib/socket.js";
import { createOutbox } from "./outbox.js";
import { forgetPass, looksLikeCode, pair, PairingError, savedPass, takeFragmentCode } from "./pairing.js";
import { confirmChoice, forgetSecrets, secretFor, secretOf } from "./secret.js";
import { render, renderCountdown } from "./view.js";

const CLOSE_UNKNOWN_PASS = 4401;
const CLOSE_REVOKED = 4403;
const CLOSE_IN_USE = 4409; // the pass said hello on another handheld (SPEC 4.2 item 5)
const CLOSE_MEETING_CLOSED = 4410;
// The last ack per ballot: {"<ballot id>": {"choice", "receipt", "agenda", "title", "test"}}.
const RECEIPTS_KEY = "votehall.kiosk.receipts";
// Who this handheld votes for ({code, name, weight}, public): shown again after a reload when
// the meeting has closed and no welcome comes any more.
const MEMBER_KEY = "votehall.kiosk.member";
// The server may take the vote later: keep it and send it again.
const RETRY_CODES = new Set(["unavailable", "rate_limited"]);

const state = {
  pass: null,
  pairing: false,
  pairError: null,
  pairNotice: null,
  connection: "connecting",
  closed: false, // the chair closed the meeting (SPEC 2.11): nothing more to vote on
  member: null,
  ballot: null, // the open ballot
  last: null, // the ballot that closed last, for "no ballot open"
  vote: null, // the acknowledged choice on the open ballot ("for", …, or a candidate's id)
  voted: false, // the server has a vote of this member on the open secret ballot (welcome)
  receipt: null, // the hash of that vote's log entry (SPEC 4.2 step 5)
  lastReceipt: null, // {ballot, choice, receipt} of this handheld's last vote on `last`
  error: null,
};

let link = null;
let retries = 0;
const outbox = createOutbox({
  send: (message) => Boolean(link?.send(message)),
  onTimeout: () => link?.restart(),
});

let countdownTimer = null;

function draw() {
  render(state, state.ballot ? outbox.pendingChoice(state.ballot.id) : null);
  tickCountdown();
}

// While the chair's countdown runs, the seconds are redrawn by themselves; nothing else moves.
function tickCountdown() {
  const running = Boolean(state.ballot?.countdown_ends_at);
  if (running && !countdownTimer) {
    countdownTimer = setInterval(() => renderCountdown(state.ballot), 250);
  } else if (!running && countdownTimer) {
    clearInterval(countdownTimer);
    countdownTimer = null;
  }
}

// Receipts survive a reload and a dropped connection, so the representative still sees the one
// of the vote that counts; the server's welcome says which choice that is.
function storedReceipts() {
  try {
    const saved = JSON.parse(localStorage.getItem(RECEIPTS_KEY) || "{}");
    return saved && typeof saved === "object" && !Array.isArray(saved) ? saved : {};
  } catch {
    return {};
  }
}

// The ballot goes with the receipt, so that it can still be named once the feed shows another
// ballot (one decided without a vote after it) or the page is reloaded.
function rememberReceipt(ack) {
  const saved = storedReceipts();
  const ballot = [state.ballot, state.last].find((b) => b?.id === ack.ballot);
  const about = ballot
    ? { agenda: ballot.agenda, title: ballot.title, test: Boolean(ballot.test), secret: Boolean(ballot.secret) }
    : {};
  // An election's choice is a candidate's id: the names go with it, to say it after the close.
  if (ballot?.candidates?.length) about.candidates = ballot.candidates.map(({ id, name }) => ({ id, name }));
  saved[ack.ballot] = { choice: ack.choice, receipt: ack.receipt, ...about };
  localStorage.setItem(RECEIPTS_KEY, JSON.stringify(saved));
}

function asAck(ballotId, saved) {
  const { choice, receipt, agenda, title, test, secret, candidates } = saved;
  return { ballot: Number(ballotId), choice, receipt, agenda, title, test, secret, candidates };
}

// The stored ack of a ballot, if it is for `choice` (any choice when null).
function storedAck(ballotId, choice = null) {
  const saved = storedReceipts()[ballotId];
  if (!saved || typeof saved.receipt !== "string" || (choice && saved.choice !== choice)) return null;
  return asAck(ballotId, saved);
}

// This handheld's last vote: the ack kept for the ballot that opened last (earlier ones are
// dropped when a ballot opens), if it voted on it.
function latestAck() {
  const kept = Object.entries(storedReceipts()).filter(([, saved]) => typeof saved?.receipt === "string");
  if (!kept.length) return null;
  const [ballotId, saved] = kept.sort(([a], [b]) => Number(b) - Number(a))[0];
  return asAck(ballotId, saved);
}

function storedMember() {
  try {
    const member = JSON.parse(localStorage.getItem(MEMBER_KEY) || "null");
    return member && typeof member.name === "string" ? member : null;
  } catch {
    return null;
  }
}

// A new ballot opened: the receipts of earlier ones are no longer shown, so not kept either.
function keepReceiptOf(ballotId) {
  const saved = storedReceipts()[ballotId];
  localStorage.setItem(RECEIPTS_KEY, JSON.stringify(saved ? { [ballotId]: saved } : {}));
}

function setLast(ballot) {
  state.last = ballot;
  state.lastReceipt = ballot ? (storedAck(ballot.id) ?? latestAck()) : null;
}

// The kiosk protocol only carries the open ballot; the public feed tells how the last one ended.
// The feed is rebuilt a moment after a change, so a feed that still shows the ballot open is
// asked once more.
async function loadLastBallot(ballotId, again = true) {
  try {
    const feed = await (await fetch("/api/feed", { cache: "no-store" })).json();
    const shown = feed.ballot;
    if (shown && shown.status === "open" && shown.id === ballotId && again) {
      setTimeout(() => loadLastBallot(ballotId, false), 1000);
      return;
    }
    if (!shown || shown.status === "open" || (ballotId && shown.id !== ballotId)) return;
    setLast({ ...shown, percent_for: shown.tally?.percent_for ?? null });
    draw();
  } catch {
    // Only a courtesy line; the page works without it.
  }
}

function setBallot(ballot) {
  if (ballot && ballot.status === "open") {
    if (state.ballot?.id !== ballot.id) {
      state.vote = null;
      state.voted = false;
      state.receipt = null;
      state.error = null;
      state.lastReceipt = null;
      keepReceiptOf(ballot.id);
    }
    state.ballot = ballot;
    return;
  }
  if (ballot) {
    setLast(ballot);
    loadLastBallot(ballot.id);
  }
  state.ballot = null;
  state.vote = null;
  state.voted = false;
  state.receipt = null;
}

function revoked() {
  forgetPass();
  localStorage.removeItem(MEMBER_KEY);
  outbox.clear();
  link?.stop();
  link = null;
  Object.assign(state, { pass: null, member: null, ballot: null, vote: null, receipt: null, error: null });
  state.lastReceipt = null;
  state.pairNotice = "pass.revoked";
  draw();
}

// Another handheld said hello with this pass (close 4409, SPEC 4.2 item 5): this one stops and
// says so, with no reconnect. Nothing is removed from storage, which another tab of this browser
// may share (the pass, votes waiting for an ack): a reload asks again, as after a closed meeting,
// and the desk sorts out which handheld is the representative's.
function inUse() {
  link?.stop();
  link = null;
  Object.assign(state, { pass: null, member: null, ballot: null, vote: null, receipt: null, error: null });
  state.lastReceipt = null;
  state.pairNotice = "pass.in_use";
  draw();
}

// The chair closed the meeting (SPEC 2.11, 4.2 item 7): the handheld says so, keeps its last vote
// and receipt on the screen, and stops; no reconnect, not even when the phone wakes up. The pass
// is kept, so that a reload asks again, hears the same and shows the same.
function meetingClosed() {
  link?.stop();
  link = null;
  if (state.closed) return; // the frame came first, then the close
  state.closed = true;
  outbox.clear(); // nothing is voted on any more
  if (state.ballot) setLast({ ...state.ballot, status: "closed" });
  Object.assign(state, { ballot: null, vote: null, receipt: null, error: null });
  state.member ??= storedMember();
  if (!state.last) state.lastReceipt = latestAck();
  loadLastBallot(null);
  draw();
}

function onError(message) {
  const known = message.vote_id && outbox.has(message.vote_id);
  if (RETRY_CODES.has(message.code) && (known || !message.vote_id)) {
    outbox.retryLater(backoffDelay(retries++));
  } else if (known) {
    // A vote the server refused for good (e.g. the ballot closed): resending will not help.
    outbox.settle(message.vote_id);
  }
  const key = `error.${message.code}`;
  state.error = t(key) === key ? { key: "error.other", vars: { code: message.code } } : { key };
}

const handlers = {
  welcome(message) {
    state.member = message.member;
    state.closed = false;
    localStorage.setItem(MEMBER_KEY, JSON.stringify(message.member));
    setBallot(message.ballot);
    if (state.ballot?.secret) {
      // The server never says a secret choice: this handheld knows its own, if it kept it.
      state.voted = Boolean(message.voted);
      state.vote = state.voted ? (secretOf(state.ballot.id)?.choice ?? null) : null;
      state.receipt = state.vote !== null ? (storedAck(state.ballot.id)?.receipt ?? null) : null;
    } else if (state.ballot) {
      state.vote = message.vote;
      state.receipt = message.vote ? (storedAck(state.ballot.id, message.vote)?.receipt ?? null) : null;
    } else {
      loadLastBallot(null);
    }
    outbox.flush();
  },
  ballot(message) {
    setBallot(message.ballot);
  },
  ack(message) {
    retries = 0;
    // On a secret ballot the ack carries no choice: the vote this handheld sent says it.
    const choice = message.choice ?? outbox.choiceOf(message.vote_id);
    const ack = { ...message, choice };
    outbox.settle(message.vote_id);
    if (message.choice === null && choice !== null) confirmChoice(message.ballot, choice);
    rememberReceipt(ack);
    if (state.ballot?.id === message.ballot) {
      state.vote = choice;
      state.voted = true;
      state.receipt = message.receipt;
      state.error = null;
    } else if (state.last?.id === message.ballot) {
      // The ballot closed while the ack was on its way: it belongs with the last ballot.
      state.lastReceipt = storedAck(message.ballot);
    }
  },
  error: onError,
  revoked,
  meeting_closed: meetingClosed,
};

function openLink() {
  link = connect("/ws/kiosk", {
    open(socket) {
      socket.send(JSON.stringify({ type: "hello", pass: state.pass }));
    },
    message(message) {
      handlers[message.type]?.(message);
      draw();
    },
    close(event) {
      outbox.disconnected();
      if (event.code === CLOSE_UNKNOWN_PASS || event.code === CLOSE_REVOKED) {
        revoked();
        return "stop";
      }
      if (event.code === CLOSE_IN_USE) {
        inUse();
        return "stop";
      }
      if (event.code === CLOSE_MEETING_CLOSED) {
        meetingClosed();
        return "stop";
      }
      return "retry";
    },
    status(connection) {
      state.connection = connection;
      draw();
    },
  });
}

async function pairWith(code) {
  state.pairing = true;
  state.pairError = null;
  draw();
  try {
    const pass = await pair(code);
    // Votes and receipts waiting on this handheld belonged to the previous pass.
    link?.stop();
    outbox.clear();
    localStorage.removeItem(RECEIPTS_KEY);
    localStorage.removeItem(MEMBER_KEY);
    forgetSecrets();
    Object.assign(state, { pass, pairNotice: null, member: null, ballot: null, vote: null, receipt: null });
    Object.assign(state, { closed: false, last: null, lastReceipt: null });
    openLink();
  } catch (error) {
    state.pairError = error instanceof PairingError ? { key: error.key, vars: error.vars } : { key: "pair.offline" };
  } finally {
    state.pairing = false;
    draw();
  }
}

// A fresh QR scan wins over an older pairing on this handheld.
function pairFromQr(code) {
  link?.stop();
  link = null;
  state.pass = null;
  pairWith(code);
}

// A button's choice as the wire says it: a candidate's id is a number (SPEC 4.2 item 4).
function choiceOf(button) {
  const value = button.dataset.choice;
  return /^[0-9]+$/.test(value) ? Number(value) : value;
}

function onTap(event) {
  const button = event.target.closest(".choice");
  if (!button || !state.ballot || button.disabled) return;
  const ballot = state.ballot;
  const choice = choiceOf(button);
  if (!outbox.pendingChoice(ballot.id) && state.vote === choice) return; // already counted
  // A secret ballot this member voted on from another handheld (or before this one lost its
  // storage): a change needs the secret of that vote, which is not here.
  if (ballot.secret && state.voted && !secretOf(ballot.id)) return;
  state.error = null;
  outbox.add(ballot.id, choice, ballot.secret ? secretFor(ballot.id) : null);
  draw();
}

function onPairSubmit(event) {
  event.preventDefault();
  const code = document.getElementById("pair-code").value;
  if (!looksLikeCode(code)) {
    state.pairError = { key: "pair.format" };
    draw();
    return;
  }
  pairWith(code);
}

function main() {
  startI18n();
  mountToggle(document.getElementById("lang"));
  onLangChange(() => {
    document.title = t("page.title");
    draw();
  });
  document.title = t("page.title");
  document.querySelector(".choices").addEventListener("click", onTap);
  document.getElementById("pair-form").addEventListener("submit", onPairSubmit);
  // A QR code scanned while this page is open changes only the fragment: no reload.
  window.addEventListener("hashchange", () => {
    const code = takeFragmentCode();
    if (code) pairFromQr(code);
  });

  const fragmentCode = takeFragmentCode();
  state.pass = savedPass();
  if (fragmentCode) {
    pairFromQr(fragmentCode);
  } else if (state.pass) {
    openLink();
  }
  draw();
}

main();
