"""The hall screen and the stream overlay after the corrections of issue 12 (item 5, and the hall's
part of items 1 and 3; SPEC 2.7, 2.8, 2.11): how many of those present voted, the majority a
ballot needs, what an amendment amends, the chair's countdown, the agenda item without a vote, a
voided result, a count by hand, a test ballot that never reads like a decision, and the closed
meeting with every decision, page by page. At 1920x1080 and 1280x720, legible from the back of the
hall, nothing cut off, axe clean; the overlay a lower third of at most a fifth of the frame.

Checked is how the pages are drawn, not how votes are stored: SQLite only (see
test_accessibility.py). Every state leaves a screenshot in screenshots/.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from server.auth.roles import Role
from tests.live.a11y import axe_violations, layout_problems
from tests.live.conftest import Hall
from tests.live.pages_browser import PageWatch, kiosk_vote, open_page, protocol_kiosks, screenshot
from tests.live.test_hall_legibility import (
    FIGURES,
    HALL_DISTANCE,
    HEADLINE,
    STREAM_DISTANCE,
    legibility_problems,
)

pytestmark = pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)

expect.set_options(timeout=20_000)

SCREENS = pytest.mark.parametrize("screen", [(1920, 1080), (1280, 720)], ids=["1080p", "720p"])

AGENDA = [
    {"number": "7", "title": "Begroting 2026", "decision": True, "kind": "voorstel"},
    {"number": "8", "title": "Mededelingen van het bestuur over de ledenraadpleging", "decision": False},
    {"number": "9", "title": "Rondvraag"},
]


async def api(hall: Hall, method: str, path: str, body: Any = None, *, role: Role = Role.CHAIR) -> Any:
    headers = {"Authorization": f"Bearer {hall.seeded.tokens[role]}"}
    async with httpx.AsyncClient(base_url=hall.server.base) as client:
        response = await client.request(method, path, json=body, headers=headers)
    assert response.status_code in (200, 201, 204), f"{method} {path}: {response.text}"
    return response.json() if response.content else None


async def add_agenda(hall: Hall) -> None:
    await api(hall, "POST", f"/api/meetings/{hall.seeded.meeting_id}/agenda", AGENDA, role=Role.ADMIN)


async def new_ballot(hall: Hall, **body: Any) -> int:
    answer = await api(hall, "POST", f"/api/meetings/{hall.seeded.meeting_id}/ballots", body)
    ballot_id: int = answer["id"]
    return ballot_id


async def current_item(hall: Hall, number: str | None) -> None:
    await api(hall, "POST", f"/api/meetings/{hall.seeded.meeting_id}/current-item", {"agenda": number})


def viewport(screen: tuple[int, int]) -> dict[str, int]:
    return {"width": screen[0], "height": screen[1]}


async def overlay_height_problems(overlay: Page, state: str) -> list[str]:
    """The default overlay is a lower third: at most a fifth of the frame (216 px of 1080)."""
    size = overlay.viewport_size
    assert size is not None
    box = await overlay.locator(".third").bounding_box()
    assert box is not None
    allowed = size["height"] / 5
    if box["height"] > allowed + 0.5:
        return [f"overlay, {state}: the panel is {box['height']:.0f} px tall, at most {allowed:.0f}"]
    return []


async def screen_problems(
    display: Page, overlay: Page, state: str, figures: dict[str, int], overlay_figures: dict[str, int]
) -> list[str]:
    """Legibility and layout of both pages, the overlay's height, and axe on both."""
    problems = await legibility_problems(display, f"display, {state}", HALL_DISTANCE, figures)
    problems += await legibility_problems(overlay, f"overlay, {state}", STREAM_DISTANCE, overlay_figures)
    problems += await overlay_height_problems(overlay, state)
    problems += await axe_violations(display, f"display, {state}")
    problems += await axe_violations(overlay, f"overlay, {state}")
    return problems


async def shoot(request: pytest.FixtureRequest, state: str, display: Page, overlay: Page) -> None:
    await screenshot(display, request, f"{state}-display")
    await screenshot(overlay, request, f"{state}-overlay", omit_background=True)


async def seconds_left(page: Page) -> int:
    text = await page.locator(".countdown").text_content()
    match = re.fullmatch(r"nog (\d+) seconden?", text or "")
    assert match, f"not a countdown: {text!r}"
    return int(match.group(1))


@SCREENS
async def test_open_ballot_shows_who_voted_the_majority_the_amended_proposal_and_the_countdown(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest, screen: tuple[int, int]
) -> None:
    watch = PageWatch()
    problems: list[str] = []
    await add_agenda(hall)
    proposal = await new_ballot(
        hall, agenda="7", title="Begroting 2026", kind="voorstel", majority="two_thirds"
    )
    amendment = await new_ballot(
        hall,
        agenda="7",
        title="Amendement over de contributie van kleine gemeenten in de begroting 2026",
        kind="amendement",
        amends=proposal,
        preadvies="oordeel_vergadering",
        submitters=["GM0003", "GM0004"],
    )
    async with (
        open_page(browser, hall.server.base, watch, viewport=viewport(screen)) as (_, display),
        open_page(browser, hall.server.base, watch, viewport=viewport(screen)) as (_, overlay),
        open_page(browser, hall.server.base, watch, viewport=viewport(screen)) as (_, full),
        protocol_kiosks(hall, "GM0001", "GM0002") as kiosks,
    ):
        await display.goto("/display")
        await overlay.goto("/display/overlay")
        await full.goto("/display/overlay?panel=full")
        # A projected screen nobody touches has no buttons: English is ?lang=en.
        await expect(display.locator("#meeting-title")).to_have_text("ALV")
        await expect(display.get_by_role("button")).to_have_count(0)

        await hall.action(amendment, "open")
        for page in (display, overlay):
            await expect(page.locator(".progress-line")).to_have_text("0 van 4 leden hebben gestemd")
            await expect(page.locator(".amends")).to_have_text("amendement op 7 Begroting 2026")
        await api(hall, "POST", f"/api/ballots/{amendment}/countdown", {"seconds": 30})
        for kiosk, choice in zip(kiosks, ("for", "against"), strict=True):
            await kiosk_vote(kiosk, amendment, choice, f"countdown-{choice}")
        for page in (display, overlay, full):
            # x of y members present, and the weight as a second figure (75 + 42 of 193).
            await expect(page.locator(".progress-line")).to_have_text("2 van 4 leden hebben gestemd")
            await expect(page.locator(".progress-weight")).to_have_text("117 van 193 stemmen")
            await expect(page.locator(".countdown")).to_have_text(re.compile(r"^nog \d+ seconden?$"))
        # It counts down, each second, from above zero.
        for page in (display, overlay):
            first = await seconds_left(page)
            assert 0 < first <= 30
            await expect(page.locator(".countdown")).not_to_have_text(re.compile(rf"^nog {first} "))
            assert await seconds_left(page) < first
        await expect(full.locator(".decisions-panel")).to_be_visible()
        figures = {".ballot-title": FIGURES, ".progress-line": HEADLINE, ".progress-weight": FIGURES,
                   ".countdown": FIGURES}  # fmt: skip
        problems += await screen_problems(display, overlay, "countdown", figures, figures)
        await shoot(request, "countdown", display, overlay)
        await screenshot(full, request, "countdown-overlay-full", omit_background=True)

        # At zero the screens say the ballot may close; closing stays the chair's act.
        await api(hall, "POST", f"/api/ballots/{amendment}/countdown", {"seconds": 1})
        for page in (display, overlay):
            await expect(page.locator(".countdown")).to_have_text("De stemming kan elk moment sluiten")
        problems += await screen_problems(display, overlay, "countdown at zero", figures, figures)
        await screenshot(display, request, "countdown-end-display")
        await hall.action(amendment, "close")
        for page in (display, overlay):
            await expect(page.locator(".countdown")).to_have_count(0)

        # The amended proposal needs two thirds: the screens say so.
        await hall.action(proposal, "open")
        for page in (display, overlay):
            await expect(page.locator(".majority")).to_have_text("tweederde meerderheid vereist")
        await expect(display.locator(".ballot-refs")).to_have_count(0)
        problems += await screen_problems(
            display, overlay, "two thirds", {".ballot-title": FIGURES, ".progress-line": HEADLINE},
            {".ballot-title": FIGURES, ".progress-line": HEADLINE},
        )  # fmt: skip
        await hall.action(proposal, "close")

        # A motion on a matter not on the agenda says so.
        motion = await new_ballot(
            hall, agenda="9", title="Motie over de bereikbaarheid van het station", kind="motie",
            off_agenda=True, preadvies="ontraden",
        )  # fmt: skip
        await hall.action(motion, "open")
        for page in (display, overlay):
            await expect(page.locator(".off-agenda")).to_have_text("vreemd aan de orde van de dag")
        await shoot(request, "off-agenda", display, overlay)
        await expect(full.locator(".decision")).to_have_count(2)
        await screenshot(full, request, "off-agenda-overlay-full", omit_background=True)
        problems += await screen_problems(
            display, overlay, "off agenda", {".progress-line": HEADLINE}, {".progress-line": HEADLINE}
        )
    assert not problems, "\n".join(problems)
    assert watch.problems == []


@SCREENS
async def test_a_voided_result_a_count_by_hand_and_a_test_ballot(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest, screen: tuple[int, int]
) -> None:
    watch = PageWatch()
    problems: list[str] = []
    first, _, test_ballot = hall.seeded.ballot_ids
    async with (
        open_page(browser, hall.server.base, watch, viewport=viewport(screen)) as (_, display),
        open_page(browser, hall.server.base, watch, viewport=viewport(screen)) as (_, overlay),
        protocol_kiosks(hall, "GM0001", "GM0002", "GM0003") as kiosks,
    ):
        await display.goto("/display")
        await overlay.goto("/display/overlay")

        # A result on the screen, then voided: withdrawn where it stood, with its reason.
        await hall.action(first, "open")
        for kiosk, choice in zip(kiosks, ("for", "against", "abstain"), strict=True):
            await kiosk_vote(kiosk, first, choice, f"void-{choice}")
        closed = await hall.action(first, "close")
        for page in (display, overlay):
            await expect(page.locator(".outcome")).to_have_text(closed["result"]["minutes"])
            await expect(page.locator(".outcome")).to_have_class(re.compile(r"\badopted\b"))
        voided = await api(hall, "POST", f"/api/ballots/{first}/void", {"reason": "storing in het netwerk"})
        minutes = voided["result"]["minutes"]
        assert minutes == "ongeldig verklaard: storing in het netwerk"
        for page in (display, overlay):
            outcome = page.locator(".outcome")
            await expect(outcome.locator(".outcome-text")).to_have_text(minutes)
            await expect(outcome.locator(".outcome-mark")).to_have_count(0)  # the sentence says it once
            await expect(outcome).to_have_class(re.compile(r"\bvoided\b"))
            await expect(outcome).not_to_have_class(re.compile(r"\b(adopted|rejected)\b"))
            await expect(page.locator(".status")).to_have_text("Ongeldig verklaard")
            # The figures stay readable but are struck through.
            for figure in await page.locator(".tally-weight, .tally-percent").all():
                await expect(figure).to_have_css("text-decoration-line", "line-through")
        decision = display.locator(f'.decision[data-ballot="{first}"]')
        await expect(decision).to_have_attribute("data-outcome", "voided")
        await expect(decision).not_to_have_class(re.compile(r"\b(adopted|rejected)\b"))
        await expect(decision.locator(".decision-outcome")).to_have_text(minutes)
        result_figures = {".ballot-title": FIGURES, ".outcome": HEADLINE, ".tally-weight": FIGURES}
        problems += await screen_problems(display, overlay, "voided", result_figures, result_figures)
        await shoot(request, "voided", display, overlay)

        # The re-vote, counted by hand and confirmed by the committee.
        revote = await new_ballot(hall, agenda="1", title="Jaarverslag", kind="voorstel", revote_of=first)
        counted = await api(
            hall, "POST", f"/api/ballots/{revote}/hand-count",
            {"for": 118, "against": 42, "abstain": 0, "confirmed_by": "Jan Jansen"},
        )  # fmt: skip
        for page in (display, overlay):
            await expect(page.locator(".outcome")).to_have_text(counted["result"]["minutes"])
            await expect(page.locator(".by-hand")).to_have_text("met de hand geteld")
            await expect(page.locator(".revote-of")).to_have_text("herstemming van 1 Jaarverslag")
        await expect(display.locator(".decision-outcome").first).to_have_text(counted["result"]["minutes"])
        # A count by hand has no members' count, so the feed gives no tally: the sentence says it.
        by_hand = {".ballot-title": FIGURES, ".outcome": HEADLINE}
        problems += await screen_problems(display, overlay, "by hand", by_hand, by_hand)
        await shoot(request, "by-hand", display, overlay)

        # A test ballot never reads like a decision, open or closed, and is no decision.
        await hall.action(test_ballot, "open")
        await kiosk_vote(kiosks[0], test_ballot, "for", "test-for")
        for page in (display, overlay):
            await expect(page.locator(".test-banner")).to_have_text("Proefstemming — telt niet")
            await expect(page.locator(".test-banner")).to_have_css("text-transform", "uppercase")
        await shoot(request, "test-open", display, overlay)
        live = {".ballot-title": FIGURES, ".progress-line": HEADLINE, ".tally-weight": FIGURES}
        problems += await screen_problems(display, overlay, "test ballot open", live, live)
        await hall.action(test_ballot, "close")
        for page in (display, overlay):
            await expect(page.locator(".outcome")).to_have_class(re.compile(r"\btest\b"))
            await expect(page.locator(".test-banner")).to_be_visible()
            await expect(page.locator(".outcome-mark")).to_have_text("Telt niet")
            colour = await page.locator(".outcome").evaluate("e => getComputedStyle(e).borderLeftColor")
            assert colour not in ("rgb(47, 180, 99)", "rgb(240, 88, 79)"), colour  # not for, not against
            await expect(page.locator(".ballot .status")).not_to_have_css(
                "background-color", "rgb(47, 180, 99)"
            )
        await expect(display.locator(f'.decision[data-ballot="{test_ballot}"]')).to_have_count(0)
        await expect(display.locator(".decision")).to_have_count(2)
        problems += await screen_problems(
            display, overlay, "test ballot closed", result_figures, result_figures
        )
        await shoot(request, "test-closed", display, overlay)
    assert not problems, "\n".join(problems)
    assert watch.problems == []


@SCREENS
async def test_the_item_the_chair_puts_up_shows_without_a_ballot(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest, screen: tuple[int, int]
) -> None:
    watch = PageWatch()
    problems: list[str] = []
    first = hall.seeded.ballot_ids[0]
    await add_agenda(hall)
    async with (
        open_page(browser, hall.server.base, watch, viewport=viewport(screen)) as (_, display),
        open_page(browser, hall.server.base, watch, viewport=viewport(screen)) as (_, overlay),
    ):
        await display.goto("/display")
        await overlay.goto("/display/overlay")
        for page in (display, overlay):
            await expect(page.locator(".ballot-none")).to_have_text("Nog geen stemming")

        await current_item(hall, "8")
        for page in (display, overlay):
            await expect(page.locator(".item-label")).to_have_text("Agendapunt 8")
            await expect(page.locator(".item-title")).to_have_text(AGENDA[1]["title"])
        item = {".item-title": FIGURES}
        problems += await screen_problems(display, overlay, "item without a ballot", item, item)
        await shoot(request, "item", display, overlay)

        # A ballot opened on another item is what the hall sees, and its result after it.
        await hall.action(first, "open")
        for page in (display, overlay):
            await expect(page.locator(".ballot-title")).to_have_text("Jaarverslag")
            await expect(page.locator(".item")).to_have_count(0)
        await hall.action(first, "close")
        for page in (display, overlay):
            await expect(page.locator(".outcome")).to_have_text("verworpen; er zijn geen stemmen uitgebracht")
        # The chair moves on: the next item, without a vote.
        await current_item(hall, "9")
        for page in (display, overlay):
            await expect(page.locator(".item-title")).to_have_text("Rondvraag")
            await expect(page.locator(".outcome")).to_have_count(0)
        # The chair takes the item down: the last result is back.
        await current_item(hall, None)
        for page in (display, overlay):
            await expect(page.locator(".ballot-title")).to_have_text("Jaarverslag")
    assert not problems, "\n".join(problems)
    assert watch.problems == []


async def visible_page(page: Page) -> tuple[int, int, list[int]]:
    """The page of decisions on the screen now, of how many, and the ballots on it, read at once."""
    seen: list[Any] = await page.evaluate(
        """() => {
            const indicator = document.getElementById("decisions-page");
            const ids = [...document.querySelectorAll(".decision")]
                .filter((li) => li.checkVisibility())
                .map((li) => Number(li.dataset.ballot));
            return [Number(indicator.dataset.page), Number(indicator.dataset.pages), ids];
        }"""
    )
    return seen[0], seen[1], seen[2]


async def all_pages(page: Page, state: str, whole_screen: bool) -> tuple[list[list[int]], list[str]]:
    """Waits for every page of decisions in turn; returns the ballots shown on each, and anything
    cut off or off the screen on any of them."""
    indicator = page.locator("#decisions-page")
    await expect(indicator).to_have_attribute("data-page", "1")
    _, pages, _ = await visible_page(page)
    shown: list[list[int]] = []
    problems: list[str] = []
    for number in range(1, pages + 1):
        while True:
            await expect(indicator).to_have_attribute("data-page", str(number))
            now, of, ids = await visible_page(page)
            if now == number:
                break
        assert of == pages and ids, (number, of, ids)
        await expect(indicator).to_have_text(f"{number}/{pages}")
        shown.append(ids)
        problems += await layout_problems(
            page, f"{state}, page {number}", whole_screen=whole_screen, by_design=".decision-title"
        )
    return shown, problems


@SCREENS
async def test_the_closed_meeting_shows_every_decision_page_by_page(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest, screen: tuple[int, int]
) -> None:
    """A long meeting (30 decisions and more) shows all of them over time, nothing cut off."""
    watch = PageWatch()
    problems: list[str] = []
    decided = []
    for n in range(1, 31):
        title = f"Voorstel {n} over de uitvoering van de gezamenlijke dienstverlening aan de leden"
        ballot = await new_ballot(hall, agenda=f"{10 + n}", title=title, kind="voorstel")
        await hall.action(ballot, "acclamation")
        decided.append(ballot)
    answer = await api(hall, "POST", f"/api/meetings/{hall.seeded.meeting_id}/close", {"confirm": True})
    assert answer["status"] == "closed"
    feed = await hall.feed()
    decisions = [d["ballot"] for d in feed["decisions"]]
    undecided = hall.seeded.ballot_ids[:2]  # still drafts at the close; the test ballot is none
    assert sorted(decisions) == sorted(decided + undecided)
    async with (
        open_page(browser, hall.server.base, watch, viewport=viewport(screen)) as (_, display),
        open_page(browser, hall.server.base, watch, viewport=viewport(screen)) as (_, overlay),
        open_page(browser, hall.server.base, watch, viewport=viewport(screen)) as (_, full),
    ):
        await display.goto("/display?paging=2")
        await overlay.goto("/display/overlay")
        await full.goto("/display/overlay?panel=full&paging=1")
        for page in (display, overlay, full):
            await expect(page.locator(".closed-title")).to_have_text("Vergadering gesloten")
            await expect(page.locator(".closed-count")).to_have_text(
                "30 besluiten · 2 niet in stemming gebracht"
            )
        await expect(display.locator(".decision")).to_have_count(32)
        await expect(display.get_by_role("button")).to_have_count(0)
        for ballot in undecided:
            await expect(
                display.locator(f'.decision[data-ballot="{ballot}"] .decision-outcome')
            ).to_have_text("niet in stemming gebracht")
        await expect(display.locator(".presence")).to_have_text("")

        pages, cut = await all_pages(display, "display, closed", whole_screen=True)
        problems += cut
        shown = [ballot for page in pages for ballot in page]
        assert len(pages) > 1
        assert sorted(shown) == sorted(decisions), "each decision on exactly one page"
        assert shown == decisions, "in the order decided, as in the minutes"
        sizes = [len(page) for page in pages]
        assert max(sizes) - min(sizes) <= 1, f"decisions of one height spread evenly: {sizes}"
        problems += await legibility_problems(display, "display, closed", HALL_DISTANCE, {})
        problems += await axe_violations(display, "display, closed")
        await expect(display.locator("#decisions-page")).to_have_attribute("data-page", "1")
        await screenshot(display, request, "closed-display")

        # The overlay: a lower third saying the meeting is closed; the full panel pages by three.
        problems += await overlay_height_problems(overlay, "closed")
        problems += await layout_problems(overlay, "overlay, closed", whole_screen=True)
        problems += await axe_violations(overlay, "overlay, closed")
        await screenshot(overlay, request, "closed-overlay", omit_background=True)
        await expect(full.locator(".decisions-panel")).to_be_visible()
        full_pages, cut = await all_pages(full, "overlay full, closed", whole_screen=True)
        problems += cut
        assert len(full_pages) == 11  # 32 decisions, three to a page
        assert sorted(ballot for page in full_pages for ballot in page) == sorted(decisions)
        problems += await axe_violations(full, "overlay full, closed")
        await expect(full.locator("#decisions-page")).to_have_attribute("data-page", "1")
        await screenshot(full, request, "closed-overlay-full", omit_background=True)
    assert not problems, "\n".join(problems)
    assert watch.problems == []


@SCREENS
async def test_a_ballot_with_everything_on_it_still_fits(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest, screen: tuple[int, int]
) -> None:
    """The worst case the hall can meet: a test run of a two-thirds amendment with the longest
    title, its proposal, the board's advice, five submitters, a countdown and a live tally."""
    watch = PageWatch()
    await add_agenda(hall)
    proposal = await new_ballot(hall, agenda="7", title="Begroting 2026", kind="voorstel")
    ballot = await new_ballot(
        hall,
        agenda="7",
        title="Jaarverslag 2024, inclusief Financieel Jaarverslag en verantwoording over het Fonds GGU",
        kind="amendement",
        amends=proposal,
        majority="two_thirds",
        test=True,
        preadvies="oordeel_vergadering",
        submitters=["GM0001", "GM0002", "GM0003", "GM0004", "GM0005"],
        show_live_tally=True,
    )
    async with (
        open_page(browser, hall.server.base, watch, viewport=viewport(screen)) as (_, display),
        open_page(browser, hall.server.base, watch, viewport=viewport(screen)) as (_, overlay),
        protocol_kiosks(hall, "GM0001", "GM0002", "GM0003") as kiosks,
    ):
        await display.goto("/display")
        await overlay.goto("/display/overlay")
        await hall.action(ballot, "open")
        await api(hall, "POST", f"/api/ballots/{ballot}/countdown", {"seconds": 60})
        for kiosk, choice in zip(kiosks, ("for", "against", "abstain"), strict=True):
            await kiosk_vote(kiosk, ballot, choice, f"everything-{choice}")
        for page in (display, overlay):
            await expect(page.locator(".progress-line")).to_have_text("3 van 4 leden hebben gestemd")
            await expect(page.locator(".tally-weight")).to_have_text(["75", "42", "1"])
            await expect(page.locator(".countdown")).to_be_visible()
        figures = {".ballot-title": FIGURES, ".progress-line": HEADLINE, ".tally-weight": FIGURES,
                   ".tally-percent": FIGURES, ".progress-weight": FIGURES, ".countdown": FIGURES}  # fmt: skip
        problems = await screen_problems(display, overlay, "everything", figures, figures)
        await shoot(request, "everything", display, overlay)
        await hall.action(ballot, "close")
        for page in (display, overlay):
            await expect(page.locator(".outcome")).to_be_visible()
        result = {".ballot-title": FIGURES, ".outcome": HEADLINE, ".tally-weight": FIGURES}
        problems += await screen_problems(display, overlay, "everything, closed", result, result)
        await shoot(request, "everything-closed", display, overlay)
    assert not problems, "\n".join(problems)
    assert watch.problems == []


async def test_the_hall_screen_stays_dutch_when_another_page_chose_english(
    hall: Hall, browser: Browser
) -> None:
    """No language button on the projected screen, and no language remembered from another page of
    the same browser: only its address (?lang=en) makes the hall screen or the overlay English."""
    watch = PageWatch()
    async with open_page(browser, hall.server.base, watch, viewport={"width": 1280, "height": 720}) as (
        _,
        page,
    ):
        await page.goto("/kiosk")
        await page.evaluate("localStorage.setItem('votehall.lang', 'en')")
        for path in ("/display", "/display/overlay?panel=full"):
            await page.goto(path)
            await expect(page.locator(".decisions-panel h2")).to_have_text("Besluiten")
        await page.goto("/display?lang=en")
        await expect(page.locator(".decisions-panel h2")).to_have_text("Decisions")
        assert await page.locator("#lang").count() == 0
    assert watch.problems == []
