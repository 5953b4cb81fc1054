"""The registration desk's corrections (issue 12 item 7) in Debian's Chromium, against a real
server on SQLite and on PostgreSQL: *Uitchecken* asks first, naming the member and the
representative (and a scanner's Enter never says yes for the clerk); a pass whose handheld paired
says "gekoppeld"; and on the desk's laptop (1366x768) the pairing code and *Volgende* are on the
screen after a check-in without scrolling. Every test leaves screenshots in screenshots/."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Browser, Dialog, Locator, Page, expect

from server.auth.roles import Role
from tests.live.conftest import Hall
from tests.live.pages_browser import PageWatch, open_page, screenshot
from tests.live.test_desk_page import PAIRING_CODE, fill_representative, issue_cards, row, scan, sign_in

# Generous waits for a loaded CI machine; nothing here asserts how long anything takes.
expect.set_options(timeout=20_000)

DESK_LAPTOP = {"width": 1366, "height": 768}  # the commonest laptop screen at a registration desk


async def on_screen(page: Page, locator: Locator) -> tuple[bool, dict[str, float]]:
    """Whether the element lies wholly inside the viewport as the page is now (not scrolled to)."""
    box = await locator.bounding_box()
    assert box is not None
    viewport = page.viewport_size
    assert viewport is not None
    inside = (
        box["x"] >= -0.5
        and box["y"] >= -0.5
        and box["x"] + box["width"] <= viewport["width"] + 0.5
        and box["y"] + box["height"] <= viewport["height"] + 0.5
    )
    return inside, box


async def test_checking_out_asks_first_and_a_scanners_enter_does_not_confirm(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    async with open_page(browser, hall.server.base, watch, viewport=DESK_LAPTOP) as (_, page):
        native: list[str] = []

        async def refuse(dialog: Dialog) -> None:  # the desk asks in the page, not in a browser box
            native.append(dialog.message)
            await dialog.dismiss()

        page.on("dialog", refuse)
        await sign_in(page, hall)
        middenburg = row(page, "GM0002")
        dialog = page.get_by_role("dialog")

        await middenburg.get_by_role("button", name="Uitchecken").click()
        await expect(dialog).to_be_visible()
        await expect(dialog.get_by_role("heading")).to_have_text("Middenburg uitchecken?")
        await expect(dialog).to_contain_text("Vertegenwoordiger GM0002 (burgemeester)")
        await expect(dialog).to_contain_text("42 stemmen")
        # The safe answer has the focus: the next card scanned (its code and Enter) cancels.
        await expect(dialog.get_by_role("button", name="Annuleren")).to_be_focused()
        await screenshot(page, request, "1-asked")
        await page.keyboard.type("GM0003XXXXXXXX")
        await page.keyboard.press("Enter")
        await expect(dialog).to_be_hidden()
        await expect(middenburg.locator(".pass-status")).to_have_text("aanwezig")
        await expect(page.locator("#scan")).to_be_focused()

        # Cancelled with the button: still present, here and on the server.
        await middenburg.get_by_role("button", name="Uitchecken").click()
        await dialog.get_by_role("button", name="Annuleren").click()
        await expect(dialog).to_be_hidden()
        await expect(middenburg.locator(".pass-status")).to_have_text("aanwezig")
        await expect(page.locator("#presence-count")).to_have_text("4 van 5 leden, 193 van 205 stemmen")
        assert await pass_status(hall, "GM0002") == "active"

        # Escape cancels too.
        await middenburg.get_by_role("button", name="Uitchecken").click()
        await expect(dialog).to_be_visible()
        await page.keyboard.press("Escape")
        await expect(dialog).to_be_hidden()
        assert await pass_status(hall, "GM0002") == "active"

        # Confirmed: checked out.
        await middenburg.get_by_role("button", name="Uitchecken").click()
        await dialog.get_by_role("button", name="Uitchecken").click()
        await expect(dialog).to_be_hidden()
        out = row(page, "GM0002", "checked_out")
        await expect(out.locator(".pass-status")).to_have_text("uitgecheckt")
        await expect(page.locator("#info")).to_have_text("Middenburg is uitgecheckt.")
        await expect(page.locator("#presence-count")).to_have_text("3 van 5 leden, 151 van 205 stemmen")
        await expect(page.locator("#scan")).to_be_focused()
        assert await pass_status(hall, "GM0002") == "checked_out"
        await screenshot(page, request, "2-checked-out")

        # Revoking asks in the same way, in English too.
        await page.get_by_role("button", name="Switch to English").click()
        await row(page, "GM0004").get_by_role("button", name="Revoke").click()
        await expect(dialog.get_by_role("heading")).to_have_text("Revoke the voting pass of Randmeer?")
        await expect(dialog).to_contain_text("Vertegenwoordiger GM0004 (mayor)")
        await screenshot(page, request, "3-revoke-english")
        await dialog.get_by_role("button", name="Revoke").click()
        await expect(row(page, "GM0004", "revoked").locator(".pass-status")).to_have_text("revoked")
        assert await pass_status(hall, "GM0004") == "revoked"
        assert native == []
    assert watch.problems == []


async def pass_status(hall: Hall, member: str) -> str:
    """The pass's status as the server has it (the desk's own list may lag)."""
    headers = {"Authorization": f"Bearer {hall.seeded.tokens[Role.DESK]}"}
    async with httpx.AsyncClient(base_url=hall.server.base) as client:
        passes = (await client.get(f"/api/meetings/{hall.seeded.meeting_id}/passes", headers=headers)).json()
    pass_id = hall.seeded.pass_ids[member]
    return str(next(p["status"] for p in passes if p["pass_id"] == pass_id))


async def test_a_pass_whose_handheld_paired_says_gekoppeld(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    async with open_page(browser, hall.server.base, watch, viewport=DESK_LAPTOP) as (_, page):
        await sign_in(page, hall)
        kleindorp = row(page, "GM0003")
        await expect(kleindorp.locator(".pass-pairing")).to_have_text("nog niet gekoppeld")
        async with httpx.AsyncClient(base_url=hall.server.base) as client:
            paired = await client.post(
                "/api/kiosk/pair", json={"pairing_code": hall.seeded.pairing_codes["GM0003"]}
            )
        assert paired.status_code == 200, paired.text
        # Without a reload: the feed moved on, the desk looks again.
        await expect(kleindorp.locator(".pass-pairing")).to_have_text("gekoppeld")
        await expect(kleindorp.locator(".pass-pairing")).to_have_class(re.compile(r"\bpass-paired\b"))
        await expect(row(page, "GM0001").locator(".pass-pairing")).to_have_text("nog niet gekoppeld")
        await screenshot(page, request, "1-paired")
        await page.get_by_role("button", name="Switch to English").click()
        await expect(kleindorp.locator(".pass-pairing")).to_have_text("paired")
    assert watch.problems == []


async def test_after_a_check_in_the_code_and_next_are_on_a_laptop_screen(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    cards = await issue_cards(hall)
    async with open_page(browser, hall.server.base, watch, viewport=DESK_LAPTOP) as (_, page):
        await sign_in(page, hall)
        await scan(page, cards["GM0005"])
        await fill_representative(page, "Anna de Vries", "wethouder")
        await page.get_by_label("Naam", exact=True).press("Enter")
        await expect(page.locator("#pairing-code")).to_have_text(PAIRING_CODE)
        await expect(page.locator("#pairing-qr svg")).to_be_visible()
        await screenshot(page, request, "1-pairing")

        assert await page.evaluate("window.scrollY") == 0
        problems = []
        for what in ("#pairing-code", "#next", "#pairing-qr svg", "#pairing-who"):
            inside, box = await on_screen(page, page.locator(what))
            if not inside:
                problems.append(f"{what} is not on the screen without scrolling: {box}")
        # Still a QR code a phone reads at arm's length.
        qr = await page.locator("#pairing-qr svg").bounding_box()
        assert qr is not None and qr["width"] >= 300 and qr["height"] >= 300, qr
        assert not problems, "\n".join(problems)
    assert watch.problems == []
