"""The handheld `/kiosk` on a secret election (issue 14 item 3) in Debian's Chromium on a phone,
against a real server on SQLite and on PostgreSQL: the candidates as large targets, the note
that the vote is secret, the vote and its change with one secret, the receipt of taking part,
the own-vote check as text and as a QR code, and, on a handheld that lost its secret, the
notice before the first tap that the vote cannot be changed there. The check code then finds
all of the member's units with `votehall verify --secret`. Screenshots in screenshots/."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from server.audit.verify import main as verify
from server.auth.roles import Role
from tests.live.a11y import axe_violations
from tests.live.pages_browser import PageWatch, open_page, screenshot
from tests.live.secret_hall import SecretHall, bearer, secret_hall  # noqa: F401 - the fixture
from tests.live.test_pages import PHONE_OPTIONS

expect.set_options(timeout=20_000)

CANDIDATES = [
    {"name": "Anna Alfa", "note": "wethouder, Aa en Hunze"},
    {"name": "Bert Beta", "note": "burgemeester, Beekdaelen"},
    {"name": "Cees Gamma"},
]
SECRET_NOTE = "Geheime stemming: niemand ziet wat u kiest, ook de organisatie niet."
LOST = "dit toestel kent de geheime sleutel van die stem niet"
CHECK = re.compile(r"^VH1:(\d+):GM0001:([0-9a-f]{64})$")


async def test_a_secret_election_on_the_handheld(
    secret_hall: SecretHall,  # noqa: F811 - the fixture imported above
    browser: Browser,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    hall = secret_hall
    created = await hall.post(
        f"/api/meetings/{hall.seeded.meeting_id}/ballots",
        agenda="4", title="Lid dagelijks bestuur", kind="benoeming", secret=True, candidates=CANDIDATES,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    ballot = created.json()
    anna, bert, _ = (c["id"] for c in ballot["candidates"])
    watch = PageWatch()
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        await page.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0001']}")
        await expect(page.locator("#member-name")).not_to_be_empty()
        opened = await hall.post(f"/api/ballots/{ballot['id']}/open", override_order=True)
        assert opened.status_code == 200, opened.text

        await expect(page.locator("#ballot-title")).to_have_text("Lid dagelijks bestuur")
        await expect(page.locator("#secret-note")).to_contain_text(SECRET_NOTE)
        # The candidates as large targets, with their notes; voor and tegen step aside.
        for candidate in CANDIDATES:
            await expect(page.get_by_role("button", name=re.compile(candidate["name"]))).to_be_visible()
        await expect(page.get_by_role("button", name="Voor")).to_be_hidden()
        await expect(page.get_by_role("button", name="Onthouding")).to_be_visible()
        target = await page.get_by_role("button", name=re.compile("Bert Beta")).bounding_box()
        assert target is not None and target["height"] >= 88 and target["width"] >= 300
        await expect(page.locator("#secret-lost")).to_be_hidden()
        await screenshot(page, request, "1-candidates")
        assert await axe_violations(page, "secret election, open") == []

        await page.get_by_role("button", name=re.compile("Bert Beta")).tap()
        await expect(page.locator("#vote-status-text")).to_have_text("Uw stem is ontvangen")
        await expect(page.locator("#vote-choice")).to_have_text("Uw stem: Bert Beta")
        await expect(page.locator("#vote-receipt .receipt-label")).to_have_text("Bewijs van deelname:")
        check = page.locator("#vote-secret-check")
        await expect(check).to_be_visible()
        await check.locator("summary").tap()
        text = await check.locator(".secret-check-text").text_content()
        assert text is not None and (found := CHECK.match(text)) and int(found[1]) == ballot["id"]
        await expect(check.locator(".secret-check-qr svg")).to_be_visible()
        await expect(check.locator(".secret-check-help")).to_contain_text("75 stemmen")
        await screenshot(page, request, "2-check-code", full_page=True)

        # A change of vote goes with the same secret: the check code stays.
        await page.get_by_role("button", name=re.compile("Anna Alfa")).tap()
        await expect(page.locator("#vote-choice")).to_have_text("Uw stem: Anna Alfa")
        await expect(page.locator("#vote-status-text")).to_have_text("Uw stem is ontvangen")
        assert await check.locator(".secret-check-text").text_content() == text

        # This handheld loses its secret (storage cleared, as on another device): it says, before
        # the first tap, that the vote counts and cannot be changed here, and the buttons are off.
        await page.evaluate("localStorage.removeItem('votehall.kiosk.secrets')")
        await page.reload()
        await expect(page.locator("#secret-lost")).to_contain_text(LOST)
        await expect(page.get_by_role("button", name=re.compile("Bert Beta"))).to_be_disabled()
        await expect(page.locator("#vote-status-text")).to_have_text("Uw stem is ontvangen")
        await screenshot(page, request, "3-secret-lost")

    closed = await hall.post(f"/api/ballots/{ballot['id']}/close")
    assert closed.status_code == 200, closed.text
    assert {c["id"]: c["votes"] for c in closed.json()["result"]["election"]["candidates"]}[anna] == 75
    assert {c["id"]: c["votes"] for c in closed.json()["result"]["election"]["candidates"]}[bert] == 0
    # The code the handheld showed finds all 75 units of its vote, for Anna Alfa.
    async with hall.client() as client:
        log = await client.get(
            f"/api/meetings/{hall.seeded.meeting_id}/audit", headers=bearer(hall.seeded, Role.ADMIN)
        )
    path = tmp_path / "audit.ndjson"
    path.write_text(log.text, encoding="utf-8")
    out = io.StringIO()
    assert verify([str(path), "--secret", text], out=out, err=io.StringIO()) == 0, out.getvalue()
    assert "Anna Alfa" in out.getvalue() and "75" in out.getvalue()
    assert watch.problems == []
