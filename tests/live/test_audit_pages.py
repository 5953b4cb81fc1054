"""The audit trail on the pages (issue 5 items 2, 3 and 5) in Debian's Chromium, against a real
server on SQLite and on PostgreSQL: the handheld's receipt, the log entry of each decision on the
chair's screen, and the chair closing and publishing the meeting. Every test leaves screenshots in
screenshots/ for a person to look at."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from server.audit.models import LogEntry, LogHead
from server.auth.roles import Role
from server.ballots.models import VoteEvent
from server.db import Database
from tests.live.chair_page import answer, dialog
from tests.live.conftest import Hall
from tests.live.pages_browser import (
    LAPTOP,
    PHONE,
    PageWatch,
    kiosk_vote,
    open_page,
    protocol_kiosks,
    screenshot,
)

# Generous waits for a loaded CI machine; nothing here asserts how long anything takes.
expect.set_options(timeout=20_000)

PHONE_OPTIONS = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
RECEIPTS_KEY = "votehall.kiosk.receipts"
TOKEN_LABEL = "Operatortoken (voorzitter of beheerder)"


async def stored_receipts(database: Database, ballot_id: int) -> list[str]:
    """The receipts the server gave for a ballot's votes, in the order it stored them."""
    async with database.transaction(readonly=True) as session:
        query = select(VoteEvent.receipt).where(VoteEvent.ballot_id == ballot_id).order_by(VoteEvent.id)
        return list((await session.scalars(query)).all())


async def log_entry(database: Database, chain: int, seq: int) -> tuple[str, str]:
    """(type, hash) of entry `seq` of a meeting's log."""
    async with database.transaction(readonly=True) as session:
        query = select(LogEntry.type, LogEntry.hash).where(LogEntry.chain == chain, LogEntry.seq == seq)
        row = (await session.execute(query)).one()
    return str(row.type), str(row.hash)


async def audit_log(hall: Hall, token: str | None = None) -> list[dict[str, object]]:
    """The meeting's log from the audit route, one entry a line."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=hall.server.base) as client:
        response = await client.get(f"/api/meetings/{hall.seeded.meeting_id}/audit", headers=headers)
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines() if line]


async def stored_acks(page: Page) -> dict[str, dict[str, str]]:
    saved: dict[str, dict[str, str]] = json.loads(
        await page.evaluate("key => localStorage.getItem(key) || '{}'", RECEIPTS_KEY)
    )
    return saved


def blocks(log_hash: str) -> str:
    """The hash as the chair's screen writes it: blocks of eight, for writing down."""
    return " ".join(log_hash[i : i + 8] for i in range(0, len(log_hash), 8))


async def sign_in_chair(page: Page, hall: Hall) -> None:
    await page.goto("/chair")
    await page.get_by_label(TOKEN_LABEL).fill(hall.seeded.tokens[Role.CHAIR])
    await page.get_by_role("button", name="Aanmelden").click()
    await expect(page.locator("#meeting-title")).to_have_text("ALV")


# The handheld's receipt


async def test_kiosk_receipt_is_the_start_of_its_log_entry_and_outlives_a_reload(
    hall: Hall, database: Database, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    ballot_id, motion_id, _ = hall.seeded.ballot_ids
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        await page.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0002']}")
        await expect(page.locator("#member-name")).to_have_text("Middenburg")
        await hall.action(ballot_id, "open")
        await expect(page.locator("#ballot-title")).to_have_text("Jaarverslag")
        box = page.locator("#vote-receipt")
        await expect(box).to_be_hidden()

        await page.get_by_role("button", name="Voor").tap()
        await expect(page.locator("#vote-status-text")).to_have_text("Uw stem is ontvangen")
        code = box.locator(".receipt-code")
        await expect(code).to_have_text(re.compile(r"^[0-9a-f]{10}$"))
        await expect(box.locator(".receipt-line")).to_have_text(
            re.compile(r"^\s*Bewijs van stemming:\s+[0-9a-f]{10}\s*$")
        )
        await expect(box.locator(".receipt-note")).to_have_text(
            "Terug te vinden in het gepubliceerde stemverslag"
        )
        # Monospace and no smaller than the text around it: it is copied onto paper.
        font = await code.evaluate(
            "e => [getComputedStyle(e).fontFamily, parseFloat(getComputedStyle(e).fontSize)]"
        )
        assert "mono" in font[0].lower() and font[1] >= 18, font
        await screenshot(page, request, "1-receipt")

        # The receipt is the hash of the vote's entry in the meeting's log.
        shown = await code.text_content()
        (receipt,) = await stored_receipts(database, ballot_id)
        assert shown == receipt[:10]
        entries = [e for e in await audit_log(hall, hall.seeded.tokens[Role.ADMIN]) if e["hash"] == receipt]
        assert len(entries) == 1 and entries[0]["type"] == "vote", entries
        # Kept with the ballot it belongs to, so that it can be named after the meeting closes.
        assert (await stored_acks(page)) == {
            str(ballot_id): {
                "choice": "for",
                "receipt": receipt,
                "agenda": "1",
                "title": "Jaarverslag",
                "test": False,
                "secret": False,
            }
        }

        # A reload (or a dropped connection): the welcome says the vote is still "for", so the
        # stored receipt is shown again.
        await page.reload()
        await expect(page.locator("#vote-status-text")).to_have_text("Uw stem is ontvangen")
        await expect(code).to_have_text(receipt[:10])

        await page.get_by_role("button", name="Switch to English").tap()
        await expect(box.locator(".receipt-line")).to_have_text(
            re.compile(rf"^\s*Receipt:\s+{receipt[:10]}\s*$")
        )
        await expect(box.locator(".receipt-note")).to_have_text(
            "Can be looked up in the published voting record"
        )
        await page.get_by_role("button", name="Naar het Nederlands").tap()

        # The ballot closes: the receipt stays with the last ballot, also after a reload.
        await hall.action(ballot_id, "close")
        last = page.locator("#last-receipt")
        await expect(page.get_by_role("heading", name="Er is geen stemming geopend")).to_be_visible()
        await expect(last.locator(".receipt-code")).to_have_text(receipt[:10])
        await expect(last.locator(".receipt-choice")).to_have_text("Uw stem: Voor")
        await page.reload()
        await expect(last.locator(".receipt-code")).to_have_text(receipt[:10])
        await screenshot(page, request, "2-closed")

        # A new ballot opens: the old receipt is gone from the screen and from the handheld.
        await hall.action(motion_id, "open")
        await expect(page.locator("#ballot-title")).to_have_text("Motie zonder wijzigen")
        await expect(box).to_be_hidden()
        await expect(last).to_be_hidden()
        assert await stored_acks(page) == {}
    assert watch.problems == []


async def test_kiosk_shows_no_receipt_for_a_vote_the_server_does_not_have(
    hall: Hall, database: Database, browser: Browser, request: pytest.FixtureRequest
) -> None:
    """A stored receipt is shown only while the server's welcome names the same choice: a receipt
    of any other vote would prove nothing."""
    watch = PageWatch()
    ballot_id = hall.seeded.ballot_ids[0]
    await hall.action(ballot_id, "open")
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        await page.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0001']}")
        await page.get_by_role("button", name="Tegen").tap()
        code = page.locator("#vote-receipt .receipt-code")
        await expect(code).to_have_text(re.compile(r"^[0-9a-f]{10}$"))

        # A changed vote gets a receipt of its own: the hash of its own entry.
        await page.get_by_role("button", name="Onthouding").tap()
        await expect(page.locator("#vote-choice")).to_have_text("Uw stem: Onthouding")
        await expect(page.locator("#vote-status-text")).to_have_text("Uw stem is ontvangen")
        await expect(page.locator("#vote-receipt")).to_be_visible()
        first, second = await stored_receipts(database, ballot_id)
        await expect(code).to_have_text(second[:10])
        assert first != second

        # The handheld's memory says "for", the server says "abstain": no receipt is shown.
        await page.evaluate(
            "([key, ballot]) => { const s = JSON.parse(localStorage.getItem(key));"
            " s[ballot].choice = 'for'; localStorage.setItem(key, JSON.stringify(s)); }",
            [RECEIPTS_KEY, str(ballot_id)],
        )
        await page.reload()
        await expect(page.locator("#vote-status-text")).to_have_text("Uw stem is ontvangen")
        await expect(page.locator("#vote-choice")).to_have_text("Uw stem: Onthouding")
        await expect(page.locator("#vote-receipt")).to_be_hidden()
        await screenshot(page, request, "1-no-receipt")
    assert watch.problems == []


# The chair: the log entry of each decision


async def test_chair_shows_the_log_entry_of_each_decision(
    hall: Hall, database: Database, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    ballot_id, motion_id, _ = hall.seeded.ballot_ids
    meeting_id = hall.seeded.meeting_id
    async with open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, page):
        await sign_in_chair(page, hall)
        item = page.locator(f'.ballot-item[data-ballot="{ballot_id}"]')
        await item.get_by_role("button", name="Openen").click()
        await expect(item.locator(".status")).to_have_text("Stemming geopend")
        await expect(page.locator(".log-line")).to_have_count(0)
        async with protocol_kiosks(hall, "GM0001", "GM0003") as (large, small):
            await kiosk_vote(large, ballot_id, "for", "log-1")
            await kiosk_vote(small, ballot_id, "against", "log-2")

        await item.get_by_role("button", name="Sluiten").click()
        await answer(page)
        await expect(item.locator(".status")).to_have_text("Stemming gesloten")
        result = (await hall.ballot(ballot_id))["result"]
        seq, log_hash = result["log_seq"], result["log_hash"]
        assert re.fullmatch(r"[0-9a-f]{64}", log_hash) and seq > 0
        label = f"Logboek bij sluiting: nr. {seq}, hash {blocks(log_hash)}"
        # In the list of ballots, and under the result in the live panel.
        await expect(item.locator(".log-line")).to_have_text(label)
        await expect(item.locator(".log-hash")).to_have_attribute("data-hash", log_hash)
        current = page.locator("#current-log")
        await expect(current.locator(".log-line")).to_have_text(label)
        shown = await current.locator(".log-hash").text_content()
        assert shown is not None and shown.replace(" ", "") == log_hash
        assert [len(block) for block in shown.split(" ")] == [8] * 8
        family = await current.locator(".log-hash").evaluate("e => getComputedStyle(e).fontFamily")
        assert "mono" in family.lower(), family
        await screenshot(page, request, "1-closed", full_page=True)

        # What the committee writes down is the closing entry of the log, and the log's head then.
        assert await log_entry(database, meeting_id, seq) == ("ballot_closed", log_hash)
        assert (await audit_log(hall, hall.seeded.tokens[Role.ADMIN]))[seq - 1]["hash"] == log_hash

        # A decision without a vote has its entry too; the list keeps every decision's.
        motion = page.locator(f'.ballot-item[data-ballot="{motion_id}"]')
        await motion.get_by_role("button", name="Bij acclamatie").click()
        asked = await answer(page)
        await expect(motion.locator(".item-result")).to_have_text("bij acclamatie aangenomen")
        acclaimed = (await hall.ballot(motion_id))["result"]
        assert acclaimed["log_seq"] > seq
        await expect(motion.locator(".log-hash")).to_have_attribute("data-hash", acclaimed["log_hash"])
        await expect(item.locator(".log-hash")).to_have_attribute("data-hash", log_hash)
        await expect(current.locator(".log-hash")).to_have_attribute("data-hash", acclaimed["log_hash"])
        async with database.transaction(readonly=True) as session:
            head = (
                await session.execute(select(LogHead.seq, LogHead.hash).where(LogHead.chain == meeting_id))
            ).one()
        assert (head.seq, head.hash) == (acclaimed["log_seq"], acclaimed["log_hash"])
        assert "„Motie zonder wijzigen” bij acclamatie aangenomen verklaren?" in asked, asked

        await page.get_by_role("button", name="Switch to English").click()
        await expect(item.locator(".log-line")).to_have_text(
            f"Log at close: no. {seq}, hash {blocks(log_hash)}"
        )
        await screenshot(page, request, "2-english", full_page=True)
    assert watch.problems == []


# The chair: closing and publishing the meeting


async def test_chair_closes_and_publishes_the_meeting(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    # The refused close (a ballot is still open), logged by the browser.
    watch = PageWatch("status of 409")
    ballot_id = hall.seeded.ballot_ids[0]
    meeting_id = hall.seeded.meeting_id
    base = f"/api/meetings/{meeting_id}"
    async with open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, page):
        await sign_in_chair(page, hall)
        panel = page.locator("#meeting-panel")
        await expect(panel.locator("#meeting-status")).to_have_text("De vergadering is geopend.")
        await expect(panel.get_by_role("button")).to_have_text(["Vergadering sluiten"])
        # Before publication the chair reads drafts with the token; the log is the admin's.
        links = panel.locator("#record-list a")
        await expect(panel.locator("#record-label")).to_have_text("Concept, alleen voor u (downloaden):")
        await expect(links).to_have_text(
            ["Stemverslag", "CSV", "PDF voor de notulen", "Word voor de notulen"]
        )
        async with page.expect_download() as downloading:
            await links.filter(has_text="Stemverslag").click()
        download = await downloading.value
        assert download.suggested_filename == f"stemverslag-{meeting_id}.html"
        draft = tmp_path / download.suggested_filename
        await download.save_as(draft)
        assert "ALV" in draft.read_text(encoding="utf-8")

        # A ballot is still open: the page says which, in Dutch. (With a ballot undecided the page
        # asks the server first, which names what stands in the way before anything is asked.)
        await hall.action(ballot_id, "open")
        await expect(page.locator(f'.ballot-item[data-ballot="{ballot_id}"] .status')).to_have_text(
            "Stemming geopend"
        )
        await panel.get_by_role("button", name="Vergadering sluiten").click()
        await expect(page.locator("#alert")).to_have_text(
            "Vergadering sluiten is niet gelukt: stemming 1 Jaarverslag is nog geopend; sluit die eerst."
        )
        await expect(dialog(page)).to_have_count(0)
        await hall.action(ballot_id, "close")

        await panel.get_by_role("button", name="Vergadering sluiten").click()
        asked = await answer(page)
        assert "2 Motie zonder wijzigen" in asked and "niet in stemming gebracht" in asked, asked
        await expect(panel.locator("#meeting-status")).to_have_text(
            "De vergadering is gesloten; het stemverslag is nog niet gepubliceerd."
        )
        await expect(panel.get_by_role("button")).to_have_text(["Publiceren"])
        await expect(page.locator("#alert")).to_be_hidden()
        # Nothing happens to the ballots of a closed meeting any more.
        await expect(page.locator(".item-actions button")).to_have_count(0)
        await expect(page.locator(f'.ballot-item[data-ballot="{ballot_id}"] .log-line')).to_have_count(1)
        async with httpx.AsyncClient(base_url=hall.server.base) as client:
            assert (await client.get(f"{base}/record.csv")).status_code == 403  # not public yet
        await screenshot(page, request, "1-closed", full_page=True)

        await panel.get_by_role("button", name="Publiceren").click()
        assert "Het stemverslag en het logboek van „ALV” openbaar maken?" in await answer(page)
        await expect(panel.locator("#meeting-status")).to_have_text(
            "De vergadering is gesloten en het stemverslag is gepubliceerd."
        )
        await expect(panel.get_by_role("button")).to_have_count(0)
        await expect(panel.locator("#record-label")).to_have_text("Openbaar:")
        await expect(links).to_have_text(
            ["Stemverslag", "CSV", "PDF voor de notulen", "Word voor de notulen", "Logboek"]
        )
        hrefs = [await link.get_attribute("href") for link in await links.all()]
        assert hrefs == [
            f"{base}/record.html", f"{base}/record.csv", f"{base}/results.pdf", f"{base}/results.docx",
            f"{base}/audit",
        ]  # fmt: skip
        # Plain links now: anyone may follow them, without a token.
        async with httpx.AsyncClient(base_url=hall.server.base) as client:
            for href in hrefs:
                assert (await client.get(href)).status_code == 200, href
        async with page.context.expect_page() as opening:
            await links.filter(has_text="Stemverslag").click()
        record = await opening.value
        await expect(record.locator("body")).to_contain_text("Jaarverslag")
        await record.close()
        await screenshot(page, request, "2-published", full_page=True)
        assert watch.problems == []

    # Another chair's tab learns from the meeting's published_at that it is published: no button
    # to publish again, the public links at once.
    second = PageWatch()
    async with open_page(browser, hall.server.base, second, viewport=LAPTOP) as (_, page):
        await sign_in_chair(page, hall)
        panel = page.locator("#meeting-panel")
        await expect(panel.locator("#meeting-status")).to_have_text(
            "De vergadering is gesloten en het stemverslag is gepubliceerd."
        )
        await expect(panel.get_by_role("button", name="Publiceren")).to_be_hidden()
        await expect(page.locator("#alert")).to_be_hidden()
        await expect(panel.locator("#record-list a")).to_have_count(5)
    assert second.problems == []
