// The meeting on the chair's page: its state, closing and publishing, the record's links, and,
// once closed, the closing hash the vote-counting committee signs (SPEC 2.11, DESIGN "Auditable").

import { t } from "/assets/lib/i18n.js";
import * as api from "./chair-api.js";
import { hashBlocks } from "./chair-ballots.js";
import { h } from "./render.js";

const $ = (id) => document.getElementById(id);
// Meetings this tab saw published, for as long as the meeting's own answer does not say so.
const PUBLISHED_KEY = "votehall.chair.published";

function publishedHere() {
  try {
    const ids = JSON.parse(sessionStorage.getItem(PUBLISHED_KEY) || "[]");
    return Array.isArray(ids) ? ids : [];
  } catch {
    return [];
  }
}

export function markPublished(meetingId) {
  const ids = publishedHere();
  if (!ids.includes(meetingId)) sessionStorage.setItem(PUBLISHED_KEY, JSON.stringify([...ids, meetingId]));
}

function isPublished(meeting) {
  return Boolean(meeting.published_at) || publishedHere().includes(meeting.id);
}

function recordLink(file, published, download) {
  const link = h("a", { href: file.path, "data-file": file.key, text: t(`chair.record.${file.key}`) });
  if (published) {
    link.target = "_blank";
    link.rel = "noopener";
  } else {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      download(file);
    });
  }
  return h("li", {}, link);
}

// `busy`: a request runs; `download(file)`: fetch a draft with the token.
export function drawMeeting(meeting, { busy, download }) {
  $("meeting-panel").hidden = !meeting;
  drawCloseHash(meeting);
  if (!meeting) return;
  const published = isPublished(meeting);
  const status = meeting.status === "open" ? "open" : published ? "published" : "closed";
  $("meeting-status").textContent = t(`chair.meeting.${status}`);
  $("meeting-status").dataset.status = status;
  $("close-meeting").hidden = meeting.status !== "open";
  $("publish").hidden = meeting.status !== "closed" || published;
  $("close-meeting").disabled = $("publish").disabled = busy;
  // Public links once published; before that, drafts the chair may read with the token.
  const files = api.recordFiles(meeting.id).filter((file) => published || file.draft);
  $("record-label").textContent = t(published ? "chair.record.public" : "chair.record.draft");
  $("record-list").replaceChildren(...files.map((file) => recordLink(file, published, download)));
  $("record").hidden = false;
}

// The hash of the log entry that closed the meeting, in blocks of eight to read aloud. Drawn
// only when it changes, so that a copy's "Gekopieerd." and a selection survive the feed's redraws.
function drawCloseHash(meeting) {
  const hash = meeting?.status === "closed" ? meeting.close_hash : null;
  const panel = $("close-panel");
  panel.hidden = !hash;
  if (!hash) return;
  const code = $("close-hash");
  if (code.dataset.hash !== hash) {
    code.dataset.hash = hash;
    code.textContent = hashBlocks(hash);
    $("copy-status").textContent = "";
  }
  $("close-hash-label").textContent = t("chair.hash.label", { seq: meeting.close_seq });
}

// navigator.clipboard needs a secure context (https or localhost); a hall laptop on
// http://192.168.x.x has none, so then the text is selected for Ctrl+C (votehall verify --head
// takes the hash with or without the spaces).
export async function copyHash() {
  const code = $("close-hash");
  const hash = code.dataset.hash;
  let copied = false;
  try {
    await navigator.clipboard.writeText(hash);
    copied = true;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(code);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
  }
  $("copy-status").textContent = t(copied ? "chair.hash.copied" : "chair.hash.selected");
}
