// The chair's page: run the ballots of the open meeting and watch the running tally (SPEC 1, 4.1),
// and correct what goes wrong in a hall (SPEC 2.7, 2.8, 2.11). This module holds the state, the
// feed and the sign-in; what the buttons do is in chair-acts.js, the drawing in chair-ballots.js
// (the agenda), chair-live.js (the live panel) and chair-meeting.js (the meeting), the questions
// and forms in chair-dialog.js and chair-forms.js, the errors' words in chair-errors.js.

import "./chair-strings.js";
import { lang, mountToggle, onLangChange, start as startI18n, t } from "/assets/lib/i18n.js";
import { connect } from "/assets/lib/socket.js";
import { chairActs } from "./chair-acts.js";
import * as api from "./chair-api.js";
import { agendaItems, logLine } from "./chair-ballots.js";
import { refreshDialog, setExplainer } from "./chair-dialog.js";
import { errorText } from "./chair-errors.js";
import { controlsView, countdownText, currentView, drawWaiting } from "./chair-live.js";
import { copyHash, drawMeeting } from "./chair-meeting.js";
import { decisionsView, h, presenceLine, versionGate } from "./render.js";

const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_FORBIDDEN = 4403;
const CLOSE_TRY_AGAIN = 1013;

const $ = (id) => document.getElementById(id);
const gate = versionGate();
const state = {
  meeting: null,
  ballots: [],
  members: [], // the frozen register: [{code, name, weight}], by name
  membersOf: null, // the meeting they belong to
  snapshot: null,
  busy: null,
  alert: null,
  notice: null,
  connection: null,
  expanded: new Set(), // ballots whose "Meer" is open
};
let live = null;
let seen = "";
let ticker = null;

function drawFrame() {
  const signedIn = Boolean(api.token());
  $("login").hidden = signedIn;
  $("work").hidden = !signedIn;
  $("logout").hidden = !signedIn;
  $("alert").textContent = state.alert?.() ?? "";
  $("alert").hidden = !state.alert;
  $("notice").textContent = state.notice?.() ?? "";
  $("notice").hidden = !state.notice;
  $("meeting-title").textContent = state.meeting?.title ?? "";
  $("meeting-title").hidden = !state.meeting?.title; // no empty heading before signing in
  // The vote-counting committee's key for secret ballots, by its fingerprint, so that a swapped
  // key is seen: the committee compares it with what `votehall committee keygen` printed.
  const fingerprint = state.meeting?.committee_fingerprint;
  $("committee-key").textContent = fingerprint ? t("chair.committee_key", { fingerprint }) : "";
  $("committee-key").hidden = !fingerprint;
  const lost = state.connection === "lost" ? t("conn.lost") : "";
  $("connection").textContent = lost;
  $("connection").hidden = !lost;
}

const running = () => state.meeting?.status === "open"; // nothing happens to a closed meeting's ballots

// The item on the hall screen: the feed's word once it speaks, the meeting's until then.
function currentItem() {
  return state.snapshot?.meeting ? (state.snapshot.current_item?.number ?? null) : (state.meeting?.current_item ?? null);
}

function drawBallots() {
  drawFrame();
  drawMeeting(state.meeting, { busy: state.busy !== null, download: downloadDraft });
  $("no-meeting").hidden = Boolean(state.meeting) || !api.token();
  $("new-ballot").hidden = !running();
  $("new-ballot").disabled = state.busy !== null;
  const names = new Map(state.members.map((member) => [member.code, member.name]));
  $("ballots").replaceChildren(
    ...(state.meeting
      ? agendaItems({
          meeting: state.meeting,
          ballots: state.ballots,
          names,
          running: running(),
          busy: state.busy !== null,
          expanded: state.expanded,
          currentItem: currentItem(),
          act,
          toggleMore,
          screen: putOnScreen,
        })
      : []),
  );
  drawLive();
}

// The live panel shows the feed, which carries no log hash: it comes from the ballot's API answer.
function drawCurrentLog() {
  const shown = state.snapshot?.meeting ? state.snapshot.ballot : null;
  const ballot = shown ? state.ballots.find((b) => b.id === shown.id) : null;
  $("current-log").replaceChildren(logLine(ballot?.result) ?? "");
}

// Drawn again only when they change, not at every vote: a button replaced under the pointer
// between press and release loses the click.
let controlsKey = "";

function drawControls() {
  const shown = state.snapshot?.meeting ? state.snapshot.ballot : null;
  const open = shown?.status === "open" && running();
  const key = JSON.stringify(open ? [lang(), shown.id, shown.countdown_ends_at, state.busy] : null);
  if (key === controlsKey) return;
  controlsKey = key;
  if (!open) return $("controls").replaceChildren();
  $("controls").replaceChildren(
    controlsView({
      ballot: state.ballots.find((b) => b.id === shown.id) ?? shown,
      endsAt: shown.countdown_ends_at,
      busy: state.busy !== null,
      act,
      countdown,
    }),
  );
}

// The countdown's seconds tick here, between the feed's snapshots.
function tick() {
  const endsAt = state.snapshot?.ballot?.status === "open" ? state.snapshot.ballot.countdown_ends_at : null;
  if (endsAt && !ticker) ticker = setInterval(tick, 250);
  if (!endsAt && ticker) {
    clearInterval(ticker);
    ticker = null;
  }
  const left = $("countdown");
  if (left) left.textContent = countdownText(endsAt);
}

function drawLive() {
  drawFrame();
  const snapshot = state.snapshot;
  const meeting = snapshot?.meeting;
  $("presence").textContent = meeting ? presenceLine(snapshot.present) : "";
  const item = meeting ? snapshot.current_item : null;
  $("screen-item").textContent = item ? t("chair.screen.item", { agenda: item.number, title: item.title }) : "";
  $("screen-item").hidden = !item;
  $("current").replaceChildren(meeting ? currentView(snapshot) : "");
  drawControls();
  drawCurrentLog();
  drawWaiting($("waiting"), meeting ? snapshot : null);
  $("decisions").replaceChildren(meeting ? decisionsView(snapshot.decisions) : "");
  tick();
}

function signOut(reason) {
  api.forgetToken();
  live?.stop();
  live = null;
  Object.assign(state, { meeting: null, ballots: [], members: [], membersOf: null, snapshot: null, busy: null });
  Object.assign(state, { connection: null, notice: null });
  state.alert = reason ? () => t(reason) : null;
  seen = "";
  drawBallots();
}

function authProblem(error) {
  return error.status === 401 || (error.status === 403 && error.code !== "not_published");
}

// A bad token sends the chair back to the sign-in form; anything else is said in the alert, in the
// hall's words. `what`: the i18n key naming what was tried; `context`: for naming ballots.
function failed(error, what, context = {}) {
  if (error.status === 401) return signOut("chair.login.bad");
  if (authProblem(error)) return signOut("chair.login.forbidden");
  if (error.status === 0) state.alert = () => t("chair.offline");
  else if (what) {
    const detail = () => errorText(error, { ballots: state.ballots, ...context });
    state.alert = () => t("chair.failed", { action: t(what), detail: detail() });
  } else state.alert = () => t("chair.failed", { action: t("chair.action.load"), detail: errorText(error) });
}

// Inside a dialog an error is shown in the dialog, which stays open; a bad token closes it.
setExplainer((error) => {
  if (!(error instanceof api.ApiError)) return String(error);
  if (authProblem(error)) {
    failed(error);
    return null;
  }
  const text = errorText(error, { ballots: state.ballots, ...(error.context ?? {}) });
  return text.charAt(0).toUpperCase() + text.slice(1); // a sentence of its own here
});

async function load() {
  try {
    const meeting = await api.currentMeeting();
    const ballots = meeting ? await api.ballots(meeting.id) : [];
    if (meeting && meeting.status !== "draft" && state.membersOf !== meeting.id) {
      const members = await api.members(meeting.id);
      state.members = members.sort((a, b) => a.name.localeCompare(b.name, "nl"));
      state.membersOf = meeting.id;
    }
    Object.assign(state, { meeting, ballots });
  } catch (error) {
    failed(error);
  }
  drawBallots();
}

// One act on the server: the buttons wait, the alert and notice clear, the list reloads after.
// `call` may return false: the chair cancelled half-way (a second question).
async function run(what, context, call) {
  state.busy = what;
  state.alert = null;
  state.notice = null;
  drawBallots();
  try {
    await call();
  } catch (error) {
    failed(error, what, context);
  } finally {
    state.busy = null;
    if (api.token()) await load(); // else signed out by the error, and drawn so
  }
}

const { act, newBallot, countdown, putOnScreen, closeMeeting, publish } = chairActs({ state, run, load, currentItem });

function toggleMore(ballot) {
  if (state.expanded.has(ballot.id)) state.expanded.delete(ballot.id);
  else state.expanded.add(ballot.id);
  drawBallots();
  document.querySelector(`.ballot-item[data-ballot="${ballot.id}"] .action-more`)?.focus();
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
  const ballot = snapshot.ballot;
  const key = JSON.stringify([snapshot.meeting?.id, snapshot.meeting?.status, ballot?.id, ballot?.status,
    snapshot.decisions.length, snapshot.current_item?.number]); // prettier-ignore
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
      refreshDialog(snapshot);
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
  });
  $("login-form").addEventListener("submit", signIn);
  $("logout").addEventListener("click", () => signOut(null));
  $("close-meeting").addEventListener("click", closeMeeting);
  $("publish").addEventListener("click", publish);
  $("new-ballot").addEventListener("click", newBallot);
  $("copy-hash").addEventListener("click", copyHash);
  drawBallots();
  if (api.token()) load().then(() => api.token() && startLive());
}

main();
