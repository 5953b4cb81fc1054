// The chair's page: run the ballots of the open meeting and watch the running tally (SPEC 1, 4.1).

import "./chair-strings.js";
import { formatNumber, mountToggle, onLangChange, start as startI18n, t } from "/assets/lib/i18n.js";
import { minutesText } from "/assets/lib/minutes.js";
import { connect } from "/assets/lib/socket.js";
import * as api from "./chair-api.js";
import { ballotView, decisionsView, h, presenceLine, versionGate } from "./render.js";

const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_FORBIDDEN = 4403;
const CLOSE_TRY_AGAIN = 1013;
// What the ballot state machine allows from each status (server/rules/ballot_state.py).
const ACTIONS = { draft: ["open", "acclamation", "withdraw", "hold"], open: ["close"] };
const VOTE_ONLY = ["open", "close"]; // a test ballot only runs as a vote (SPEC 2.7)
const CONFIRM = new Set(["acclamation", "withdraw", "hold"]); // final, and no vote to show for it
// Meetings this tab saw published, for as long as the meeting's own answer does not say so.
const PUBLISHED_KEY = "votehall.chair.published";

const $ = (id) => document.getElementById(id);
const gate = versionGate();
const state = { meeting: null, ballots: [], snapshot: null, busy: null, alert: null, connection: null };
let live = null;
let seen = "";

function alertText(alert) {
  if (!alert) return "";
  return alert.key ? t(alert.key, alert.vars) : alert.text;
}

function publishedHere() {
  try {
    const ids = JSON.parse(sessionStorage.getItem(PUBLISHED_KEY) || "[]");
    return Array.isArray(ids) ? ids : [];
  } catch {
    return [];
  }
}

function markPublished(meetingId) {
  const ids = publishedHere();
  if (!ids.includes(meetingId)) sessionStorage.setItem(PUBLISHED_KEY, JSON.stringify([...ids, meetingId]));
}

function isPublished(meeting) {
  return Boolean(meeting.published_at) || publishedHere().includes(meeting.id);
}

// "3fa9c2e0 1b7d…": blocks of eight, for the committee to read aloud and write down (issue 5).
function hashBlocks(hash) {
  return hash.match(/.{1,8}/g).join(" ");
}

// The log entry that recorded a decision: what the committee checks `votehall verify` against.
function logLine(result, tag = "p") {
  if (!result?.log_hash) return null;
  return h(
    tag,
    { class: "log-line", "data-log-seq": result.log_seq },
    h("span", { class: "log-label", text: t("chair.log", { seq: result.log_seq }) }),
    " ",
    h("code", { class: "log-hash", "data-hash": result.log_hash, text: hashBlocks(result.log_hash) }),
  );
}

function drawFrame() {
  const signedIn = Boolean(api.token());
  $("login").hidden = signedIn;
  $("work").hidden = !signedIn;
  $("logout").hidden = !signedIn;
  $("alert").textContent = alertText(state.alert);
  $("alert").hidden = !state.alert;
  $("meeting-title").textContent = state.meeting?.title ?? "";
  $("meeting-title").hidden = !state.meeting?.title; // no empty heading before signing in
  const lost = state.connection === "lost" ? t("conn.lost") : "";
  $("connection").textContent = lost;
  $("connection").hidden = !lost;
}

function actionButton(ballot, action) {
  const button = h("button", {
    type: "button",
    class: `action action-${action}`,
    "data-action": action,
    text: t(`chair.action.${action}`),
  });
  button.disabled = state.busy !== null;
  button.addEventListener("click", () => act(ballot, action));
  return button;
}

function ballotItem(ballot) {
  const running = state.meeting?.status === "open"; // nothing happens to a closed meeting's ballots
  const allowed = running ? (ACTIONS[ballot.status] ?? []).filter((a) => !ballot.test || VOTE_ONLY.includes(a)) : [];
  const result = ballot.result ? minutesText({ nl: ballot.result.minutes, en: ballot.result.minutes_en }) : "";
  return h(
    "li",
    { class: `ballot-item status-${ballot.status}`, "data-ballot": ballot.id },
    h(
      "div",
      { class: "item-text" },
      h(
        "p",
        { class: "item-meta" },
        h("span", { class: "agenda", text: ballot.agenda }),
        h("span", { class: "kind capital", text: t(`kind.${ballot.kind}`) }),
        h("span", { class: `status status-${ballot.status}`, text: t(`ballot.status.${ballot.status}`) }),
        ballot.test ? h("span", { class: "badge test", text: t("test") }) : null,
      ),
      h("p", { class: "item-title", text: ballot.title }),
      result ? h("p", { class: "item-result", text: result }) : null,
      logLine(ballot.result),
    ),
    h("div", { class: "item-actions" }, allowed.map((action) => actionButton(ballot, action))),
  );
}

function recordLink(file, published) {
  const link = h("a", { href: file.path, "data-file": file.key, text: t(`chair.record.${file.key}`) });
  if (published) {
    link.target = "_blank";
    link.rel = "noopener";
  } else {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      downloadDraft(file);
    });
  }
  return h("li", {}, link);
}

function drawMeeting() {
  const meeting = state.meeting;
  $("meeting-panel").hidden = !meeting;
  if (!meeting) return;
  const published = isPublished(meeting);
  const status = meeting.status === "open" ? "open" : published ? "published" : "closed";
  $("meeting-status").textContent = t(`chair.meeting.${status}`);
  $("meeting-status").dataset.status = status;
  $("close-meeting").hidden = meeting.status !== "open";
  $("publish").hidden = meeting.status !== "closed" || published;
  $("close-meeting").disabled = $("publish").disabled = state.busy !== null;
  // Public links once published; before that, drafts the chair may read with the token.
  const files = api.recordFiles(meeting.id).filter((file) => published || file.draft);
  $("record-label").textContent = t(published ? "chair.record.public" : "chair.record.draft");
  $("record-list").replaceChildren(...files.map((file) => recordLink(file, published)));
  $("record").hidden = false;
}

// The live panel shows the feed, which carries no log hash: it comes from the ballot's API answer.
function drawCurrentLog() {
  const shown = state.snapshot?.meeting ? state.snapshot.ballot : null;
  const ballot = shown ? state.ballots.find((b) => b.id === shown.id) : null;
  $("current-log").replaceChildren(logLine(ballot?.result) ?? "");
}

function drawBallots() {
  drawFrame();
  drawMeeting();
  $("no-meeting").hidden = Boolean(state.meeting) || !api.token();
  $("ballots").replaceChildren(...state.ballots.map(ballotItem));
  drawCurrentLog();
}

function waitingView(snapshot) {
  if (snapshot?.ballot?.status !== "open") return "";
  const waiting = snapshot.not_voted ?? [];
  const weight = waiting.reduce((sum, member) => sum + member.weight, 0);
  const vars = { m: formatNumber(waiting.length), w: formatNumber(weight) };
  const key = { 0: "chair.waiting.none", 1: "chair.waiting.one" }[waiting.length] ?? "chair.waiting";
  const heading = t(key, vars);
  return h(
    "div",
    {},
    h("h3", { class: "waiting-title", text: heading }),
    h(
      "ul",
      { class: "waiting-list" },
      waiting.map((member) =>
        h(
          "li",
          { "data-member": member.code },
          h("span", { class: "name", text: member.name }),
          h("span", { class: "weight", text: formatNumber(member.weight) }),
        ),
      ),
    ),
  );
}

function drawLive() {
  drawFrame();
  const snapshot = state.snapshot;
  const meeting = snapshot?.meeting;
  $("presence").textContent = meeting ? presenceLine(snapshot.present) : "";
  $("current").replaceChildren(meeting ? ballotView(snapshot.ballot, snapshot.present) : "");
  drawCurrentLog();
  $("waiting").replaceChildren(meeting ? waitingView(snapshot) : "");
  $("decisions").replaceChildren(meeting ? decisionsView(snapshot.decisions) : "");
}

function signOut(reason) {
  api.forgetToken();
  live?.stop();
  live = null;
  Object.assign(state, { meeting: null, ballots: [], snapshot: null, busy: null, connection: null });
  state.alert = reason ? { key: reason } : null;
  seen = "";
  drawBallots();
  drawLive();
}

// A bad token sends the chair back to the sign-in form; anything else is shown in the alert.
// `what`: the i18n key naming what was tried.
function failed(error, what) {
  if (error.status === 401) return signOut("chair.login.bad");
  if (error.status === 403 && error.code !== "not_published") return signOut("chair.login.forbidden");
  if (error.status === 0) state.alert = { key: "chair.offline" };
  else if (what) {
    // A 409 says why (another ballot is open, amendments still pending...): show it as it is.
    state.alert = { key: "chair.failed", vars: { action: t(what), detail: error.detail } };
  } else state.alert = { text: error.detail };
}

async function load() {
  try {
    state.meeting = await api.currentMeeting();
    state.ballots = state.meeting ? await api.ballots(state.meeting.id) : [];
  } catch (error) {
    failed(error);
  }
  drawBallots();
}

async function act(ballot, action) {
  if (CONFIRM.has(action) && !window.confirm(t(`chair.confirm.${action}`, { title: ballot.title }))) return;
  state.busy = ballot.id;
  state.alert = null;
  drawBallots();
  try {
    const updated = await api.act(ballot.id, action);
    state.ballots = state.ballots.map((b) => (b.id === updated.id ? updated : b));
  } catch (error) {
    failed(error, `chair.action.${action}`);
  } finally {
    state.busy = null;
    drawBallots();
  }
}

async function meetingAction(what, call) {
  const meeting = state.meeting;
  if (!meeting || !window.confirm(t(`chair.confirm.${what}`, { title: meeting.title }))) return;
  state.busy = what;
  state.alert = null;
  drawBallots();
  try {
    await call(meeting);
  } catch (error) {
    failed(error, `chair.meeting.${what}`);
  } finally {
    state.busy = null;
    drawBallots();
  }
}

function closeMeeting() {
  return meetingAction("close", async (meeting) => {
    state.meeting = await api.closeMeeting(meeting.id);
  });
}

function publish() {
  return meetingAction("publish", async (meeting) => {
    try {
      await api.publish(meeting.id);
    } catch (error) {
      // Another chair (or the CLI) was first: the record is public all the same.
      if (error.status !== 409 || error.code !== "already_published") throw error;
    }
    markPublished(meeting.id);
  });
}

async function downloadDraft(file) {
  state.alert = null;
  try {
    const url = URL.createObjectURL(await api.fetchFile(file.path));
    const link = h("a", { href: url, download: file.file, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (error) {
    failed(error, `chair.record.${file.key}`);
  }
  drawFrame();
}

// Someone else (another chair, the CLI) may act too: reload the list when the feed moves on.
function followFeed(snapshot) {
  const key = JSON.stringify([snapshot.meeting?.id, snapshot.ballot?.id, snapshot.ballot?.status, snapshot.decisions.length]);
  if (key !== seen) {
    seen = key;
    load();
  }
}

function startLive() {
  live = connect("/ws/chair", {
    open(socket) {
      gate.reset();
      socket.send(JSON.stringify({ type: "hello", token: api.token() }));
    },
    message(snapshot) {
      if (!gate.accept(snapshot)) return;
      state.snapshot = snapshot;
      followFeed(snapshot);
      drawLive();
    },
    close(event) {
      if (event.code === CLOSE_UNAUTHORIZED || event.code === CLOSE_FORBIDDEN) {
        signOut(event.code === CLOSE_FORBIDDEN ? "chair.login.forbidden" : "chair.login.bad");
        return "stop";
      }
      return event.code === CLOSE_TRY_AGAIN ? "now" : "retry";
    },
    status(connection) {
      state.connection = connection;
      drawFrame();
    },
  });
}

async function signIn(event) {
  event.preventDefault();
  const value = $("token").value.trim();
  if (!value) return;
  api.setToken(value);
  $("token").value = "";
  state.alert = null;
  await load();
  if (api.token()) startLive();
}

function main() {
  startI18n();
  mountToggle($("lang"));
  document.title = t("chair.title");
  onLangChange(() => {
    document.title = t("chair.title");
    drawBallots();
    drawLive();
  });
  $("login-form").addEventListener("submit", signIn);
  $("logout").addEventListener("click", () => signOut(null));
  $("close-meeting").addEventListener("click", closeMeeting);
  $("publish").addEventListener("click", publish);
  drawBallots();
  if (api.token()) load().then(() => api.token() && startLive());
}

main();
