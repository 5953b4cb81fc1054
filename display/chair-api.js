// The chair's HTTP calls (SPEC 4.1). The operator token lives in sessionStorage, so it is gone
// when the tab closes, and travels only in the Authorization header, never in a URL (SPEC 3).

const TOKEN_KEY = "votehall.chair.token";

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
  constructor(status, code, detail) {
    super(detail);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

async function call(method, path) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: { Authorization: `Bearer ${token()}`, Accept: "application/json" },
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "offline", "");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, body?.error ?? "error", body?.detail ?? response.statusText);
  }
  return body;
}

export async function openMeeting() {
  const meetings = await call("GET", "/api/meetings");
  return meetings.find((meeting) => meeting.status === "open") ?? null;
}

export function ballots(meetingId) {
  return call("GET", `/api/meetings/${meetingId}/ballots`);
}

export function act(ballotId, action) {
  return call("POST", `/api/ballots/${ballotId}/${action}`);
}
