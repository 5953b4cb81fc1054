// The chair's acts (SPEC 2.7, 2.8, 2.11): what each button does, with the question it asks first.
// Built around the page's state and its `run` (chair.js), which waits the buttons, reports a
// failure in the hall's words and reloads the list afterwards.

import { t } from "/assets/lib/i18n.js";
import * as api from "./chair-api.js";
import { ask, ballotList } from "./chair-dialog.js";
import {
  ballotDialog,
  dissentDialog,
  handCountDialog,
  lotDialog,
  settingsOf,
  subject,
  voidDialog,
} from "./chair-forms.js";
import { closeCountText } from "./chair-live.js";
import { markPublished } from "./chair-meeting.js";
import { h } from "./render.js";

const ORDER_CODES = new Set(["agenda_order", "amendments_pending"]); // SPEC 2.8: the server asks first
const CONFIRMED = new Set(["acclamation", "withdraw", "hold", "out_of_order", "delete", "release"]); // final acts
const PATHS = { out_of_order: "out-of-order", next_round: "next-round" };

const paragraph = (text, cls) => h("p", { class: cls ?? null, text });

// An API call whose error, if any, names `context` (the ballot, the agenda item) in a dialog.
async function about(context, call) {
  try {
    return await call;
  } catch (error) {
    if (error instanceof api.ApiError) error.context = context;
    throw error;
  }
}

/**
 * The acts of the page. `page`: { state, run(what, context, call), load(), currentItem() }.
 * Returns { act(ballot, action), newBallot(), countdown(ballot, seconds), putOnScreen(agenda),
 * closeMeeting(), publish() }.
 */
export function chairActs({ state, run, load, currentItem }) {
  // Every button of a ballot lands here.
  async function act(ballot, action) {
    const acts = { open: openBallot, close: closeBallot, void: voidBallot, revote, edit: editBallot,
      hand_count: handCount, dissent: noteDissent, lot: enterLot }; // prettier-ignore
    if (acts[action]) return acts[action](ballot);
    if (CONFIRMED.has(action)) {
      const sure = await ask({
        title: t(`chair.action.${action}`),
        content: [subject(ballot), paragraph(t(`chair.confirm.${action}`, { title: ballot.title }))],
        confirm: t(`chair.confirm.button.${action}`),
        danger: action === "delete" || action === "out_of_order",
      });
      if (!sure) return;
    }
    const call = action === "delete" ? () => api.deleteBallot(ballot.id) : () => api.act(ballot.id, PATHS[action] ?? action);
    await run(`chair.action.${action}`, { ballot }, call);
  }

  // The undecided (draft, non-test) ballots of agenda items before this ballot's (SPEC 2.8); motions
  // not on the agenda come after every item. The server checks the order within the item itself.
  function earlierUndecided(ballot) {
    if (ballot.test) return [];
    const before = state.ballots.slice(0, state.ballots.findIndex((b) => b.id === ballot.id));
    return before.filter(
      (b) => b.status === "draft" && !b.test && !b.off_agenda && (ballot.off_agenda || b.agenda !== ballot.agenda),
    );
  }

  // Named in the order they come (amendments, proposal, motions): the order of the page's list.
  function inListOrder(named) {
    const at = (ballot) => state.ballots.findIndex((b) => b.id === ballot.id);
    return [...named].sort((a, b) => at(a) - at(b));
  }

  function orderQuestion(ballot, intro, ahead) {
    return {
      title: t("chair.order.title"),
      content: [subject(ballot), paragraph(intro), ballotList(ahead), paragraph(t("chair.order.question"), "question")],
      confirm: t("chair.order.button"),
    };
  }

  // Drafts of the same agenda item that come before this ballot (amendments, then the proposal,
  // then motions): the order the server holds to (SPEC 2.8), asked here in the same question as
  // the earlier items, so that the chair answers once.
  function sameItemFirst(ballot) {
    if (ballot.test || ballot.off_agenda) return [];
    const before = state.ballots.slice(0, state.ballots.findIndex((b) => b.id === ballot.id));
    return before.filter((b) => b.status === "draft" && !b.test && !b.off_agenda && b.agenda === ballot.agenda);
  }

  async function openBallot(ballot) {
    if (ballot.round_of != null) {
      // A later round of an election takes the place of the round it follows, which was opened
      // in the agenda's order or out of it by the chair's answer then: nothing to ask again.
      await run("chair.action.open", { ballot }, () => api.open(ballot.id));
      return;
    }
    const earlier = earlierUndecided(ballot);
    const inItem = sameItemFirst(ballot);
    if (inItem.length) {
      const intro = t("chair.order.agenda_order", { agenda: ballot.agenda, title: ballot.title });
      if (!(await ask(orderQuestion(ballot, intro, [...inItem, ...earlier])))) return;
      await run("chair.action.open", { ballot }, () => api.open(ballot.id, true));
      return;
    }
    if (earlier.length && !(await ask(orderQuestion(ballot, t("chair.order.earlier"), earlier)))) return;
    await run("chair.action.open", { ballot }, async () => {
      try {
        await api.open(ballot.id);
      } catch (error) {
        if (error.status !== 409 || !ORDER_CODES.has(error.code)) throw error;
        // Out of turn within the item: the server names who comes first; the chair decides.
        const ahead = inListOrder(error.body?.ballots ?? []);
        const intro = t(`chair.order.${error.code}`, { agenda: ballot.agenda, title: ballot.title });
        if (await ask(orderQuestion(ballot, intro, ahead))) await api.open(ballot.id, true);
      }
    });
  }

  async function closeBallot(ballot) {
    const count = paragraph(closeCountText(state.snapshot), "close-count");
    const sure = await ask({
      title: t("chair.close.title"),
      content: [subject(ballot), count, paragraph(t("chair.close.final"))],
      confirm: t("chair.close.button"),
      // Votes keep coming in while the chair reads: the count follows the feed.
      live: (snapshot) => (count.textContent = closeCountText(snapshot)),
    });
    if (sure) await run("chair.action.close", { ballot }, () => api.act(ballot.id, "close"));
  }

  async function afterDialog(done, notice = null) {
    if (!done) return;
    state.alert = null;
    state.notice = notice;
    await load();
  }

  async function voidBallot(ballot) {
    const done = await voidDialog(ballot, (reason) => about({ ballot }, api.voidBallot(ballot.id, reason)));
    await afterDialog(done);
  }

  async function enterLot(ballot) {
    const done = await lotDialog(ballot, (candidate, drawnBy) =>
      about({ ballot }, api.enterLot(ballot.id, candidate, drawnBy)),
    );
    await afterDialog(done);
  }

  // A re-vote: a new draft with the voided ballot's settings, which names it (SPEC 2.7).
  async function revote(ballot) {
    await run("chair.action.revote", { ballot }, async () => {
      await api.createBallot(state.meeting.id, { ...settingsOf(ballot), test: false, revote_of: ballot.id });
      state.notice = () => t("chair.revote.done", { agenda: ballot.agenda, title: ballot.title });
    });
  }

  function formContext(ballot = null) {
    return { ballot, meeting: state.meeting, ballots: state.ballots, members: state.members };
  }

  async function newBallot() {
    const agenda = currentItem() ?? state.snapshot?.ballot?.agenda ?? null;
    const done = await ballotDialog({ ...formContext(), agenda }, (fields) =>
      about({ agenda: fields.agenda }, api.createBallot(state.meeting.id, fields)),
    );
    await afterDialog(done);
  }

  async function editBallot(ballot) {
    const done = await ballotDialog(formContext(ballot), (changes) =>
      about({ ballot, agenda: changes.agenda }, api.editBallot(ballot.id, changes)),
    );
    await afterDialog(done);
  }

  async function handCount(ballot) {
    const done = await handCountDialog(ballot, (count) => about({ ballot }, api.handCount(ballot.id, count)));
    await afterDialog(done);
  }

  async function noteDissent(ballot) {
    const done = await dissentDialog(ballot, state.members, (codes) => about({ ballot }, api.dissent(ballot.id, codes)));
    await afterDialog(done);
  }

  async function countdown(ballot, seconds) {
    await run("chair.action.countdown", { ballot }, () => api.countdown(ballot.id, seconds));
  }

  async function putOnScreen(agenda) {
    await run("chair.action.current_item", { agenda }, () => api.currentItem(state.meeting.id, agenda));
  }

  // SPEC 2.11: closing names the undecided ballots first. The server is asked without `confirm`;
  // when it names undecided ballots the chair sees exactly those, and only then confirms.
  async function closeMeeting() {
    const meeting = state.meeting;
    if (!meeting) return;
    const undecided = state.ballots.filter((b) => b.status === "draft" && !b.test);
    if (!undecided.length) {
      const sure = await ask({
        title: t("chair.meeting.close.title"),
        content: [paragraph(t("chair.confirm.close", { title: meeting.title }))],
        confirm: t("chair.meeting.close"),
        danger: true,
      });
      if (!sure) return;
    }
    await run("chair.meeting.close", {}, async () => {
      try {
        await api.closeMeeting(meeting.id);
      } catch (error) {
        if (error.status !== 409 || error.code !== "undecided_ballots") throw error;
        const named = error.body?.ballots ?? [];
        const sure = await ask({
          title: t("chair.meeting.close.title"),
          content: [
            paragraph(t("chair.meeting.undecided")),
            ballotList(named),
            paragraph(t("chair.meeting.undecided.after")),
          ],
          confirm: t("chair.meeting.undecided.button"),
          danger: true,
        });
        if (sure) await api.closeMeeting(meeting.id, true);
      }
    });
  }

  async function publish() {
    const meeting = state.meeting;
    if (!meeting) return;
    const sure = await ask({
      title: t("chair.publish.title"),
      content: [paragraph(t("chair.confirm.publish", { title: meeting.title }))],
      confirm: t("chair.meeting.publish"),
      danger: true,
    });
    if (!sure) return;
    await run("chair.meeting.publish", {}, async () => {
      try {
        await api.publish(meeting.id);
      } catch (error) {
        // Another chair (or the CLI) was first: the record is public all the same.
        if (error.status !== 409 || error.code !== "already_published") throw error;
      }
      markPublished(meeting.id);
    });
  }

  return { act, newBallot, countdown, putOnScreen, closeMeeting, publish };
}
