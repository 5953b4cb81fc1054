// The chair's HTTP calls (SPEC 4.1), on the shared operator client.
import { operatorClient } from "/assets/lib/operator-api.js";

export { ApiError } from "/assets/lib/operator-api.js";

const client = operatorClient("chair");
export const { token, setToken, forgetToken } = client;

export async function openMeeting() {
  const meetings = await client.call("GET", "/api/meetings");
  return meetings.find((meeting) => meeting.status === "open") ?? null;
}

export function ballots(meetingId) {
  return client.call("GET", `/api/meetings/${meetingId}/ballots`);
}

export function act(ballotId, action) {
  return client.call("POST", `/api/ballots/${ballotId}/${action}`);
}
