// Votes waiting for their ack (SPEC 4.2). A vote is kept in localStorage from the tap until the
// server acknowledges it, so a dropped connection, a reload or a flat battery loses nothing: the
// same vote_id is sent again, and the server answers a resend with the same ack.
//
// Only one vote is on the wire at a time. The server handles a kiosk's votes concurrently, so
// two taps in flight could be stored in either order; one at a time, the last tap is the last
// stored, which is the one that counts (SPEC 2.4).

const KEY = "votehall.kiosk.pending";
const ACK_TIMEOUT = 10000;

export function newVoteId() {
  // randomUUID needs a secure context (https or localhost); a hall network may serve plain http.
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function load() {
  try {
    const items = JSON.parse(localStorage.getItem(KEY) || "[]");
    return Array.isArray(items) ? items : [];
  } catch {
    return [];
  }
}

// send(vote) returns false when there is no open connection; onTimeout() is called when an ack
// does not come, which means the link is dead even if the socket does not know it yet.
export function createOutbox({ send, onTimeout }) {
  let items = load();
  let inFlight = null;
  let timer = null;
  let retry = null;

  function save() {
    localStorage.setItem(KEY, JSON.stringify(items));
  }

  function stopTimers() {
    clearTimeout(timer);
    clearTimeout(retry);
    timer = retry = null;
  }

  function flush() {
    if (inFlight || retry || !items.length) return;
    const head = items[0];
    const vote = { type: "vote", ballot: head.ballot, choice: head.choice, vote_id: head.vote_id };
    if (head.secret) vote.secret = head.secret; // a secret ballot (docs/SECRET_BALLOTS.md)
    if (!send(vote)) return;
    inFlight = head.vote_id;
    if (!head.sent) {
      head.sent = true;
      save();
    }
    timer = setTimeout(() => {
      inFlight = null;
      onTimeout();
    }, ACK_TIMEOUT);
  }

  // The choice being sent for this ballot, if any (the last tap).
  function pendingChoice(ballot) {
    const mine = items.filter((item) => item.ballot === ballot);
    return mine.length ? mine[mine.length - 1].choice : null;
  }

  return {
    flush,
    pendingChoice,

    // `secret`: this handheld's secret for a secret ballot (kiosk/secret.js), else null.
    add(ballot, choice, secret = null) {
      if (pendingChoice(ballot) === choice) return;
      // A queued tap that never left the handheld is replaced by the newer one; a vote that was
      // sent stays until we hear what became of it.
      items = items.filter((item) => item.ballot !== ballot || item.sent);
      items.push({ vote_id: newVoteId(), ballot, choice, sent: false, ...(secret ? { secret } : {}) });
      save();
      flush();
    },

    has(voteId) {
      return items.some((item) => item.vote_id === voteId);
    },

    // The choice a vote waiting for its ack carries: an ack on a secret ballot does not say it.
    choiceOf(voteId) {
      return items.find((item) => item.vote_id === voteId)?.choice ?? null;
    },

    // The ack or a final error arrived: forget the vote and send the next one.
    settle(voteId) {
      items = items.filter((item) => item.vote_id !== voteId);
      save();
      if (inFlight === voteId) {
        inFlight = null;
        clearTimeout(timer);
        timer = null;
      }
      flush();
    },

    // The server asked us to come back later (rate_limited, unavailable): same vote, same id.
    retryLater(delay) {
      inFlight = null;
      stopTimers();
      retry = setTimeout(() => {
        retry = null;
        flush();
      }, delay);
    },

    // The connection is gone; whatever was in flight is resent after the next welcome.
    disconnected() {
      inFlight = null;
      stopTimers();
    },

    clear() {
      items = [];
      inFlight = null;
      stopTimers();
      save();
    },
  };
}
