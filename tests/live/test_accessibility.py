"""Accessibility of the pages (issue 7 part 2) in Debian's Chromium: axe-core finds nothing serious
or critical on the handheld in any of its states, nor on the hall screen, the overlay, the desk
and the chair, nor even anything moderate on the start page (`/`); the handheld works at 200% text on the smallest phone; and its choices say what
they are in colour and in words. Every state leaves a screenshot in screenshots/.

What is checked here is how the pages are drawn, not how votes are stored, so these tests run on
SQLite only: test_pages.py and test_desk_page.py drive the same pages on PostgreSQL too.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from server.auth.roles import Role
from tests.live.a11y import BLOCKING, axe_violations, contrast, large_text_page, layout_problems
from tests.live.conftest import Hall
from tests.live.pages_browser import HALL_SCREEN, LAPTOP, PageWatch, open_page, screenshot
from tests.live.test_desk_page import fill_representative, issue_cards, scan, sign_in
from tests.live.test_pages import PHONE_OPTIONS

pytestmark = pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)

# Generous waits for a loaded CI machine; nothing here asserts how long anything takes.
expect.set_options(timeout=20_000)

# The narrowest phone in use (iPhone SE, first generation), the reference width of WCAG 1.4.10.
SMALL_PHONE = {"width": 320, "height": 568}
# The smallest target a finger hits reliably (WCAG 2.5.5, Apple and Google guidelines agree).
TARGET = 44
CHOICES = {"nl": ["Voor", "Tegen", "Onthouding"], "en": ["For", "Against", "Abstain"]}


async def assert_choices_have_colour_and_text(page: Page, labels: list[str]) -> None:
    """Each choice shows its word, the three differ in colour, and the word reads on its colour."""
    choices = page.locator(".choice")
    await expect(choices.locator("[data-i18n]")).to_have_text(labels)
    for label in labels:
        await expect(page.get_by_role("button", name=label, exact=True)).to_be_visible()
    seen = await choices.evaluate_all(
        """buttons => buttons.map(b => {
            const style = getComputedStyle(b);
            const word = getComputedStyle(b.querySelector("[data-i18n]"));
            return { background: style.backgroundColor, ink: word.color, opacity: style.opacity,
                     disabled: b.disabled };
        })"""
    )
    backgrounds = [choice["background"] for choice in seen]
    assert len(set(backgrounds)) == 3, f"the choices must differ in colour, not only in words: {seen}"
    for label, choice in zip(labels, seen, strict=True):
        if choice["disabled"]:
            continue  # a locked choice (no change of vote allowed) may step back
        # A dimmed button (opacity) would blend its word into the page: enabled ones never are.
        assert choice["opacity"] == "1", (label, choice)
        ratio = contrast(choice["ink"], choice["background"])
        assert ratio >= 4.5, f"{label}: {choice['ink']} on {choice['background']} is {ratio:.2f}:1"


async def test_kiosk_passes_axe_in_every_state(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch("status of 404")  # the unknown pairing code's answer, logged by the browser
    ballot_id = hall.seeded.ballot_ids[0]
    violations: list[str] = []
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        await page.goto("/kiosk")
        await expect(page.get_by_label("Koppelcode")).to_be_visible()
        violations += await axe_violations(page, "pairing")
        await screenshot(page, request, "1-pairing")

        await page.get_by_label("Koppelcode").fill("ZZZZZ-ZZZZZ")
        await page.get_by_role("button", name="Koppelen").tap()
        await expect(page.locator("#pair-error")).to_be_visible()
        violations += await axe_violations(page, "pairing refused")

        await page.get_by_label("Koppelcode").fill(hall.seeded.pairing_codes["GM0002"])
        await page.get_by_role("button", name="Koppelen").tap()
        await expect(page.get_by_role("heading", name="Er is geen stemming geopend")).to_be_visible()
        violations += await axe_violations(page, "waiting for a ballot")
        await screenshot(page, request, "2-waiting")

        await hall.action(ballot_id, "open")
        await expect(page.locator("#ballot-title")).to_have_text("Jaarverslag")
        violations += await axe_violations(page, "ballot open")
        await assert_choices_have_colour_and_text(page, CHOICES["nl"])
        await screenshot(page, request, "3-open")

        await page.get_by_role("button", name="Voor").tap()
        await expect(page.locator("#vote-status-text")).to_have_text("Uw stem is ontvangen")
        violations += await axe_violations(page, "vote acknowledged")
        await assert_choices_have_colour_and_text(page, CHOICES["nl"])
        await screenshot(page, request, "4-voted")

        await page.get_by_role("button", name="Switch to English").tap()
        await expect(page.locator("#vote-status-text")).to_have_text("Your vote has been received")
        violations += await axe_violations(page, "English")
        await assert_choices_have_colour_and_text(page, CHOICES["en"])
        await screenshot(page, request, "5-english")

        await hall.action(ballot_id, "close")
        await expect(page.locator("#last-receipt")).to_be_visible()
        violations += await axe_violations(page, "ballot closed, receipt shown")
        await screenshot(page, request, "6-closed")
    assert not violations, "\n".join(violations)
    assert watch.problems == []


async def choices_problems(page: Page, state: str) -> list[str]:
    """Whatever keeps a choice from being seen or tapped: each button must lie wholly on the screen
    once scrolled to, be a finger's size, hold its word inside it, and take a tap (Playwright's
    trial tap: visible, stable, enabled and not covered by anything)."""
    viewport = page.viewport_size
    assert viewport is not None
    problems = []
    for button in await page.locator(".choice").all():
        await button.scroll_into_view_if_needed()
        box = await button.bounding_box()
        word = await button.locator("[data-i18n]").bounding_box()
        assert box is not None and word is not None
        name = f"{state}: the choice {await button.text_content()!r}"
        # Half a pixel either way: a box scrolled into view may end on a fraction of one.
        if box["x"] < -0.5 or box["x"] + box["width"] > viewport["width"] + 0.5:
            problems.append(f"{name} sticks out sideways: {box}")
        if box["y"] < -0.5 or box["y"] + box["height"] > viewport["height"] + 0.5:
            problems.append(f"{name} does not fit on the screen: {box}")
        if box["width"] < TARGET or box["height"] < TARGET:
            problems.append(f"{name} is smaller than a finger: {box}")
        inside_x = box["x"] <= word["x"] and word["x"] + word["width"] <= box["x"] + box["width"]
        inside_y = box["y"] <= word["y"] and word["y"] + word["height"] <= box["y"] + box["height"]
        if not (inside_x and inside_y):
            problems.append(f"{name} has its word outside the button: {word} in {box}")
        await button.tap(trial=True)
    return problems


async def test_kiosk_works_with_large_text_on_a_small_phone(
    hall: Hall, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    ballot_id = hall.seeded.ballot_ids[0]
    options = {**PHONE_OPTIONS, "viewport": SMALL_PHONE}
    problems: list[str] = []
    async with large_text_page(hall.server.base, watch, **options) as page:
        await page.goto("/kiosk")
        await expect(page.get_by_label("Koppelcode")).to_be_visible()
        # The page follows the setting: its sizes are in rem, never a fixed root size.
        assert await page.evaluate("getComputedStyle(document.documentElement).fontSize") == "32px"
        problems += await layout_problems(page, "pairing")
        await screenshot(page, request, "1-pairing", full_page=True)

        await page.get_by_label("Koppelcode").fill(hall.seeded.pairing_codes["GM0001"])
        await page.get_by_role("button", name="Koppelen").tap()
        await expect(page.locator("#member-name")).to_have_text("Grootstad")
        await expect(page.locator("#no-ballot")).to_be_visible()
        problems += await layout_problems(page, "waiting")
        await screenshot(page, request, "2-waiting", full_page=True)

        await hall.action(ballot_id, "open")
        await expect(page.locator("#ballot-title")).to_have_text("Jaarverslag")
        problems += await layout_problems(page, "ballot open")
        problems += await choices_problems(page, "ballot open")
        await screenshot(page, request, "3-open", full_page=True)

        await page.get_by_role("button", name="Onthouding").tap()
        await expect(page.locator("#vote-status-text")).to_have_text("Uw stem is ontvangen")
        await expect(page.locator("#vote-receipt")).to_be_visible()
        problems += await layout_problems(page, "voted")
        problems += await choices_problems(page, "voted")
        await screenshot(page, request, "4-voted", full_page=True)

        await page.get_by_role("button", name="Switch to English").tap()
        await expect(page.locator(".choice [data-i18n]")).to_have_text(CHOICES["en"])
        problems += await layout_problems(page, "English")
        problems += await choices_problems(page, "English")
        await screenshot(page, request, "5-english", full_page=True)

    assert not problems, "\n".join(problems)
    tally = (await hall.ballot(ballot_id))["tally"]
    assert (tally["abstain"], tally["members_voted"]) == (75, 1)
    assert watch.problems == []


async def test_hall_desk_and_chair_pass_axe(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    ballot_id = hall.seeded.ballot_ids[0]
    cards = await issue_cards(hall)
    violations: list[str] = []
    await hall.action(ballot_id, "open")
    async with (
        open_page(browser, hall.server.base, watch, viewport=HALL_SCREEN) as (_, display),
        open_page(browser, hall.server.base, watch, viewport=HALL_SCREEN) as (_, overlay),
    ):
        await display.goto("/display")
        await overlay.goto("/display/overlay")
        for page in (display, overlay):
            await expect(page.locator(".progress-line")).to_be_visible()
        violations += await axe_violations(display, "display, ballot open")
        violations += await axe_violations(overlay, "overlay, ballot open")

        await hall.action(ballot_id, "close")
        for page in (display, overlay):
            await expect(page.locator(".outcome")).to_be_visible()
        violations += await axe_violations(display, "display, result")
        violations += await axe_violations(overlay, "overlay, result")

    async with open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, page):
        await page.goto("/desk")
        await expect(page.locator("#login")).to_be_visible()
        # The sign-in screen is in a landmark and has no empty heading: not even "moderate" here.
        violations += await axe_violations(page, "desk, signing in", ("moderate", *BLOCKING))
        await sign_in(page, hall)
        violations += await axe_violations(page, "desk, ready")
        await scan(page, cards["GM0005"])
        await fill_representative(page, "Anna de Vries", "wethouder")
        violations += await axe_violations(page, "desk, a member scanned")
        await page.get_by_label("Naam", exact=True).press("Enter")
        await expect(page.locator("#pairing-qr svg")).to_be_visible()
        violations += await axe_violations(page, "desk, pairing code shown")
        await screenshot(page, request, "1-desk", full_page=True)

    async with open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, page):
        await page.goto("/chair")
        await expect(page.locator("#login")).to_be_visible()
        # The sign-in screen is in a landmark and has no empty heading: not even "moderate" here.
        violations += await axe_violations(page, "chair, signing in", ("moderate", *BLOCKING))
        await page.get_by_label("Operatortoken (voorzitter of beheerder)").fill(
            hall.seeded.tokens[Role.CHAIR]
        )
        await page.get_by_role("button", name="Aanmelden").click()
        motion = page.locator(f'.ballot-item[data-ballot="{hall.seeded.ballot_ids[1]}"]')
        await expect(motion.get_by_role("button", name="Openen")).to_be_visible()
        violations += await axe_violations(page, "chair, ballots")
        await motion.get_by_role("button", name="Openen").click()
        await expect(page.locator(".waiting-title")).to_be_visible()
        violations += await axe_violations(page, "chair, ballot open")
        await screenshot(page, request, "2-chair", full_page=True)
    assert not violations, "\n".join(violations)
    assert watch.problems == []


async def test_start_page_passes_axe(hall: Hall, browser: Browser, request: pytest.FixtureRequest) -> None:
    watch = PageWatch()
    violations: list[str] = []
    # A page of links and nothing else: held to "moderate" too (landmarks, headings), like sign-in.
    strict = ("moderate", *BLOCKING)
    for name, options in (("phone", PHONE_OPTIONS), ("laptop", {"viewport": LAPTOP})):
        async with open_page(browser, hall.server.base, watch, **options) as (_, page):
            await page.goto("/")
            await expect(page.get_by_role("link", name="Stemkastje")).to_be_visible()
            violations += await axe_violations(page, f"start page, {name}", strict)
            await page.get_by_role("button", name="Switch to English").click()
            await expect(page.get_by_role("link", name="Voting handheld")).to_be_visible()
            violations += await axe_violations(page, f"start page, {name}, English", strict)
            await screenshot(page, request, f"{name}-en", full_page=True)
    assert not violations, "\n".join(violations)
    assert watch.problems == []
