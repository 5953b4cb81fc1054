// The registration desk's HTTP calls (SPEC 4.1, desk API), on the shared operator client.
import { operatorClient } from "/assets/lib/operator-api.js";

export { ApiError } from "/assets/lib/operator-api.js";

const client = operatorClient("desk");
export const { token, setToken, forgetToken } = client;
const call = client.call;

// The open meeting, from the public feed (SPEC 4.3): {id, title, date} or null.
export async function openMeeting() {
  const feed = await call("GET", "/api/feed", undefined, { auth: false });
  return feed?.meeting ?? null;
}

export function lookUp(meetingId, card) {
  return call("POST", `/api/meetings/${meetingId}/cards/lookup`, { card });
}

// The answer holds the pass id and the pairing code, never a pass token: the desk never holds a
// credential that can vote; the handheld gets its token by pairing (SPEC 4.1).
export function checkIn(meetingId, card, representative, handOver = false) {
  return call("POST", `/api/meetings/${meetingId}/checkins`, {
    card,
    representative,
    hand_over: handOver,
  });
}

export function passes(meetingId) {
  return call("GET", `/api/meetings/${meetingId}/passes`);
}

// action: "checkout", "revoke", "return" (answer: the pass) or "pairing" (answer: a new code).
export function act(passId, action) {
  return call("POST", `/api/passes/${passId}/${action}`);
}
