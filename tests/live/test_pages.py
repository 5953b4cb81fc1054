"""The browser pages of SPEC 4.4 in Debian's Chromium, against a real server on SQLite and on
PostgreSQL. Every test leaves screenshots in screenshots/ for a person to look at."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

import server.pages
from server.auth.roles import Role
from server.rules import Outcome, minutes_sentence
from tests.live.chair_page import answer
from tests.live.conftest import Hall
from tests.live.pages_browser import (
    HALL_SCREEN,
    LAPTOP,
    PHONE,
    FlakyNetwork,
    PageWatch,
    kiosk_vote,
    open_page,
    protocol_kiosks,
    screenshot,
)

# Generous waits for a loaded CI machine; nothing here asserts how long anything takes.
expect.set_options(timeout=20_000)

RECEIPT = re.compile(r"^[0-9a-f]{10}$")  # the start of the vote's log entry hash
PHONE_OPTIONS = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}

ROOT = Path(__file__).resolve().parents[2]


async def local(page: Page, key: str) -> str | None:
    value: str | None = await page.evaluate("key => localStorage.getItem(key)", key)
    return value


# The handheld


async def test_kiosk_pairs_votes_and_shows_the_ack(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    ballot_id = hall.seeded.ballot_ids[0]
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        acks: list[dict[str, str]] = []
        page.on(
            "websocket",
            lambda ws: ws.on(
                "framereceived",
                lambda frame: acks.append(json.loads(frame)) if '"ack"' in str(frame) else None,
            ),
        )
        await page.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0002']}")
        await expect(page.locator("#member-name")).to_have_text("Middenburg")
        await expect(page.locator("#member-weight")).to_have_text("42 stemmen")
        assert "pair=" not in page.url, "the single-use code must leave the address bar"
        assert (await local(page, "votehall.kiosk.pass") or "").startswith("vhp_")
        await expect(page.get_by_role("heading", name="Er is geen stemming geopend")).to_be_visible()
        await screenshot(page, request, "1-welcome")

        await hall.action(ballot_id, "open")
        await expect(page.locator("#ballot-title")).to_have_text("Jaarverslag")
        await expect(page.locator("#ballot-agenda")).to_have_text("Agendapunt 1")
        await expect(page.locator("#ballot-kind")).to_have_text("voorstel")
        await page.get_by_role("button", name="Voor").tap()
        await expect(page.locator("#vote-status-text")).to_have_text("Uw stem is ontvangen")
        await expect(page.locator("#vote-choice")).to_have_text("Uw stem: Voor")
        await expect(page.locator("#vote-receipt .receipt-code")).to_have_text(RECEIPT)
        await expect(page.get_by_role("button", name="Voor")).to_have_attribute("aria-pressed", "true")
        await screenshot(page, request, "2-voted")
        receipt = await page.locator("#vote-receipt .receipt-code").text_content()
        assert len(acks) == 1 and receipt == acks[0]["receipt"][:10]

    tally = (await hall.ballot(ballot_id))["tally"]
    assert (tally["for"], tally["against"], tally["members_voted"]) == (42, 0, 1)
    assert watch.problems == []


async def test_kiosk_pairs_by_typed_code_and_explains_a_bad_one(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch("status of 404")  # the unknown code's answer, logged by the browser
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        await page.goto("/kiosk")
        field = page.get_by_label("Koppelcode")
        await field.fill("nope")
        await page.get_by_role("button", name="Koppelen").tap()
        await expect(page.locator("#pair-error")).to_have_text(re.compile("tien tekens"))

        await field.fill("ZZZZZ-ZZZZZ")
        await page.get_by_role("button", name="Koppelen").tap()
        await expect(page.locator("#pair-error")).to_have_text(
            re.compile("onbekend, al gebruikt of verlopen")
        )
        await screenshot(page, request, "1-unknown-code")

        # People type codes in lower case, with a space instead of the dash.
        typed = hall.seeded.pairing_codes["GM0004"].lower().replace("-", " ")
        await field.fill(typed)
        await page.get_by_role("button", name="Koppelen").tap()
        await expect(page.locator("#member-name")).to_have_text("Randmeer")
        await expect(page.locator("#pair-view")).to_be_hidden()
    assert watch.problems == []


async def test_kiosk_resends_pending_votes_after_a_dropped_connection(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    network = FlakyNetwork()
    ballot_id = hall.seeded.ballot_ids[0]
    await hall.action(ballot_id, "open")
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        await network.attach(page, "**/ws/kiosk")
        await page.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0001']}")
        await expect(page.locator("#ballot-title")).to_have_text("Jaarverslag")

        # The wifi goes; the representative taps anyway: the vote waits on the handheld.
        network.down = True
        await network.drop()
        await expect(page.locator("#connection")).to_have_text("verbinding verbroken, opnieuw verbinden…")
        await page.get_by_role("button", name="Tegen").tap()
        await expect(page.locator("#vote-status-text")).to_have_text("Uw stem wordt verzonden…")
        pending = json.loads(await local(page, "votehall.kiosk.pending") or "[]")
        assert [(p["ballot"], p["choice"]) for p in pending] == [(ballot_id, "against")]
        await screenshot(page, request, "1-offline-pending")

        # The wifi is back: the page reconnects, resends and shows the ack.
        network.down = False
        await expect(page.locator("#vote-choice")).to_have_text("Uw stem: Tegen")
        await expect(page.locator("#vote-receipt .receipt-code")).to_have_text(RECEIPT)
        await expect(page.locator("#connection")).to_be_hidden()

        # A changed vote reaches the server but its ack is lost with the connection.
        network.lose_next_ack = True
        await page.get_by_role("button", name="Voor").tap()
        await expect(page.locator("#vote-choice")).to_have_text("Uw stem: Voor")
        await expect(page.locator("#vote-status-text")).to_have_text("Uw stem is ontvangen")
        await expect(page.locator("#vote-receipt .receipt-code")).to_have_text(RECEIPT)
        await screenshot(page, request, "2-resent")
        assert json.loads(await local(page, "votehall.kiosk.pending") or "[]") == []

    votes = [m for m in network.sent if m["type"] == "vote"]
    against = [m for m in votes if m["choice"] == "against"]
    in_favour = [m for m in votes if m["choice"] == "for"]
    assert len(against) == 1, votes
    assert len(in_favour) == 2 and in_favour[0]["vote_id"] == in_favour[1]["vote_id"], votes
    acks = [m for m in network.delivered if m["type"] == "ack"]
    assert [a["vote_id"] for a in acks] == [against[0]["vote_id"], in_favour[0]["vote_id"]]
    tally = (await hall.ballot(ballot_id))["tally"]
    assert (tally["for"], tally["against"], tally["members_voted"]) == (75, 0, 1)
    assert watch.problems == []


async def test_kiosk_forgets_a_revoked_pass(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        await page.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0003']}")
        await expect(page.locator("#member-weight")).to_have_text("1 stem")
        async with httpx.AsyncClient(base_url=hall.server.base) as client:
            desk = {"Authorization": f"Bearer {hall.seeded.tokens[Role.DESK]}"}
            revoked = await client.post(f"/api/passes/{hall.seeded.pass_ids['GM0003']}/revoke", headers=desk)
        assert revoked.status_code == 200, revoked.text
        await expect(page.locator("#pair-notice")).to_have_text(
            "Uw stempas is ingetrokken of niet geldig; meld u bij de stembalie."
        )
        await expect(page.get_by_label("Koppelcode")).to_be_visible()
        assert await local(page, "votehall.kiosk.pass") is None
        await screenshot(page, request, "1-revoked")
    assert watch.problems == []


async def test_kiosk_switches_to_english(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    await hall.action(hall.seeded.ballot_ids[1], "open")
    async with open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        await page.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0002']}")
        labels = page.locator(".choice [data-i18n]")
        await expect(labels).to_have_text(["Voor", "Tegen", "Onthouding"])
        await expect(page.locator("#ballot-kind")).to_have_text("motie")

        await page.get_by_role("button", name="Switch to English").tap()
        await expect(labels).to_have_text(["For", "Against", "Abstain"])
        await expect(page.locator("#ballot-kind")).to_have_text("motion")
        await expect(page.locator("#member-weight")).to_have_text("42 votes")
        assert await local(page, "votehall.lang") == "en"

        await page.reload()  # the choice is remembered
        await expect(labels).to_have_text(["For", "Against", "Abstain"])
        await page.get_by_role("button", name="Abstain").tap()
        await expect(page.locator("#vote-status-text")).to_have_text("Your vote has been received")
        # This motion allows no change of vote: the other choices are locked, and say why.
        await expect(page.get_by_role("button", name="For")).to_be_disabled()
        await expect(page.locator("#change-rule")).to_have_text(
            "You cannot change your vote: your first choice counts."
        )
        await screenshot(page, request, "1-english")
    assert watch.problems == []


# The hall screen and the overlay


async def test_display_shows_progress_the_minutes_and_the_decisions(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    ballot_id, motion_id = hall.seeded.ballot_ids[0], hall.seeded.ballot_ids[1]
    async with open_page(browser, hall.server.base, watch, viewport=HALL_SCREEN) as (_, page):
        await page.goto("/display")
        await expect(page.locator("#meeting-title")).to_have_text("ALV")
        await expect(page.locator("#meeting-date")).to_have_text("18 juni 2025")
        await expect(page.locator("#presence")).to_have_text("4 van 5 leden aanwezig, 193 van 205 stemmen")
        assert (
            await page.evaluate("import('/assets/lib/i18n.js').then(m => m.formatNumber(11248))") == "11.248"
        )

        await hall.action(ballot_id, "open")
        await expect(page.locator(".ballot-title")).to_have_text("Jaarverslag")
        await expect(page.locator(".status")).to_have_text("Stemming geopend")
        # The public screen shows progress only while the ballot is open (SPEC 2.9).
        await expect(page.locator(".tally-hidden")).to_be_visible()
        async with protocol_kiosks(hall, "GM0001", "GM0002", "GM0003") as kiosks:
            for connection, choice in zip(kiosks, ("for", "against", "abstain"), strict=True):
                await kiosk_vote(connection, ballot_id, choice, f"display-{choice}")
        await expect(page.locator(".progress-line")).to_have_text("3 van 4 leden hebben gestemd")
        await expect(page.locator(".progress-weight")).to_have_text("118 van 193 stemmen")
        await expect(page.locator(".tally")).to_have_count(0)
        await screenshot(page, request, "1-open")

        closed = await hall.action(ballot_id, "close")
        minutes = closed["result"]["minutes"]
        assert minutes == "aangenomen met 64,10% van de stemmen"
        await expect(page.locator(".outcome")).to_have_text(minutes)
        await expect(page.locator(".tally-row .tally-weight")).to_have_text(["75", "42", "1"])
        await expect(page.locator(".tally-row .tally-percent")).to_have_text(
            ["64,10%", "35,90%", "telt niet mee"]
        )
        # Each bar as long as the share it shows: for and against of the 117 cast, the
        # abstention (not cast) of the 118 given.
        widths = await page.locator(".tally-row .bar-fill").evaluate_all(
            "bars => bars.map(bar => parseFloat(bar.style.width))"
        )
        assert [round(w, 2) for w in widths] == [64.10, 35.90, 0.85], widths
        decision = page.locator(f'.decision[data-ballot="{ballot_id}"]')
        await expect(decision.locator(".decision-title")).to_have_text("Jaarverslag")
        await expect(decision.locator(".decision-outcome")).to_have_text(minutes)
        await screenshot(page, request, "2-closed")

        # The overlay: same content, transparent page, English on request (?lang=en).
        async with open_page(browser, hall.server.base, watch, viewport=HALL_SCREEN) as (_, overlay):
            await overlay.goto("/display/overlay?lang=en")
            await expect(overlay.locator(".outcome")).to_have_text(closed["result"]["minutes_en"])
            backgrounds = await overlay.evaluate(
                "[document.documentElement, document.body].map(e => getComputedStyle(e).backgroundColor)"
            )
            assert backgrounds == ["rgba(0, 0, 0, 0)", "rgba(0, 0, 0, 0)"]
            await screenshot(overlay, request, "3-overlay", omit_background=True)

        await hall.action(motion_id, "withdraw")
        await expect(page.locator(".outcome")).to_have_text("ingetrokken")
        await expect(page.locator(".decision-outcome")).to_have_text(["ingetrokken", minutes])
        await screenshot(page, request, "4-withdrawn")
    assert watch.problems == []


async def test_pages_show_the_servers_minutes_and_word_none_themselves(hall: Hall, browser: Browser) -> None:
    """One source for the minutes (issue 12 item 9): the feed carries the sentence the server's
    rules made, in Dutch and English, and display/lib/minutes.js only picks the language."""
    pages = [p for folder in (ROOT / "display", ROOT / "kiosk") for p in folder.rglob("*.js")]
    sentences = ("aangenomen met", "verworpen met", "geen stemmen uitgebracht", "adopted with", "rejected with",
                 "no votes were cast", "ongeldig verklaard:", "(met de hand geteld)")  # fmt: skip
    for sentence in sentences:
        copies = [str(p.relative_to(ROOT)) for p in pages if sentence in p.read_text(encoding="utf-8")]
        assert copies == [], f"{sentence!r} is worded in {copies}; the server words the minutes"
    minutes = {
        "nl": minutes_sentence(Outcome.ADOPTED, "93.40", "nl"),
        "en": "adopted with 93.40% of the votes",
    }
    watch = PageWatch()
    async with open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, page):
        await page.goto("/display")
        for lang in ("nl", "en"):
            shown = await page.evaluate(
                """async ([lang, minutes]) => {
                    const i18n = await import("/assets/lib/i18n.js");
                    const { minutesText } = await import("/assets/lib/minutes.js");
                    i18n.setLang(lang);
                    return [minutesText(minutes), minutesText(null), minutesText({ nl: minutes.nl })];
                }""",
                [lang, minutes],
            )
            assert shown == [minutes[lang], "", minutes["nl"]]
    assert watch.problems == []


# The chair


async def test_chair_opens_watches_and_closes_a_ballot(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch("status of 409")  # the refused second ballot, logged by the browser
    ballot_id, motion_id, test_id = hall.seeded.ballot_ids
    token = hall.seeded.tokens[Role.CHAIR]
    async with open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, page):
        await page.goto("/chair")
        await page.get_by_label("Operatortoken (voorzitter of beheerder)").fill(token)
        await page.get_by_role("button", name="Aanmelden").click()
        item = page.locator(f'.ballot-item[data-ballot="{ballot_id}"]')
        await expect(item.locator(".item-title")).to_have_text("Jaarverslag")
        assert token not in page.url
        assert await page.evaluate("sessionStorage.getItem('votehall.chair.token')") == token
        await expect(item.get_by_role("button")).to_have_text(
            ["Openen", "Bij acclamatie", "Intrekken", "Aanhouden", "Meer"]
        )
        # A test vote only runs as a vote (SPEC 2.7); as a draft it can be edited or deleted.
        await expect(page.locator(f'[data-ballot="{test_id}"]').get_by_role("button")).to_have_text(
            ["Openen", "Meer"]
        )

        await item.get_by_role("button", name="Openen").click()
        await expect(item.locator(".status")).to_have_text("Stemming geopend")
        await expect(item.get_by_role("button")).to_have_text(["Sluiten", "Ongeldig verklaren"])
        await expect(page.locator(".waiting-title")).to_have_text("Nog niet gestemd: 4 leden, 193 stemmen")
        names = page.locator(".waiting-list .name")
        await expect(names).to_have_text(["Grootstad", "Kleindorp", "Middenburg", "Randmeer"])

        async with protocol_kiosks(hall, "GM0003", "GM0004") as (small, large):
            await kiosk_vote(small, ballot_id, "for", "chair-1")
            await kiosk_vote(large, ballot_id, "against", "chair-2")
        await expect(names).to_have_text(["Grootstad", "Middenburg"])
        # The chair always sees the running tally.
        await expect(page.locator("#current .tally-weight")).to_have_text(["1", "75", "0"])

        # At most one ballot is open: the page says which, in Dutch, by agenda number and title.
        async with httpx.AsyncClient(base_url=hall.server.base) as client:
            refused = await client.post(f"/api/ballots/{motion_id}/open", headers=hall.chair())
        assert refused.status_code == 409 and refused.json()["error"] == "ballot_already_open"
        await page.locator(f'[data-ballot="{motion_id}"]').get_by_role("button", name="Openen").click()
        await expect(page.locator("#alert")).to_have_text(
            "Openen is niet gelukt: stemming 1 Jaarverslag is nog geopend; sluit die eerst."
        )
        await screenshot(page, request, "1-open", full_page=True)

        await item.get_by_role("button", name="Sluiten").click()
        await answer(page)
        await expect(item.locator(".status")).to_have_text("Stemming gesloten")
        result = (await hall.ballot(ballot_id))["result"]
        assert result["minutes"] == "verworpen met 1,32% van de stemmen vóór"
        await expect(item.locator(".item-result")).to_have_text(result["minutes"])
        await expect(page.locator("#current .outcome")).to_have_text(result["minutes"])
        await expect(page.locator("#decisions .decision-outcome")).to_have_text([result["minutes"]])
        await expect(page.locator(".waiting-list")).to_have_count(0)
        await screenshot(page, request, "2-closed", full_page=True)
    assert watch.problems == []


async def test_chair_refuses_a_wrong_token(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch("status of 403")  # the API's refusal, logged by the browser
    async with open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, page):
        await page.goto("/chair")
        await page.get_by_label("Operatortoken (voorzitter of beheerder)").fill(hall.seeded.tokens[Role.DESK])
        await page.get_by_role("button", name="Aanmelden").click()
        await expect(page.locator("#alert")).to_have_text(
            "Dit token hoort niet bij de voorzitter of een beheerder."
        )
        await expect(page.get_by_label("Operatortoken (voorzitter of beheerder)")).to_be_visible()
        assert await page.evaluate("sessionStorage.getItem('votehall.chair.token')") is None
        await screenshot(page, request, "1-refused")
    assert watch.problems == []


# Serving the files


async def test_pages_are_served_with_a_strict_policy(client: httpx.AsyncClient) -> None:
    for path in ("/", "/kiosk", "/display", "/display/overlay", "/chair", "/desk"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-cache"
        assert "script-src 'self'" in response.headers["content-security-policy"]
    script = await client.get("/assets/lib/i18n.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert (await client.get("/kiosk/kiosk.js")).status_code == 200
    assert (await client.get("/display/lib/minutes.js")).status_code == 200
    # Nothing outside the folders, nothing that is not a page's file.
    for path in (
        "/kiosk/%2e%2e/pyproject.toml",
        "/assets/lib/%2e%2e/%2e%2e/server/app.py",
        "/display/..%2f..%2fREADME.md",
        "/kiosk/%2fetc%2fpasswd",
        "/kiosk/missing.js",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert set(response.json()) == {"error", "detail"}, path


async def test_pages_answer_404_without_their_folders(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(server.pages, "KIOSK", tmp_path / "kiosk")
    monkeypatch.setattr(server.pages, "DISPLAY", tmp_path / "display")
    for path in ("/", "/kiosk", "/display", "/chair", "/display/overlay"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"] == "not_found"
