"""A secret election on the hall screen and the stream overlay (issue 14 item 4, SPEC 2.9, 2.10):
while open, who voted and with what weight, and no tally; closed, the chair's announcement to
come; released, the votes per candidate and the minutes sentence, in a first round that ends
without a majority and in the second round that elects. Six candidates, with long names and
notes, at 1920x1080 and 1280x720: legible from the back of the hall, nothing cut off, axe clean;
the overlay a lower third of at most a fifth of the frame.

Checked is how the pages are drawn, not how votes are stored: SQLite only (see
test_accessibility.py). Every state leaves a screenshot in screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect
from websockets.asyncio.client import ClientConnection

from server.auth.roles import Role
from server.secret.keys import write_committee_key
from server.secret.sealing import new_secret
from tests.live.a11y import axe_violations, layout_problems
from tests.live.conftest import Hall
from tests.live.pages_browser import PageWatch, open_page, screenshot
from tests.live.test_hall_corrections import SCREENS, api, new_ballot, screen_problems, shoot, viewport
from tests.live.test_hall_legibility import FIGURES, HEADLINE, SHORTENED
from tests.live.test_sealed_votes import vote

pytestmark = pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)

expect.set_options(timeout=20_000)

TITLE = "Lid van het bestuur namens de gemeenten met minder dan 25.000 inwoners"
# Six candidates, two with the longest names and notes the hall is likely to meet.
CANDIDATES = [
    {"name": "Anna Alfa-van der Berg", "note": "wethouder, Súdwest-Fryslân"},
    {"name": "Bert Beta", "note": "burgemeester, Aa en Hunze"},
    {"name": "Cees Gamma", "note": None},
    {"name": "Dirk Delta", "note": "raadslid, Westerkwartier"},
    {"name": "Eva Epsilon", "note": "gemeentesecretaris, Kapelle"},
    {
        "name": "Frederique Zeta-Oosterhout van Nieuwenhuizen tot Dijkveld",
        "note": "wethouder financiën, sociaal domein en dienstverlening, Gemeente Alphen-Chaam",
    },
]
ANNA, BERT, FREDERIQUE = CANDIDATES[0]["name"], CANDIDATES[1]["name"], CANDIDATES[5]["name"]


async def cast(
    kiosks: dict[str, ClientConnection], ballot: int, picks: dict[str, int | str], step: str
) -> None:
    """Each member's secret vote: a candidate's id or "abstain"."""
    for code, choice in picks.items():
        answer = await vote(kiosks[code], ballot, choice, f"{step}-{code}", new_secret())
        assert answer["type"] == "ack", answer


def ids(ballot: dict[str, Any]) -> dict[str, int]:
    return {c["name"]: c["id"] for c in ballot["candidates"]}


async def open_state(pages: tuple[Page, Page], members: str, weight: str) -> None:
    """While open: who voted and their weight, the secret badge, not a single figure per candidate."""
    for page in pages:
        await expect(page.locator(".progress-line")).to_have_text(members)
        await expect(page.locator(".secret")).to_have_text("Geheim")
        await expect(page.locator(".tally")).to_have_count(0)
        await expect(page.locator(".outcome")).to_have_count(0)
    await expect(pages[0].locator(".progress-weight")).to_have_text(weight)


async def pending_state(pages: tuple[Page, Page]) -> None:
    """Closed, not released: the chair announces the result; no figures, no outcome."""
    for page in pages:
        await expect(page.locator(".status")).to_have_text("Stemming gesloten")
        await expect(page.locator(".result-pending")).to_be_visible()
        await expect(page.locator(".tally")).to_have_count(0)
        await expect(page.locator(".outcome")).to_have_count(0)
        await expect(page.locator(".progress")).to_have_count(0)
    await expect(pages[0].locator(".result-pending")).to_have_text(
        "De voorzitter maakt de uitslag bekend namens de commissie van stemopneming."
    )


async def released_state(
    pages: tuple[Page, Page], votes: dict[str, str], minutes: str, marked: list[str]
) -> None:
    """Released: a row per candidate in the ballot's order with their votes, the minutes sentence,
    the elected or the candidates going on marked."""
    for page in pages:
        await expect(page.locator(".result-pending")).to_have_count(0)
        rows = page.locator(".tally-row.candidate")
        await expect(rows.locator(".candidate-name")).to_have_text(list(votes))
        await expect(rows.locator(".tally-weight")).to_have_text(list(votes.values()))
        await expect(page.locator(".tally-row.candidate.marked .candidate-name")).to_have_text(marked)
        await expect(page.locator(".outcome")).to_have_text(minutes)


@SCREENS
async def test_a_secret_election_open_pending_and_released_in_two_rounds(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest, screen: tuple[int, int], tmp_path: Path
) -> None:
    watch = PageWatch()
    problems: list[str] = []
    meeting = hall.seeded.meeting_id
    committee = write_committee_key(tmp_path / "committee")
    key = {"public_key": committee.public_path.read_text()}
    await api(hall, "POST", f"/api/meetings/{meeting}/committee-key", key, role=Role.ADMIN)
    first = await new_ballot(
        hall, agenda="4", title=TITLE, kind="benoeming", candidates=CANDIDATES, secret=True
    )
    connections = {code: (await hall.kiosk(code))[0] for code in ("GM0001", "GM0002", "GM0003", "GM0004")}
    try:
        async with (
            open_page(browser, hall.server.base, watch, viewport=viewport(screen)) as (_, display),
            open_page(browser, hall.server.base, watch, viewport=viewport(screen)) as (_, overlay),
            open_page(browser, hall.server.base, watch, viewport=viewport(screen)) as (_, full),
        ):
            pages = (display, overlay)
            await display.goto("/display")
            await overlay.goto("/display/overlay")
            await full.goto("/display/overlay?panel=full")

            # First round, open: Anna 75, Bert 42, Frederique 75 of 193 present; one more to come.
            await api(hall, "POST", f"/api/ballots/{first}/open", {"override_order": True})
            named = ids(await hall.ballot(first))
            picks = {"GM0001": named[ANNA], "GM0002": named[BERT], "GM0004": named[FREDERIQUE]}
            await cast(connections, first, picks, "r1")
            await open_state(pages, "3 van 4 leden hebben gestemd", "192 van 193 stemmen")
            live = {".ballot-title": FIGURES, ".progress-line": HEADLINE}
            await shoot(request, "1-open", display, overlay)
            problems += await screen_problems(display, overlay, "open", live, live)
            await cast(connections, first, {"GM0003": "abstain"}, "r1")
            await open_state(pages, "4 van 4 leden hebben gestemd", "193 van 193 stemmen")

            # Closed, not released.
            await hall.action(first, "close")
            await pending_state(pages)
            pending = {".ballot-title": FIGURES, ".result-pending": FIGURES}
            await shoot(request, "2-pending", display, overlay)
            problems += await screen_problems(display, overlay, "pending", pending, pending)

            # Released: no majority, a second free round.
            await hall.action(first, "release")
            votes = {c["name"]: "0" for c in CANDIDATES} | {ANNA: "75", BERT: "42", FREDERIQUE: "75"}
            minutes = "geen kandidaat heeft de volstrekte meerderheid; tweede vrije stemming"
            await released_state(pages, votes, minutes, [])
            result = {".ballot-title": FIGURES, ".outcome": HEADLINE, ".tally-weight": FIGURES}
            await shoot(request, "3-next-round", display, overlay)
            problems += await screen_problems(display, overlay, "next round", result, result)

            # Second round: Bert's 42 go to Anna, who has 117 of 192.
            second = (await api(hall, "POST", f"/api/ballots/{first}/next-round"))["id"]
            await api(hall, "POST", f"/api/ballots/{second}/open", {"override_order": True})
            named = ids(await hall.ballot(second))
            picks = {
                "GM0001": named[ANNA],
                "GM0002": named[ANNA],
                "GM0004": named[FREDERIQUE],
                "GM0003": "abstain",
            }
            await cast(connections, second, picks, "r2")
            await open_state(pages, "4 van 4 leden hebben gestemd", "193 van 193 stemmen")
            for page in pages:
                await expect(page.locator(".round")).to_have_text("Tweede vrije stemming")
            await hall.action(second, "close")
            await pending_state(pages)
            await hall.action(second, "release")
            votes = {c["name"]: "0" for c in CANDIDATES} | {ANNA: "117", FREDERIQUE: "75"}
            minutes = "gekozen: Anna Alfa-van der Berg met 60,94% van de stemmen"
            await released_state(pages, votes, minutes, [ANNA])
            for page in pages:
                await expect(page.locator(".outcome")).to_have_class(re.compile(r"\badopted\b"))
            await shoot(request, "4-elected", display, overlay)
            problems += await screen_problems(display, overlay, "elected", result, result)
            # The overlay's full panel: the same chart, its notes, beside the decisions.
            await expect(full.locator(".tally-row.candidate")).to_have_count(len(CANDIDATES))
            await expect(full.locator(".outcome")).to_have_text(minutes)
            await screenshot(full, request, "4-elected-overlay-full", omit_background=True)
            problems += await layout_problems(full, "overlay full, elected", whole_screen=True,
                                              by_design=SHORTENED)  # fmt: skip
            problems += await axe_violations(full, "overlay full, elected")
    finally:
        for connection in connections.values():
            await connection.close()
    assert not problems, "\n".join(problems)
    assert watch.problems == []
