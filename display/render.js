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

export function progressLine(voted) {
  if (!voted || voted.members === 0) return t("progress.none");
  const w = formatNumber(voted.weight);
  return voted.members === 1 ? t("progress.one", { w }) : t("progress", { m: formatNumber(voted.members), w });
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

function ballotHeading(ballot) {
  return h(
    "div",
    { class: "ballot-head" },
    h(
      "p",
      { class: "ballot-meta" },
      h("span", { class: "agenda", text: t("agenda", { agenda: ballot.agenda }) }),
      h("span", { class: "kind capital", text: t(`kind.${ballot.kind}`) }),
      statusBadge(ballot),
      ballot.test ? h("span", { class: "badge test", text: t("test") }) : null,
    ),
    h("h2", { class: "ballot-title", text: ballot.title }),
    ballotNotes(ballot),
  );
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

function tallyRow(choice, weight, share, total, note) {
  const bar = h("span", { class: "bar-fill" });
  // CSSOM, not a style attribute: the Content-Security-Policy allows no inline styles.
  bar.style.width = `${total ? (weight / total) * 100 : 0}%`;
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
    tallyRow("for", tally.for, tally.percent_for, total),
    tallyRow("against", tally.against, percentOf(tally.against, tally.cast), total),
    tallyRow(
      "abstain",
      tally.abstain,
      abstainCast ? percentOf(tally.abstain, tally.cast) : null,
      total,
      t("tally.not_cast"),
    ),
  );
}

// Green for a yes, red for a no, neutral for withdrawn or held over (no decision on the merits).
function outcomeClass(outcome) {
  if (isAdopted(outcome)) return "adopted";
  return outcome === "rejected" ? "rejected" : "other";
}

function outcomeLine(ballot) {
  const sentence = minutesText(ballot.minutes);
  if (!sentence) return null;
  return h("p", { class: `outcome ${outcomeClass(ballot.outcome)}`, "data-outcome": ballot.outcome, text: sentence });
}

function progress(ballot, present) {
  const line = h("p", { class: "progress-line", text: progressLine(ballot.voted) });
  const meter = h("span", { class: "progress-fill" });
  const of = present?.weight || 0;
  meter.style.width = `${of ? Math.min(100, ((ballot.voted?.weight ?? 0) / of) * 100) : 0}%`;
  return h("div", { class: "progress" }, line, h("span", { class: "progress-bar" }, meter));
}

// The current ballot: heading, progress while open, the tally when there is one, the outcome.
export function ballotView(ballot, present) {
  if (!ballot) return h("div", { class: "ballot empty" }, h("p", { class: "ballot-none", text: t("ballot.none") }));
  const open = ballot.status === "open";
  return h(
    "div",
    { class: `ballot ballot-${ballot.status}`, "data-ballot": ballot.id },
    ballotHeading(ballot),
    open ? progress(ballot, present) : null,
    ballot.tally ? tallyChart(ballot.tally) : null,
    open && !ballot.tally ? h("p", { class: "tally-hidden", text: t("tally.hidden") }) : null,
    outcomeLine(ballot),
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
          { class: `decision ${outcomeClass(d.outcome)}`, "data-ballot": d.ballot },
          h("span", { class: "decision-agenda", text: d.agenda }),
          h("span", { class: "decision-title", text: d.title }),
          h("span", { class: "decision-outcome", text: minutesText(d.minutes) }),
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
