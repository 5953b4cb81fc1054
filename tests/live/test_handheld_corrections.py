"""The handheld `/kiosk` with the corrections of issue 12 (items 3 and 6) in Debian's Chromium on a
phone, against a real server on SQLite and on PostgreSQL: the meeting closes (SPEC 2.11: the
handheld says so, keeps its receipt and does not reconnect, also after a reload); the rule on
changing a vote, said before the first tap; a two-thirds majority; a test ballot's receipt that
promises no publication; a ballot voided while open; the chair's countdown. Each state is
looked at on the phones in use (390x844, 360x740, and 200% text) and by axe. Every test leaves
screenshots in screenshots/ for a person to look at."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.live.a11y import axe_violations, large_text_page, layout_problems
from tests.live.conftest import Hall
from tests.live.pages_browser import PageWatch, open_page, screenshot
from tests.live.test_accessibility import choices_problems
from tests.live.test_pages import PHONE_OPTIONS, RECEIPT, local

# Generous waits for a loaded CI machine; nothing here asserts how long anything takes.
expect.set_options(timeout=20_000)

SMALL_PHONE = {**PHONE_OPTIONS, "viewport": {"width": 360, "height": 740}}
# Longer than socket.js ever waits before a reconnect it meant to make (a wake: at most 0.5 s;
# the first backoff window: 1 s): a handheld that was going to reconnect has done so by then.
RECONNECT_WINDOW = 3.0

NO_CHANGE = "U kunt uw stem niet wijzigen: uw eerste keuze telt."
MAY_CHANGE = "U kunt uw stem wijzigen tot de stemming sluit."
PUBLISHED = "Terug te vinden in het gepubliceerde stemverslag"
NOT_PUBLISHED = "Proefstemming: deze stem telt niet mee en komt niet in het stemverslag."


async def chair(hall: Hall, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=hall.server.base) as client:
        response = await client.post(path, json=body, headers=hall.chair())
    assert response.status_code in (200, 201), response.text
    answer: dict[str, Any] = response.json()
    return answer


async def two_thirds_motion(hall: Hall) -> int:
    """A motion decided by two thirds, without change of vote, with the board's advice."""
    ballot = await chair(
        hall,
        f"/api/meetings/{hall.seeded.meeting_id}/ballots",
        {
            "agenda": "4",
            "title": "Motie gezamenlijke inkoop van digitale diensten",
            "kind": "motie",
            "majority": "two_thirds",
            "allow_change": False,
            "preadvies": "ontraden",
            "submitters": ["GM0003", "GM0004"],
        },
    )
    return int(ballot["id"])


async def close_meeting(hall: Hall) -> None:
    await chair(hall, f"/api/meetings/{hall.seeded.meeting_id}/close", {"confirm": True})


class Sockets:
    """The WebSocket connections a page opens, counted from the browser's side."""

    def __init__(self, page: Page) -> None:
        self.opened: list[str] = []
        page.on("websocket", lambda ws: self.opened.append(ws.url))

    async def none_after(self, page: Page, seen: int) -> list[str]:
        """Gives the page every reason to reconnect (back online, woken up) and time to do it;
        answers the connections it opened after the first `seen`."""
        await page.evaluate(
            """() => {
                window.dispatchEvent(new Event("online"));
                document.dispatchEvent(new Event("visibilitychange"));
            }"""
        )
        await asyncio.sleep(RECONNECT_WINDOW)
        return self.opened[seen:]


async def shows_the_closed_meeting(page: Page, receipt: str, choice: str = "Voor") -> None:
    await expect(page.get_by_role("heading", name="De vergadering is gesloten")).to_be_visible()
    await expect(page.locator("#no-ballot-help")).to_have_text(
        "Er wordt in deze vergadering niet meer gestemd."
    )
    await expect(page.locator("#last-receipt .receipt-code")).to_have_text(receipt)
    await expect(page.locator("#last-receipt .receipt-choice")).to_have_text(f"Uw stem: {choice}")
    await expect(page.locator("#last-ballot")).to_have_text(
        re.compile(r"^Laatste stemming: 1 Jaarverslag – ")
    )
    await expect(page.locator("#member-name")).to_have_text("Middenburg")
    # Stopped on purpose: no "connection lost", no pairing form, no ballot.
    await expect(page.locator("#connection")).to_be_hidden()
    await expect(page.locator("#pair-view")).to_be_hidden()
    await expect(page.locator("#ballot")).to_be_hidden()


async def test_the_handheld_says_the_meeting_is_closed_keeps_its_receipt_and_stops(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    ballot_id = hall.seeded.ballot_ids[0]
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        sockets = Sockets(page)
        frames: list[str] = []
        page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: frames.append(str(frame))))
        await page.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0002']}")
        await hall.action(ballot_id, "open")
        await page.get_by_role("button", name="Voor").tap()
        receipt_box = page.locator("#vote-receipt .receipt-code")
        await expect(receipt_box).to_have_text(RECEIPT)
        receipt = await receipt_box.text_content()
        assert receipt
        await hall.action(ballot_id, "close")
        await expect(page.locator("#last-receipt .receipt-code")).to_have_text(receipt)
        minutes = (await hall.feed())["ballot"]["minutes"]["nl"]

        await close_meeting(hall)
        await shows_the_closed_meeting(page, receipt)
        # The result line is the feed's, of the closed meeting the feed keeps (SPEC 2.11).
        await expect(page.locator("#last-ballot")).to_have_text(
            f"Laatste stemming: 1 Jaarverslag – {minutes}"
        )
        assert any('"meeting_closed"' in frame for frame in frames), frames
        assert (await local(page, "votehall.kiosk.pass") or "").startswith("vhp_")  # kept, not forgotten
        await screenshot(page, request, "1-closed")
        assert await sockets.none_after(page, len(sockets.opened)) == []

        # A reload says hello once more, hears 4410 once more and shows the same.
        seen = len(sockets.opened)
        await page.reload()
        await shows_the_closed_meeting(page, receipt)
        await expect(page.locator("#last-ballot")).to_have_text(
            f"Laatste stemming: 1 Jaarverslag – {minutes}"
        )
        assert len(sockets.opened) == seen + 1, sockets.opened
        assert await sockets.none_after(page, seen + 1) == []
        await screenshot(page, request, "2-reloaded")

        await page.get_by_role("button", name="Switch to English").tap()
        await expect(page.get_by_role("heading", name="The meeting is closed")).to_be_visible()
        await expect(page.locator("#last-receipt .receipt-code")).to_have_text(receipt)
        assert json.loads(await local(page, "votehall.kiosk.pending") or "[]") == []
    assert watch.problems == []


async def test_a_handheld_opened_after_the_close_shows_its_last_vote(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    """The handheld was off when the meeting closed, and a motion was withdrawn after the last
    vote: it still names the ballot of its receipt."""
    watch = PageWatch()
    ballot_id, motion_id = hall.seeded.ballot_ids[0], hall.seeded.ballot_ids[1]
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (context, page):
        await page.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0002']}")
        await hall.action(ballot_id, "open")
        await page.get_by_role("button", name="Tegen").tap()
        await expect(page.locator("#vote-receipt .receipt-code")).to_have_text(RECEIPT)
        receipt = await page.locator("#vote-receipt .receipt-code").text_content()
        await hall.action(ballot_id, "close")
        await expect(page.locator("#last-receipt")).to_be_visible()
        await page.close()

        await hall.action(motion_id, "withdraw")
        await close_meeting(hall)
        page = watch.attach(await context.new_page())
        await page.goto("/kiosk")
        await expect(page.get_by_role("heading", name="De vergadering is gesloten")).to_be_visible()
        await expect(page.locator("#last-ballot")).to_have_text(
            "Laatste stemming: 2 Motie zonder wijzigen – ingetrokken"
        )
        await expect(page.locator("#last-receipt .receipt-ballot")).to_have_text("Stemming: 1 Jaarverslag")
        await expect(page.locator("#last-receipt .receipt-choice")).to_have_text("Uw stem: Tegen")
        await expect(page.locator("#last-receipt .receipt-code")).to_have_text(receipt or "?")
        await screenshot(page, request, "1-closed-later")
    assert watch.problems == []


async def test_the_rule_on_changing_a_vote_is_said_before_the_first_tap(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    fixed, changeable = hall.seeded.ballot_ids[1], hall.seeded.ballot_ids[0]
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        await page.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0001']}")
        await hall.action(fixed, "open")
        await expect(page.locator("#ballot-title")).to_have_text("Motie zonder wijzigen")
        rule = page.locator("#change-rule")
        await expect(rule).to_have_text(NO_CHANGE)
        await expect(page.locator("#vote-change")).to_be_hidden()
        await screenshot(page, request, "1-no-change-before")
        # It stands above the choices: read on the way to the thumb.
        rule_box, first_choice = await rule.bounding_box(), await page.locator(".choice").first.bounding_box()
        assert rule_box and first_choice and rule_box["y"] + rule_box["height"] <= first_choice["y"]

        await page.get_by_role("button", name="Tegen").tap()
        await expect(page.locator("#vote-status-text")).to_have_text("Uw stem is ontvangen")
        await expect(rule).to_have_text(NO_CHANGE)
        await expect(page.get_by_role("button", name="Voor")).to_be_disabled()
        await expect(page.locator("#vote-change")).to_be_hidden()
        await hall.action(fixed, "close")

        await hall.action(changeable, "open")
        await expect(page.locator("#ballot-title")).to_have_text("Jaarverslag")
        await expect(rule).to_be_hidden()
        await expect(page.locator("#vote-change")).to_be_hidden()
        await page.get_by_role("button", name="Voor").tap()
        await expect(page.locator("#vote-change")).to_have_text(MAY_CHANGE)
        await screenshot(page, request, "2-may-change-after")
        await page.get_by_role("button", name="Onthouding").tap()  # and so it can
        await expect(page.locator("#vote-choice")).to_have_text("Uw stem: Onthouding")
        await expect(page.locator("#vote-status-text")).to_have_text("Uw stem is ontvangen")
        await expect(page.locator("#vote-change")).to_have_text(MAY_CHANGE)

        await page.get_by_role("button", name="Switch to English").tap()
        await expect(page.locator("#vote-change")).to_have_text(
            "You can change your vote until the ballot closes."
        )
    assert (await hall.ballot(changeable))["tally"]["abstain"] == 75
    assert watch.problems == []


async def test_a_two_thirds_majority_is_shown_and_a_simple_one_is_not(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    motion = await two_thirds_motion(hall)
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        await page.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0004']}")
        await hall.action(hall.seeded.ballot_ids[0], "open")
        await expect(page.locator("#ballot-title")).to_have_text("Jaarverslag")
        await expect(page.locator("#ballot-majority")).to_be_hidden()
        await hall.action(hall.seeded.ballot_ids[0], "close")

        await hall.action(motion, "open")
        await expect(page.locator("#ballot-title")).to_have_text(
            "Motie gezamenlijke inkoop van digitale diensten"
        )
        await expect(page.locator("#ballot-majority")).to_have_text("tweederde meerderheid vereist")
        await expect(page.locator("#ballot-preadvies")).to_have_text("Preadvies: ontraden")
        await expect(page.locator("#change-rule")).to_have_text(NO_CHANGE)
        await screenshot(page, request, "1-two-thirds")
        await page.get_by_role("button", name="Switch to English").tap()
        await expect(page.locator("#ballot-majority")).to_have_text("two-thirds majority required")
    assert watch.problems == []


async def test_a_test_ballots_receipt_promises_no_publication(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    real, test = hall.seeded.ballot_ids[0], hall.seeded.ballot_ids[2]
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        await page.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0003']}")
        await hall.action(test, "open")
        await expect(page.locator("#ballot-test")).to_be_visible()
        await page.get_by_role("button", name="Voor").tap()
        await expect(page.locator("#vote-receipt .receipt-code")).to_have_text(RECEIPT)
        await expect(page.locator("#vote-receipt .receipt-note")).to_have_text(NOT_PUBLISHED)
        await screenshot(page, request, "1-test-voted")
        await hall.action(test, "close")
        await expect(page.locator("#last-receipt .receipt-note")).to_have_text(NOT_PUBLISHED)
        await page.reload()  # the stored receipt knows its ballot was a test
        await expect(page.locator("#last-receipt .receipt-note")).to_have_text(NOT_PUBLISHED)
        await page.get_by_role("button", name="Switch to English").tap()
        await expect(page.locator("#last-receipt .receipt-note")).to_have_text(
            "Test vote: this vote does not count and is not in the voting record."
        )
        await page.get_by_role("button", name="Naar het Nederlands").tap()

        await hall.action(real, "open")
        await page.get_by_role("button", name="Voor").tap()
        await expect(page.locator("#vote-receipt .receipt-note")).to_have_text(PUBLISHED)
    assert watch.problems == []


async def test_a_ballot_voided_while_open_is_said_plainly_and_its_receipt_kept(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    ballot_id = hall.seeded.ballot_ids[0]
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        await page.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0002']}")
        await hall.action(ballot_id, "open")
        await page.get_by_role("button", name="Voor").tap()
        await expect(page.locator("#vote-receipt .receipt-code")).to_have_text(RECEIPT)
        receipt = await page.locator("#vote-receipt .receipt-code").text_content()

        await chair(hall, f"/api/ballots/{ballot_id}/void", {"reason": "storing in de zaal"})
        voided = page.locator("#voided")
        await expect(voided).to_be_visible()
        await expect(voided.locator(".voided-title")).to_have_text("Deze stemming is ongeldig verklaard")
        await expect(page.locator("#voided-ballot")).to_have_text("1 Jaarverslag")
        await expect(page.locator("#voided-reason")).to_have_text("Reden: storing in de zaal")
        await expect(page.locator("#last-receipt .receipt-code")).to_have_text(receipt or "?")
        await expect(page.locator("#last-receipt .receipt-choice")).to_have_text("Uw stem: Voor")
        # Not as a result: no result line, nothing adopted or rejected.
        await expect(page.locator("#last-ballot")).to_be_hidden()
        await expect(page.locator("#ballot")).to_be_hidden()
        await screenshot(page, request, "1-voided")

        await page.reload()  # the feed keeps the voided ballot as the last one
        await expect(page.locator("#voided-reason")).to_have_text("Reden: storing in de zaal")
        await expect(page.locator("#last-receipt .receipt-code")).to_have_text(receipt or "?")
        await page.get_by_role("button", name="Switch to English").tap()
        await expect(voided.locator(".voided-title")).to_have_text("This ballot has been declared void")
        await expect(page.locator("#voided-reason")).to_have_text("Reason: storing in de zaal")
    assert watch.problems == []


async def test_a_result_voided_after_its_close_is_withdrawn_on_the_handheld(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    """The handheld showed the result of the last ballot; the chair voids it (the next ballot has not
    opened yet): the handheld is told at once, without a reload."""
    watch = PageWatch()
    ballot_id = hall.seeded.ballot_ids[0]
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        await page.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0002']}")
        await hall.action(ballot_id, "open")
        await page.get_by_role("button", name="Voor").tap()
        await expect(page.locator("#vote-receipt .receipt-code")).to_have_text(RECEIPT)
        await hall.action(ballot_id, "close")
        await expect(page.locator("#last-ballot")).to_contain_text("aangenomen")
        await chair(hall, f"/api/ballots/{ballot_id}/void", {"reason": "verkeerde meerderheid"})
        await expect(page.locator("#voided-reason")).to_have_text("Reden: verkeerde meerderheid")
        await expect(page.locator("#last-ballot")).to_be_hidden()
        await screenshot(page, request, "1-withdrawn")
    assert watch.problems == []


COUNTDOWN = re.compile(r"^Nog (\d+) seconden?$")
OVER = "De stemming kan elk moment sluiten"

WATCH_COUNTDOWN = """() => {
    window.countdownSeen = [];
    const box = document.getElementById("countdown");
    new MutationObserver(() => window.countdownSeen.push(box.hidden ? null : box.textContent))
        .observe(box, { childList: true, characterData: true, subtree: true, attributes: true });
}"""


async def test_the_countdown_counts_down_to_may_close_at_any_moment(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    ballot_id = hall.seeded.ballot_ids[0]
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        await page.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0001']}")
        await hall.action(ballot_id, "open")
        countdown = page.locator("#countdown")
        await expect(page.locator("#ballot-title")).to_have_text("Jaarverslag")
        await expect(countdown).to_be_hidden()
        await page.evaluate(WATCH_COUNTDOWN)

        await chair(hall, f"/api/ballots/{ballot_id}/countdown", {"seconds": 30})
        await expect(countdown).to_have_text(COUNTDOWN)
        first = COUNTDOWN.match(await countdown.text_content() or "")
        assert first and 20 <= int(first[1]) <= 30, first
        await screenshot(page, request, "1-counting")
        # It counts down by itself, second by second.
        lower = "|".join(str(n) for n in range(int(first[1]) - 1, 0, -1))
        await expect(countdown).to_have_text(re.compile(rf"^Nog ({lower}) seconden?$"))

        await chair(hall, f"/api/ballots/{ballot_id}/countdown", {"seconds": 1})
        await expect(countdown).to_have_text(OVER)
        await expect(countdown).to_have_class(re.compile(r"\bover\b"))
        await screenshot(page, request, "2-any-moment")
        await page.get_by_role("button", name="Tegen").tap()  # still a vote
        await expect(page.locator("#vote-status-text")).to_have_text("Uw stem is ontvangen")
        await asyncio.sleep(2.5)  # well past the end: the page has redrawn several times since
        await expect(countdown).to_have_text(OVER)  # and never below zero

        await chair(hall, f"/api/ballots/{ballot_id}/countdown", {"seconds": 0})
        await expect(countdown).to_be_hidden()
        seen: list[str | None] = await page.evaluate("window.countdownSeen")
        shown = [text for text in seen if text is not None]
        assert shown and shown[-1] == OVER, seen
        numbers = [int(match[1]) for text in shown if (match := COUNTDOWN.match(text))]
        assert all(text == OVER or COUNTDOWN.match(text) for text in shown), shown
        assert all(n >= 1 for n in numbers), shown
        run = numbers[: numbers.index(1) + 1] if 1 in numbers else numbers
        assert run == sorted(run, reverse=True), shown  # down, never up, within the first run

        await chair(hall, f"/api/ballots/{ballot_id}/countdown", {"seconds": 45})
        await expect(countdown).to_have_text(COUNTDOWN)
        await page.get_by_role("button", name="Switch to English").tap()
        await expect(countdown).to_have_text(re.compile(r"^\d+ seconds left$"))
        await hall.action(ballot_id, "close")
        await expect(countdown).to_be_hidden()
    assert watch.problems == []


async def walk_the_new_states(
    hall: Hall, page: Page, request: pytest.FixtureRequest, size: str, *, axe: bool = False
) -> list[str]:
    """The states of this issue on one phone: a two-thirds motion without change, with the
    countdown; a ballot voided; the meeting closed. Layout problems, choices that cannot be seen
    or tapped and (with `axe`) axe's serious findings, one line each; a screenshot of each state."""
    motion = await two_thirds_motion(hall)
    problems: list[str] = []

    async def look(state: str) -> None:
        nonlocal problems
        problems += await layout_problems(page, f"{size}, {state}")
        if axe:
            problems += await axe_violations(page, f"{size}, {state}")

    await page.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0001']}")
    await expect(page.locator("#member-name")).to_have_text("Grootstad")
    await hall.action(motion, "open")
    await chair(hall, f"/api/ballots/{motion}/countdown", {"seconds": 30})
    await expect(page.locator("#countdown")).to_have_text(COUNTDOWN)
    await expect(page.locator("#change-rule")).to_be_visible()
    await look("motion open")
    problems += await choices_problems(page, f"{size}, motion open")
    await page.evaluate("window.scrollTo(0, 0)")
    await screenshot(page, request, f"{size}-1-open", full_page=True)
    await page.get_by_role("button", name="Voor").tap()
    await expect(page.locator("#vote-receipt")).to_be_visible()
    await look("voted")
    await chair(hall, f"/api/ballots/{motion}/void", {"reason": "de verkeerde meerderheid was ingesteld"})
    await expect(page.locator("#voided")).to_be_visible()
    await expect(page.locator("#last-receipt")).to_be_visible()
    await look("voided")
    await screenshot(page, request, f"{size}-2-voided", full_page=True)
    await close_meeting(hall)
    await expect(page.get_by_role("heading", name="De vergadering is gesloten")).to_be_visible()
    await look("closed")
    await screenshot(page, request, f"{size}-3-closed", full_page=True)
    return problems


async def test_the_new_states_fit_a_small_phone_and_pass_axe(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    async with open_page(browser, hall.server.base, watch, **SMALL_PHONE) as (_, page):
        problems = await walk_the_new_states(hall, page, request, "360x740", axe=True)
    assert not problems, "\n".join(problems)
    assert watch.problems == []


@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
async def test_the_new_states_work_with_large_text(hall: Hall, request: pytest.FixtureRequest) -> None:
    """200% text (the browser's setting) on a 360 px phone, as test_accessibility.py does."""
    watch = PageWatch()
    async with large_text_page(hall.server.base, watch, **SMALL_PHONE) as page:
        assert await page.evaluate("getComputedStyle(document.documentElement).fontSize") == "32px"
        problems = await walk_the_new_states(hall, page, request, "200pct")
    assert not problems, "\n".join(problems)
    assert watch.problems == []


IN_USE = "Deze stempas is in gebruik op een ander toestel; meld u bij de stembalie."


async def test_a_handheld_whose_pass_says_hello_elsewhere_says_so_and_stops(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    """SPEC 4.2 item 5 on the handheld: another device says hello with this handheld's pass; the
    server closes this one with 4409; the page says the pass is in use on another device and
    does not reconnect (which would take the pass back, and so on for ever)."""
    import websockets

    watch = PageWatch()
    ballot_id = hall.seeded.ballot_ids[0]
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        sockets = Sockets(page)
        await page.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0002']}")
        await hall.action(ballot_id, "open")
        await page.get_by_role("button", name="Voor").tap()
        await expect(page.locator("#vote-receipt .receipt-code")).to_have_text(RECEIPT)
        token = await local(page, "votehall.kiosk.pass")
        assert token and token.startswith("vhp_")
        seen = len(sockets.opened)

        async with websockets.connect(f"{hall.server.ws}/ws/kiosk") as other:
            await other.send(json.dumps({"type": "hello", "pass": token}))
            welcome = json.loads(await asyncio.wait_for(other.recv(), 10))
            assert (welcome["type"], welcome["vote"]) == ("welcome", "for")
            await expect(page.locator("#pair-notice")).to_have_text(IN_USE)
            await expect(page.locator("#ballot")).to_be_hidden()
            await screenshot(page, request, "1-in-use")
            assert await sockets.none_after(page, seen) == []
            await page.get_by_role("button", name="Switch to English").tap()
            await expect(page.locator("#pair-notice")).to_have_text(
                "This voting pass is in use on another device; please go to the registration desk."
            )
            # The other device keeps the pass: it was not taken back.
            assert (await asyncio.wait_for(other.ping(), 10)) is not None
            assert other.close_code is None
    assert watch.problems == []
