"""The registration desk's page `/desk` (issue 4 item 5) in Debian's Chromium, against a real server
on SQLite and on PostgreSQL. A USB scanner is a keyboard that types the card code and Enter into
whatever has focus: the tests "scan" exactly so, with no click on the field first. Every test
leaves screenshots in screenshots/ for a person to look at."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from playwright.async_api import Browser, Dialog, Locator, Page, Response, expect

from server.auth.roles import Role
from server.cards.codes import ALPHABET, is_well_formed, new_card_code
from tests.live.conftest import Hall
from tests.live.pages_browser import LAPTOP, FlakyNetwork, PageWatch, open_page, screenshot

# Generous waits for a loaded CI machine; nothing here asserts how long anything takes.
expect.set_options(timeout=20_000)

TOKEN_LABEL = "Operatortoken (stembalie of beheerder)"
PAIRING_CODE = re.compile(r"^[0-9A-Z]{5}-[0-9A-Z]{5}$")


async def issue_cards(hall: Hall) -> dict[str, str]:
    """Voting cards for every member of the hall's meeting: member code -> card code."""
    admin = {"Authorization": f"Bearer {hall.seeded.tokens[Role.ADMIN]}"}
    async with httpx.AsyncClient(base_url=hall.server.base) as client:
        response = await client.post(f"/api/meetings/{hall.seeded.meeting_id}/cards", headers=admin)
    assert response.status_code == 200, response.text
    return {card["member"]: card["card"] for card in response.json()}


async def desk_call(hall: Hall, path: str) -> httpx.Response:
    desk = {"Authorization": f"Bearer {hall.seeded.tokens[Role.DESK]}"}
    async with httpx.AsyncClient(base_url=hall.server.base) as client:
        return await client.post(path, headers=desk)


async def sign_in(page: Page, hall: Hall, active: int = 4) -> None:
    await page.goto("/desk")
    await page.get_by_label(TOKEN_LABEL).fill(hall.seeded.tokens[Role.DESK])
    await page.get_by_role("button", name="Aanmelden").click()
    await expect(page.locator("#meeting-title")).to_have_text("ALV")
    await expect(page.locator(".pass.status-active")).to_have_count(active)
    # Nothing to click: the scanner can go at once.
    await expect(page.locator("#scan")).to_be_focused()


async def scan(page: Page, card: str) -> None:
    """What a USB barcode scanner does: type into the focused field, then Enter."""
    await page.keyboard.type(card)
    await page.keyboard.press("Enter")


async def fill_representative(page: Page, name: str, role: str) -> None:
    await expect(page.get_by_label("Naam", exact=True)).to_be_focused()
    await page.keyboard.type(name)
    await page.get_by_label("Functie").select_option(role)


async def accept(dialog: Dialog) -> None:
    await dialog.accept()


def row(page: Page, member: str, status: str = "active") -> Locator:
    return page.locator(f'.pass.status-{status}[data-member="{member}"]')


async def confirm(page: Page, action: str) -> None:
    """Says yes to the desk's own question before a pass ends (test_desk_corrections.py)."""
    await page.get_by_role("dialog").get_by_role("button", name=action).click()


async def test_desk_checks_in_a_representative_and_shows_the_pairing_qr(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    cards = await issue_cards(hall)
    async with open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, page):
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        await sign_in(page, hall)
        assert (
            await page.evaluate("sessionStorage.getItem('votehall.desk.token')")
            == hall.seeded.tokens[Role.DESK]
        )
        assert hall.seeded.tokens[Role.DESK] not in page.url
        await expect(page.locator("#presence-count")).to_have_text("4 van 5 leden, 193 van 205 stemmen")
        await screenshot(page, request, "1-ready")

        await scan(page, cards["GM0005"])
        await expect(page.locator("#holder-name")).to_have_text("Afwezig")
        await expect(page.locator("#holder-weight")).to_have_text("12 stemmen")
        await expect(page.locator("#holder-status")).to_have_text("Nog niet vertegenwoordigd")
        await expect(page.locator("#scan")).to_have_value("")
        await fill_representative(page, "Anna de  Vries", "wethouder")
        await screenshot(page, request, "2-member")

        async with page.expect_response(re.compile(r"/checkins$")) as answered:
            await page.get_by_label("Naam", exact=True).press("Enter")  # Enter submits
        response: Response = await answered.value
        answer = await response.json()
        # The desk never holds a credential that can vote: no pass token in the answer.
        assert response.status == 201 and "pass" not in answer and "vhp_" not in await response.text()

        code = page.locator("#pairing-code")
        await expect(code).to_have_text(PAIRING_CODE)
        await expect(code).to_have_text(answer["pairing_code"])
        await expect(page.locator("#pairing-title")).to_have_text("Stempas uitgegeven")
        await expect(page.locator("#pairing-help")).to_contain_text("QR-code scannen")
        await expect(page.locator("#pairing-who")).to_have_text(
            "Afwezig · 12 stemmen · Anna de Vries (wethouder)"
        )
        await expect(page.locator("#pairing-expires")).to_have_text(re.compile(r"^Geldig tot \d\d:\d\d"))
        qr = page.locator("#pairing-qr svg")
        await expect(qr).to_be_visible()
        box = await qr.bounding_box()
        assert box is not None and box["width"] >= 300 and box["height"] >= 300, box
        # The very drawing the server made, rebuilt element by element (no markup inserted).
        drawn = await qr.locator("path[stroke]").get_attribute("d")
        assert drawn and f'd="{drawn}"' in answer["pairing_qr_svg"]
        # The next scan can come straight away.
        await expect(page.locator("#scan")).to_be_focused()

        # The pass token goes to the handheld only, by pairing: never on the desk's screen.
        html = await page.content()
        text = await page.locator("body").inner_text()
        storage = await page.evaluate("JSON.stringify([{...sessionStorage}, {...localStorage}])")
        for where in (html, text, storage, *console):
            assert "vhp_" not in where

        # The count of the hall moves with the check-in (from the public feed).
        await expect(page.locator("#presence-count")).to_have_text("5 van 5 leden, 205 van 205 stemmen")
        await expect(row(page, "GM0005").locator(".pass-rep")).to_have_text("Anna de Vries (wethouder)")
        await expect(row(page, "GM0005").locator(".pass-unpaired")).to_have_text("nog niet gekoppeld")
        await screenshot(page, request, "3-pairing", full_page=True)

        # The code on the screen is what the handheld types (or reads from the QR code).
        shown = await code.text_content()
        async with httpx.AsyncClient(base_url=hall.server.base) as client:
            paired = await client.post("/api/kiosk/pair", json={"pairing_code": shown})
        assert paired.status_code == 200, paired.text
        assert paired.json()["pass"].startswith("vhp_")
        # The desk sees the handheld paired without a reload (the feed moved on; presence did not).
        await expect(row(page, "GM0005").locator(".pass-unpaired")).to_have_count(0)
        assert paired.json()["pass"] not in await page.content()

        await page.get_by_role("button", name="Volgende").click()
        await expect(page.locator("#pairing")).to_be_hidden()
        await expect(page.locator("#pairing-qr svg")).to_have_count(0)
        await expect(page.locator("#scan")).to_be_focused()
    assert watch.problems == []


async def test_desk_hands_a_pass_over_after_confirmation(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch("status of 409")  # the server asking for the hand-over, logged by the browser
    cards = await issue_cards(hall)
    old_pass = hall.seeded.pass_ids["GM0001"]
    async with open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, page):
        dialogs: list[str] = []
        answers = [False, True]  # first the desk declines, then it confirms
        declined = asyncio.Event()

        async def on_dialog(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            if answers.pop(0):
                await dialog.accept()
            else:
                await dialog.dismiss()
                declined.set()

        page.on("dialog", on_dialog)
        await sign_in(page, hall)
        await scan(page, cards["GM0001"])
        await expect(page.locator("#holder-name")).to_have_text("Grootstad")
        await expect(page.locator("#holder-weight")).to_have_text("75 stemmen")
        await expect(page.locator("#holder-status")).to_have_text(
            re.compile(
                r"^Nu vertegenwoordigd door Vertegenwoordiger GM0001 \(burgemeester\), sinds \d\d:\d\d$"
            )
        )
        submit = page.locator("#checkin-submit")
        await expect(submit).to_have_text("Stempas overdragen")
        await fill_representative(page, "Bert Jansen", "raadslid")
        await screenshot(page, request, "1-represented")

        await submit.click()
        await asyncio.wait_for(declined.wait(), 20)
        assert dialogs[0] == "Grootstad wordt al vertegenwoordigd door Vertegenwoordiger GM0001. Overdragen?"
        # Declined: nothing changed, the form is still there.
        await expect(page.locator("#holder-name")).to_have_text("Grootstad")
        await expect(page.locator(f'.pass[data-pass="{old_pass}"] .pass-status')).to_have_text("aanwezig")

        await submit.click()
        await expect(page.locator("#pairing-code")).to_have_text(PAIRING_CODE)
        assert len(dialogs) == 2
        old = page.locator(f'.pass[data-pass="{old_pass}"]')
        await expect(old.locator(".pass-status")).to_have_text("ingetrokken")
        await expect(old).to_have_class(re.compile(r"\bstatus-revoked\b"))
        await expect(old.get_by_role("button")).to_have_count(0)
        new = row(page, "GM0001")
        await expect(new.locator(".pass-rep")).to_have_text("Bert Jansen (raadslid)")
        await expect(new.locator(".pass-status")).to_have_text("aanwezig")
        await expect(page.locator('.group[data-group="revoked"] .pass')).to_have_count(1)
        # A hand-over: the member was present before and after.
        await expect(page.locator("#presence-count")).to_have_text("4 van 5 leden, 193 van 205 stemmen")
        await screenshot(page, request, "2-handed-over", full_page=True)
    assert watch.problems == []


async def test_desk_checks_out_returns_revokes_reprints_and_searches(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    async with open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, page):
        page.on("dialog", accept)
        await sign_in(page, hall)
        middenburg = row(page, "GM0002")
        await expect(middenburg.get_by_role("button")).to_have_text(
            ["Uitchecken", "Intrekken", "Nieuwe koppelcode"]
        )

        # The search filters in memory: rows are hidden, not rebuilt.
        await page.evaluate("document.querySelector('[data-member=GM0002]').dataset.kept = 'yes'")
        search = page.get_by_placeholder("Zoeken op gemeente, code of vertegenwoordiger")
        await search.press_sequentially("midden")
        await expect(page.locator(".pass:visible .pass-name")).to_have_text(["Middenburg"])
        await expect(page.locator("#passes-count")).to_have_text("1 van 4 stempassen")
        await expect(page.locator("[data-member=GM0002]")).to_have_attribute("data-kept", "yes")
        await search.fill("gm0003")  # the member's code
        await expect(page.locator(".pass:visible .pass-name")).to_have_text(["Kleindorp"])
        await search.fill("vertegenwoordiger gm0004")  # the representative, word by word
        await expect(page.locator(".pass:visible .pass-name")).to_have_text(["Randmeer"])
        await search.fill("nergens")
        await expect(page.locator(".pass:visible")).to_have_count(0)
        await expect(page.locator("#passes-empty")).to_have_text("Geen stempas gevonden.")
        await search.fill("")
        await expect(page.locator(".pass:visible .pass-name")).to_have_text(
            ["Grootstad", "Kleindorp", "Middenburg", "Randmeer"]
        )

        await middenburg.get_by_role("button", name="Uitchecken").click()
        await confirm(page, "Uitchecken")
        out = row(page, "GM0002", "checked_out")
        await expect(out.locator(".pass-status")).to_have_text("uitgecheckt")
        await expect(out.get_by_role("button")).to_have_text(["Terugkomen"])
        await expect(page.locator("#info")).to_have_text("Middenburg is uitgecheckt.")
        await expect(page.locator("#presence-count")).to_have_text("3 van 5 leden, 151 van 205 stemmen")
        await expect(page.locator("#scan")).to_be_focused()
        await screenshot(page, request, "1-checked-out", full_page=True)

        await out.get_by_role("button", name="Terugkomen").click()
        await expect(middenburg.locator(".pass-status")).to_have_text("aanwezig")
        await expect(page.locator("#presence-count")).to_have_text("4 van 5 leden, 193 van 205 stemmen")

        # Re-print: a new pairing code for the same pass, shown like after a check-in.
        await row(page, "GM0004").get_by_role("button", name="Nieuwe koppelcode").click()
        await expect(page.locator("#pairing-title")).to_have_text("Nieuwe koppelcode")
        # The old device keeps voting until the new code is used: the desk says so.
        await expect(page.locator("#pairing-help")).to_contain_text("tot dan werkt het oude toestel nog")
        await expect(page.locator("#pairing-who")).to_have_text(
            "Randmeer · 75 stemmen · Vertegenwoordiger GM0004 (burgemeester)"
        )
        await expect(page.locator("#pairing-qr svg")).to_be_visible()
        shown = await page.locator("#pairing-code").text_content()
        assert shown and PAIRING_CODE.match(shown) and shown != hall.seeded.pairing_codes["GM0004"]
        async with httpx.AsyncClient(base_url=hall.server.base) as client:
            paired = await client.post("/api/kiosk/pair", json={"pairing_code": shown})
        assert paired.status_code == 200, paired.text
        await screenshot(page, request, "2-reprint", full_page=True)

        await row(page, "GM0003").get_by_role("button", name="Intrekken").click()
        await confirm(page, "Intrekken")
        revoked = page.locator(f'.pass[data-pass="{hall.seeded.pass_ids["GM0003"]}"]')
        await expect(revoked.locator(".pass-status")).to_have_text("ingetrokken")
        await expect(page.locator("#presence-count")).to_have_text("3 van 5 leden, 192 van 205 stemmen")
        await expect(page.locator("#scan")).to_be_focused()
    assert watch.problems == []


async def test_two_desks_check_in_at_once(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    cards = await issue_cards(hall)
    # Kleindorp's representative went out: a new representative checks in without a hand-over.
    assert (
        await desk_call(hall, f"/api/passes/{hall.seeded.pass_ids['GM0003']}/checkout")
    ).status_code == 200
    async with (
        open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, left),
        open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, right),
    ):
        await asyncio.gather(sign_in(left, hall, active=3), sign_in(right, hall, active=3))

        async def check_in(page: Page, member: str, name: str) -> None:
            await scan(page, cards[member])
            await fill_representative(page, name, "burgemeester")
            await page.get_by_role("button", name="Stempas uitgeven").click()
            await expect(page.locator("#pairing-code")).to_have_text(PAIRING_CODE)

        await asyncio.gather(
            check_in(left, "GM0005", "Carla Smit"), check_in(right, "GM0003", "Dirk de Boer")
        )
        for page in (left, right):
            await expect(row(page, "GM0005").locator(".pass-rep")).to_have_text("Carla Smit (burgemeester)")
            await expect(row(page, "GM0003").locator(".pass-rep")).to_have_text("Dirk de Boer (burgemeester)")
            await expect(page.locator("#presence-count")).to_have_text("5 van 5 leden, 205 van 205 stemmen")
            await expect(page.locator(".pass.status-active")).to_have_count(5)
        await screenshot(left, request, "1-left", full_page=True)
        await screenshot(right, request, "2-right", full_page=True)
    assert watch.problems == []


async def test_desk_explains_a_mistyped_card_and_takes_a_retyped_one(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    # The refusals, logged by the browser: a mistyped code (422), a code of no card here (404).
    watch = PageWatch("status of 422", "status of 404")
    cards = await issue_cards(hall)
    card = cards["GM0005"]
    # One symbol changed, so that the check symbols disagree (as a typo almost always makes them).
    mistyped = next(typo for symbol in ALPHABET if not is_well_formed(typo := card[:10] + symbol + card[11:]))
    async with open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, page):
        await sign_in(page, hall)
        await scan(page, mistyped)
        error = page.locator("#scan-error")
        await expect(error).to_have_text("Geen geldige stemkaart — opnieuw scannen of overtypen")
        await expect(page.locator("#holder")).to_be_hidden()
        await expect(page.get_by_label("Naam", exact=True)).to_have_value("")
        await expect(page.locator("#pairing")).to_be_hidden()
        # The bad code stays, selected: the next scan replaces it, a person can correct it.
        await expect(page.locator("#scan")).to_be_focused()
        selected = await page.evaluate(
            "(f => [f.selectionStart, f.selectionEnd, f.value.length])(document.getElementById('scan'))"
        )
        assert selected == [0, len(mistyped), len(mistyped)]
        await screenshot(page, request, "1-mistyped")

        await page.get_by_role("button", name="Switch to English").click()
        await expect(error).to_have_text("Not a valid voting card — scan again or retype it")
        await expect(page.locator("#presence-count")).to_have_text("4 of 5 members, 193 of 205 votes")
        await expect(page.locator("#scan")).to_be_focused()
        await screenshot(page, request, "2-english")
        await page.get_by_role("button", name="Naar het Nederlands").click()

        await scan(page, new_card_code())  # well-formed, but no card of this meeting
        await expect(error).to_have_text("Deze stemkaart hoort niet bij deze vergadering")
        await expect(page.locator("#holder")).to_be_hidden()

        # Typed over from the printed card: groups, lower case.
        printed = "-".join(card[i : i + 4] for i in range(0, len(card), 4)).lower()
        await page.keyboard.type(printed)
        await page.keyboard.press("Enter")
        await expect(page.locator("#holder-name")).to_have_text("Afwezig")
        await expect(error).to_be_hidden()
    assert watch.problems == []


async def test_desk_shows_why_an_action_on_a_stale_row_failed(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch("status of 409")  # the refused check-out, logged by the browser
    network = FlakyNetwork()
    network.down = True  # no feed: this desk does not hear of the other desk's change
    async with open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, page):
        await network.attach(page, "**/ws/display")
        await sign_in(page, hall)
        revoked = await desk_call(hall, f"/api/passes/{hall.seeded.pass_ids['GM0004']}/revoke")
        assert revoked.status_code == 200, revoked.text

        await row(page, "GM0004").get_by_role("button", name="Uitchecken").click()
        await confirm(page, "Uitchecken")
        detail = (await desk_call(hall, f"/api/passes/{hall.seeded.pass_ids['GM0004']}/checkout")).json()[
            "detail"
        ]
        await expect(page.locator("#alert")).to_have_text(f"Uitchecken (Randmeer) is niet gelukt: {detail}")
        # ...and the list catches up with the server.
        await expect(row(page, "GM0004", "revoked").locator(".pass-status")).to_have_text("ingetrokken")
        await expect(page.locator("#scan")).to_be_focused()
        await screenshot(page, request, "1-stale")
    assert watch.problems == []


async def test_desk_rebuilds_the_qr_code_without_anything_else(hall: Hall, browser: Browser) -> None:
    """The server's SVG is parsed and copied element by element: no script, handler or style
    from it reaches the page (the Content-Security-Policy would block them anyway)."""
    hostile = (
        '<svg width="10" height="10" onload="alert(1)" style="color:red">'
        "<script>alert(2)</script>"
        '<g transform="scale(2)"><path fill="url(https://evil.example/x)" stroke="#000" d="M0 0h1"/>'
        '<foreignObject><p onclick="alert(3)">x</p></foreignObject></g>'
        '<a href="https://evil.example"><rect x="1" y="1" width="2" height="2"/></a></svg>'
    )
    # Merely parsing the hostile style attribute makes Chromium report (and block) it under the CSP.
    watch = PageWatch("Applying inline style violates")
    async with open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, page):
        await page.goto("/desk")
        shown = await page.evaluate(
            """async (markup) => {
                const { qrImage } = await import("/display/desk-qr.js");
                return [qrImage(markup, "QR").outerHTML, qrImage("<p>no svg", "QR")];
            }""",
            hostile,
        )
    assert shown == [
        '<svg viewBox="0 0 10 10" class="qr" role="img" aria-label="QR">'
        '<g transform="scale(2)"><path stroke="#000" d="M0 0h1"></path></g></svg>',
        None,
    ]
    assert watch.problems == []


async def test_desk_refuses_a_chair_token(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch("status of 403")  # the API's refusal, logged by the browser
    async with open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, page):
        await page.goto("/desk")
        await page.get_by_label(TOKEN_LABEL).fill(hall.seeded.tokens[Role.CHAIR])
        await page.get_by_role("button", name="Aanmelden").click()
        await expect(page.locator("#alert")).to_have_text(
            "Dit token hoort niet bij de stembalie of een beheerder."
        )
        await expect(page.get_by_label(TOKEN_LABEL)).to_be_visible()
        await expect(page.locator("#work")).to_be_hidden()
        assert await page.evaluate("sessionStorage.getItem('votehall.desk.token')") is None
        await screenshot(page, request, "1-refused")
    assert watch.problems == []


async def test_desk_page_is_served_with_a_strict_policy(client: httpx.AsyncClient) -> None:
    response = await client.get("/desk")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    for path in ("/display/desk.js", "/display/desk-api.js", "/display/desk-qr.js", "/display/desk.css"):
        assert (await client.get(path)).status_code == 200, path
