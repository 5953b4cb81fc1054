// How the minutes word a decision (SPEC 2.6, 2.7; statutes art. 11). The same sentences as
// server/rules/minutes.py: the screen must say exactly what the minutes will say.

import { addStrings, formatPercent, t } from "./i18n.js";

addStrings({
  nl: {
    "minutes.adopted": "aangenomen met {p} van de stemmen",
    "minutes.rejected": "verworpen met {p} van de stemmen vóór",
    "minutes.no_votes": "verworpen; er zijn geen stemmen uitgebracht",
    "minutes.acclamation": "bij acclamatie aangenomen",
    "minutes.withdrawn": "ingetrokken",
    "minutes.held": "aangehouden",
  },
  en: {
    "minutes.adopted": "adopted with {p} of the votes",
    "minutes.rejected": "rejected with {p} of the votes in favour",
    "minutes.no_votes": "rejected; no votes were cast",
    "minutes.acclamation": "adopted by acclamation",
    "minutes.withdrawn": "withdrawn",
    "minutes.held": "held over",
  },
});

const OUTCOMES = ["adopted", "rejected", "acclamation", "withdrawn", "held"];

// outcome: adopted | rejected | acclamation | withdrawn | held; percentFor: "93.40" or null.
// Returns "" for anything else (an open ballot has no outcome yet).
export function minutesSentence(outcome, percentFor) {
  if (!OUTCOMES.includes(outcome)) return "";
  if (outcome === "adopted" || outcome === "rejected") {
    // No cast votes at all is a rejection (SPEC 2.5) and has no percentage to quote.
    if (percentFor == null) return t("minutes.no_votes");
    return t(`minutes.${outcome}`, { p: formatPercent(percentFor) });
  }
  return t(`minutes.${outcome}`);
}

// For styling: did the assembly say yes?
export function isAdopted(outcome) {
  return outcome === "adopted" || outcome === "acclamation";
}
