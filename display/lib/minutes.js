// How the minutes word a decision (SPEC 2.6, 2.7; statutes art. 11). The server makes the
// sentence once, with its rules (server/rules/minutes.py), and sends it in Dutch and English as
// {"nl": "...", "en": "..."}. A page shows it in its language and never words a result itself, so that a screen says exactly
// what the minutes will say, corrections (void, count by hand, aantekening) included.

import { lang } from "./i18n.js";

// minutes: {"nl", "en"} or null (an open ballot has no outcome yet). Returns "" for none.
export function minutesText(minutes) {
  if (!minutes) return "";
  return minutes[lang()] ?? minutes.nl ?? "";
}

// For styling: did the assembly say yes?
export function isAdopted(outcome) {
  return outcome === "adopted" || outcome === "acclamation";
}
