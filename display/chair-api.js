// The chair's HTTP calls (SPEC 4.1), on the shared operator client.
import { ApiError, operatorClient } from "/assets/lib/operator-api.js";

export { ApiError };

const client = operatorClient("chair");
export const { token, setToken, forgetToken } = client;

// The open meeting; without one, the meeting that closed last, which the chair still publishes.
export async function currentMeeting() {
  const meetings = await client.call("GET", "/api/meetings");
  const open = meetings.find((meeting) => meeting.status === "open");
  if (open) return open;
  const closed = meetings.filter((meeting) => meeting.status === "closed");
  closed.sort((a, b) => Date.parse(b.closed_at ?? 0) - Date.parse(a.closed_at ?? 0) || b.id - a.id);
  return closed[0] ?? null;
}

export function ballots(meetingId) {
  return client.call("GET", `/api/meetings/${meetingId}/ballots`);
}

export function meeting(meetingId) {
  return client.call("GET", `/api/meetings/${meetingId}`);
}

// The register frozen when the meeting opened: names for submitters and for an aantekening.
export function members(meetingId) {
  return client.call("GET", `/api/meetings/${meetingId}/members`);
}

// A lifecycle step without a body: close, acclamation, withdraw, hold, out-of-order.
export function act(ballotId, action) {
  return client.call("POST", `/api/ballots/${ballotId}/${action}`);
}

// `override`: open although ballots that come first on its agenda item are undecided (SPEC 2.8).
export function open(ballotId, override = false) {
  return client.call("POST", `/api/ballots/${ballotId}/open`, override ? { override_order: true } : undefined);
}

export function createBallot(meetingId, fields) {
  return client.call("POST", `/api/meetings/${meetingId}/ballots`, fields);
}

// Only the fields that change (SPEC 2.7).
export function editBallot(ballotId, changes) {
  return client.call("PATCH", `/api/ballots/${ballotId}`, changes);
}

export function deleteBallot(ballotId) {
  return client.call("DELETE", `/api/ballots/${ballotId}`);
}

// The lot drawn in the hall (SPEC 2.10): the candidate drawn and who drew it.
export function enterLot(ballotId, candidate, drawnBy) {
  return client.call("POST", `/api/ballots/${ballotId}/lot`, { candidate, drawn_by: drawnBy });
}

export function voidBallot(ballotId, reason) {
  return client.call("POST", `/api/ballots/${ballotId}/void`, { reason });
}

// {"for","against","abstain","confirmed_by"} or {"outcome","confirmed_by"}.
export function handCount(ballotId, count) {
  return client.call("POST", `/api/ballots/${ballotId}/hand-count`, count);
}

export function dissent(ballotId, codes) {
  return client.call("POST", `/api/ballots/${ballotId}/dissent`, { members: codes });
}

// Seconds from now; 0 stops the countdown.
export function countdown(ballotId, seconds) {
  return client.call("POST", `/api/ballots/${ballotId}/countdown`, { seconds });
}

// The agenda item on the hall screen; null takes it down.
export function currentItem(meetingId, agenda) {
  return client.call("POST", `/api/meetings/${meetingId}/current-item`, { agenda });
}

// Without `confirm` the server names the undecided ballots (409 undecided_ballots) and closes nothing.
export function closeMeeting(meetingId, confirm = false) {
  return client.call("POST", `/api/meetings/${meetingId}/close`, confirm ? { confirm: true } : undefined);
}

export function publish(meetingId) {
  return client.call("POST", `/api/meetings/${meetingId}/publish`);
}

// The meeting's public record and log (SPEC 2.9, 4.1). `draft`: the chair may read it before
// publication (the log is the admin's until then).
export function recordFiles(meetingId) {
  const base = `/api/meetings/${meetingId}`;
  return [
    { key: "record", path: `${base}/record.html`, file: `stemverslag-${meetingId}.html`, draft: true },
    { key: "csv", path: `${base}/record.csv`, file: `stemgedrag-${meetingId}.csv`, draft: true },
    { key: "pdf", path: `${base}/results.pdf`, file: `uitslagen-${meetingId}.pdf`, draft: true },
    { key: "docx", path: `${base}/results.docx`, file: `uitslagen-${meetingId}.docx`, draft: true },
    { key: "audit", path: `${base}/audit`, file: `logboek-${meetingId}.ndjson`, draft: false },
  ];
}

// A file behind the chair's token. The token never goes into a URL (SPEC 3), so an unpublished
// record cannot be a plain link: it is fetched with the header and handed over as a Blob.
export async function fetchFile(path) {
  let response;
  try {
    response = await fetch(path, { headers: { Authorization: `Bearer ${token()}` }, cache: "no-store" });
  } catch {
    throw new ApiError(0, "offline", "");
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new ApiError(response.status, body?.error ?? "error", body?.detail ?? response.statusText, body);
  }
  return response.blob();
}
