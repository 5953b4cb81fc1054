"""The end of the meeting across the hall (SPEC 2.11, issue 12 acceptance): the chair closes the
meeting on /chair with a ballot still undecided, while a handheld is connected and the hall screen
and the overlay are up. The chair's confirmation names the undecided ballot; the handheld says the
meeting is closed and keeps its receipt; the hall screen and the overlay show the closed meeting
with all its decisions, the undecided ballot as "niet in stemming gebracht"; the chair sees the
closing hash, which is the meeting's closing entry in the event log."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.live.chair_page import answer, sign_in
from tests.live.conftest import Hall
from tests.live.pages_browser import PageWatch, open_page, screenshot
from tests.live.test_handheld_corrections import shows_the_closed_meeting
from tests.live.test_pages import PHONE_OPTIONS, RECEIPT

expect.set_options(timeout=20_000)

LAPTOP = {"width": 1366, "height": 768}
HALL = {"width": 1920, "height": 1080}


async def test_the_chair_closes_the_meeting_and_the_whole_hall_is_told(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch("status of 409")  # the first close answers 409 undecided_ballots, as it should
    first, motion, _test = hall.seeded.ballot_ids
    async with (
        open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, phone),
        open_page(browser, hall.server.base, watch, viewport=HALL) as (_, display),
        open_page(browser, hall.server.base, watch, viewport=HALL) as (_, overlay),
        open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, chair),
    ):
        await phone.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0002']}")
        await display.goto("/display")
        await overlay.goto("/display/overlay?panel=full")
        await sign_in(chair, hall)

        await hall.action(first, "open")
        await phone.get_by_role("button", name="Voor").tap()
        receipt_box = phone.locator("#vote-receipt .receipt-code")
        await expect(receipt_box).to_have_text(RECEIPT)
        receipt = await receipt_box.text_content()
        assert receipt
        closed_ballot = await hall.action(first, "close")
        minutes = closed_ballot["result"]["minutes"]

        # The motion was never put to the vote: the chair is told before the meeting closes.
        await chair.get_by_role("button", name="Vergadering sluiten").click()
        question = await answer(chair)
        assert "2 Motie zonder wijzigen" in question, question
        assert str(motion) not in question.replace("2 Motie", "")  # agenda numbers, never ids

        await shows_the_closed_meeting(phone, receipt)
        await screenshot(phone, request, "kiosk-closed")
        for page in (display, overlay):
            await expect(page.locator(".closed-title")).to_have_text("Vergadering gesloten")
            await expect(page.locator(f'.decision[data-ballot="{first}"] .decision-outcome')).to_have_text(
                minutes
            )
            await expect(page.locator(f'.decision[data-ballot="{motion}"] .decision-outcome')).to_have_text(
                "niet in stemming gebracht"
            )
        await screenshot(display, request, "display-closed")

        async with httpx.AsyncClient(base_url=hall.server.base) as client:
            meeting = (
                await client.get(f"/api/meetings/{hall.seeded.meeting_id}", headers=hall.chair())
            ).json()
            feed = (await client.get("/api/feed")).json()
        assert meeting["status"] == "closed" and feed["meeting"]["status"] == "closed"
        await expect(chair.locator("#close-hash")).to_have_attribute("data-hash", meeting["close_hash"])
        await screenshot(chair, request, "chair-closed")
    assert watch.problems == []
