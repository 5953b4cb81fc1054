// Dutch first, English on request (SPEC 4.4). Every page adds its own strings with addStrings();
// the words all pages share (kinds, choices, statuses) live here so they are translated once.

const STORAGE_KEY = "votehall.lang";
const LANGS = ["nl", "en"];
const LOCALES = { nl: "nl-NL", en: "en-GB" };

const strings = {
  nl: {
    "lang.toggle": "English",
    "lang.toggle.label": "Switch to English",
    "kind.voorstel": "voorstel",
    "kind.resolutie": "resolutie",
    "kind.amendement": "amendement",
    "kind.motie": "motie",
    "kind.benoeming": "benoeming",
    "choice.for": "Voor",
    "choice.against": "Tegen",
    "choice.abstain": "Onthouding",
    "status.draft": "in voorbereiding",
    "status.open": "geopend",
    "status.closed": "gesloten",
    "status.acclamation": "bij acclamatie",
    "status.withdrawn": "ingetrokken",
    "status.held": "aangehouden",
    "status.voided": "ongeldig verklaard",
    "status.out_of_order": "buiten de orde verklaard",
    "status.not_decided": "niet in stemming gebracht",
    "preadvies": "Preadvies: {advice}",
    "preadvies.overnemen": "overnemen",
    "preadvies.aanhouden": "aanhouden",
    "preadvies.ontraden": "ontraden",
    "preadvies.oordeel_vergadering": "oordeel aan de vergadering",
    "preadvies.buiten_de_orde": "buiten de orde verklaren",
    "majority.simple": "gewone meerderheid",
    "majority.two_thirds": "tweederde meerderheid vereist",
    "revote_of": "herstemming van {agenda} {title}",
    "amends": "amendement op {agenda} {title}",
    "off_agenda": "vreemd aan de orde van de dag",
    "counted_by_hand": "met de hand geteld",
    "submitters": "Ingediend door {names}",
    "submitters.more": "{names} en {n} andere",
    "test": "proefstemming",
    "agenda": "Agendapunt {agenda}",
    "weight": "{n} stemmen",
    "weight.one": "1 stem",
    "conn.connecting": "verbinden…",
    "conn.lost": "verbinding verbroken, opnieuw verbinden…",
    "conn.open": "verbonden",
  },
  en: {
    "lang.toggle": "Nederlands",
    "lang.toggle.label": "Naar het Nederlands",
    "kind.voorstel": "proposal",
    "kind.resolutie": "resolution",
    "kind.amendement": "amendment",
    "kind.motie": "motion",
    "kind.benoeming": "appointment",
    "choice.for": "For",
    "choice.against": "Against",
    "choice.abstain": "Abstain",
    "status.draft": "in preparation",
    "status.open": "open",
    "status.closed": "closed",
    "status.acclamation": "by acclamation",
    "status.withdrawn": "withdrawn",
    "status.held": "held over",
    "status.voided": "declared void",
    "status.out_of_order": "declared out of order",
    "status.not_decided": "not put to the vote",
    "preadvies": "Board's advice: {advice}",
    "preadvies.overnemen": "adopt",
    "preadvies.aanhouden": "hold over",
    "preadvies.ontraden": "reject",
    "preadvies.oordeel_vergadering": "left to the meeting",
    "preadvies.buiten_de_orde": "declare out of order",
    "majority.simple": "simple majority",
    "majority.two_thirds": "two-thirds majority required",
    "revote_of": "re-vote of {agenda} {title}",
    "amends": "amendment to {agenda} {title}",
    "off_agenda": "not on the agenda",
    "counted_by_hand": "counted by hand",
    "submitters": "Submitted by {names}",
    "submitters.more": "{names} and {n} others",
    "test": "test vote",
    "agenda": "Agenda item {agenda}",
    "weight": "{n} votes",
    "weight.one": "1 vote",
    "conn.connecting": "connecting…",
    "conn.lost": "connection lost, reconnecting…",
    "conn.open": "connected",
  },
};

const listeners = new Set();
let current = initialLang();

function initialLang() {
  // ?lang=en lets a stream operator pick the language of an OBS browser source without clicking.
  const asked = new URLSearchParams(location.search).get("lang");
  if (LANGS.includes(asked)) {
    store(asked);
    return asked;
  }
  // A projected screen nobody touches (<html data-lang-fixed>) speaks the hall's language unless
  // its address asks otherwise: a language once chosen on another page of the same browser must
  // not turn the hall screen English.
  if (document.documentElement.hasAttribute("data-lang-fixed")) return "nl";
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch {
    // Storage can be disabled; Dutch is the default then.
  }
  return "nl";
}

function store(lang) {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered then; the page still switches.
  }
}

export function lang() {
  return current;
}

export function addStrings(more) {
  for (const code of LANGS) Object.assign(strings[code], more[code] || {});
}

export function t(key, vars = {}) {
  const text = strings[current][key] ?? strings.nl[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in vars ? String(vars[name]) : match));
}

export function setLang(lang) {
  if (!LANGS.includes(lang) || lang === current) return;
  current = lang;
  store(lang);
  document.documentElement.lang = lang;
  translate(document);
  for (const listener of listeners) listener(lang);
}

export function onLangChange(listener) {
  listeners.add(listener);
}

const numberFormats = {};

export function formatNumber(n) {
  const locale = LOCALES[current];
  numberFormats[locale] ??= new Intl.NumberFormat(locale);
  return numberFormats[locale].format(n);
}

// "93.40" from the server becomes "93,40%" on Dutch screens (SPEC 2.6); no float is involved.
export function formatPercent(percent) {
  return (current === "nl" ? percent.replace(".", ",") : percent) + "%";
}

export function formatDate(isoDate) {
  // Noon UTC keeps the calendar day in every time zone.
  const date = new Date(`${isoDate}T12:00:00Z`);
  return new Intl.DateTimeFormat(LOCALES[current], { dateStyle: "long", timeZone: "UTC" }).format(date);
}

export function formatWeight(n) {
  return n === 1 ? t("weight.one") : t("weight", { n: formatNumber(n) });
}

// Static text in the HTML carries data-i18n="key" (and data-i18n-placeholder / -label for attributes).
export function translate(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of root.querySelectorAll("[data-i18n-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  }
}

// A button that flips between the two languages; it names the language it switches to.
export function mountToggle(button) {
  button.dataset.i18n = "lang.toggle";
  button.dataset.i18nLabel = "lang.toggle.label";
  button.textContent = t("lang.toggle");
  button.setAttribute("aria-label", t("lang.toggle.label"));
  button.addEventListener("click", () => setLang(current === "nl" ? "en" : "nl"));
}

export function start() {
  document.documentElement.lang = current;
  translate(document);
}

// "Ingediend door Amsterdam, Utrecht en 12 andere": a motion's or amendment's submitting members
// (SPEC 2.8), at most `shown` by name so that a long list does not push the ballot off a screen.
export function submittersText(names, shown = 4) {
  if (!names || names.length === 0) return "";
  const named = names.slice(0, shown).join(", ");
  const rest = names.length - shown;
  return t("submitters", { names: rest > 0 ? t("submitters.more", { names: named, n: rest }) : named });
}
