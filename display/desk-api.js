// The registration desk's HTTP calls (SPEC 4.1, desk API). The operator token lives in
// sessionStorage, so it is gone when the tab closes, and travels only in the Authorization
// header, never in a URL (SPEC 3).

const TOKEN_KEY = "votehall.desk.token";

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, code, detail, body = null) {
    super(detail);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.body = body; // the whole error answer: a 409 pass_active names the representative
  }
}

async function call(method, path, payload) {
  const headers = { Accept: "application/json" };
  if (path !== "/api/feed") headers.Authorization = `Bearer ${token()}`;
  if (payload !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: payload === undefined ? undefined : JSON.stringify(payload),
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "offline", "");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, body?.error ?? "error", body?.detail ?? response.statusText, body);
  }
  return body;
}

// The open meeting, from the public feed (SPEC 4.3): {id, title, date} or null.
export async function openMeeting() {
  const feed = await call("GET", "/api/feed");
  return feed?.meeting ?? null;
}

export function lookUp(meetingId, card) {
  return call("POST", `/api/meetings/${meetingId}/cards/lookup`, { card });
}

// The answer carries the pass token (`pass`): it is dropped here, before anything can show or
// log it. The handheld gets its own token by pairing; the desk never needs this one.
export async function checkIn(meetingId, card, representative, handOver = false) {
  const answer = await call("POST", `/api/meetings/${meetingId}/checkins`, {
    card,
    representative,
    hand_over: handOver,
  });
  delete answer.pass;
  return answer;
}

export function passes(meetingId) {
  return call("GET", `/api/meetings/${meetingId}/passes`);
}

// action: "checkout", "revoke", "return" (answer: the pass) or "pairing" (answer: a new code).
export function act(passId, action) {
  return call("POST", `/api/passes/${passId}/${action}`);
}
