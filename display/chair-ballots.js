// The agenda with its ballots on the chair's page (SPEC 2.7, 2.8): each agenda item, whether it is
// on the hall screen, and its ballots in the order they are decided (amendments, the proposal,
// motions; motions not on the agenda at the end), each with what it is (preadvies, submitters,
// "amendement op", "herstemming van", the settings that decide its outcome) and the actions its
// status allows. Drawing only: the acts are the handlers chair.js passes in.

import { submittersText, t } from "/assets/lib/i18n.js";
import { minutesText } from "/assets/lib/minutes.js";
import { decidedAfter } from "./chair-errors.js";
import { h } from "./render.js";

const MOVED_BY_MEMBERS = new Set(["motie", "amendement"]);
// Actions under "Meer": the corrections, out of the way of the everyday ones; withdrawing and
// holding over a motion on a second, quieter row.
const MORE = new Set(["edit", "hand_count", "out_of_order", "delete"]);
const SECOND = new Set(["withdraw", "hold"]);

// "3fa9c2e0 1b7d…": blocks of eight, for the committee to read aloud and write down (issue 5).
export function hashBlocks(hash) {
  return hash.match(/.{1,8}/g).join(" ");
}

// The log entry that recorded a decision: what the committee checks `votehall verify` against.
export function logLine(result, tag = "p") {
  if (!result?.log_hash) return null;
  return h(
    tag,
    { class: "log-line", "data-log-seq": result.log_seq },
    h("span", { class: "log-label", text: t("chair.log", { seq: result.log_seq }) }),
    " ",
    h("code", { class: "log-hash", "data-hash": result.log_hash, text: hashBlocks(result.log_hash) }),
  );
}

/**
 * What the chair may do with a ballot now: { main: [...], more: [...] }. Mirrors the server's
 * state machine (server/rules/ballot_state.py): a test ballot only runs as a vote; a closed result
 * can be voided until the next ballot opens or is decided; a voided one gets one re-vote.
 */
export function actionsOf(ballot, ballots, running) {
  if (!running) return { main: [], more: [] };
  const moved = MOVED_BY_MEMBERS.has(ballot.kind);
  switch (ballot.status) {
    case "draft":
      return ballot.test
        ? { main: ["open"], more: ["edit", "delete"] }
        : {
            main: ["open", "acclamation", "withdraw", "hold"],
            more: ["edit", "hand_count", ...(moved ? ["out_of_order"] : []), "delete"],
          };
    case "open":
      return { main: ballot.test ? ["close"] : ["close", "void"], more: [] };
    case "closed":
      return { main: [...afterClose(ballot, ballots), ...(!ballot.test && !decidedAfter(ballot, ballots) ? ["void"] : [])], more: [] };
    case "voided":
      return { main: ballots.some((b) => b.revote_of === ballot.id) ? [] : ["revote"], more: [] };
    case "acclamation":
      return { main: ["dissent"], more: [] };
    default:
      return { main: [], more: [] };
  }
}

// After an election round or a secret ballot closes (SPEC 2.10): release the result to the
// screens as the committee announces it, start the next round, or enter the lot drawn in the hall.
function afterClose(ballot, ballots) {
  const acts = [];
  if (ballot.secret && !ballot.released && !ballot.result?.counted_by_hand) acts.push("release");
  const outcome = ballot.result?.outcome;
  if (outcome === "next_round" && !ballots.some((b) => b.round_of === ballot.id && b.status !== "voided")) {
    acts.push("next_round");
  }
  if (outcome === "lot") acts.push("lot");
  return acts;
}

function actionButton(ballot, action, view) {
  const button = h("button", {
    type: "button",
    class: `action action-${action}${MORE.has(action) || SECOND.has(action) ? " action-small" : ""}`,
    "data-action": action,
    text: t(`chair.action.${action}`),
  });
  button.disabled = view.busy;
  button.addEventListener("click", () => view.act(ballot, action));
  return button;
}

function note(cls, text) {
  return text ? h("span", { class: `note ${cls}`, text }) : null;
}

// What the ballot is, on one line of notes: what it amends or votes again, off the agenda, the
// board's advice, who submitted it, and the settings that decide its outcome.
function notes(ballot, view) {
  const other = (id) => view.ballots.find((b) => b.id === id);
  const amended = ballot.amends ? other(ballot.amends) : null;
  const redone = ballot.revote_of ? other(ballot.revote_of) : null;
  const names = (ballot.submitters ?? []).map((code) => view.names.get(code) ?? code);
  const parts = [
    amended ? note("amends", t("amends", { agenda: amended.agenda, title: amended.title })) : null,
    redone ? note("revote-of", t("revote_of", { agenda: redone.agenda, title: redone.title })) : null,
    ballot.off_agenda ? note("off-agenda", t("off_agenda")) : null,
    ballot.preadvies
      ? note("preadvies", t("preadvies", { advice: t(`preadvies.${ballot.preadvies}`) }))
      : null,
    names.length ? note("submitters", submittersText(names, 6)) : null,
    ballot.majority === "two_thirds" ? note("setting majority", t("chair.majority.two_thirds")) : null,
    ballot.abstain_is_cast ? note("setting", t("chair.setting.abstain_is_cast")) : null,
    ballot.allow_change ? null : note("setting", t("chair.setting.no_change")),
    ballot.show_live_tally ? note("setting", t("chair.setting.live_tally")) : null,
    ballot.secret ? note("setting secret", t("chair.setting.secret")) : null,
    ballot.round && ballot.round !== "first" ? note("setting round", t(`chair.round.${ballot.round}`)) : null,
    ballot.candidates?.length
      ? note("candidates", t("chair.candidates", { names: ballot.candidates.map((c) => c.name).join(", ") }))
      : null,
  ].filter(Boolean);
  if (!parts.length) return null;
  // A real separator, not a CSS one: it is read out and copied with the text.
  return h("p", { class: "item-notes" }, parts.flatMap((part, i) => (i ? [" · ", part] : [part])));
}

function ballotItem(ballot, view) {
  const { main, more } = actionsOf(ballot, view.ballots, view.running);
  const result = ballot.result ? minutesText({ nl: ballot.result.minutes, en: ballot.result.minutes_en }) : "";
  const expanded = view.expanded.has(ballot.id);
  const moreId = `more-${ballot.id}`;
  let toggle = null;
  if (more.length) {
    toggle = h("button", {
      type: "button",
      class: "action action-small action-more",
      "aria-expanded": String(expanded),
      "aria-controls": moreId,
      "aria-label": t("chair.more.label", { agenda: ballot.agenda, title: ballot.title }),
      text: t("chair.more"),
    });
    toggle.addEventListener("click", () => view.toggleMore(ballot));
  }
  return h(
    "li",
    { class: `ballot-item status-${ballot.status}`, "data-ballot": ballot.id },
    h(
      "div",
      { class: "item-text" },
      h(
        "p",
        { class: "item-meta" },
        h("span", { class: "agenda", text: ballot.agenda }),
        h("span", { class: "kind capital", text: t(`kind.${ballot.kind}`) }),
        h("span", { class: `status status-${ballot.status}`, text: t(`chair.status.${ballot.status}`) }),
        ballot.test ? h("span", { class: "badge test", text: t("test") }) : null,
      ),
      h("p", { class: "item-title", text: ballot.title }),
      notes(ballot, view),
      result ? h("p", { class: "item-result", text: result }) : null,
      ballot.result?.confirmed_by
        ? h("p", { class: "item-confirmed", text: t("chair.confirmed_by", { name: ballot.result.confirmed_by }) })
        : null,
      logLine(ballot.result),
    ),
    h(
      "div",
      { class: "item-actions" },
      h(
        "div",
        { class: "actions-row" },
        main.filter((action) => !SECOND.has(action)).map((action) => actionButton(ballot, action, view)),
      ),
      toggle || main.some((action) => SECOND.has(action))
        ? h(
            "div",
            { class: "actions-row" },
            main.filter((action) => SECOND.has(action)).map((action) => actionButton(ballot, action, view)),
            toggle,
          )
        : null,
      more.length
        ? h(
            "div",
            { class: "item-more", id: moreId, hidden: !expanded },
            more.map((action) => actionButton(ballot, action, view)),
          )
        : null,
    ),
  );
}

// The agenda's items in order, each with its ballots; items the ballots name that are not on the
// agenda (a meeting without one) after them, and motions not on the agenda at the end. The
// ballots keep the server's order (SPEC 2.8) inside this grouping.
function groups(meeting, ballots) {
  const listed = (meeting?.agenda ?? []).map((item) => ({ number: item.number, title: item.title, listed: true, ballots: [] }));
  const byNumber = new Map(listed.map((group) => [group.number, group]));
  const unlisted = [];
  const offAgenda = { off: true, ballots: [] };
  for (const ballot of ballots) {
    if (ballot.off_agenda) {
      offAgenda.ballots.push(ballot);
      continue;
    }
    let group = byNumber.get(ballot.agenda);
    if (!group) {
      group = { number: ballot.agenda, title: null, listed: false, ballots: [] };
      byNumber.set(ballot.agenda, group);
      unlisted.push(group);
    }
    group.ballots.push(ballot);
  }
  return [...listed, ...unlisted, ...(offAgenda.ballots.length ? [offAgenda] : [])];
}

// The hall screen shows this item (POST current-item), also one without a vote.
function screenControl(group, view) {
  if (!group.listed || !view.running) return null;
  const shown = view.currentItem === group.number;
  const button = h("button", {
    type: "button",
    class: `action action-small action-screen${shown ? " shown" : ""}`,
    "data-screen": group.number,
    "aria-label": t(shown ? "chair.screen.hide.label" : "chair.screen.show.label", { agenda: group.number }),
    text: t(shown ? "chair.screen.hide" : "chair.screen.show"),
  });
  button.disabled = view.busy;
  button.addEventListener("click", () => view.screen(shown ? null : group.number));
  return h(
    "div",
    { class: "screen-control" },
    shown ? h("span", { class: "badge on-screen", text: t("chair.screen.shown") }) : null,
    button,
  );
}

function groupHeading(group) {
  if (group.off) return h("h3", { class: "agenda-heading", text: t("chair.off_agenda.group") });
  return h(
    "h3",
    { class: "agenda-heading" },
    h("span", { class: "agenda-number", text: group.number }),
    " ",
    h("span", { class: "agenda-title", text: group.title ?? t("chair.agenda.unlisted", { agenda: group.number }) }),
  );
}

/**
 * The agenda list's items. `view`: { meeting, ballots, names (code -> name), running, busy,
 * expanded (ids), currentItem, act(ballot, action), toggleMore(ballot), screen(agenda|null) }.
 */
export function agendaItems(view) {
  return groups(view.meeting, view.ballots).map((group) =>
    h(
      "li",
      {
        class: `agenda-item${group.off ? " off-agenda" : ""}${view.currentItem === group.number ? " on-screen" : ""}`,
        "data-agenda": group.off ? null : group.number,
      },
      h("div", { class: "agenda-head" }, groupHeading(group), screenControl(group, view)),
      group.ballots.length ? h("ol", { class: "ballot-list" }, group.ballots.map((b) => ballotItem(b, view))) : null,
    ),
  );
}
