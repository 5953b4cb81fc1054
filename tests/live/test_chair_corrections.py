"""The chair's corrections on `/chair` (issue 12 items 1-4; SPEC 2.7, 2.8, 2.11), in Debian's
Chromium against a real server on SQLite and on PostgreSQL: voiding a ballot and its re-vote, the
question before closing a ballot, the agenda order and its override, closing the meeting with an
undecided ballot and its closing hash, the corrections of a draft (edit, a count by hand, an
aantekening, out of order, delete), the countdown and the item on the hall screen; and the page in
those states under axe-core.

The meeting has a real agenda (items without a vote among them) long enough to scroll at 1366x768.
Screenshots go to screenshots/ (git-ignored); the ones worth keeping are in docs/screenshots/chair-*.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Locator, Page, Request, expect

from server.auth.roles import Role
from server.ballots.drafts import create_ballot
from server.ballots.schemas import BallotCreate
from server.db import Database
from server.meetings.schemas import AgendaItemIn, MeetingCreate
from server.rules import BallotKind, Majority, Preadvies
from server.seed import seed_meeting
from tests.live.a11y import axe_violations
from tests.live.chair_page import answer, asked, dialog, sign_in
from tests.live.conftest import MEMBERS, Hall
from tests.live.pages_browser import (
    HALL_SCREEN,
    PageWatch,
    kiosk_vote,
    open_page,
    protocol_kiosks,
    screenshot,
)
from tests.live.test_pages import PHONE_OPTIONS
from tests.servers import ServerProcess

# Generous waits for a loaded CI machine; nothing here asserts how long anything takes.
expect.set_options(timeout=20_000)

DESK = {"width": 1366, "height": 768}  # the chair's laptop
PRESENT = ["GM0001", "GM0002", "GM0003", "GM0004"]  # weights 75, 42, 1, 75: 193 of 205

AGENDA = [
    AgendaItemIn(number="1", title="Opening en mededelingen"),
    AgendaItemIn(number="2", title="Jaarverslag 2024", decision=True),
    AgendaItemIn(number="3", title="Begroting 2026", decision=True),
    AgendaItemIn(number="4", title="Contributie 2026", decision=True),
    AgendaItemIn(number="5", title="Samenwerking informatieveiligheid", decision=True),
    AgendaItemIn(number="6", title="Vaststelling notulen", decision=True),
    AgendaItemIn(number="7", title="Verkiezing bestuur", decision=True),
    AgendaItemIn(number="8", title="Gezamenlijke inkoop", decision=True),
    AgendaItemIn(number="9", title="Meerjarenbeleidsplan", decision=True),
    AgendaItemIn(number="10", title="Rondvraag"),
    AgendaItemIn(number="11", title="Sluiting"),
]


@dataclass
class Agenda:
    """The ballots, by what they are in the meeting (ids)."""

    test: int
    report: int  # 2 Jaarverslag 2024
    budget: int  # 3 Begroting 2026
    amendment: int  # 3, on the budget
    motion: int  # 3, after both
    fee: int  # 4, two-thirds majority
    cooperation: int  # 5
    minutes: int  # 6
    board: int  # 7
    purchasing: int  # 8
    plan: int  # 9
    stray: int  # 10, a motion not on the agenda


@dataclass
class Meeting:
    hall: Hall
    agenda: Agenda

    @property
    def id(self) -> int:
        return self.hall.seeded.meeting_id

    async def get(self, path: str) -> Any:
        async with httpx.AsyncClient(base_url=self.hall.server.base) as client:
            response = await client.get(path, headers=self.hall.chair())
        assert response.status_code == 200, response.text
        return response.json()

    async def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.hall.server.base) as client:
            return await client.post(path, json=body, headers=self.hall.chair())


@pytest.fixture
async def meeting(database: Database) -> AsyncIterator[Meeting]:
    seeded = await seed_meeting(
        database,
        MeetingCreate(title="ALV", date=date(2025, 6, 18), agenda=AGENDA),
        members=MEMBERS,
        ballots=[
            BallotCreate(agenda="1", title="Proefstemming", kind=BallotKind.VOORSTEL, test=True),
            BallotCreate(agenda="2", title="Jaarverslag 2024", kind=BallotKind.VOORSTEL),
            BallotCreate(agenda="3", title="Begroting 2026", kind=BallotKind.VOORSTEL),
        ],
        present=PRESENT,
    )
    test, report, budget = seeded.ballot_ids
    more: dict[str, BallotCreate] = {
        "amendment": BallotCreate(
            agenda="3", title="Amendement contributie bevriezen", kind=BallotKind.AMENDEMENT, amends=budget,
            submitters=["GM0002", "GM0003"], preadvies=Preadvies.ONTRADEN,
        ),
        "motion": BallotCreate(
            agenda="3", title="Motie digitale toegankelijkheid", kind=BallotKind.MOTIE,
            submitters=["GM0004"], preadvies=Preadvies.OORDEEL_VERGADERING,
        ),
        "fee": BallotCreate(agenda="4", title="Contributie 2026", kind=BallotKind.VOORSTEL,
                            majority=Majority.TWO_THIRDS),
        "cooperation": BallotCreate(agenda="5", title="Samenwerking informatieveiligheid", kind=BallotKind.VOORSTEL),
        "minutes": BallotCreate(agenda="6", title="Notulen van 29 november 2024", kind=BallotKind.VOORSTEL),
        "board": BallotCreate(agenda="7", title="Benoeming voorzitter", kind=BallotKind.VOORSTEL),
        "purchasing": BallotCreate(agenda="8", title="Gezamenlijke inkoop", kind=BallotKind.RESOLUTIE),
        "plan": BallotCreate(agenda="9", title="Meerjarenbeleidsplan 2026-2029", kind=BallotKind.VOORSTEL),
        "stray": BallotCreate(
            agenda="10", title="Motie vreemd aan de orde: vergaderen op zaterdag", kind=BallotKind.MOTIE,
            off_agenda=True, submitters=["GM0001"], preadvies=Preadvies.AANHOUDEN,
        ),
    }  # fmt: skip
    ids: dict[str, int] = {}
    async with database.transaction() as session:
        for key, data in more.items():
            ids[key] = (await create_ballot(session, seeded.meeting_id, data)).id
    server = ServerProcess(database.url)
    server.start()
    try:
        yield Meeting(
            hall=Hall(server=server, seeded=seeded, other_meeting_ballot=0),
            agenda=Agenda(test=test, report=report, budget=budget, **ids),
        )
    finally:
        server.stop()


def item(page: Page, ballot: int) -> Locator:
    return page.locator(f'.ballot-item[data-ballot="{ballot}"]')


async def more(page: Page, ballot: int, action: str) -> None:
    """Opens the ballot's "Meer" and clicks `action` in it."""
    await item(page, ballot).get_by_role("button", name="Meer").click()
    await item(page, ballot).locator(".item-more").get_by_role("button", name=action, exact=True).click()


async def feed(meeting: Meeting) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=meeting.hall.server.base) as client:
        answer: dict[str, Any] = (await client.get("/api/feed")).json()
    return answer


def in_view(box: dict[str, float] | None, viewport: dict[str, int]) -> bool:
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


# Voiding and the re-vote (SPEC 2.7)


async def test_chair_voids_an_open_ballot_and_runs_its_revote(
    meeting: Meeting, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    report = meeting.agenda.report
    async with open_page(browser, meeting.hall.server.base, watch, viewport=DESK) as (_, page):
        await sign_in(page, meeting.hall)
        await item(page, report).get_by_role("button", name="Openen").click()
        await expect(item(page, report).locator(".status")).to_have_text("Stemming geopend")
        async with protocol_kiosks(meeting.hall, "GM0001", "GM0002") as (large, middle):
            await kiosk_vote(large, report, "for", "void-1")
            await kiosk_vote(middle, report, "against", "void-2")
        await expect(page.locator("#current .tally-weight")).to_have_text(["75", "42", "0"])

        # The live panel's own button: the reason is asked in a dialog, and required.
        await page.locator("#controls").get_by_role("button", name="Ongeldig verklaren").click()
        box = dialog(page)
        await expect(box.get_by_role("heading")).to_have_text("Stemming ongeldig verklaren")
        await expect(box.locator(".dialog-subject")).to_have_text("2 Jaarverslag 2024 (voorstel)")
        await expect(box.get_by_label("Reden (zo komt het in de notulen)")).to_be_focused()
        await box.get_by_role("button", name="Ongeldig verklaren").click()
        await expect(box.locator(".dialog-error")).to_have_text("Vul de reden in.")
        assert (await meeting.get(f"/api/ballots/{report}"))["status"] == "open"
        await box.get_by_label("Reden (zo komt het in de notulen)").fill("storing in het netwerk van de zaal")
        await screenshot(page, request, "void-dialog")
        await box.get_by_role("button", name="Ongeldig verklaren").click()

        await expect(item(page, report).locator(".status")).to_have_text("Ongeldig verklaard")
        voided = (await meeting.get(f"/api/ballots/{report}"))["result"]
        assert voided["outcome"] == "voided" and voided["void_reason"] == "storing in het netwerk van de zaal"
        await expect(item(page, report).locator(".item-result")).to_have_text(voided["minutes"])
        await expect(page.locator("#current .outcome")).to_have_text(voided["minutes"])
        decisions = (await feed(meeting))["decisions"]
        assert [(d["ballot"], d["outcome"], d["minutes"]["nl"]) for d in decisions] == [
            (report, "voided", voided["minutes"])
        ]

        # Herstemming: a new draft with the same settings, which names the ballot it redoes.
        await item(page, report).get_by_role("button", name="Herstemming").click()
        revote_item = page.locator(".ballot-item", has=page.locator(".revote-of"))
        await expect(revote_item.locator(".revote-of")).to_have_text("herstemming van 2 Jaarverslag 2024")
        await expect(page.locator("#notice")).to_have_text(
            "De herstemming van 2 Jaarverslag 2024 staat klaar; open die als de zaal zover is."
        )
        await expect(item(page, report).get_by_role("button")).to_have_count(0)  # one re-vote only
        revote = int(await revote_item.get_attribute("data-ballot") or 0)
        created = await meeting.get(f"/api/ballots/{revote}")
        assert (created["revote_of"], created["agenda"], created["title"], created["kind"]) == (
            report,
            "2",
            "Jaarverslag 2024",
            "voorstel",
        )

        await revote_item.get_by_role("button", name="Openen").click()
        await expect(revote_item.locator(".status")).to_have_text("Stemming geopend")
        async with protocol_kiosks(meeting.hall, "GM0001", "GM0004") as (large, other):
            await kiosk_vote(large, revote, "for", "revote-1")
            await kiosk_vote(other, revote, "for", "revote-2")
        await revote_item.get_by_role("button", name="Sluiten").click()
        await answer(page)
        await expect(revote_item.locator(".status")).to_have_text("Stemming gesloten")
        result = (await meeting.get(f"/api/ballots/{revote}"))["result"]
        await expect(revote_item.locator(".item-result")).to_have_text(result["minutes"])

    # The hall's feed: the voided ballot, then its re-vote naming it.
    decisions = (await feed(meeting))["decisions"]
    assert [(d["ballot"], d["outcome"]) for d in decisions] == [(report, "voided"), (revote, "adopted")]
    assert decisions[0]["void_reason"] == "storing in het netwerk van de zaal"
    assert decisions[1]["revote_of"] == {
        "id": report,
        "agenda": "2",
        "title": "Jaarverslag 2024",
        "kind": "voorstel",
    }
    assert decisions[1]["minutes"]["nl"] == result["minutes"]
    assert watch.problems == []


async def test_voiding_a_result_after_the_next_ballot_opened_is_refused_in_dutch(
    meeting: Meeting, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch("status of 409")  # the refused void, logged by the browser
    report, budget_item = meeting.agenda.report, meeting.agenda.amendment
    async with open_page(browser, meeting.hall.server.base, watch, viewport=DESK) as (_, page):
        await sign_in(page, meeting.hall)
        await meeting.hall.action(report, "open")
        await meeting.hall.action(report, "close")
        # The last closed ballot may still be voided; the chair starts to, and meanwhile another
        # chair (or the CLI) opens the next ballot.
        await expect(item(page, report).locator(".status")).to_have_text("Stemming gesloten")
        await item(page, report).get_by_role("button", name="Ongeldig verklaren").click()
        await expect(dialog(page).locator(".dialog-body")).to_contain_text("De uitslag vervalt")
        await meeting.hall.action(budget_item, "open")
        await expect(item(page, budget_item).locator(".status")).to_have_text("Stemming geopend")
        await dialog(page).get_by_label("Reden (zo komt het in de notulen)").fill("verkeerde meerderheid")
        await dialog(page).get_by_role("button", name="Ongeldig verklaren").click()
        await expect(dialog(page).locator(".dialog-error")).to_have_text(
            "De uitslag van 2 Jaarverslag 2024 kan niet meer ongeldig worden verklaard: daarna is "
            "3 Amendement contributie bevriezen al geopend of besloten."
        )
        await screenshot(page, request, "void-refused")
        await answer(page, "Annuleren")
        # The button is gone with the window.
        await expect(item(page, report).get_by_role("button")).to_have_count(0)
    assert (await meeting.get(f"/api/ballots/{report}"))["status"] == "closed"
    assert watch.problems == []


# Closing a ballot, with the panel in view (SPEC 1, 2.9)


async def test_closing_names_who_has_not_voted_and_the_panel_stays_in_view(
    meeting: Meeting, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    report = meeting.agenda.report
    await meeting.hall.action(report, "open")
    async with protocol_kiosks(meeting.hall, "GM0001") as (large,):
        await kiosk_vote(large, report, "for", "close-1")
    async with open_page(browser, meeting.hall.server.base, watch, viewport=DESK) as (_, page):
        await sign_in(page, meeting.hall)
        await expect(page.locator("#current .progress-line")).to_have_text(
            "1 van 4 leden hebben gestemd, 75 van 193 stemmen"
        )
        await expect(page.locator(".waiting-title")).to_have_text("Nog niet gestemd: 3 leden, 118 stemmen")

        # The agenda scrolls; the open ballot's panel and its controls stay in view.
        await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        assert await page.evaluate("window.scrollY") > 0
        assert not in_view(await item(page, report).bounding_box(), DESK)
        close = page.locator("#controls").get_by_role("button", name="Sluiten")
        assert in_view(await close.bounding_box(), DESK)
        assert in_view(await page.locator("#current .tally").bounding_box(), DESK)
        await screenshot(page, request, "panel-scrolled")

        # Who has not voted folds away, and stays folded while votes come in.
        await page.locator(".waiting-details summary").click()
        await expect(page.locator(".waiting-list")).to_be_hidden()

        await close.click()
        assert await asked(page) == (
            "Stemming sluiten? 2 Jaarverslag 2024 (voorstel) "
            "Nog niet gestemd: 3 van 4 aanwezige leden, 118 van 193 stemmen. "
            "Na het sluiten telt geen stem meer mee."
        )
        # A vote while the chair reads: the question follows the count.
        async with protocol_kiosks(meeting.hall, "GM0004") as (other,):
            await kiosk_vote(other, report, "against", "close-2")
        await expect(dialog(page).locator(".close-count")).to_have_text(
            "Nog niet gestemd: 2 van 4 aanwezige leden, 43 van 193 stemmen."
        )
        await expect(page.locator(".waiting-title")).to_have_text("Nog niet gestemd: 2 leden, 43 stemmen")
        await expect(page.locator(".waiting-list")).to_be_hidden()
        await screenshot(page, request, "close-question")
        await answer(page, "Annuleren")
        assert (await meeting.get(f"/api/ballots/{report}"))["status"] == "open"

    # The hall's size: the same panel, and this time the chair closes.
    async with open_page(browser, meeting.hall.server.base, watch, viewport=HALL_SCREEN) as (_, page):
        await sign_in(page, meeting.hall)
        await expect(page.locator("#current .progress-line")).to_have_text(
            "2 van 4 leden hebben gestemd, 150 van 193 stemmen"
        )
        await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        close = page.locator("#controls").get_by_role("button", name="Sluiten")
        assert in_view(await close.bounding_box(), HALL_SCREEN)
        await screenshot(page, request, "panel-scrolled-1920")
        await close.click()
        assert "Nog niet gestemd: 2 van 4 aanwezige leden, 43 van 193 stemmen." in await answer(page)
        await expect(item(page, report).locator(".status")).to_have_text("Stemming gesloten")
    assert (await meeting.get(f"/api/ballots/{report}"))["result"]["members_voted"] == 2
    assert watch.problems == []


# The agenda order (SPEC 2.8)


async def test_opening_out_of_turn_asks_and_names_who_comes_first(
    meeting: Meeting, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch("status of 409")  # the server's agenda_order, logged by the browser
    agenda = meeting.agenda
    async with open_page(browser, meeting.hall.server.base, watch, viewport=DESK) as (_, page):
        await sign_in(page, meeting.hall)
        motion = item(page, agenda.motion)
        await expect(motion.locator(".item-notes")).to_have_text(
            "Preadvies: oordeel aan de vergadering · Ingediend door Randmeer"
        )
        await expect(item(page, agenda.amendment).locator(".amends")).to_have_text(
            "amendement op 3 Begroting 2026"
        )
        await expect(item(page, agenda.stray).locator(".off-agenda")).to_have_text(
            "vreemd aan de orde van de dag"
        )
        await expect(item(page, agenda.fee).locator(".majority")).to_have_text(
            "tweederde meerderheid vereist"
        )

        # One question names everything that comes first: within item 3, then item 2, still
        # undecided. The chair may decline.
        await motion.get_by_role("button", name="Openen").click()
        assert await answer(page, "Annuleren") == (
            "Buiten de volgorde openen? 3 Motie digitale toegankelijkheid (motie) "
            "Binnen agendapunt 3 komen eerst de amendementen, dan het voorstel, dan de moties. "
            "Nog niet besloten en eerst aan de beurt: "
            "3 Amendement contributie bevriezen (amendement) 3 Begroting 2026 (voorstel) "
            "2 Jaarverslag 2024 (voorstel) Toch openen?"
        )
        await meeting.hall.action(agenda.report, "acclamation")
        await expect(item(page, agenda.report).locator(".status")).to_have_text("Bij acclamatie")

        # Within item 3 the amendment and the proposal come first: the server says so, the page
        # asks, naming them by agenda number and title, and opens only when the chair insists.
        await motion.get_by_role("button", name="Openen").click()
        text = await asked(page)
        assert text == (
            "Buiten de volgorde openen? 3 Motie digitale toegankelijkheid (motie) "
            "Binnen agendapunt 3 komen eerst de amendementen, dan het voorstel, dan de moties. "
            "Nog niet besloten en eerst aan de beurt: "
            "3 Amendement contributie bevriezen (amendement) 3 Begroting 2026 (voorstel) Toch openen?"
        ), text
        await screenshot(page, request, "order-question")
        assert (await meeting.get(f"/api/ballots/{agenda.motion}"))["status"] == "draft"
        await answer(page, "Toch openen")
        await expect(motion.locator(".status")).to_have_text("Stemming geopend")
    # The log keeps that the chair opened it out of turn, and which ballots it passed over.
    admin = {"Authorization": f"Bearer {meeting.hall.seeded.tokens[Role.ADMIN]}"}
    async with httpx.AsyncClient(base_url=meeting.hall.server.base) as client:
        log = (await client.get(f"/api/meetings/{meeting.id}/audit", headers=admin)).text
    opened = [e["data"] for e in map(json.loads, log.splitlines()) if e["type"] == "ballot_opened"]
    assert opened == [{"ballot": agenda.motion, "override_order": sorted([agenda.budget, agenda.amendment]),
                       "operator": opened[0]["operator"]}]  # fmt: skip
    assert watch.problems == []


# Closing the meeting (SPEC 2.11)


async def test_closing_the_meeting_names_the_undecided_and_shows_the_closing_hash(
    meeting: Meeting, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch("status of 409")  # the server naming the undecided ballots
    agenda = meeting.agenda
    undecided = [agenda.budget, agenda.amendment, agenda.motion, agenda.fee, agenda.cooperation, agenda.minutes,
                 agenda.board, agenda.purchasing, agenda.plan, agenda.stray]  # fmt: skip
    for ballot in undecided[1:]:
        await meeting.hall.action(ballot, "withdraw" if ballot != agenda.amendment else "hold")
    await meeting.hall.action(agenda.report, "acclamation")
    async with open_page(browser, meeting.hall.server.base, watch, viewport=DESK) as (context, page):
        await context.grant_permissions(["clipboard-read", "clipboard-write"])
        await sign_in(page, meeting.hall)
        await page.get_by_role("button", name="Vergadering sluiten").click()
        text = await asked(page)
        assert text == (
            "Vergadering sluiten? Over deze stemmingen is nog niet besloten: 3 Begroting 2026 (voorstel) "
            "Ze worden vastgelegd als „niet in stemming gebracht”. Daarna kan er niet meer gestemd worden."
        ), text
        await expect(dialog(page).get_by_role("button", name="Annuleren")).to_be_focused()
        await screenshot(page, request, "close-meeting-question")
        assert (await meeting.get(f"/api/meetings/{meeting.id}"))["status"] == "open"
        await answer(page, "Toch sluiten")

        await expect(page.locator("#meeting-status")).to_have_text(
            "De vergadering is gesloten; het stemverslag is nog niet gepubliceerd."
        )
        closed = await meeting.get(f"/api/meetings/{meeting.id}")
        close_hash = closed["close_hash"]
        assert re.fullmatch(r"[0-9a-f]{64}", close_hash)
        shown = page.locator("#close-hash")
        await expect(shown).to_have_text(" ".join(re.findall(".{8}", close_hash)))
        await expect(page.locator("#close-hash-label")).to_have_text(
            f"Logboek bij het sluiten van de vergadering: nr. {closed['close_seq']}, hash"
        )
        await expect(page.locator(".close-hash-note")).to_contain_text(
            "De commissie van stemopneming ondertekent deze hash."
        )
        await expect(item(page, agenda.budget).locator(".status")).to_have_text("Niet in stemming gebracht")
        await page.get_by_role("button", name="Kopiëren").click()
        await expect(page.locator("#copy-status")).to_have_text("Gekopieerd.")
        assert await page.evaluate("navigator.clipboard.readText()") == close_hash
        await screenshot(page, request, "closed-hash")

        # Without a clipboard (http on the hall's network is no secure context) the text is selected.
        await page.evaluate("Object.defineProperty(navigator, 'clipboard', { value: undefined })")
        await page.evaluate("document.execCommand = () => false")
        await page.get_by_role("button", name="Kopiëren").click()
        await expect(page.locator("#copy-status")).to_have_text(
            "De hash is geselecteerd: kopieer met Ctrl+C (of Cmd+C)."
        )
        selected = await page.evaluate("window.getSelection().toString()")
        assert selected.replace(" ", "") == close_hash
    async with open_page(browser, meeting.hall.server.base, watch, viewport=HALL_SCREEN) as (_, page):
        await sign_in(page, meeting.hall)
        await expect(page.locator("#close-hash")).to_have_attribute("data-hash", close_hash)
        await screenshot(page, request, "closed-hash-1920")
    state = await feed(meeting)
    assert state["meeting"]["status"] == "closed"
    assert watch.problems == []


# The corrections of a draft, the countdown, the hall screen's item


async def test_editing_counting_by_hand_noting_dissent_and_the_countdown(
    meeting: Meeting, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    agenda = meeting.agenda
    sent: list[tuple[str, str, Any]] = []

    def record(request_: Request) -> None:
        if request_.url.startswith(f"{meeting.hall.server.base}/api/") and request_.method in (
            "POST",
            "PATCH",
        ):
            body = request_.post_data
            sent.append((request_.method, request_.url.split("/api/")[1], json.loads(body) if body else None))

    async with open_page(browser, meeting.hall.server.base, watch, viewport=DESK) as (_, page):
        page.on("request", record)
        await sign_in(page, meeting.hall)

        # Edit a draft: the form is the new ballot's, and only what changed is sent.
        fee = item(page, agenda.fee)
        await more(page, agenda.fee, "Bewerken")
        box = dialog(page)
        await expect(box.get_by_role("heading")).to_have_text("Stemming bewerken")
        await expect(box.get_by_label("Titel")).to_have_value("Contributie 2026")
        await box.get_by_label("Titel").fill("Contributie 2026 en 2027")
        await box.get_by_label("Meerderheid").select_option("simple")
        await box.get_by_label("Onthoudingen tellen als uitgebrachte stem").check()
        await screenshot(page, request, "edit-form")
        await answer(page, "Wijzigingen opslaan")
        await expect(fee.locator(".item-title")).to_have_text("Contributie 2026 en 2027")
        await expect(fee.locator(".item-notes")).to_have_text("onthoudingen tellen mee")
        assert sent[-1] == (
            "PATCH", f"ballots/{agenda.fee}",
            {"title": "Contributie 2026 en 2027", "majority": "simple", "abstain_is_cast": True},
        )  # fmt: skip

        # A new ballot during the meeting: a motion on item 5 with its submitter and advice.
        await page.get_by_role("button", name="Nieuwe stemming").click()
        box = dialog(page)
        await box.get_by_label("Agendapunt").select_option("5")
        await box.get_by_label("Soort").select_option("motie")
        await box.get_by_label("Titel").fill("Motie gezamenlijke meldkamer")
        await box.get_by_label("Preadvies").select_option("overnemen")
        await box.get_by_label("Zoek een lid").fill("midden")
        await box.get_by_label("Middenburg").check()
        await expect(box.locator(".picked")).to_have_text("Gekozen: Middenburg")
        await expect(box.get_by_label("Grootstad")).to_be_hidden()
        await answer(page, "Stemming aanmaken")
        created = page.locator(".agenda-item[data-agenda='5'] .ballot-item").last
        await expect(created.locator(".item-title")).to_have_text("Motie gezamenlijke meldkamer")
        await expect(created.locator(".item-notes")).to_have_text(
            "Preadvies: overnemen · Ingediend door Middenburg"
        )
        assert sent[-1][0:2] == ("POST", f"meetings/{meeting.id}/ballots")
        assert {k: sent[-1][2][k] for k in ("agenda", "kind", "submitters", "preadvies", "off_agenda")} == {
            "agenda": "5", "kind": "motie", "submitters": ["GM0002"], "preadvies": "overnemen", "off_agenda": False,
        }  # fmt: skip

        # A count by hand, confirmed by the vote-counting committee (required).
        await more(page, agenda.cooperation, "Met de hand tellen")
        box = dialog(page)
        await box.get_by_label("Voor").fill("120")
        await box.get_by_label("Tegen").fill("43")
        await box.get_by_role("button", name="Uitslag vastleggen").click()
        await expect(box.locator(".dialog-error")).to_have_text(
            "Vul in wie van de commissie van stemopneming de telling bevestigt."
        )
        await box.get_by_label("Bevestigd door (lid van de commissie van stemopneming)").fill("J. de Boer")
        await screenshot(page, request, "hand-count")
        await answer(page, "Uitslag vastleggen")
        counted = item(page, agenda.cooperation)
        await expect(counted.locator(".status")).to_have_text("Stemming gesloten")
        result = (await meeting.get(f"/api/ballots/{agenda.cooperation}"))["result"]
        assert result["counted_by_hand"] and result["confirmed_by"] == "J. de Boer"
        assert "(met de hand geteld)" in result["minutes"]
        await expect(counted.locator(".item-result")).to_have_text(result["minutes"])
        await expect(counted.locator(".item-confirmed")).to_have_text(
            "Bevestigd door J. de Boer (commissie van stemopneming)"
        )

        # Only the outcome, for another draft.
        await more(page, agenda.minutes, "Met de hand tellen")
        box = dialog(page)
        await box.get_by_label("Alleen de uitkomst").check()
        await box.get_by_label("aangenomen", exact=True).check()
        await box.get_by_label("Bevestigd door (lid van de commissie van stemopneming)").fill("A. Smit")
        await answer(page, "Uitslag vastleggen")
        await expect(item(page, agenda.minutes).locator(".status")).to_have_text("Stemming gesloten")
        await expect(item(page, agenda.minutes).locator(".item-result")).to_have_text(
            (await meeting.get(f"/api/ballots/{agenda.minutes}"))["result"]["minutes"]
        )
        assert sent[-1][2] == {"outcome": "adopted", "confirmed_by": "A. Smit"}

        # An aantekening on a decision by acclamation names the members in the minutes.
        board = item(page, agenda.board)
        await board.get_by_role("button", name="Bij acclamatie").click()
        await answer(page)
        await board.get_by_role("button", name="Aantekening").click()
        box = dialog(page)
        await box.get_by_label("Grootstad").check()
        await box.get_by_label("Randmeer").check()
        await screenshot(page, request, "dissent")
        await answer(page, "Vastleggen")
        # The page shows the note once the chair's request is answered; read the API after that
        # (read at once, a loaded machine could answer before the note was stored).
        await expect(board.locator(".item-result")).to_contain_text("Grootstad en Randmeer")
        acclaimed = (await meeting.get(f"/api/ballots/{agenda.board}"))["result"]
        assert acclaimed["dissent"] == ["GM0001", "GM0004"]
        assert "Grootstad en Randmeer" in acclaimed["minutes"]
        await expect(board.locator(".item-result")).to_have_text(acclaimed["minutes"])

        # Out of order, and delete, each after a question.
        await more(page, agenda.stray, "Buiten de orde")
        assert "buiten de orde verklaren?" in await answer(page)
        await expect(item(page, agenda.stray).locator(".status")).to_have_text("Buiten de orde verklaard")
        await more(page, agenda.purchasing, "Verwijderen")
        assert "„Gezamenlijke inkoop” verwijderen?" in await answer(page, "Verwijderen")
        await expect(item(page, agenda.purchasing)).to_have_count(0)

        # The item on the hall screen, also one without a vote.
        await (
            page.locator(".agenda-item[data-agenda='1']")
            .get_by_role("button", name="Op het zaalscherm")
            .click()
        )
        await expect(page.locator("#screen-item")).to_have_text(
            "Op het zaalscherm: agendapunt 1 Opening en mededelingen"
        )
        assert (await feed(meeting))["current_item"] == {"number": "1", "title": "Opening en mededelingen"}
        await (
            page.locator(".agenda-item[data-agenda='1']").get_by_role("button", name="Van het scherm").click()
        )
        await expect(page.locator("#screen-item")).to_be_hidden()
        assert (await feed(meeting))["current_item"] is None

        # The countdown on the open ballot, shown on the chair's page too.
        await item(page, agenda.test).get_by_role("button", name="Openen").click()
        controls = page.locator("#controls")
        await controls.get_by_role("button", name="30 s").click()
        await expect(page.locator("#countdown")).to_have_text(
            re.compile(r"^Nog \d+ seconden?$|^Nog 1 seconde$")
        )
        left = int(re.sub(r"\D", "", await page.locator("#countdown").inner_text()) or 0)
        assert 0 < left <= 30
        assert (await feed(meeting))["ballot"]["countdown_ends_at"] is not None
        await screenshot(page, request, "countdown")
        await controls.get_by_role("button", name="Stop").click()
        await expect(page.locator("#countdown")).to_have_text("")
        assert (await feed(meeting))["ballot"]["countdown_ends_at"] is None
        assert [s[2] for s in sent if s[1].endswith("/countdown")] == [{"seconds": 30}, {"seconds": 0}]
    assert watch.problems == []


# Every error of the chair's API in the hall's words (display/chair-errors.js)

ERRORS = ["agenda_order", "amendments_pending", "void_window_passed", "ballot_already_open", "undecided_ballots",
          "ballot_open", "meeting_closed", "meeting_not_open", "ballot_not_draft", "ballot_amended",
          "revote_of_not_voided", "invalid_count", "not_acclamation", "unknown_agenda_item", "invalid_ballot",
          "illegal_transition", "test_ballot"]  # fmt: skip
NAMING = {"agenda_order", "amendments_pending", "undecided_ballots", "ballot_already_open", "ballot_open"}


async def test_an_election_is_counted_by_hand_one_field_per_candidate(
    meeting: Meeting, browser: Browser, request: pytest.FixtureRequest
) -> None:
    """SPEC 2.7, 2.10: the count by hand of an election asks the votes of each candidate (with
    the note that tells them apart) and the abstentions; the election rules decide, and the
    minutes say it was counted by hand."""
    watch = PageWatch()
    candidates = [{"name": "Anna Alfa", "note": "wethouder, Aa en Hunze"}, {"name": "Bert Beta"},
                  {"name": "Cees Gamma"}]  # fmt: skip
    body = {"agenda": "7", "title": "Lid dagelijks bestuur", "kind": "benoeming", "candidates": candidates}
    created = await meeting.post(f"/api/meetings/{meeting.id}/ballots", body)
    assert created.status_code == 201, created.text
    ballot = created.json()
    ids = {c["name"]: c["id"] for c in ballot["candidates"]}
    sent: list[Any] = []

    def record(request_: Request) -> None:
        if request_.url.endswith(f"/api/ballots/{ballot['id']}/hand-count"):
            sent.append(json.loads(request_.post_data or "null"))

    async with open_page(browser, meeting.hall.server.base, watch, viewport=DESK) as (_, page):
        page.on("request", record)
        await sign_in(page, meeting.hall)
        await more(page, ballot["id"], "Met de hand tellen")
        box = dialog(page)
        await expect(box.locator(".candidate-counts label")).to_have_text(
            ["Anna Alfa (wethouder, Aa en Hunze)", "Bert Beta", "Cees Gamma", "Onthouding"]
        )
        await expect(box.get_by_label("Voor", exact=True)).to_have_count(0)  # no for/against here
        await box.get_by_label("Anna Alfa (wethouder, Aa en Hunze)").fill("118")
        await box.get_by_label("Bert Beta").fill("75")
        await box.get_by_label("Bevestigd door (lid van de commissie van stemopneming)").fill("J. de Boer")
        await box.get_by_role("button", name="Uitslag vastleggen").click()
        await expect(box.locator(".dialog-error")).to_have_text(
            "Vul voor elke kandidaat het aantal stemmen in, in hele getallen."
        )
        await box.get_by_label("Cees Gamma").fill("0")
        await screenshot(page, request, "election-hand-count")
        await answer(page, "Uitslag vastleggen")
        counted = item(page, ballot["id"])
        await expect(counted.locator(".status")).to_have_text("Stemming gesloten")
        result = (await meeting.get(f"/api/ballots/{ballot['id']}"))["result"]
        assert result["minutes"] == "gekozen: Anna Alfa met 61,14% van de stemmen (met de hand geteld)"
        await expect(counted.locator(".item-result")).to_have_text(result["minutes"])
        await screenshot(page, request, "election-hand-counted")
    assert sent == [
        {"candidates": [{"id": ids["Anna Alfa"], "votes": 118}, {"id": ids["Bert Beta"], "votes": 75},
                        {"id": ids["Cees Gamma"], "votes": 0}], "confirmed_by": "J. de Boer"},
    ]  # fmt: skip
    assert watch.problems == []


@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)  # words only: one backend
async def test_every_error_is_worded_with_agenda_numbers_never_ids(
    meeting: Meeting, browser: Browser
) -> None:
    watch = PageWatch()
    async with open_page(browser, meeting.hall.server.base, watch, viewport=DESK) as (_, page):
        await page.goto("/chair")
        worded: dict[str, dict[str, str]] = await page.evaluate(
            """async (codes) => {
                const i18n = await import("/assets/lib/i18n.js");
                const { errorText } = await import("/display/chair-errors.js");
                await import("/display/chair-strings.js");
                // Ids (901...) that must never show; the server's English detail names them.
                const ballot = { id: 901, agenda: "7a", title: "Motie X", kind: "motie", status: "closed",
                                 result: { log_seq: 5 } };
                const later = { id: 902, agenda: "8", title: "Voorstel Y", kind: "voorstel", status: "open" };
                const named = [{ id: 903, agenda: "7", title: "Amendement Z", kind: "amendement" }];
                const error = (status, code) => ({ status, code, body: { error: code, ballots: named,
                    detail: "ballot 901 (903) refused", ballot_status: "closed", action: "void" } });
                const out = { nl: {}, en: {} };
                for (const lang of ["nl", "en"]) {
                    i18n.setLang(lang);
                    for (const code of codes) {
                        out[lang][code] = errorText(error(409, code), { ballot, ballots: [ballot, later], agenda: "7a" });
                    }
                    out[lang].offline = errorText({ status: 0, code: "offline", body: null });
                    out[lang].other = errorText(error(500, "kaput"), { ballot });
                }
                i18n.setLang("nl");
                return out;
            }""",
            ERRORS,
        )
    dutch, english = worded["nl"], worded["en"]
    assert dutch["other"] == "de server weigerde het (fout 500, kaput)."
    assert dutch["offline"] == "geen verbinding met de server; probeer het opnieuw."
    for code in ERRORS:
        text = dutch[code]
        assert text and "{" not in text and text != dutch["other"], (code, text)
        assert not re.search(r"90[123]", text), (code, text)  # never an internal id
        assert "refused" not in text and text != english[code], (code, text)  # worded, in Dutch
        if code in NAMING:
            assert "7 Amendement Z" in text, (code, text)
    assert dutch["void_window_passed"] == (
        "de uitslag van 7a Motie X kan niet meer ongeldig worden verklaard: daarna is 8 Voorstel Y al geopend "
        "of besloten."
    )
    assert dutch["illegal_transition"] == "dat kan niet meer bij 7a Motie X: de stemming is gesloten."
    assert dutch["unknown_agenda_item"] == "agendapunt 7a staat niet op de agenda van deze vergadering."
    assert watch.problems == []


# axe-core on the new states (tests/live/test_accessibility.py holds the chair to no serious or
# critical finding); SQLite only, as there: this checks how the page is drawn.


@pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)
async def test_chair_corrections_pass_axe(
    meeting: Meeting, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch("status of 409")
    agenda = meeting.agenda
    violations: list[str] = []
    async with open_page(browser, meeting.hall.server.base, watch, viewport=DESK) as (_, page):
        await sign_in(page, meeting.hall)
        await expect(item(page, agenda.budget)).to_be_visible()
        await item(page, agenda.budget).get_by_role("button", name="Meer").click()
        violations += await axe_violations(page, "chair, agenda with a correction menu open")

        for action, state in (("Bewerken", "ballot form"), ("Met de hand tellen", "count by hand")):
            await item(page, agenda.budget).locator(".item-more").get_by_role("button", name=action).click()
            await expect(dialog(page)).to_be_visible()
            violations += await axe_violations(page, f"chair, {state}")
            await answer(page, "Annuleren")
        await page.get_by_role("button", name="Nieuwe stemming").click()
        await dialog(page).get_by_label("Soort").select_option("amendement")
        violations += await axe_violations(page, "chair, new amendment form")
        await answer(page, "Annuleren")

        await item(page, agenda.motion).get_by_role("button", name="Openen").click()
        await expect(dialog(page)).to_be_visible()
        violations += await axe_violations(page, "chair, order question")
        await answer(page, "Annuleren")

        await item(page, agenda.report).get_by_role("button", name="Openen").click()
        await page.locator("#controls").get_by_role("button", name="30 s").click()
        await expect(page.locator("#countdown")).not_to_have_text("")
        violations += await axe_violations(page, "chair, ballot open with a countdown")
        await page.locator("#controls").get_by_role("button", name="Sluiten").click()
        violations += await axe_violations(page, "chair, close question")
        await answer(page, "Annuleren")
        await page.locator("#controls").get_by_role("button", name="Ongeldig verklaren").click()
        violations += await axe_violations(page, "chair, void dialog")
        await dialog(page).get_by_label("Reden (zo komt het in de notulen)").fill("storing")
        await answer(page)
        await expect(item(page, agenda.report).get_by_role("button", name="Herstemming")).to_be_visible()
        violations += await axe_violations(page, "chair, ballot voided")

        await item(page, agenda.minutes).get_by_role("button", name="Bij acclamatie").click()
        await answer(page)
        await item(page, agenda.minutes).get_by_role("button", name="Aantekening").click()
        violations += await axe_violations(page, "chair, aantekening")
        await answer(page, "Annuleren")

        await page.get_by_role("button", name="Vergadering sluiten").click()
        await expect(dialog(page)).to_be_visible()
        violations += await axe_violations(page, "chair, closing with undecided ballots")
        await answer(page, "Toch sluiten")
        await expect(page.locator("#close-hash")).to_be_visible()
        violations += await axe_violations(page, "chair, closed with its hash")

        await page.get_by_role("button", name="Switch to English").click()
        await expect(page.locator("#close-hash-title")).to_have_text("Closing hash of the meeting")
        violations += await axe_violations(page, "chair, closed, English")
        await screenshot(page, request, "closed-english", full_page=True)

    # A phone, for a chair away from the table: the same page in one column, the form fits.
    async with open_page(browser, meeting.hall.server.base, watch, **PHONE_OPTIONS) as (_, page):
        await sign_in(page, meeting.hall)
        await expect(page.locator("#close-hash")).to_be_visible()
        violations += await axe_violations(page, "chair, phone, closed")
        await screenshot(page, request, "phone-closed", full_page=True)
    assert not violations, "\n".join(violations)
    assert watch.problems == []
