// The chair's API errors in the hall's words. The server answers {"error": code, "detail", ...}
// (SPEC 4.1) with an English detail that may name a ballot by its database id; the chair speaks
// of "4 Begroting 2026". So the page words each code itself, and names ballots by agenda number
// and title: from the error's `ballots` where the server lists them, else from its own list.

import { t } from "/assets/lib/i18n.js";

// "4 Begroting 2026": a ballot as the agenda names it (the same order as "herstemming van 4 ...").
export function ref(ballot) {
  return `${ballot.agenda} ${ballot.title}`;
}

export function refs(ballots) {
  return ballots.map(ref).join("; ");
}

// The ballot that was opened or decided after `ballot`, which ended its void window (SPEC 2.7):
// the page's copy of the server's rule (server/ballots/repository.py opened_or_decided_after).
export function decidedAfter(ballot, ballots) {
  const seq = ballot?.result?.log_seq ?? 0;
  const later = ballots.filter(
    (other) => other.id !== ballot?.id && (other.status === "open" || (other.result?.log_seq ?? 0) > seq),
  );
  later.sort((a, b) => (a.status === "open" ? -1 : 0) - (b.status === "open" ? -1 : 0) || a.id - b.id);
  return later[0] ?? null;
}

function known(key) {
  return t(key) !== key;
}

// `error`: an ApiError; `ballot`: the ballot acted on; `ballots`: the meeting's list; `agenda`:
// the agenda item a form or the hall screen control named. Returns one Dutch (or English) clause
// that completes "{action} is niet gelukt: ...".
export function errorText(error, { ballot = null, ballots = [], agenda = null } = {}) {
  if (error.status === 0) return t("chair.error.offline");
  const code = error.code;
  const named = Array.isArray(error.body?.ballots) ? error.body.ballots : [];
  const vars = { ref: ballot ? ref(ballot) : "", agenda: agenda ?? ballot?.agenda ?? "", refs: refs(named) };
  switch (code) {
    case "ballot_already_open":
    case "ballot_open":
      return named.length ? t(`chair.error.${code}`, { ref: ref(named[0]) }) : t(`chair.error.${code}.plain`);
    case "void_window_passed": {
      const later = decidedAfter(ballot, ballots);
      return later
        ? t("chair.error.void_window_passed", { ...vars, later: ref(later) })
        : t("chair.error.void_window_passed.plain", vars);
    }
    case "illegal_transition": {
      const status = error.body?.ballot_status;
      return ballot && status
        ? t("chair.error.illegal_transition", { ...vars, status: t(`status.${status}`) })
        : t("chair.error.illegal_transition.plain");
    }
    case "ballot_not_draft":
    case "ballot_amended":
    case "ballot_not_open":
      return ballot ? t(`chair.error.${code}`, vars) : t("chair.error.illegal_transition.plain");
    default:
      if (code && known(`chair.error.${code}`)) return t(`chair.error.${code}`, vars);
      if (error.status === 503) return t("chair.error.unavailable");
      return t("chair.error.other", { status: error.status, code: code ?? "" });
  }
}
