"""Copy the README's pictures from the screenshots the end-to-end test (and the chair's corrections
test) left in screenshots/ to docs/screenshots/ (committed), at most 1280 px wide, in 256 colours.
`make screenshots` runs those tests on SQLite first, then this."""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

from tests.live.pages_browser import SCREENSHOTS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# As pages_browser.screenshot names them: "<test>[sqlite]-<step>" with "[" and "]" made "-".
TEST = "test_a_meeting_from_door_to_minutes-sqlite-"
MAX_WIDTH = 1280
# docs/screenshots/<name>.png <- screenshots/<TEST>-<step>.png
PICTURES = {
    "hall-display": "display-motion",  # the hall screen with a result and the decisions so far
    "kiosk-ballot": "kiosk-ballot",  # a handheld with the motion, its advice and the vote's receipt
    "chair": "chair-open",  # the chair watching an open ballot: running tally, who is still to vote
    "desk-qr": "desk-qr",  # the desk after a check-in: the pairing QR code and the pass list
    "overlay": "overlay",  # the stream overlay, transparent around the lower third
}
# docs/screenshots/<name>.png <- screenshots/<stem>.png from tests/live/test_chair_corrections.py
# (SQLite): the chair's corrections at 1366x768, the chair's laptop.
CORRECTIONS = "test_{}-sqlite--{}"
CHAIR_PICTURES = {
    # a ballot open, the agenda scrolled: the live panel with its controls stays in view
    "chair-panel": CORRECTIONS.format(
        "closing_names_who_has_not_voted_and_the_panel_stays_in_view", "panel-scrolled"
    ),
    "chair-void": CORRECTIONS.format("chair_voids_an_open_ballot_and_runs_its_revote", "void-dialog"),
    "chair-close-meeting": CORRECTIONS.format(
        "closing_the_meeting_names_the_undecided_and_shows_the_closing_hash", "close-meeting-question"
    ),
    "chair-closed-hash": CORRECTIONS.format(
        "closing_the_meeting_names_the_undecided_and_shows_the_closing_hash", "closed-hash"
    ),
}


def main() -> int:
    sources = {name: f"{TEST}-{step}" for name, step in PICTURES.items()} | CHAIR_PICTURES
    missing = [f"{stem}.png" for stem in sources.values() if not (SCREENSHOTS / f"{stem}.png").exists()]
    if missing:
        print(
            f"missing in {SCREENSHOTS}: {', '.join(missing)}; run the end-to-end test first", file=sys.stderr
        )
        return 1
    DOCS.mkdir(parents=True, exist_ok=True)
    for name, stem in sources.items():
        save(name, stem)
    return 0


def save(name: str, stem: str) -> None:
    """docs/screenshots/<name>.png from screenshots/<stem>.png, at most MAX_WIDTH wide, in 256 colours."""
    save_image(name, SCREENSHOTS / f"{stem}.png")


def save_image(name: str, source: Path) -> None:
    """docs/screenshots/<name>.png from `source`, at most MAX_WIDTH wide, in 256 colours."""
    with Image.open(source) as image:
        picture = image.copy()
    if picture.width > MAX_WIDTH:
        height = round(picture.height * MAX_WIDTH / picture.width)
        picture = picture.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
    # A palette of 256 colours keeps text sharp at a third of the size of full colour. An opaque
    # picture is quantized in RGB by median cut, which keeps white apart from a pale panel (the
    # RGBA octree merged them); only a picture with transparency (the overlay) needs RGBA.
    if picture.mode == "RGBA" and picture.getchannel("A").getextrema() != (255, 255):
        picture = picture.quantize(256, method=Image.Quantize.FASTOCTREE)
    else:
        picture = picture.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
    target = DOCS / f"{name}.png"
    picture.save(target, optimize=True)
    print(
        f"{target.relative_to(DOCS.parents[1])}: {picture.width}x{picture.height}, {target.stat().st_size // 1024} KiB"
    )


if __name__ == "__main__":
    sys.exit(main())
