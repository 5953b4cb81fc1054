// The handheld's secret per secret ballot (docs/SECRET_BALLOTS.md): 32 random bytes made on this
// handheld when the representative first taps a choice, sent with each vote on that ballot, and
// kept here with the choice the server acknowledged. The server turns the vote into w unit
// ballots with receipts SHA-256(secret | ballot | i); only this secret finds them again, so the
// representative can check after the meeting that all w were counted for their choice. A change
// of vote must send the same secret: a handheld that lost it cannot change its vote.
//
// Kept until the handheld pairs another pass: the check comes after publication, possibly after
// later ballots.

const KEY = "votehall.kiosk.secrets";
export const CHECK_PREFIX = "VH1";

export function newSecret() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || "{}");
    return saved && typeof saved === "object" && !Array.isArray(saved) ? saved : {};
  } catch {
    return {};
  }
}

function save(all) {
  localStorage.setItem(KEY, JSON.stringify(all));
}

const SECRET = /^[0-9a-f]{64}$/;

// {secret, choice} for a ballot, or null; `choice` is null until the server acknowledged a vote.
export function secretOf(ballotId) {
  const kept = load()[ballotId];
  if (!kept || typeof kept.secret !== "string" || !SECRET.test(kept.secret)) return null;
  return { secret: kept.secret, choice: kept.choice ?? null };
}

// The secret for a new tap on this ballot: the kept one, else a fresh one (kept at once, so that
// a reload before the ack sends the same).
export function secretFor(ballotId) {
  const kept = secretOf(ballotId);
  if (kept) return kept.secret;
  const all = load();
  const secret = newSecret();
  all[ballotId] = { secret, choice: null };
  save(all);
  return secret;
}

export function confirmChoice(ballotId, choice) {
  const all = load();
  if (!all[ballotId]) return;
  all[ballotId].choice = choice;
  save(all);
}

export function forgetSecrets() {
  localStorage.removeItem(KEY);
}

// What the representative gives `votehall verify --secret` (shown as text and as a QR code).
export function checkText(ballotId, memberCode, secret) {
  return `${CHECK_PREFIX}:${ballotId}:${memberCode}:${secret}`;
}
