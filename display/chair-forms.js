// The chair's forms (SPEC 2.7, 2.8): a ballot (new, or a draft edited), a void's reason, a count by
// hand, an aantekening. Each is a dialog (chair-dialog.js) whose `save` makes the API call; a
// refusal, the page's or the server's, is shown in the dialog, which stays open to be corrected.

import { t } from "/assets/lib/i18n.js";
import { Refusal, showDialog } from "./chair-dialog.js";
import { h } from "./render.js";

const KINDS = ["voorstel", "resolutie", "amendement", "motie", "benoeming"];
const PREADVIES = ["overnemen", "aanhouden", "ontraden", "oordeel_vergadering", "buiten_de_orde"];
const MOVED_BY_MEMBERS = new Set(["motie", "amendement"]); // submitters and a preadvies (SPEC 2.8)
const AMENDABLE = new Set(["voorstel", "resolutie"]);
// What a ballot's settings are, in the order PATCH and POST know them (server/ballots/schemas.py).
const FIELDS = ["agenda", "title", "kind", "majority", "abstain_is_cast", "allow_change", "test", "amends",
  "submitters", "preadvies", "show_live_tally", "off_agenda", "secret", "candidates"]; // prettier-ignore

let counter = 0;
const uid = (name) => `${name}-${++counter}`;

// A ballot's settings as the API names them: for a re-vote, and to compare an edit with.
export function settingsOf(ballot) {
  const settings = Object.fromEntries(FIELDS.map((field) => [field, ballot[field] ?? null]));
  // A candidate is sent as a name and a note; its id belongs to the ballot it stood on.
  settings.candidates = (ballot.candidates ?? []).map(({ name, note }) => ({ name, note: note ?? null }));
  settings.secret = Boolean(ballot.secret);
  return settings;
}

// "Anna Alfa | wethouder, Aa en Hunze" a line: the candidates of an election (SPEC 2.10).
export function parseCandidates(text) {
  return text
    .split("\n")
    .map((line) => line.split("|"))
    .filter(([name]) => name.trim())
    .map(([name, ...note]) => ({ name: name.trim(), note: note.join("|").trim() || null }));
}

function candidatesText(candidates) {
  return (candidates ?? []).map((c) => (c.note ? `${c.name} | ${c.note}` : c.name)).join("\n");
}

// What the server would refuse as not fitting the kind is cleared, not sent (rules/ballot_state.py).
function fitKind(fields) {
  const moved = MOVED_BY_MEMBERS.has(fields.kind);
  return {
    ...fields,
    amends: fields.kind === "amendement" ? fields.amends : null,
    submitters: moved ? fields.submitters : [],
    preadvies: moved ? fields.preadvies : null,
    off_agenda: fields.kind === "motie" ? fields.off_agenda : false,
    // Only an appointment has candidates and is secret here (SPEC 2.9, 2.10); with candidates the
    // majority is that of an election, and abstentions are not cast.
    ...(fields.kind === "benoeming"
      ? fields.candidates?.length
        ? { majority: "simple", abstain_is_cast: false }
        : {}
      : { candidates: [], secret: false }),
  };
}

// Only what changed, for PATCH (SPEC 2.7: "send only what changes").
export function changes(before, after) {
  return Object.fromEntries(
    FIELDS.filter((field) => JSON.stringify(before[field] ?? null) !== JSON.stringify(after[field] ?? null)).map(
      (field) => [field, after[field]],
    ),
  );
}

function field(label, control, { hidden = false, cls = "" } = {}) {
  if (!control.id) control.id = uid("field");
  return h("div", { class: `field ${cls}`.trim(), hidden }, h("label", { for: control.id, text: label }), control);
}

function checkbox(name, label, checked) {
  const input = h("input", { type: "checkbox", name, id: uid(name) });
  input.checked = Boolean(checked);
  return h("div", { class: "check" }, input, h("label", { for: input.id, text: label }));
}

function select(name, options, value) {
  const control = h(
    "select",
    { name },
    options.map(([key, text]) => h("option", { value: key, text })),
  );
  control.value = value ?? "";
  return control;
}

function paragraph(text, cls = "") {
  return h("p", { class: cls || null, text });
}

// Letters without accents, lower case: "Súdwest" is found by "sudw".
function fold(text) {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
}

/**
 * Members to choose (submitters, an aantekening): a search field over the register and a list of
 * check boxes; the names chosen are repeated above the list, so a long register hides none.
 * Returns { element, value() } with the codes in the order chosen.
 */
export function memberPicker({ legend, members, chosen = [] }) {
  const order = [...chosen];
  const names = new Map(members.map((member) => [member.code, member.name]));
  const summary = h("p", { class: "picked", "aria-live": "polite" });
  const search = h("input", { type: "search", class: "picker-search", autocomplete: "off", spellcheck: "false" });
  search.placeholder = t("chair.members.search");
  search.setAttribute("aria-label", t("chair.members.search"));
  const boxes = members.map((member) => {
    const input = h("input", { type: "checkbox", value: member.code, id: uid("member") });
    input.checked = order.includes(member.code);
    input.addEventListener("change", () => {
      const at = order.indexOf(member.code);
      if (input.checked && at < 0) order.push(member.code);
      if (!input.checked && at >= 0) order.splice(at, 1);
      show();
    });
    const row = h("div", { class: "check", "data-name": fold(member.name) }, input, h("label", { for: input.id, text: member.name }));
    return row;
  });
  function show() {
    const chosenNames = order.map((code) => names.get(code) ?? code);
    summary.textContent = chosenNames.length ? t("chair.members.chosen", { names: chosenNames.join(", ") }) : t("chair.members.none");
  }
  search.addEventListener("input", () => {
    const wanted = fold(search.value.trim());
    for (const row of boxes) row.hidden = Boolean(wanted) && !row.dataset.name.includes(wanted);
  });
  // Enter in the search field must not send the form.
  search.addEventListener("keydown", (event) => event.key === "Enter" && event.preventDefault());
  show();
  const element = h(
    "fieldset",
    { class: "member-picker" },
    h("legend", { text: legend }),
    summary,
    search,
    h("div", { class: "member-options" }, boxes),
  );
  return { element, value: () => [...order] };
}

/**
 * A ballot: new (`ballot` null) or a draft edited. `meeting` gives the agenda, `ballots` the
 * proposals an amendment can amend, `members` the submitters to choose from; `agenda` is the item
 * a new ballot starts on. `save(fields)` gets the whole ballot for a new one, only the changes for
 * an edit (nothing changed closes the dialog without a call).
 */
export function ballotDialog({ ballot = null, meeting, ballots, members, agenda = null }, save) {
  const start = ballot
    ? settingsOf(ballot)
    : { agenda: agenda ?? meeting.agenda?.[0]?.number ?? "", title: "", kind: "voorstel", majority: "simple",
        abstain_is_cast: false, allow_change: true, test: false, amends: null, submitters: [], preadvies: null,
        show_live_tally: false, off_agenda: false, secret: true, candidates: [] }; // prettier-ignore

  const items = meeting.agenda ?? [];
  let agendaField;
  if (items.length) {
    const options = items.map((item) => [item.number, `${item.number} – ${item.title}`]);
    if (start.agenda && !items.some((item) => item.number === start.agenda)) options.push([start.agenda, start.agenda]);
    agendaField = field(t("chair.form.agenda"), select("agenda", options, start.agenda));
  } else {
    // A meeting without an agenda of its own: any item number, with the ones in use to pick from.
    const listId = uid("agendas");
    const used = [...new Set(ballots.map((b) => b.agenda))];
    const input = h("input", { type: "text", name: "agenda", maxlength: "20", list: listId, autocomplete: "off" });
    input.value = start.agenda;
    agendaField = field(t("chair.form.agenda"), input);
    agendaField.append(h("datalist", { id: listId }, used.map((number) => h("option", { value: number }))));
  }
  const title = h("input", { type: "text", name: "title", maxlength: "500", autocomplete: "off", autofocus: true });
  title.value = start.title;
  const kind = select("kind", KINDS.map((k) => [k, t(`kind.${k}`)]), start.kind);
  const majority = select(
    "majority",
    [["simple", t("chair.form.majority.simple")], ["two_thirds", t("chair.form.majority.two_thirds")]],
    start.majority,
  );
  const proposals = ballots.filter(
    (b) => b.status === "draft" && AMENDABLE.has(b.kind) && b.id !== ballot?.id && !b.test,
  );
  const amends = select(
    "amends",
    [["", t("chair.form.amends.none")], ...proposals.map((b) => [String(b.id), `${b.agenda} ${b.title}`])],
    start.amends === null ? "" : String(start.amends),
  );
  const preadvies = select(
    "preadvies",
    [["", t("chair.form.preadvies.none")], ...PREADVIES.map((p) => [p, t(`preadvies.${p}`)])],
    start.preadvies ?? "",
  );
  const picker = memberPicker({ legend: t("chair.form.submitters"), members, chosen: start.submitters });
  const offAgenda = checkbox("off_agenda", t("chair.form.off_agenda"), start.off_agenda);
  const amendsField = field(t("chair.form.amends"), amends);
  const amendsEmpty = paragraph(t("chair.form.amends.empty"), "muted");
  const preadviesField = field(t("chair.form.preadvies"), preadvies);
  const candidates = h("textarea", { name: "candidates", rows: "4", maxlength: "10000" });
  candidates.value = candidatesText(start.candidates);
  const candidatesField = field(t("chair.form.candidates"), candidates, { cls: "wide" });
  const candidatesHelp = paragraph(t("chair.form.candidates.help"), "muted");
  const secret = checkbox("secret", t("chair.form.secret"), start.secret);
  const settings = {
    abstain_is_cast: checkbox("abstain_is_cast", t("chair.form.abstain_is_cast"), start.abstain_is_cast),
    allow_change: checkbox("allow_change", t("chair.form.allow_change"), start.allow_change),
    show_live_tally: checkbox("show_live_tally", t("chair.form.show_live_tally"), start.show_live_tally),
    test: checkbox("test", t("chair.form.test"), start.test),
  };

  // Only the fields the kind has: an amendment names its proposal, a motion or an amendment its
  // submitters and preadvies, only a motion can be off the agenda (SPEC 2.8).
  function fit() {
    const moved = MOVED_BY_MEMBERS.has(kind.value);
    amendsField.hidden = kind.value !== "amendement";
    amendsEmpty.hidden = kind.value !== "amendement" || proposals.length > 0;
    preadviesField.hidden = !moved;
    picker.element.hidden = !moved;
    offAgenda.hidden = kind.value !== "motie";
    const appointment = kind.value === "benoeming";
    candidatesField.hidden = !appointment;
    candidatesHelp.hidden = !appointment;
    secret.hidden = !appointment;
  }
  kind.addEventListener("change", fit);
  fit();

  const content = [
    h("div", { class: "form-row" }, agendaField, field(t("chair.form.kind"), kind)),
    field(t("chair.form.title"), title, { cls: "wide" }),
    h("div", { class: "form-row" }, field(t("chair.form.majority"), majority), preadviesField),
    amendsField,
    amendsEmpty,
    picker.element,
    candidatesField,
    candidatesHelp,
    h("div", { class: "checks" }, offAgenda, secret, Object.values(settings)),
  ];

  function read(form) {
    const next = fitKind({
      agenda: form.elements.agenda.value.trim(),
      title: title.value.trim(),
      kind: kind.value,
      majority: majority.value,
      abstain_is_cast: settings.abstain_is_cast.querySelector("input").checked,
      allow_change: settings.allow_change.querySelector("input").checked,
      test: settings.test.querySelector("input").checked,
      amends: amends.value ? Number(amends.value) : null,
      submitters: picker.value(),
      preadvies: preadvies.value || null,
      show_live_tally: settings.show_live_tally.querySelector("input").checked,
      off_agenda: offAgenda.querySelector("input").checked,
      secret: secret.querySelector("input").checked,
      candidates: parseCandidates(candidates.value),
    });
    if (!next.agenda) throw new Refusal(t("chair.form.agenda.missing"));
    if (!next.title) throw new Refusal(t("chair.form.title.missing"));
    if (next.kind === "amendement" && next.amends === null) throw new Refusal(t("chair.form.amends.missing"));
    return next;
  }

  return showDialog({
    title: t(ballot ? "chair.form.edit" : "chair.form.new"),
    content,
    confirm: t(ballot ? "chair.form.save" : "chair.form.create"),
    wide: true,
    async submit(form) {
      const next = read(form);
      if (!ballot) return save(next);
      const changed = changes(start, next);
      return Object.keys(changed).length ? save(changed) : true;
    },
  });
}

// The subject of a dialog: "4 Begroting 2026 (voorstel)".
export function subject(ballot) {
  return h(
    "p",
    { class: "dialog-subject" },
    h("span", { class: "agenda", text: ballot.agenda }),
    " ",
    h("span", { text: ballot.title }),
    ballot.kind ? h("span", { class: "kind", text: ` (${t(`kind.${ballot.kind}`)})` }) : null,
  );
}

// The reason a ballot is void: required, as the minutes will say it (SPEC 2.7).
export function voidDialog(ballot, save) {
  const reason = h("textarea", { name: "reason", maxlength: "300", rows: "3", autofocus: true, required: true });
  return showDialog({
    title: t("chair.void.title"),
    content: [
      subject(ballot),
      paragraph(t(ballot.status === "open" ? "chair.void.open" : "chair.void.closed")),
      paragraph(t("chair.void.after")),
      field(t("chair.void.reason"), reason, { cls: "wide" }),
    ],
    confirm: t("chair.void.button"),
    danger: true,
    submit() {
      const text = reason.value.trim();
      if (!text) throw new Refusal(t("chair.void.reason.missing"));
      return save(text);
    },
  });
}

function count(name, label) {
  const input = h("input", { type: "number", name, min: "0", step: "1", inputmode: "numeric", autocomplete: "off" });
  return { input, element: field(label, input) };
}

function radio(name, value, label, checked = false) {
  const input = h("input", { type: "radio", name, value, id: uid(name) });
  input.checked = checked;
  return h("div", { class: "check" }, input, h("label", { for: input.id, text: label }));
}

function wholeNumber(input, required) {
  const text = input.value.trim();
  if (!text) return required ? NaN : null;
  return /^\d+$/.test(text) ? Number(text) : NaN;
}

// A result counted by hand, confirmed by a member of the vote-counting committee (SPEC 2.7): the
// weighted votes, from which the ballot's own majority rule decides, or only the outcome. An
// election round is counted per candidate; the vote on a single candidate needs its figures.
export function handCountDialog(ballot, save) {
  const candidates = ballot.candidates ?? [];
  if (candidates.length >= 2 && ballot.round !== "single") return electionCountDialog(ballot, candidates, save);
  const figures = [count("for", t("chair.hand.for")), count("against", t("chair.hand.against")),
    count("abstain", t("chair.hand.abstain"))]; // prettier-ignore
  figures[0].input.autofocus = true;
  const figuresGroup = h("div", { class: "form-row counts" }, figures.map((f) => f.element));
  const outcomeGroup = h(
    "fieldset",
    { class: "choices", hidden: true },
    h("legend", { text: t("chair.hand.outcome") }),
    radio("outcome", "adopted", t("chair.hand.adopted")),
    radio("outcome", "rejected", t("chair.hand.rejected")),
  );
  const modes = h(
    "fieldset",
    { class: "choices" },
    h("legend", { text: t("chair.hand.mode") }),
    radio("mode", "figures", t("chair.hand.mode.figures"), true),
    radio("mode", "outcome", t("chair.hand.mode.outcome")),
  );
  modes.hidden = candidates.length > 0; // the vote on a single candidate is decided by its figures
  modes.addEventListener("change", () => {
    const byOutcome = modes.querySelector("input:checked").value === "outcome";
    figuresGroup.hidden = byOutcome;
    outcomeGroup.hidden = !byOutcome;
  });
  const confirmedBy = h("input", { type: "text", name: "confirmed_by", maxlength: "200", autocomplete: "off" });
  return showDialog({
    title: t("chair.hand.title"),
    content: [
      subject(ballot),
      paragraph(t("chair.hand.intro")),
      modes,
      figuresGroup,
      outcomeGroup,
      field(t("chair.hand.confirmed_by"), confirmedBy, { cls: "wide" }),
    ],
    confirm: t("chair.hand.button"),
    submit(form) {
      const who = confirmedBy.value.trim();
      let result;
      if (form.elements.mode.value === "outcome") {
        const outcome = form.elements.outcome.value;
        if (!outcome) throw new Refusal(t("chair.hand.outcome.missing"));
        result = { outcome };
      } else {
        const [yes, no, abstain] = figures.map((f, i) => wholeNumber(f.input, i < 2));
        if ([yes, no, abstain].some(Number.isNaN)) throw new Refusal(t("chair.hand.figures.missing"));
        result = { for: yes, against: no, ...(abstain === null ? {} : { abstain }) };
      }
      if (!who) throw new Refusal(t("chair.hand.confirmed_by.missing"));
      return save({ ...result, confirmed_by: who });
    },
  });
}

// An election round counted by hand (SPEC 2.7, 2.10): one field per candidate, in the ballot's
// order, and the abstentions; the election rules decide, as for a round on the handhelds.
function electionCountDialog(ballot, candidates, save) {
  const rows = candidates.map((c) => ({
    id: c.id,
    ...count(`candidate-${c.id}`, c.note ? `${c.name} (${c.note})` : c.name),
  }));
  const abstain = count("abstain", t("chair.hand.abstain"));
  rows[0].input.autofocus = true;
  const confirmedBy = h("input", { type: "text", name: "confirmed_by", maxlength: "200", autocomplete: "off" });
  return showDialog({
    title: t("chair.hand.title"),
    content: [
      subject(ballot),
      paragraph(t("chair.hand.intro.election")),
      h("div", { class: "candidate-counts" }, rows.map((r) => r.element), abstain.element),
      field(t("chair.hand.confirmed_by"), confirmedBy, { cls: "wide" }),
    ],
    confirm: t("chair.hand.button"),
    submit() {
      const votes = rows.map((r) => wholeNumber(r.input, true));
      const abstained = wholeNumber(abstain.input, false);
      if ([...votes, abstained].some(Number.isNaN)) throw new Refusal(t("chair.hand.candidates.missing"));
      const who = confirmedBy.value.trim();
      if (!who) throw new Refusal(t("chair.hand.confirmed_by.missing"));
      return save({
        candidates: rows.map((r, i) => ({ id: r.id, votes: votes[i] })),
        ...(abstained === null ? {} : { abstain: abstained }),
        confirmed_by: who,
      });
    },
  });
}

// Aantekening (SPEC 2.7): the members whose dissent from a decision by acclamation is noted; the
// list replaces the one noted before, so it starts with those.
export function dissentDialog(ballot, members, save) {
  const picker = memberPicker({ legend: t("chair.dissent.members"), members, chosen: ballot.result?.dissent ?? [] });
  return showDialog({
    title: t("chair.dissent.title"),
    content: [subject(ballot), paragraph(t("chair.dissent.intro", { title: ballot.title })), picker.element],
    confirm: t("chair.dissent.button"),
    wide: true,
    submit: () => save(picker.value()),
  });
}

// The lot drawn in the hall after a tie only a lot decides (SPEC 2.10): the chair enters whose
// name was drawn, among the tied, and who drew it; the log records both with the chair's token.
export function lotDialog(ballot, save) {
  const tied = ballot.result?.election?.next_candidates ?? [];
  const choices = tied.map((candidate, i) => radio("drawn", String(candidate.id), candidate.name, i === 0));
  const drawnBy = h("input", { name: "drawn_by", maxlength: "200", autocomplete: "off" });
  return showDialog({
    title: t("chair.lot.title"),
    content: [
      subject(ballot),
      paragraph(t("chair.lot.help")),
      h("fieldset", { class: "choices-field" }, h("legend", { text: t("chair.lot.drawn") }), choices),
      field(t("chair.lot.drawn_by"), drawnBy, { cls: "wide" }),
    ],
    confirm: t("chair.lot.button"),
    submit() {
      const picked = choices.map((c) => c.querySelector("input")).find((input) => input.checked);
      if (!picked) throw new Refusal(t("chair.lot.missing"));
      return save(Number(picked.value), drawnBy.value.trim() || null);
    },
  });
}
