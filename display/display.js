// The hall screen and the stream overlay: both draw the public feed of /ws/display (SPEC 4.3).

import { formatDate, mountToggle, onLangChange, start as startI18n, t } from "/assets/lib/i18n.js";
import { connect } from "/assets/lib/socket.js";
import { ballotView, decisionsView, presenceLine, versionGate } from "./render.js";

const CLOSE_TRY_AGAIN = 1013; // the server dropped us for being slow: the latest snapshot awaits

const $ = (id) => document.getElementById(id);
const gate = versionGate();
let snapshot = null;
let connection = "connecting";

function draw() {
  const meeting = snapshot?.meeting;
  $("meeting-title").textContent = meeting ? meeting.title : snapshot ? t("meeting.none") : "";
  $("meeting-date")?.replaceChildren(meeting ? formatDate(meeting.date) : "");
  $("presence").textContent = snapshot ? presenceLine(snapshot.present) : "";
  $("current").replaceChildren(meeting ? ballotView(snapshot.ballot, snapshot.present) : "");
  $("decisions").replaceChildren(meeting ? decisionsView(snapshot.decisions) : "");
  const lost = connection === "lost" ? t("conn.lost") : !snapshot ? t("conn.connecting") : "";
  $("connection").textContent = lost;
  $("connection").hidden = !lost;
  document.title = meeting ? `${meeting.title} – VoteHall` : t("display.title");
}

function main() {
  startI18n();
  const toggle = $("lang");
  if (toggle) mountToggle(toggle);
  onLangChange(draw);
  connect("/ws/display", {
    open: () => gate.reset(),
    message(data) {
      if (!gate.accept(data)) return;
      snapshot = data;
      draw();
    },
    close: (event) => (event.code === CLOSE_TRY_AGAIN ? "now" : "retry"),
    status(state) {
      connection = state;
      draw();
    },
  });
  draw();
}

main();
