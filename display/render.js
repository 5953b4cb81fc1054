// Drawing a feed snapshot (SPEC 4.3): shared by the hall screen, the overlay and the chair.
// Elements are built with textContent, never innerHTML: titles come from people.

import "./strings.js";
import { formatNumber, formatPercent, submittersText, t } from "/assets/lib/i18n.js";
import { isAdopted, minutesText } from "/assets/lib/minutes.js";

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) el.append(child);
  }
  return el;
}

export function presenceLine(present) {
  if (!present) return "";
  return t("present", {
    m: formatNumber(present.members),
    of_m: formatNumber(present.of_members),
    w: formatNumber(present.weight),
    of_w: formatNumber(present.of_weight),
  });
}

// How many voted, without the number present: said of a closed ballot, whose presence was that
// of its own moment.
export function progressLine(voted) {
  if (!voted || voted.members === 0) return t("progress.none");
  const w = formatNumber(voted.weight);
  return voted.members === 1 ? t("progress.one", { w }) : t("progress", { m: formatNumber(voted.members), w });
}

// "3 van 271 leden hebben gestemd" and "118 van 11.248 stemmen" while a ballot is open. A member
// that voted and then left still counts as voted (SPEC 2.3): the "of" never drops below it.
export function votedLines(voted, present) {
  const members = voted?.members ?? 0;
  const weight = voted?.weight ?? 0;
  const ofMembers = Math.max(members, present?.members ?? 0);
  const ofWeight = Math.max(weight, present?.weight ?? 0);
  const key = members === 1 ? "progress.members.one" : "progress.members";
  return {
    members: t(key, { m: formatNumber(members), of: formatNumber(ofMembers) }),
    weight: t("progress.weight", { w: formatNumber(weight), of: formatNumber(ofWeight) }),
    share: ofWeight ? Math.min(1, weight / ofWeight) : 0,
  };
}

// A share of the cast votes as the server writes it ("16.70"), rounded half up in integers
// like the server's percent_for (SPEC 2.6), so that voor and tegen add up to exactly 100,00%.
export function percentOf(part, cast) {
  if (!cast) return null;
  const hundredths = Math.floor((part * 20000 + cast) / (2 * cast));
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, "0")}`;
}

function statusBadge(ballot) {
  return h("span", { class: `status status-${ballot.status}`, text: t(`ballot.status.${ballot.status}`) });
}

// A test ballot never reads like a decision (SPEC 2.7): a band on top, open and closed alike.
function testBanner(ballot) {
  return ballot.test ? h("p", { class: "test-banner", text: t("test.banner") }) : null;
}

function ballotHeading(ballot) {
  const majority = ballot.majority && ballot.majority !== "simple" ? ballot.majority : null;
  return h(
    "div",
    { class: "ballot-head" },
    h(
      "p",
      { class: "ballot-meta" },
      h("span", { class: "agenda", text: t("agenda", { agenda: ballot.agenda }) }),
      h("span", { class: "kind capital", text: t(`kind.${ballot.kind}`) }),
      statusBadge(ballot),
      majority ? h("span", { class: "majority", "data-majority": majority, text: t(`majority.${majority}`) }) : null,
      ballot.counted_by_hand ? h("span", { class: "by-hand", text: t("counted_by_hand") }) : null,
      ballot.secret ? h("span", { class: "secret", text: t("secret.badge") }) : null,
      // Only the chair's channel carries a secret result before its release: say it is not out.
      unreleased(ballot) ? h("span", { class: "unreleased", text: t("result.unreleased") }) : null,
      ballot.round && ballot.round !== "first" ? h("span", { class: "round", text: t(`round.${ballot.round}`) }) : null,
    ),
    h("h2", { class: "ballot-title", text: ballot.title }),
    ballotRefs(ballot),
    ballotNotes(ballot),
  );
}

function unreleased(ballot) {
  const shown = Boolean(ballot.tally || ballot.election);
  return ballot.secret && ballot.released === false && ballot.status === "closed" && shown;
}

function ref(key, other) {
  return h("span", { class: key.replace("_", "-"), text: t(key, { agenda: other.agenda, title: other.title }) });
}

// What the ballot stands in relation to: the proposal an amendment amends, the voided ballot a
// re-vote redoes, a motion on a matter not on the agenda (SPEC 2.7, 2.8).
function ballotRefs(ballot) {
  const refs = [
    ballot.revote_of ? ref("revote_of", ballot.revote_of) : null,
    ballot.amends ? ref("amends", ballot.amends) : null,
    ballot.off_agenda ? h("span", { class: "off-agenda", text: t("off_agenda") }) : null,
  ].filter(Boolean);
  return refs.length ? h("p", { class: "ballot-refs" }, refs) : null;
}

// The board's advice and the submitting members share one line, so that the tally below keeps
// its room on the hall screen.
function ballotNotes(ballot) {
  const advice = ballot.preadvies
    ? h("span", { class: "preadvies", text: t("preadvies", { advice: t(`preadvies.${ballot.preadvies}`) }) })
    : null;
  const submitters = ballot.submitters?.length
    ? h("span", { class: "submitters", text: submittersText(ballot.submitters, 2) })
    : null;
  return advice || submitters ? h("p", { class: "ballot-notes" }, advice, submitters) : null;
}

// A row's bar is as long as the share it shows: for and against of the votes cast, like their
// percentages (a bar that counted the abstentions too drew "100,00%" two thirds long); an
// abstention that is not cast, of every vote given.
function tallyRow(choice, weight, share, base, note) {
  const bar = h("span", { class: "bar-fill" });
  // CSSOM, not a style attribute: the Content-Security-Policy allows no inline styles.
  bar.style.width = `${base ? (weight / base) * 100 : 0}%`;
  return h(
    "div",
    { class: `tally-row ${choice}`, "data-choice": choice },
    h("span", { class: "tally-label", text: t(`choice.${choice}`) }),
    h("span", { class: "bar" }, bar),
    h("span", { class: "tally-weight", text: formatNumber(weight) }),
    h("span", { class: "tally-percent", text: share ? formatPercent(share) : note || "" }),
  );
}

export function tallyChart(tally) {
  const total = tally.for + tally.against + tally.abstain;
  // Abstentions are not cast unless the ballot counts them (SPEC 2.5); the feed tells by `cast`.
  const abstainCast = tally.abstain > 0 && tally.cast === total;
  return h(
    "div",
    { class: "tally", role: "group", "aria-label": t("tally.caption") },
    tallyRow("for", tally.for, tally.percent_for, tally.cast),
    tallyRow("against", tally.against, percentOf(tally.against, tally.cast), tally.cast),
    tallyRow(
      "abstain",
      tally.abstain,
      abstainCast ? percentOf(tally.abstain, tally.cast) : null,
      abstainCast ? tally.cast : total,
      t("tally.not_cast"),
    ),
  );
}

// An election (SPEC 2.10): a bar per candidate, in the ballot's order, against the cast votes; the
// candidate elected, or those going on to a narrower next round, are marked (a second free round
// takes them all: marking every one would say nothing). A single-candidate vote is a yes/no on
// that candidate. The figures come from the feed's `election`, a candidate's note (municipality,
// role) from the ballot's `candidates`. Five rows or more make the chart `many`: the screens draw
// it closer together, the overlay in two columns.
export function electionChart(election, candidates = []) {
  const going = election.next_candidates ?? [];
  const marked = new Set([
    ...(election.elected ? [election.elected.id] : []),
    ...(going.length < election.candidates.length ? going.map((c) => c.id) : []),
  ]);
  const notes = new Map(candidates.map((c) => [c.id, c.note]));
  const total = election.cast + (election.abstain ?? 0) + (election.against ?? 0);
  const rows = election.candidates.map((candidate) => {
    const bar = h("span", { class: "bar-fill" });
    bar.style.width = `${total ? (candidate.votes / total) * 100 : 0}%`;
    const on = marked.has(candidate.id);
    const note = notes.get(candidate.id);
    return h(
      "div",
      { class: `tally-row candidate${on ? " marked" : ""}`, "data-candidate": candidate.id },
      h(
        "span",
        { class: "tally-label" },
        h("span", { class: "candidate-name", text: candidate.name }),
        note ? h("span", { class: "candidate-note", text: note }) : null,
      ),
      h("span", { class: "bar" }, bar),
      h("span", { class: "tally-weight", text: formatNumber(candidate.votes) }),
      h("span", { class: "tally-percent", text: candidate.percent ? formatPercent(candidate.percent) : "" }),
    );
  });
  const single = election.round === "single";
  const many = rows.length + (single ? 2 : 1) >= 5;
  return h(
    "div",
    { class: `tally election${many ? " many" : ""}`, role: "group", "aria-label": t("tally.caption") },
    rows,
    single ? tallyRow("against", election.against ?? 0, percentOf(election.against ?? 0, election.cast), total) : null,
    tallyRow("abstain", election.abstain ?? 0, null, total, t("tally.not_cast")),
  );
}

// Green for a yes, red for a no; neutral for everything that is no decision on the merits:
// withdrawn, held over, voided, not put to the vote, and any test ballot whatever its result.
function outcomeClass(outcome, test = false) {
  if (test) return "test";
  if (outcome === "voided") return "voided";
  if (isAdopted(outcome) || outcome === "elected") return "adopted";
  return outcome === "rejected" ? "rejected" : "other";
}

// The outcome is the server's minutes sentence (display/lib/minutes.js), never worded here. A
// voided result carries the word ONGELDIG before it, a test ballot its "does not count".
function outcomeLine(ballot) {
  const sentence = minutesText(ballot.minutes);
  if (!sentence) return null;
  const kind = outcomeClass(ballot.outcome, ballot.test);
  // A voided result says so in the server's sentence and with its grey panel; a test
  // ballot's result is marked as counting for nothing.
  const mark = kind === "test" ? t("test.mark") : null;
  return h(
    "p",
    { class: `outcome ${kind}`, "data-outcome": ballot.outcome },
    mark ? h("span", { class: "outcome-mark", text: mark }) : null,
    mark ? " " : null,
    h("span", { class: "outcome-text", text: sentence }),
  );
}

// The chair's countdown (SPEC 2.7), from this device's clock against the server's UTC end time.
// Whole seconds rounded up, never below 0; at 0 the ballot may close, which stays the chair's act.
export function countdownSeconds(endsAt, now = Date.now()) {
  const end = Date.parse(endsAt);
  if (Number.isNaN(end)) return null;
  return Math.max(0, Math.ceil((end - now) / 1000));
}

export function countdownText(seconds) {
  if (seconds <= 0) return t("countdown.end");
  return seconds === 1 ? t("countdown.one") : t("countdown", { n: formatNumber(seconds) });
}

// The element updates itself each second for as long as it is on the page, so every page that
// shows a ballot counts down without a timer of its own. A timer, not a live region: it is not
// read out every second.
function countdownView(endsAt) {
  const el = h("p", { class: "countdown", role: "timer" });
  const update = () => {
    const seconds = countdownSeconds(endsAt);
    const text = countdownText(seconds);
    if (el.textContent !== text) el.textContent = text;
    el.dataset.seconds = String(seconds);
    el.classList.toggle("countdown-end", seconds === 0);
  };
  update();
  let seen = false;
  const timer = setInterval(() => {
    seen ||= el.isConnected;
    if (seen && !el.isConnected) clearInterval(timer);
    else if (seen) update();
    else clearInterval(timer); // drawn over before it was ever shown
  }, 250);
  return el;
}

// "x van y leden hebben gestemd" for the back of the hall, the weight beside the countdown.
function progress(ballot, present) {
  const lines = votedLines(ballot.voted, present);
  const meter = h("span", { class: "progress-fill" });
  meter.style.width = `${lines.share * 100}%`;
  return h(
    "div",
    { class: "progress" },
    h("p", { class: "progress-line", text: lines.members }),
    h(
      "div",
      { class: "progress-more" },
      h("p", { class: "progress-weight", text: lines.weight }),
      ballot.countdown_ends_at ? countdownView(ballot.countdown_ends_at) : null,
    ),
    h("span", { class: "progress-bar" }, meter),
  );
}

// The current ballot: heading, progress while open, the tally when there is one, the outcome.
export function ballotView(ballot, present) {
  if (!ballot) return h("div", { class: "ballot empty" }, h("p", { class: "ballot-none", text: t("ballot.none") }));
  const open = ballot.status === "open";
  const kind = ["ballot", `ballot-${ballot.status}`, ballot.test ? "ballot-test" : null];
  return h(
    "div",
    { class: kind.filter(Boolean).join(" "), "data-ballot": ballot.id },
    testBanner(ballot),
    ballotHeading(ballot),
    open ? progress(ballot, present) : null,
    resultView(ballot),
    open && !ballot.tally && !ballot.election
      ? h("p", { class: "tally-hidden", text: t(ballot.secret ? "tally.secret" : "tally.hidden") })
      : null,
    // A closed secret ballot whose result the chair has not yet released (SPEC 2.10).
    !open && ballot.released === false && !ballot.tally && !ballot.election
      ? h("p", { class: "result-pending", text: t("result.pending") })
      : null,
    outcomeLine(ballot),
  );
}

function resultView(ballot) {
  if (ballot.election) return electionChart(ballot.election, ballot.candidates);
  return ballot.tally ? tallyChart(ballot.tally) : null;
}

// The agenda item the chair has put up, also one without a vote (the feed's `current_item`).
export function itemView(item) {
  const label = t("agenda", { agenda: item.number });
  return h(
    "div",
    { class: "item", "data-item": item.number },
    item.title ? h("p", { class: "item-label", text: label }) : null,
    h("h2", { class: "item-title", text: item.title || label }),
  );
}

// Does ballot agenda "7a" (or "7", "7.2") belong to item "7"? "10" does not belong to "1".
export function onItem(agenda, number) {
  if (!agenda || !number || !agenda.startsWith(number)) return false;
  return agenda.length === number.length || !/[0-9]/.test(agenda[number.length]);
}

// After the chair closed the meeting (SPEC 2.11): said once, big; the decisions follow.
export function closedView(decisions) {
  const undecided = decisions.filter((d) => d.outcome === "not_decided").length;
  const n = decisions.length - undecided;
  const count = [n === 1 ? t("decisions.count.one") : t("decisions.count", { n: formatNumber(n) })];
  if (undecided) count.push(`${formatNumber(undecided)} ${t("status.not_decided")}`);
  return h(
    "div",
    { class: "meeting-closed" },
    h("h2", { class: "closed-title", text: t("meeting.closed") }),
    h("p", { class: "closed-count", text: count.join(" · ") }),
  );
}

// The decisions so far, newest first: the hall wants to see what just happened.
export function decisionsView(decisions) {
  if (!decisions.length) return h("p", { class: "decisions-none", text: t("decisions.none") });
  return h(
    "ol",
    { class: "decisions", reversed: true },
    decisions
      .slice()
      .reverse()
      .map((d) =>
        h(
          "li",
          { class: `decision ${outcomeClass(d.outcome)}`, "data-ballot": d.ballot, "data-outcome": d.outcome },
          h("span", { class: "decision-agenda", text: d.agenda }),
          h("span", { class: "decision-title", text: d.title }),
          h("span", { class: "decision-outcome", text: minutesText(d.minutes) }),
          d.released === false ? h("span", { class: "unreleased", text: t("result.unreleased") }) : null,
        ),
      ),
  );
}

// Accepts a snapshot only when it is newer than the last one shown. Versions grow across
// processes and restarts (README "Feed versions"); the first snapshot of every connection is
// taken all the same: it is that server's current state, whatever came before.
export function versionGate() {
  let last = -1;
  let fresh = true;
  return {
    reset() {
      fresh = true;
    },
    accept(snapshot) {
      if (!fresh && !(snapshot.version > last)) return false;
      fresh = false;
      last = snapshot.version;
      return true;
    },
  };
}
