// The start page (`/`): one line on what VoteHall is and a link to every page with who uses it.
// The Dutch text is in home.html as well, so the page reads the same before this module runs.

import { addStrings, mountToggle, start } from "/assets/lib/i18n.js";

addStrings({
  nl: {
    "home.lead": "Live gewogen stemmen tijdens de algemene ledenvergadering.",
    "home.pages": "Pagina's",
    "home.kiosk": "Stemkastje",
    "home.kiosk.who": "Voor de vertegenwoordiger: stemmen op de eigen telefoon, gekoppeld bij de stembalie.",
    "home.display": "Zaalscherm",
    "home.display.who": "Voor het grote scherm in de zaal: de stemming, de voortgang en de uitslag.",
    "home.overlay": "Stream-overlay",
    "home.overlay.who": "Voor de livestream: hetzelfde op een doorzichtige achtergrond.",
    "home.desk": "Stembalie",
    "home.desk.who": "Voor de registratie: stemkaarten scannen en stempassen uitgeven (met token).",
    "home.chair": "Voorzitter",
    "home.chair.who":
      "Voor de voorzitter en de commissie van stemopneming: stemmingen openen en sluiten (met token).",
    "home.docs": "API-documentatie",
    "home.docs.who": "Voor ontwikkelaars van koppelingen: de HTTP-API (Engelstalig), ook zonder internet.",
  },
  en: {
    "home.lead": "Live weighted voting during the general assembly.",
    "home.pages": "Pages",
    "home.kiosk": "Voting handheld",
    "home.kiosk.who": "For the representative: vote on your own phone, once paired at the registration desk.",
    "home.display": "Hall screen",
    "home.display.who": "For the big screen in the hall: the ballot, its progress and the result.",
    "home.overlay": "Stream overlay",
    "home.overlay.who": "For the livestream: the same on a transparent background.",
    "home.desk": "Registration desk",
    "home.desk.who": "For registration: scan voting cards and hand out voting passes (with a token).",
    "home.chair": "Chair",
    "home.chair.who": "For the chair and the vote-counting committee: open and close ballots (with a token).",
    "home.docs": "API documentation",
    "home.docs.who": "For developers of integrations: the HTTP API, also without internet.",
  },
});

mountToggle(document.getElementById("lang"));
start();
