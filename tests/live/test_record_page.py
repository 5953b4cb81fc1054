"""record.html in Chromium (issue 15 item 6): on a phone (390x844) the page never scrolls sideways,
the per-member table scrolls inside its own container and the member column stays where it is;
at 1280 px the page fits as well. The page is served with the headers the server gives it, so its
Content-Security-Policy must allow its one style block (a blocked style is a console error)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from playwright.async_api import Page, Route

from server.record.listing import Decision, PublishedMeeting
from server.record.page import (
    CONTENT_SECURITY_POLICY,
    LISTING_CONTENT_SECURITY_POLICY,
    listing_html,
    record_html,
)
from tests.live.a11y import axe_violations
from tests.live.pages_browser import PHONE, PageWatch, chromium, open_page, screenshot
from tests.record.samples import sample_record

BASE = "http://votehall.test"
URL = f"{BASE}/api/meetings/1/record.html"


async def _serve(
    page: Page, url: str = URL, body: str | None = None, policy: str = CONTENT_SECURITY_POLICY
) -> None:
    """Answer `url` with `body` (the sample record's page) and the headers the server gives it."""
    html = record_html(sample_record(60)) if body is None else body

    async def answer(route: Route) -> None:
        await route.fulfill(
            status=200,
            body=html,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": policy},
        )

    await page.route(url, answer)


async def _geometry(page: Page) -> dict[str, Any]:
    geometry: dict[str, Any] = await page.evaluate(
        """() => {
        const box = document.querySelector('.scroll');
        const member = box.querySelector('tbody tr th.member');
        const vote = box.querySelector('tbody tr td:last-child');
        return {
            pageWidth: document.documentElement.scrollWidth,
            boxScroll: box.scrollWidth, boxWidth: box.clientWidth, boxLeft: box.scrollLeft,
            memberX: member.getBoundingClientRect().x, voteX: vote.getBoundingClientRect().x,
            position: getComputedStyle(member).position,
        };
    }"""
    )
    return geometry


async def test_on_a_phone_only_the_table_scrolls_sideways_and_the_members_stay(
    request: pytest.FixtureRequest,
) -> None:
    watch = PageWatch()
    async with chromium() as browser, open_page(browser, BASE, watch, viewport=PHONE) as (_, page):
        await _serve(page)
        await page.goto(URL)
        before = await _geometry(page)
        assert before["position"] == "sticky", before  # the style block ran under the CSP
        assert before["pageWidth"] <= PHONE["width"], before
        assert before["boxScroll"] > before["boxWidth"], before  # the table is wider than its box

        await page.locator(".scroll").evaluate("box => { box.scrollLeft = 400; }")
        after = await _geometry(page)
        assert after["boxLeft"] >= 400, after
        assert after["memberX"] == before["memberX"], (before, after)  # the member column stays
        assert after["voteX"] < before["voteX"] - 300, (before, after)  # the votes moved under it
        assert (await _geometry(page))["pageWidth"] <= PHONE["width"]
        # Down the table the header row stays: one still sees which column is which ballot.
        header = page.locator(".scroll thead th").nth(2)
        top = (await header.bounding_box() or {})["y"]
        await page.locator(".scroll").evaluate("box => { box.scrollTop = 600; }")
        assert await page.locator(".scroll").evaluate("box => box.scrollTop") >= 600
        assert (await header.bounding_box() or {})["y"] == top
        await screenshot(page, request, "phone-scrolled")
        assert watch.problems == []


async def test_at_1280_px_the_page_fits() -> None:
    watch = PageWatch()
    async with (
        chromium() as browser,
        open_page(browser, BASE, watch, viewport={"width": 1280, "height": 900}) as (
            _,
            page,
        ),
    ):
        await _serve(page)
        await page.goto(URL)
        geometry = await _geometry(page)
        assert geometry["pageWidth"] <= 1280, geometry
        assert watch.problems == []


async def test_the_record_passes_axe_on_a_phone_and_a_laptop(request: pytest.FixtureRequest) -> None:
    """Nothing serious or critical (axe-core) on the record page, as on every other page."""
    violations: list[str] = []
    watch = PageWatch()
    async with chromium() as browser:
        for name, viewport in (("phone", PHONE), ("laptop", {"width": 1280, "height": 900})):
            async with open_page(browser, BASE, watch, viewport=viewport) as (_, page):
                await _serve(page)
                await page.goto(URL)
                violations += await axe_violations(page, f"record.html, {name}")
    assert not violations, "\n".join(violations)
    assert watch.problems == []


async def test_the_list_of_published_records_passes_axe(request: pytest.FixtureRequest) -> None:
    """/uitslagen, the page the association's website links to or embeds: nothing serious or
    critical on a phone or a laptop, and the phone's page does not scroll sideways."""
    decisions = (
        Decision(1, "2", "Benoeming van de notulencommissie ALV 18 juni 2025", "voorstel", "adopted",
                 "aangenomen met 91,51% van de stemmen", "91.51"),
        Decision(2, "12", "Lid VNG-bestuur", "benoeming", "elected",
                 "gekozen: Femke Dijkstra met 53,57% van de stemmen", None),
    )  # fmt: skip
    meetings = [
        PublishedMeeting(1, "Algemene Ledenvergadering VNG", date(2025, 6, 18), "Klokgebouw, Eindhoven",
                         datetime(2025, 6, 19, 9, 0, tzinfo=UTC), decisions)
    ]  # fmt: skip
    body = listing_html(meetings)
    violations: list[str] = []
    watch = PageWatch()
    async with chromium() as browser:
        for name, viewport in (("phone", PHONE), ("laptop", {"width": 1280, "height": 900})):
            async with open_page(browser, BASE, watch, viewport=viewport) as (_, page):
                await _serve(page, f"{BASE}/uitslagen", body, LISTING_CONTENT_SECURITY_POLICY)
                await page.goto(f"{BASE}/uitslagen")
                violations += await axe_violations(page, f"/uitslagen, {name}")
                width = await page.evaluate("document.documentElement.scrollWidth")
                assert width <= viewport["width"], (name, width)
                await screenshot(page, request, f"uitslagen-{name}")
    assert not violations, "\n".join(violations)
    assert watch.problems == []
