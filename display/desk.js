// The registration desk (stembalie, SPEC 1, 2.2, 2.3): scan a voting card, record the
// representative, hand out the voting pass by pairing QR code; the list of passes with
// check-out, return, revoke and re-print; the live count of members present.
//
// A USB barcode scanner types the card code and Enter into whatever has focus, so the scan
// field has it whenever nothing else needs it: after every action focus goes back there.

import "./desk-strings.js";
import {
  formatNumber,
  formatWeight,
  lang,
  mountToggle,
  onLangChange,
  start as startI18n,
  t,
} from "/assets/lib/i18n.js";
import { connect } from "/assets/lib/socket.js";
import * as api from "./desk-api.js";
import { createPassList } from "./desk-passes.js";
import { qrImage } from "./desk-qr.js";
import { versionGate } from "./render.js";

const CLOSE_TRY_AGAIN = 1013;
const REFRESH_GAP = 1000; // at most one reload of the pass list a second
const VOTING_REFRESH_GAP = 5000; // ... or every five while a ballot is open (the feed moves a lot)
// The feed's `present` does not move on a hand-over at another desk; a slow reload catches that.
const SAFETY_REFRESH = 60_000;
const CARD_ERRORS = new Set(["invalid_card", "unknown_card", "card_replaced"]);
const LOCALES = { nl: "nl-NL", en: "en-GB" };

const $ = (id) => document.getElementById(id);
const gate = versionGate();
const state = {
  meeting: null,
  present: null,
  connection: null,
  alert: null, // {key, vars} or {text}
  info: null,
  scanError: null,
  scanning: false,
  card: null, // the scanned code, kept in memory for the check-in only
  holder: null, // the lookup's answer: member, weight, active_pass
  formError: null,
  submitting: false,
  pairing: null, // {again, member, representative, role, code, expires, svg}
};
let live = null;
let passList = null;
let seenPresent = null;
let refresh = { timer: null, loading: false, again: false, last: 0 };

function message(m) {
  if (!m) return "";
  return m.key ? t(m.key, m.vars) : m.text;
}

function show(id, text) {
  $(id).textContent = text;
  $(id).hidden = !text;
}

function clock(iso) {
  return new Intl.DateTimeFormat(LOCALES[lang()], { hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

function focusScan() {
  if (!$("work").hidden) $("scan").focus();
}

// Drawing

function drawFrame() {
  const signedIn = Boolean(api.token());
  $("login").hidden = signedIn;
  $("work").hidden = !signedIn || !state.meeting;
  $("no-meeting").hidden = !signedIn || Boolean(state.meeting) || state.connection === null;
  $("logout").hidden = !signedIn;
  show("alert", message(state.alert));
  show("info", message(state.info));
  $("meeting-title").textContent = state.meeting?.title ?? "";
  $("meeting-title").hidden = !state.meeting?.title; // no empty heading before signing in
  const lost = signedIn && state.connection === "lost" ? t("conn.lost") : "";
  show("connection", lost);
  const present = signedIn && state.meeting ? state.present : null;
  $("presence").hidden = !present;
  $("presence-count").textContent = present
    ? t("desk.present", {
        m: formatNumber(present.members),
        of_m: formatNumber(present.of_members),
        w: formatNumber(present.weight),
        of_w: formatNumber(present.of_weight),
      })
    : "";
}

function drawHolder() {
  const holder = state.holder;
  $("holder").hidden = !holder;
  show("scan-error", message(state.scanError));
  $("scan-submit").disabled = state.scanning;
  $("scan-submit").textContent = t(state.scanning ? "desk.scan.busy" : "desk.scan.submit");
  if (!holder) return;
  $("holder-name").textContent = holder.member.name;
  $("holder-weight").textContent = formatWeight(holder.weight);
  const current = holder.active_pass;
  $("holder-status").textContent = current
    ? t("desk.member.represented", {
        name: current.representative,
        role: t(`desk.role.${current.role}`),
        time: clock(current.issued_at),
      })
    : t("desk.member.free");
  $("holder-status").classList.toggle("represented", Boolean(current));
  show("form-error", message(state.formError));
  $("checkin-submit").textContent = t(current ? "desk.form.hand_over" : "desk.form.submit");
  $("checkin-submit").disabled = state.submitting;
}

function drawPairing() {
  const pairing = state.pairing;
  $("pairing").hidden = !pairing;
  // The scanning side widens while a pairing code is up, so that the QR code and the code with
  // Volgende sit side by side: all of it on a laptop's screen (1366x768) without scrolling.
  $("work").classList.toggle("pairing-shown", Boolean(pairing));
  if (!pairing) {
    $("pairing-qr").replaceChildren();
    return;
  }
  $("pairing-title").textContent = t(pairing.again ? "desk.pairing.title.again" : "desk.pairing.title");
  $("pairing-help").textContent = t(pairing.again ? "desk.pairing.help.again" : "desk.pairing.help");
  $("pairing-who").textContent = `${pairing.member.name} · ${formatWeight(pairing.weight)} · ${t("desk.pass.who", {
    name: pairing.representative,
    role: t(`desk.role.${pairing.role}`),
  })}`;
  $("pairing-code").textContent = pairing.code;
  $("pairing-expires").textContent = t("desk.pairing.expires", { time: clock(pairing.expires) });
  pairing.svg?.setAttribute("aria-label", t("desk.pairing.qr"));
  if (pairing.svg && $("pairing-qr").firstChild !== pairing.svg) $("pairing-qr").replaceChildren(pairing.svg);
}

function drawAll() {
  drawFrame();
  drawHolder();
  drawPairing();
}

// Signing in and out

function signOut(reason) {
  api.forgetToken();
  live?.stop();
  live = null;
  clearTimeout(refresh.timer);
  refresh = { timer: null, loading: false, again: false, last: 0 };
  Object.assign(state, {
    meeting: null,
    present: null,
    connection: null,
    alert: reason ? { key: reason } : null,
    info: null,
    scanError: null,
    card: null,
    holder: null,
    formError: null,
    pairing: null,
  });
  seenPresent = null;
  passList.clear();
  $("checkin-form").reset();
  drawAll();
  $("token").focus();
}

// What went wrong, in the desk's words; a bad token sends the desk back to the sign-in form.
// Returns the message for errors that belong next to a field, or null once handled here.
function explain(error) {
  if (error.status === 401) {
    signOut("desk.login.bad");
    return null;
  }
  if (error.status === 403) {
    signOut("desk.login.forbidden");
    return null;
  }
  if (error.status === 0) return { key: "desk.offline" };
  if (error.status === 429) return { key: "desk.rate_limited" };
  if (CARD_ERRORS.has(error.code)) return { key: `desk.card.${error.code}`, vars: { detail: error.detail } };
  return { key: "desk.failed", vars: { detail: error.detail } };
}

async function signIn(event) {
  event.preventDefault();
  const value = $("token").value.trim();
  if (!value) return;
  api.setToken(value);
  $("token").value = "";
  state.alert = null;
  await begin();
}

// The open meeting comes from the public feed; the pass list proves the token is a desk's.
async function begin() {
  try {
    state.meeting = await api.openMeeting();
  } catch (error) {
    state.alert = explain(error);
  }
  drawAll();
  if (state.meeting) await loadPasses();
  if (api.token()) {
    startLive();
    focusScan();
  }
}

// The pass list

async function loadPasses() {
  clearTimeout(refresh.timer);
  refresh.timer = null;
  if (!state.meeting || !api.token()) return;
  if (refresh.loading) {
    refresh.again = true;
    return;
  }
  refresh.loading = true;
  refresh.last = Date.now();
  const meetingId = state.meeting.id;
  try {
    const passes = await api.passes(meetingId);
    if (state.meeting?.id === meetingId) passList.update(passes);
  } catch (error) {
    const problem = explain(error);
    if (problem) state.alert = problem;
    drawFrame();
  } finally {
    refresh.loading = false;
    if (refresh.again) {
      refresh.again = false;
      scheduleRefresh();
    }
  }
}

// Reload soon, but never more than once a `gap`: two desks and the hall's feed all ask for it.
function scheduleRefresh(gap = REFRESH_GAP) {
  if (refresh.loading) {
    refresh.again = true;
    return;
  }
  if (refresh.timer) return;
  refresh.timer = setTimeout(loadPasses, Math.max(0, refresh.last + gap - Date.now()));
}

// The live count, from the public feed (SPEC 4.3)

function onSnapshot(snapshot) {
  const meeting = snapshot.meeting;
  if (meeting?.id !== state.meeting?.id) {
    state.meeting = meeting;
    state.holder = null;
    state.card = null;
    state.pairing = null;
    passList.clear();
    seenPresent = null;
    if (meeting) loadPasses();
  } else if (meeting) {
    state.meeting = meeting;
  }
  state.present = snapshot.present ?? null;
  // Another desk checked someone in or out: the list follows.
  const key = JSON.stringify([meeting?.id, state.present?.members, state.present?.weight]);
  if (seenPresent !== null && key !== seenPresent) scheduleRefresh();
  seenPresent = key;
  // A handheld paired (here or at another desk): the log moved on, the presence did not. While
  // passes wait for their handheld, every new state may be one; during a vote, look less often.
  if (passList?.unpaired() > 0) {
    scheduleRefresh(snapshot.ballot?.status === "open" ? VOTING_REFRESH_GAP : REFRESH_GAP);
  }
  drawAll();
  if (document.activeElement === document.body) focusScan();
}

function startLive() {
  if (live) return;
  live = connect("/ws/display", {
    open: () => gate.reset(),
    message(snapshot) {
      if (gate.accept(snapshot)) onSnapshot(snapshot);
    },
    close: (event) => (event.code === CLOSE_TRY_AGAIN ? "now" : "retry"),
    status(connection) {
      state.connection = connection;
      drawFrame();
    },
  });
}

// Scanning a card and checking a representative in

function clearDesk() {
  state.card = null;
  state.holder = null;
  state.formError = null;
  state.scanError = null;
  state.pairing = null;
  state.info = null;
  $("checkin-form").reset();
}

async function lookUp(event) {
  event.preventDefault();
  const typed = $("scan").value.trim();
  if (!typed || state.scanning || state.submitting || !state.meeting) return;
  clearDesk();
  state.alert = null;
  state.scanning = true;
  drawAll();
  try {
    const holder = await api.lookUp(state.meeting.id, typed);
    state.card = typed;
    state.holder = holder;
    $("scan").value = "";
    if (holder.active_pass && !passList.has(holder.active_pass)) scheduleRefresh();
  } catch (error) {
    state.scanError = explain(error);
  } finally {
    state.scanning = false;
    drawAll();
  }
  if (state.holder) $("rep-name").focus();
  else if (api.token()) {
    // A scanner's next attempt replaces the bad code; a person can still correct it.
    focusScan();
    $("scan").select();
  }
}

function representative() {
  const name = $("rep-name").value.trim().replace(/\s+/g, " ");
  const role = $("rep-role").value;
  if (name.length < 2) return { problem: "desk.form.name.missing", field: "rep-name" };
  if (!role) return { problem: "desk.form.role.missing", field: "rep-role" };
  return { name, role };
}

async function checkIn(event) {
  event.preventDefault();
  if (state.submitting || !state.holder) return;
  const rep = representative();
  if (rep.problem) {
    state.formError = { key: rep.problem };
    drawHolder();
    $(rep.field).focus();
    return;
  }
  state.formError = null;
  state.submitting = true;
  drawHolder();
  const holder = state.holder;
  let answer = null;
  let problem = null;
  try {
    answer = await api.checkIn(state.meeting.id, state.card, rep);
  } catch (error) {
    problem = error;
  }
  // One active pass per member (SPEC 2.3): a second check-in is a hand-over, confirmed here.
  if (problem?.code === "pass_active") {
    const name = problem.body?.representative ?? "?";
    const confirmed = window.confirm(t("desk.confirm.hand_over", { member: holder.member.name, name }));
    problem = null;
    if (confirmed) {
      try {
        answer = await api.checkIn(state.meeting.id, state.card, rep, true);
      } catch (error) {
        problem = error;
      }
    }
  }
  state.submitting = false;
  if (answer) {
    clearDesk();
    showPairing(answer, { again: false, ...answer.representative });
    scheduleRefresh();
  } else if (problem && CARD_ERRORS.has(problem.code)) {
    // The card was re-issued since it was scanned: start again with the new card.
    clearDesk();
    state.scanError = explain(problem);
  } else if (problem) {
    state.formError = explain(problem);
  }
  drawAll();
  if (state.formError && api.token()) $("rep-name").focus();
  else focusScan();
}

function showPairing(answer, { again, name, role, member, weight }) {
  state.pairing = {
    again,
    member: answer.member ?? member,
    weight: answer.weight ?? weight,
    representative: name,
    role,
    code: answer.pairing_code,
    expires: answer.pairing_expires_at,
    svg: qrImage(answer.pairing_qr_svg, t("desk.pairing.qr")),
  };
}

function next() {
  clearDesk();
  $("scan").value = "";
  drawAll();
  focusScan();
}

// Actions on a pass in the list

// Asks in the page (not with window.confirm, whose OK a scanner's Enter would press) whether to
// end this pass; resolves true only for the action's own button.
function confirmEnd(pass, action) {
  const dialog = $("confirm");
  const member = pass.member.name;
  $("confirm-title").textContent = t(`desk.confirm.${action}.title`, { member });
  $("confirm-who").textContent = `${member} · ${formatWeight(pass.weight)} · ${t("desk.pass.who", {
    name: pass.representative,
    role: t(`desk.role.${pass.role}`),
  })}`;
  $("confirm-text").textContent = t(`desk.confirm.${action}`);
  $("confirm-ok").textContent = t(`desk.action.${action}`);
  $("confirm-ok").classList.toggle("danger", action === "revoke");
  dialog.returnValue = "";
  dialog.showModal();
  $("confirm-cancel").focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}

const ASKS_FIRST = new Set(["checkout", "revoke"]);

async function act(pass, action) {
  const member = pass.member.name;
  if (ASKS_FIRST.has(action) && !(await confirmEnd(pass, action))) {
    focusScan();
    return;
  }
  state.alert = null;
  state.info = null;
  drawFrame();
  passList.busy(pass.pass_id, true);
  try {
    const answer = await api.act(pass.pass_id, action);
    if (action === "pairing") {
      clearDesk();
      const { representative: name, role, member: who, weight } = pass;
      showPairing(answer, { again: true, name, role, member: who, weight });
    } else {
      passList.patch(answer);
      state.info = { key: `desk.done.${action}`, vars: { member } };
    }
  } catch (error) {
    const problem = explain(error);
    if (problem) {
      // The server says why (already checked out, represented by someone else...): shown as it is.
      const detail = problem.key === "desk.failed" ? error.detail : message(problem);
      state.alert = { key: "desk.action.failed", vars: { action: t(`desk.action.${action}`), member, detail } };
    }
    passList.busy(pass.pass_id, false);
  }
  scheduleRefresh();
  drawAll();
  focusScan();
}

// Keeping the scan field ready

function keepFocus() {
  // Focus fell to the page (a click on empty space, a row that went away): back to the scanner.
  setTimeout(() => {
    const idle = document.activeElement === document.body || document.activeElement === null;
    // Not while someone selects text in the list to copy it.
    if (idle && document.getSelection()?.isCollapsed !== false) focusScan();
  }, 0);
}

function onKey(event) {
  if (event.key !== "Escape" || event.target.id === "search" || $("work").hidden) return;
  if ($("confirm").open) return; // Escape answers the question (no); the desk stays as it is
  if (state.holder || state.pairing || state.scanError) {
    event.preventDefault();
    next();
  }
}

function main() {
  startI18n();
  mountToggle($("lang"));
  document.title = t("desk.title");
  passList = createPassList(document.querySelector(".passes-panel"), act);
  onLangChange(() => {
    document.title = t("desk.title");
    passList.relabel();
    drawAll();
    focusScan(); // the toggle keeps no focus: the scanner must not type into a button
  });
  $("login-form").addEventListener("submit", signIn);
  $("logout").addEventListener("click", () => signOut(null));
  $("scan-form").addEventListener("submit", lookUp);
  $("checkin-form").addEventListener("submit", checkIn);
  // Enter submits from the role too (a select does not submit its form by itself).
  $("rep-role").addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    $("checkin-form").requestSubmit();
  });
  $("cancel").addEventListener("click", next);
  $("next").addEventListener("click", next);
  $("search").addEventListener("input", (event) => passList.search(event.target.value));
  document.addEventListener("focusout", keepFocus);
  document.addEventListener("click", keepFocus);
  document.addEventListener("keydown", onKey);
  setInterval(() => {
    if (state.meeting && api.token() && document.visibilityState === "visible") scheduleRefresh();
  }, SAFETY_REFRESH);
  drawAll();
  if (api.token()) begin();
  else $("token").focus();
}

main();
