"""The hall screen and the stream overlay are legible at 1920x1080 and at 1280x720 (issue 7 part 2):
with a ballot open, with a live tally and with a result, nothing runs off the screen or is cut
off, no scrollbar shows, and the figures the hall waits for are large enough to read from the
back. Each state is written to screenshots/ for a person to look at.

Checked is how the pages are drawn, not how votes are stored: SQLite only (see
test_accessibility.py).
"""

from __future__ import annotations

import math

import httpx
import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.live.a11y import layout_problems
from tests.live.conftest import Hall
from tests.live.pages_browser import (
    PageWatch,
    kiosk_vote,
    open_page,
    protocol_kiosks,
    screenshot,
)

pytestmark = pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)

expect.set_options(timeout=20_000)

# How large text must be, as a share of the screen's height, so that it can be read from the
# farthest seat. Legibility goes by the angle a capital letter subtends at the eye: human-factors
# standards for displays (FAA HF-STD-001, MIL-STD-1472) ask at least 16 minutes of arc, 20 to 22
# preferred. The farthest seat of a hall is taken at 6 screen heights (the AV "4-6-8" rule: 6H is
# as far as detail such as text is read); a stream is watched from about 3 picture heights (the
# design viewing distance of HD television). The pages' fonts (Liberation Sans, Arial) have capitals
# about 0.7 em high. So, at 1080 lines: the hall's headline 54 px, its other figures 43 px; the
# overlay's headline 27 px, its other figures 22 px.
CAP_HEIGHT = 0.7
HEADLINE = 20  # arcminutes: the outcome sentence and the progress line, what the hall waits for
FIGURES = 16  # arcminutes: the shares and weights of the tally, the ballot's title
HALL_DISTANCE = 6  # screen heights to the back row of the hall
STREAM_DISTANCE = 3  # picture heights to a viewer of the stream


def smallest_font(screen_height: int, distance: int, arcminutes: int) -> float:
    """The smallest font size in CSS px whose capitals subtend `arcminutes` at `distance` heights."""
    return screen_height * distance * math.tan(math.radians(arcminutes / 60)) / CAP_HEIGHT


# The list of decisions so far shows the newest first and as many as there is room for, each title
# in at most two lines: it is a reminder, the hall read each in full while it was the ballot. An
# election keeps one line per candidate: a note (municipality, role) gives way to the figures,
# and a name longer than the column is cut (the outcome sentence names the elected in full).
SHORTENED = ".decisions-panel, .tally.election .tally-label"

# Realistic ballots: the longest title on the agenda of 18 June 2025, and a motion with the
# board's advice that shows its running tally.
PROPOSAL = {
    "agenda": "5",
    "title": "Jaarverslag 2024, inclusief Financieel Jaarverslag en verantwoording over het Fonds GGU",
    "kind": "voorstel",
    "majority": "two_thirds",
}
MOTION = {
    "agenda": "9b",
    "title": "Motie over de gevolgen van de Voorjaarsnota voor de jeugdzorg en het sociaal domein",
    "kind": "motie",
    "preadvies": "ontraden",
    # Five submitters: the hall screen names two and counts the rest ("en 3 andere").
    "submitters": ["GM0001", "GM0002", "GM0003", "GM0004", "GM0005"],
    "show_live_tally": True,
    "abstain_is_cast": True,
}


async def create_ballot(hall: Hall, ballot: dict[str, object]) -> int:
    async with httpx.AsyncClient(base_url=hall.server.base) as client:
        response = await client.post(
            f"/api/meetings/{hall.seeded.meeting_id}/ballots", json=ballot, headers=hall.chair()
        )
    assert response.status_code in (200, 201), response.text
    ballot_id: int = response.json()["id"]
    return ballot_id


async def font_size(locator: Locator) -> float:
    size: float = await locator.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    return size


async def legibility_problems(page: Page, state: str, distance: int, figures: dict[str, int]) -> list[str]:
    """Anything off the screen or cut off, a scrollbar, and any of `figures` (a selector and its
    arcminutes) smaller than the farthest viewer needs; one line each."""
    problems = await layout_problems(page, state, whole_screen=True, by_design=SHORTENED)
    scrollbars = await page.evaluate(
        "[innerWidth - document.documentElement.clientWidth, innerHeight - document.documentElement.clientHeight]"
    )
    if scrollbars != [0, 0]:
        problems.append(f"{state}: a scrollbar shows ({scrollbars} px)")
    viewport = page.viewport_size
    assert viewport is not None
    for selector, arcminutes in figures.items():
        needed = smallest_font(viewport["height"], distance, arcminutes)
        elements = page.locator(selector)
        await expect(elements.first).to_be_visible()
        for element in await elements.all():
            size = await font_size(element)
            if size < needed:
                problems.append(
                    f"{state}: {selector} is {size} px, the farthest viewer needs {needed:.1f} px"
                )
    return problems


def figures(state: str) -> dict[str, int]:
    shown = {".ballot-title": FIGURES}
    if state in ("open", "live"):
        shown[".progress-line"] = HEADLINE
    if state in ("live", "result"):
        shown[".tally-percent"] = FIGURES
        shown[".tally-weight"] = FIGURES
    if state == "result":
        shown[".outcome"] = HEADLINE
    return shown


@pytest.mark.parametrize("screen", [(1920, 1080), (1280, 720)], ids=["1080p", "720p"])
async def test_hall_screen_and_overlay_are_legible(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest, screen: tuple[int, int]
) -> None:
    watch = PageWatch()
    viewport = {"width": screen[0], "height": screen[1]}
    problems: list[str] = []
    # Two decisions so far, so that the list beside the ballot is not empty.
    await hall.action(hall.seeded.ballot_ids[0], "acclamation")
    await hall.action(hall.seeded.ballot_ids[1], "withdraw")
    proposal = await create_ballot(hall, PROPOSAL)
    motion = await create_ballot(hall, MOTION)
    async with (
        open_page(browser, hall.server.base, watch, viewport=viewport) as (_, display),
        open_page(browser, hall.server.base, watch, viewport=viewport) as (_, overlay),
        protocol_kiosks(hall, "GM0001", "GM0002", "GM0003", "GM0004") as kiosks,
    ):
        await display.goto("/display")
        await overlay.goto("/display/overlay")

        async def check(state: str, waits_for: str, text: str) -> None:
            for page, distance, name in (
                (display, HALL_DISTANCE, "display"),
                (overlay, STREAM_DISTANCE, "overlay"),
            ):
                await expect(page.locator(waits_for)).to_have_text(text)
                problems.extend(await legibility_problems(page, f"{name}, {state}", distance, figures(state)))
            await screenshot(display, request, f"{state}-display")
            await screenshot(overlay, request, f"{state}-overlay", omit_background=True)

        await hall.action(proposal, "open")
        for kiosk, choice in zip(kiosks, ("for", "against", "abstain", "for"), strict=True):
            await kiosk_vote(kiosk, proposal, choice, f"legible-{choice}-{id(kiosk)}")
        await check("open", ".progress-line", "4 van 4 leden hebben gestemd")

        await hall.action(proposal, "close")
        await check("result", ".outcome", "aangenomen met 78,13% van de stemmen")

        await hall.action(motion, "open")
        await expect(display.locator(".submitters")).to_have_text(
            "Ingediend door Grootstad, Middenburg en 3 andere"
        )
        for kiosk, choice in zip(kiosks[:3], ("against", "against", "abstain"), strict=True):
            await kiosk_vote(kiosk, motion, choice, f"legible-motion-{choice}-{id(kiosk)}")
        await check("live", ".progress-line", "3 van 4 leden hebben gestemd")
    assert not problems, "\n".join(problems)
    assert watch.problems == []
