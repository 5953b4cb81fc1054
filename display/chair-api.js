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

export function act(ballotId, action) {
  return client.call("POST", `/api/ballots/${ballotId}/${action}`);
}

export function closeMeeting(meetingId) {
  return client.call("POST", `/api/meetings/${meetingId}/close`);
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
