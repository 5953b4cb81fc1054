// The hall screen and the stream overlay: both draw the public feed of /ws/display (SPEC 4.3).
// Nobody touches a projected screen: no buttons, English by ?lang=en, and the list of decisions
// pages by itself when it is longer than the screen.

import { formatDate, onLangChange, start as startI18n, t } from "/assets/lib/i18n.js";
import { connect } from "/assets/lib/socket.js";
import { ballotView, closedView, decisionsView, itemView, onItem, presenceLine, versionGate } from "./render.js";

const CLOSE_TRY_AGAIN = 1013; // the server dropped us for being slow: the latest snapshot awaits

const params = new URLSearchParams(location.search);
const overlay = document.body.classList.contains("overlay");
// The overlay is a lower third by default; ?panel=full adds the decisions for a stream that
// shows the whole frame.
const fullPanel = overlay && params.get("panel") === "full";
// How long a page of decisions stays up (?paging=N seconds, for a rehearsal or a test).
const PAGE_SECONDS = Math.min(120, Math.max(1, Number(params.get("paging")) || 10));
// The overlay's full panel shows three decisions at a time; the hall as many as fit.
const PER_PAGE = overlay ? 3 : Infinity;

const $ = (id) => document.getElementById(id);
const gate = versionGate();
let snapshot = null;
let connection = "connecting";

// What the hall sees when no ballot is open: the item the chair put up, or the last result;
// whichever came later. A result on the item that is up stays with it.
const recent = { item: null, ballot: null, itemAt: 0, ballotAt: 0, clock: 0 };

function notice(snap) {
  const item = snap.current_item?.number ?? null;
  const b = snap.ballot;
  const ballot = b ? `${b.id}:${b.status}:${b.outcome}` : null;
  if (recent.clock === 0) {
    // Nothing to tell the order by on the first snapshot: the item that is up comes first.
    Object.assign(recent, { item, ballot, clock: 1 });
    return;
  }
  if (item !== recent.item) Object.assign(recent, { item, itemAt: ++recent.clock });
  if (ballot !== recent.ballot) Object.assign(recent, { ballot, ballotAt: ++recent.clock });
}

function view(snap) {
  const { meeting, ballot, current_item: item } = snap;
  if (meeting.status === "closed") return "closed";
  if (ballot?.status === "open" || !item) return ballot ? "ballot" : "empty";
  if (ballot && (onItem(ballot.agenda, item.number) || recent.ballotAt > recent.itemAt)) return "ballot";
  return "item";
}

function currentView(snap, shown) {
  if (shown === "closed") return closedView(snap.decisions);
  if (shown === "item") return itemView(snap.current_item);
  return ballotView(snap.ballot, snap.present);
}

function draw() {
  const meeting = snapshot?.meeting;
  const shown = !snapshot ? "connecting" : meeting ? view(snapshot) : "none";
  document.body.dataset.view = shown;
  // The lower third leaves the meeting's name to the ballot while one is up; it stays the page's
  // heading for a screen reader.
  document.querySelector(".third-head")?.classList.toggle("visually-hidden", !fullPanel && shown === "ballot");
  $("meeting-title").textContent = meeting ? meeting.title : snapshot ? t("meeting.none") : "";
  $("meeting-date")?.replaceChildren(meeting ? formatDate(meeting.date) : "");
  $("presence").textContent = meeting && shown !== "closed" ? presenceLine(snapshot.present) : "";
  $("current").replaceChildren(meeting ? currentView(snapshot, shown) : "");
  fit($("current"));
  pager.show(meeting ? snapshot.decisions : null, shown === "closed");
  const lost = connection === "lost" ? t("conn.lost") : !snapshot ? t("conn.connecting") : "";
  $("connection").textContent = lost;
  $("connection").hidden = !lost;
  document.title = meeting ? `${meeting.title} – VoteHall` : t("display.title");
}

// A ballot with everything on it (a test band, references, advice, a countdown, a live tally)
// may not fit the hall screen at its usual spacing: then it is drawn closer together.
function fit(current) {
  if (overlay) return;
  current.classList.remove("dense");
  if (current.scrollHeight > current.clientHeight + 1) current.classList.add("dense");
}

// The decisions in pages that fit the panel: page 1 holds the latest (the first, once the
// meeting is closed), and the pages turn every PAGE_SECONDS with "2/3" beside the heading, so
// that a long meeting shows all of its decisions over time and nothing is cut off. A new
// decision brings page 1 back.
function decisionsPager(host, indicator) {
  let key = null;
  let shownClosed = false;
  let list = [];
  let pages = [[]];
  let page = 0;
  let timer = null;

  // Greedy first, to learn how many pages are needed; then the same number of pages with the
  // decisions spread evenly over them (5, 5, 4 rather than 6, 6, 2), when they fit that way.
  function measure() {
    for (const li of list) li.hidden = false;
    const budget = host.clientHeight;
    if (!list.length || (budget === 0 && PER_PAGE === Infinity)) {
      pages = [list];
      return;
    }
    const heights = list.map((li) => li.offsetHeight);
    const fits = (from, to) =>
      to - from <= PER_PAGE && (budget === 0 || heights.slice(from, to).reduce((a, b) => a + b, 0) <= budget);
    const greedy = [[]];
    let start = 0;
    list.forEach((li, i) => {
      if (greedy.at(-1).length && !fits(start, i + 1)) {
        greedy.push([]);
        start = i;
      }
      greedy.at(-1).push(li);
    });
    const count = greedy.length;
    const even = [];
    for (let n = 0, from = 0; n < count; n++) {
      const to = from + Math.floor(list.length / count) + (n < list.length % count ? 1 : 0);
      even.push([from, to]);
      from = to;
    }
    pages = even.every(([from, to]) => fits(from, to))
      ? even.map(([from, to]) => list.slice(from, to))
      : greedy;
  }

  function apply() {
    page %= pages.length;
    const shownItems = new Set(pages[page]);
    for (const li of list) li.hidden = !shownItems.has(li);
    indicator.hidden = pages.length < 2;
    indicator.textContent = t("decisions.page", { page: page + 1, pages: pages.length });
    indicator.dataset.page = String(page + 1);
    indicator.dataset.pages = String(pages.length);
  }

  function layout() {
    measure();
    apply();
  }

  function turn() {
    if (pages.length < 2) return;
    page = (page + 1) % pages.length;
    apply();
  }

  new ResizeObserver(() => {
    if (key !== null) layout();
  }).observe(host);

  return {
    show(decisions, closed) {
      const next = decisions ? JSON.stringify([decisions, closed, document.documentElement.lang]) : null;
      if (next === key) return;
      const restart = (decisions?.length ?? 0) !== list.length || closed !== shownClosed;
      key = next;
      shownClosed = closed;
      // During the meeting the newest first; once it is closed, in the order decided, as the
      // minutes will have them (decisionsView puts the last it is given first).
      const order = closed && decisions ? decisions.slice().reverse() : decisions;
      host.replaceChildren(order ? decisionsView(order) : "");
      list = [...host.querySelectorAll(".decision")];
      if (restart) page = 0;
      layout();
      clearInterval(timer);
      timer = setInterval(turn, PAGE_SECONDS * 1000);
    },
    relayout() {
      if (key !== null) layout();
    },
  };
}

const pager = decisionsPager($("decisions"), $("decisions-page"));

function main() {
  if (fullPanel) document.body.classList.add("full");
  startI18n();
  onLangChange(draw);
  connect("/ws/display", {
    open: () => gate.reset(),
    message(data) {
      if (!gate.accept(data)) return;
      snapshot = data;
      if (data.meeting) notice(data);
      draw();
    },
    close: (event) => (event.code === CLOSE_TRY_AGAIN ? "now" : "retry"),
    status(state) {
      connection = state;
      draw();
    },
  });
  // Fonts and the screen's size change what fits: measure again once all is in, and on a resize.
  document.fonts?.ready.then(() => {
    fit($("current"));
    pager.relayout();
  });
  if (!overlay) new ResizeObserver(() => fit($("current"))).observe($("current"));
  draw();
}

main();
