"""A meeting from door to minutes (issue 7 item 1), in Debian's Chromium against a real server on
SQLite and on PostgreSQL, as the people of SPEC section 1 meet it.

The secretariat prepares the agenda through the API. The desk checks the representatives in on
`/desk`; each handheld (its own browser context, phone-sized) reads the pairing QR code off the
desk's screen, opens that address on `/kiosk` and votes. The chair runs an amendment, the amended
proposal and a motion from `/chair`, records an acclamation and a withdrawal, closes the meeting
and publishes. `/display` and `/display/overlay` must word every result as the minutes do, which
the test works out from its own ledger of taps and the members' weights. One handheld loses the
network before it votes, another loses the ack of its vote with the connection: both votes count
exactly once. The chair then closes the meeting and publishes; the public record and the event
log must tell the same story as the ledger.

Screenshots of every page go to screenshots/ (git-ignored); `make screenshots` copies the best
to docs/screenshots/ for the README.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Browser, Locator, Page, expect

from server.audit.chain import parse_line
from server.audit.replay import replay
from server.auth.roles import Role
from server.db import Database
from server.meetings.schemas import MeetingCreate
from server.record.content import CHOICE_NL
from server.rules import Choice
from server.secret.keys import fingerprint_display
from server.seed import seed_meeting
from tests.live.assembly import (
    APPOINTMENT,
    ARRIVALS,
    CHOICES,
    LOST_ACK,
    NAMES,
    OFFLINE,
    PHONES,
    REGISTER,
    WEIGHTS,
    Agenda,
    Ledger,
    dutch,
    dutch_weight,
    prepare_agenda,
    read_qr,
)
from tests.live.chair_page import answer as answer_dialog
from tests.live.conftest import Hall
from tests.live.pages_browser import (
    HALL_SCREEN,
    LAPTOP,
    FlakyNetwork,
    PageWatch,
    open_page,
    screenshot,
)
from tests.live.test_desk_page import fill_representative, issue_cards, scan, sign_in
from tests.servers import ServerProcess

# Generous waits for a loaded CI machine; nothing here asserts how long anything takes.
expect.set_options(timeout=20_000)


@dataclass
class Phone:
    member: str
    page: Page
    network: FlakyNetwork

    async def tap(self, choice: str) -> None:
        await self.page.get_by_role("button", name=CHOICES[choice]).tap()

    async def acknowledged(self, choice: str) -> None:
        await expect(self.page.locator("#vote-choice")).to_have_text(f"Uw stem: {CHOICES[choice]}")
        await expect(self.page.locator("#vote-status-text")).to_have_text("Uw stem is ontvangen")
        await expect(self.page.locator("#vote-receipt .receipt-code")).to_have_text(
            re.compile(r"^[0-9a-f]{10}$")
        )


@pytest.fixture
async def assembly(database: Database) -> AsyncIterator[Hall]:
    """An open meeting of REGISTER with operator tokens, and nobody checked in yet."""
    seeded = await seed_meeting(
        database, MeetingCreate(title="ALV", date=date(2025, 6, 18)), members=REGISTER, present=[]
    )
    server = ServerProcess(database.url)
    server.start()
    try:
        yield Hall(server=server, seeded=seeded, other_meeting_ballot=0)  # no second meeting here
    finally:
        server.stop()


def item(chair: Page, ballot: int) -> Locator:
    return chair.locator(f'.ballot-item[data-ballot="{ballot}"]')


async def run_vote(
    hall: Hall,
    ballot: int,
    title: str,
    kind: str,
    *,
    chair: Page,
    display: Page,
    overlay: Page,
    phones: dict[str, Phone],
    ledger: Ledger,
    taps: list[tuple[str, str]],
) -> None:
    """The chair opens `ballot`, the handhelds tap `taps` in order (a member tapping twice
    changes its vote), the chair watches the count and closes; every screen shows the minutes."""
    await item(chair, ballot).get_by_role("button", name="Openen").click()
    await expect(item(chair, ballot).locator(".status")).to_have_text("Stemming geopend")
    await expect(display.locator(".ballot-title")).to_have_text(title)
    await expect(display.locator(".status")).to_have_text("Stemming geopend")
    for phone in phones.values():
        await expect(phone.page.locator("#ballot-title")).to_have_text(title)
        await expect(phone.page.locator("#ballot-kind")).to_have_text(kind)
    for member, choice in taps:
        await phones[member].tap(choice)
        ledger.vote(ballot, member, choice)
        await phones[member].acknowledged(choice)
        # The chair sees who is still to vote and the running tally; the hall sees progress only.
        tally = ledger.tally(ballot)
        await expect(chair.locator("#current .tally-weight")).to_have_text(
            [dutch(tally["for"]), dutch(tally["against"]), dutch(tally["abstain"])]
        )
        await expect(display.locator(".progress-line")).to_have_text(ledger.progress(ballot))
        await expect(display.locator(".tally-hidden")).to_be_visible()
    await expect(chair.locator(".waiting-title")).to_have_text("Alle aanwezige leden hebben gestemd.")
    await close_and_check(hall, ballot, chair=chair, display=display, overlay=overlay, ledger=ledger)


async def close_and_check(
    hall: Hall, ballot: int, *, chair: Page, display: Page, overlay: Page, ledger: Ledger
) -> None:
    await item(chair, ballot).get_by_role("button", name="Sluiten").click()
    await answer_dialog(chair)
    await expect(item(chair, ballot).locator(".status")).to_have_text("Stemming gesloten")
    minutes = ledger.minutes(ballot)
    tally = ledger.tally(ballot)
    for page in (display, overlay, chair):
        await expect(page.locator(".outcome")).to_have_text(minutes)
        await expect(page.locator(f'.decision[data-ballot="{ballot}"] .decision-outcome')).to_have_text(
            minutes
        )
    await expect(item(chair, ballot).locator(".item-result")).to_have_text(minutes)
    await expect(display.locator(".tally-row .tally-weight")).to_have_text(
        [dutch(tally["for"]), dutch(tally["against"]), dutch(tally["abstain"])]
    )
    # The server agrees with the ledger, through the chair's API and the public feed.
    answer = await hall.ballot(ballot)
    assert {k: answer["tally"][k] for k in tally} == tally, answer["tally"]
    assert answer["result"]["minutes"] == minutes
    assert answer["result"]["outcome"] == ("adopted" if ledger.adopted(ballot) else "rejected")
    feed = await hall.feed()
    assert feed["ballot"]["id"] == ballot and feed["ballot"]["tally"]["percent_for"] == ledger.percent_for(
        ballot
    )
    assert feed["ballot"]["voted"] == {"members": tally["members_voted"], "weight": tally["weight_voted"]}


async def test_a_meeting_from_door_to_minutes(
    assembly: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    hall = assembly
    agenda = await prepare_agenda(hall)
    cards = await issue_cards(hall)
    ledger = Ledger()
    present = [arrival.member for arrival in ARRIVALS]
    of_weight = sum(WEIGHTS.values())
    # Expected in the browser: the chair's refused open (amendments first), a handheld offline.
    watch = PageWatch("status of 409", "ERR_INTERNET_DISCONNECTED")

    async with AsyncExitStack() as stack:
        _, display = await stack.enter_async_context(
            open_page(browser, hall.server.base, watch, viewport=HALL_SCREEN)
        )
        _, overlay = await stack.enter_async_context(
            open_page(browser, hall.server.base, watch, viewport=HALL_SCREEN)
        )
        _, desk = await stack.enter_async_context(
            open_page(browser, hall.server.base, watch, viewport=LAPTOP)
        )
        _, chair = await stack.enter_async_context(
            open_page(browser, hall.server.base, watch, viewport=LAPTOP)
        )
        await display.goto("/display")
        await overlay.goto("/display/overlay")
        await expect(display.locator("#meeting-title")).to_have_text("ALV")
        await expect(display.locator("#meeting-date")).to_have_text("18 juni 2025")
        await expect(display.locator("#presence")).to_have_text(
            f"0 van {len(REGISTER)} leden aanwezig, 0 van {dutch(of_weight)} stemmen"
        )

        # The door: the desk scans each card, records the representative and shows the QR code,
        # which the representative's handheld reads and opens.
        await sign_in(desk, hall, active=0)
        phones: dict[str, Phone] = {}
        for number, arrival in enumerate(ARRIVALS, start=1):
            await scan(desk, cards[arrival.member])
            await expect(desk.locator("#holder-name")).to_have_text(NAMES[arrival.member])
            await expect(desk.locator("#holder-weight")).to_have_text(dutch_weight(WEIGHTS[arrival.member]))
            await expect(desk.locator("#holder-status")).to_have_text("Nog niet vertegenwoordigd")
            await fill_representative(desk, arrival.name, arrival.role)
            await desk.get_by_label("Naam", exact=True).press("Enter")
            await expect(desk.locator("#pairing-who")).to_have_text(
                f"{NAMES[arrival.member]} · {dutch_weight(WEIGHTS[arrival.member])} · "
                f"{arrival.name} ({arrival.role})"
            )
            qr = desk.locator("#pairing-qr svg")
            await expect(qr).to_be_visible()
            url = read_qr(await qr.screenshot())
            shown_code = await desk.locator("#pairing-code").text_content()
            parts = urlsplit(url)
            assert (f"{parts.scheme}://{parts.netloc}", parts.path) == (hall.server.base, "/kiosk"), url
            assert parts.fragment == f"pair={shown_code}", url
            await expect(desk.locator(".pass.status-active")).to_have_count(number)
            if number == len(ARRIVALS):
                await screenshot(desk, request, "desk-qr")

            options = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
            viewport = PHONES[number % len(PHONES)]
            _, page = await stack.enter_async_context(
                open_page(browser, hall.server.base, watch, viewport=viewport, **options)
            )
            network = FlakyNetwork()
            await network.attach(page, "**/ws/kiosk")
            phones[arrival.member] = Phone(arrival.member, page, network)
            await page.goto(url)
            await expect(page.locator("#member-name")).to_have_text(NAMES[arrival.member])
            await expect(page.locator("#member-weight")).to_have_text(dutch_weight(WEIGHTS[arrival.member]))
            await expect(page.get_by_role("heading", name="Er is geen stemming geopend")).to_be_visible()
            assert "pair=" not in page.url, "the single-use code must leave the address bar"

            here = present[:number]
            weight = sum(WEIGHTS[m] for m in here)
            await expect(desk.locator("#presence-count")).to_have_text(
                f"{number} van {len(REGISTER)} leden, {dutch(weight)} van {dutch(of_weight)} stemmen"
            )
            await desk.get_by_role("button", name="Volgende").click()
            await expect(desk.locator("#scan")).to_be_focused()
        await expect(desk.locator(".pass.status-active")).to_have_count(len(ARRIVALS))
        present_weight = sum(WEIGHTS[m] for m in present)
        await expect(display.locator("#presence")).to_have_text(
            f"{len(present)} van {len(REGISTER)} leden aanwezig, "
            f"{dutch(present_weight)} van {dutch(of_weight)} stemmen"
        )
        await screenshot(display, request, "display-ready")

        # The chair.
        await chair.goto("/chair")
        await chair.get_by_label("Operatortoken (voorzitter of beheerder)").fill(
            hall.seeded.tokens[Role.CHAIR]
        )
        await chair.get_by_role("button", name="Aanmelden").click()
        # Agenda order within item 4: the amendment, the amended proposal, the motion (SPEC 2.8).
        await expect(chair.locator(".ballot-item .item-title")).to_have_text(
            [
                "Amendement contributie bevriezen",
                "Begroting 2026",
                "Motie digitale toegankelijkheid",
                "Jaarverslag 2024",
                "Motie vreemd aan de orde van de dag",
                APPOINTMENT,
            ]
        )
        # The appointment is secret without anyone saying so, and the committee's key is set.
        await expect(item(chair, agenda.appointment).locator(".item-notes")).to_contain_text(
            "geheime stemming"
        )
        await expect(chair.locator("#committee-key")).to_have_text(
            f"Sleutel commissie van stemopneming: {fingerprint_display(agenda.committee_fingerprint)}"
        )
        # The proposal does not go to the vote before its amendment unless the chair insists.
        await item(chair, agenda.proposal).get_by_role("button", name="Openen").click()
        asked = await answer_dialog(chair, "Annuleren")
        assert "4 Amendement contributie bevriezen" in asked and "Toch openen?" in asked, asked
        await expect(item(chair, agenda.proposal).locator(".status")).to_have_text("In voorbereiding")

        screens = {"chair": chair, "display": display, "overlay": overlay, "phones": phones, "ledger": ledger}
        # The amendment: rejected.
        await run_vote(
            hall, agenda.amendment, "Amendement contributie bevriezen", "amendement", **screens,
            taps=[("GM0001", "against"), ("GM0002", "for"), ("GM0003", "for"), ("GM0004", "against"),
                  ("GM0005", "abstain")],
        )  # fmt: skip
        assert not ledger.adopted(agenda.amendment)
        for phone in phones.values():
            await expect(phone.page.locator("#last-ballot")).to_have_text(
                f"Laatste stemming: 4 Amendement contributie bevriezen – {ledger.minutes(agenda.amendment)}"
            )
        await screenshot(phones["GM0003"].page, request, "kiosk-last-result")

        # The amended proposal: adopted; Middenburg changes its mind while the ballot is open.
        await run_vote(
            hall, agenda.proposal, "Begroting 2026", "voorstel", **screens,
            taps=[("GM0002", "against"), ("GM0001", "for"), ("GM0003", "against"), ("GM0004", "for"),
                  ("GM0005", "against"), ("GM0002", "for")],
        )  # fmt: skip
        assert ledger.adopted(agenda.proposal)
        await screenshot(display, request, "display-result")

        # The motion, with the board's advice; two handhelds lose the network on the way.
        motion = agenda.motion
        await item(chair, motion).get_by_role("button", name="Openen").click()
        await expect(display.locator(".preadvies")).to_have_text("Preadvies: ontraden")
        # SPEC 2.8: a motion comes with its submitting members, named as the register names them.
        await expect(display.locator(".submitters")).to_have_text("Ingediend door Middenburg, Zeedorp")
        for phone in phones.values():
            await expect(phone.page.locator("#ballot-title")).to_have_text("Motie digitale toegankelijkheid")
            await expect(phone.page.locator("#ballot-preadvies")).to_have_text("Preadvies: ontraden")
            await expect(phone.page.locator("#ballot-submitters")).to_have_text(
                "Ingediend door Middenburg, Zeedorp"
            )

        # Grootstad's handheld drops off the hall's wifi, and its representative votes anyway.
        offline = phones[OFFLINE]
        offline_context = offline.page.context
        await offline_context.set_offline(True)
        offline.network.down = True
        await offline.network.drop()
        await expect(offline.page.locator("#connection")).to_have_text(
            "verbinding verbroken, opnieuw verbinden…"
        )
        await offline.tap("against")
        ledger.vote(motion, OFFLINE, "against")
        await expect(offline.page.locator("#vote-status-text")).to_have_text("Uw stem wordt verzonden…")
        await screenshot(offline.page, request, "kiosk-offline")

        # Randmeer's vote reaches the server, but the ack is lost as the connection drops.
        lost = phones[LOST_ACK]
        lost.network.lose_next_ack = True
        await lost.tap("for")
        ledger.vote(motion, LOST_ACK, "for")
        for member, choice in (("GM0002", "for"), ("GM0003", "abstain"), ("GM0005", "for")):
            await phones[member].tap(choice)
            ledger.vote(motion, member, choice)
        for member in ("GM0002", "GM0003", "GM0005", LOST_ACK):
            await phones[member].acknowledged(ledger.votes[motion][member])
        # The offline vote has not arrived: the chair still waits for Grootstad.
        await expect(chair.locator(".waiting-title")).to_have_text(
            f"Nog niet gestemd: 1 lid, {dutch(WEIGHTS[OFFLINE])} stemmen"
        )
        await expect(chair.locator(".waiting-list .name")).to_have_text([NAMES[OFFLINE]])
        await expect(offline.page.locator("#vote-status-text")).to_have_text("Uw stem wordt verzonden…")
        await screenshot(chair, request, "chair-open", full_page=True)

        # The wifi is back: the handheld reconnects, sends its vote and shows the ack.
        offline.network.down = False
        await offline_context.set_offline(False)
        await offline.acknowledged("against")
        await expect(offline.page.locator("#connection")).to_be_hidden()
        await expect(chair.locator(".waiting-title")).to_have_text("Alle aanwezige leden hebben gestemd.")
        tally = ledger.tally(motion)
        await expect(chair.locator("#current .tally-weight")).to_have_text(
            [dutch(tally["for"]), dutch(tally["against"]), dutch(tally["abstain"])]
        )
        await screenshot(lost.page, request, "kiosk-ballot")
        receipts = {
            member: await phones[member].page.locator("#vote-receipt .receipt-code").text_content()
            for member in (OFFLINE, LOST_ACK)
        }
        await close_and_check(hall, motion, chair=chair, display=display, overlay=overlay, ledger=ledger)
        assert ledger.adopted(motion)
        await screenshot(display, request, "display-motion")
        await screenshot(overlay, request, "overlay", omit_background=True)
        await screenshot(chair, request, "chair-closed", full_page=True)

        # Decisions without an electronic vote (SPEC 2.7).
        await item(chair, agenda.acclaimed).get_by_role("button", name="Bij acclamatie").click()
        await answer_dialog(chair)
        for page in (display, overlay):
            await expect(page.locator(".outcome")).to_have_text("bij acclamatie aangenomen")
        await item(chair, agenda.withdrawn).get_by_role("button", name="Intrekken").click()
        await answer_dialog(chair)
        minutes = [
            "ingetrokken",
            "bij acclamatie aangenomen",
            ledger.minutes(motion),
            ledger.minutes(agenda.proposal),
            ledger.minutes(agenda.amendment),
        ]
        for page in (display, overlay, chair):
            await expect(page.locator(".outcome")).to_have_text("ingetrokken")
            await expect(page.locator(".decision-outcome")).to_have_text(minutes)  # newest first
        await screenshot(display, request, "display-decisions")
        await screenshot(overlay, request, "overlay-decisions", omit_background=True)

        # The appointment: a secret vote (SPEC 2.9). The handhelds vote as on any yes/no ballot;
        # nobody sees a running tally, and the result reaches the hall when the chair releases it.
        await run_secret_vote(
            hall, agenda.appointment, **screens,
            taps=[("GM0001", "for"), ("GM0002", "against"), ("GM0003", "for"), ("GM0004", "abstain"),
                  ("GM0005", "against"), ("GM0003", "against")],
        )  # fmt: skip
        minutes.insert(0, ledger.minutes(agenda.appointment))
        for page in (display, overlay, chair):
            await expect(page.locator(".decision-outcome")).to_have_text(minutes)

        # The minutes: the chair closes the meeting and publishes how every member voted.
        await chair.get_by_role("button", name="Vergadering sluiten").click()
        await answer_dialog(chair)
        await expect(chair.locator("#meeting-status")).to_have_text(
            "De vergadering is gesloten; het stemverslag is nog niet gepubliceerd."
        )
        await chair.get_by_role("button", name="Publiceren").click()
        await answer_dialog(chair)
        await expect(chair.locator("#meeting-status")).to_have_text(
            "De vergadering is gesloten en het stemverslag is gepubliceerd."
        )
        await screenshot(chair, request, "chair-published", full_page=True)

    assert watch.problems == []
    await check_sent_once(phones, motion)
    await check_record(hall, agenda, ledger)
    await check_log(hall, motion, receipts, agenda.appointment)


async def run_secret_vote(
    hall: Hall,
    ballot: int,
    *,
    chair: Page,
    display: Page,
    overlay: Page,
    phones: dict[str, Phone],
    ledger: Ledger,
    taps: list[tuple[str, str]],
) -> None:
    """The chair opens the secret `ballot`, the handhelds tap `taps` (a member tapping twice
    changes its vote, with the same secret), the chair closes and releases the result; while open
    the hall and the chair see who voted, never a tally."""
    await item(chair, ballot).get_by_role("button", name="Openen").click()
    await expect(item(chair, ballot).locator(".status")).to_have_text("Stemming geopend")
    await expect(display.locator(".ballot-title")).to_have_text(APPOINTMENT)
    await expect(display.locator(".secret")).to_have_text("Geheim")
    for phone in phones.values():
        await expect(phone.page.locator("#ballot-title")).to_have_text(APPOINTMENT)
        await expect(phone.page.locator("#secret-note")).to_contain_text("Geheime stemming")
    for member, choice in taps:
        phone = phones[member]
        await phone.tap(choice)
        ledger.vote(ballot, member, choice)
        await expect(phone.page.locator("#vote-choice")).to_have_text(f"Uw stem: {CHOICES[choice]}")
        await expect(phone.page.locator("#vote-status-text")).to_have_text("Uw stem is ontvangen")
        await expect(phone.page.locator("#vote-receipt .receipt-label")).to_have_text("Bewijs van deelname:")
        await expect(display.locator(".progress-line")).to_have_text(ledger.progress(ballot))
        await expect(display.locator(".tally")).to_have_count(0)
        await expect(chair.locator("#current .tally-weight")).to_have_count(0)
    await expect(chair.locator(".waiting-title")).to_have_text("Alle aanwezige leden hebben gestemd.")
    await item(chair, ballot).get_by_role("button", name="Sluiten").click()
    await answer_dialog(chair)
    await expect(display.locator(".result-pending")).to_have_text(
        "De voorzitter maakt de uitslag bekend namens de commissie van stemopneming."
    )
    await expect(display.locator(".tally")).to_have_count(0)
    await item(chair, ballot).get_by_role("button", name="Uitslag vrijgeven").click()
    await answer_dialog(chair, "Vrijgeven")
    minutes, tally = ledger.minutes(ballot), ledger.tally(ballot)
    for page in (display, overlay, chair):
        await expect(page.locator(".outcome")).to_have_text(minutes)
    await expect(display.locator(".tally-row .tally-weight")).to_have_text(
        [dutch(tally["for"]), dutch(tally["against"]), dutch(tally["abstain"])]
    )
    result = (await hall.ballot(ballot))["result"]
    assert {k: result[k] for k in ("for", "against", "abstain", "cast", "members_voted")} == {
        k: tally[k] for k in ("for", "against", "abstain", "cast", "members_voted")
    }
    assert result["minutes"] == minutes


async def check_sent_once(phones: dict[str, Phone], motion: int) -> None:
    """The offline handheld sent its vote once, after the wifi came back; the one that lost the
    ack sent the same vote (same vote_id) again, and was acknowledged once."""
    sent = [m for m in phones[OFFLINE].network.sent if m["type"] == "vote" and m["ballot"] == motion]
    assert [m["choice"] for m in sent] == ["against"], sent
    resent = [m for m in phones[LOST_ACK].network.sent if m["type"] == "vote" and m["ballot"] == motion]
    assert len(resent) == 2 and resent[0]["vote_id"] == resent[1]["vote_id"], resent
    acks = [m for m in phones[LOST_ACK].network.delivered if m["type"] == "ack" and m["ballot"] == motion]
    assert [a["vote_id"] for a in acks] == [resent[0]["vote_id"]], acks


async def check_record(hall: Hall, agenda: Agenda, ledger: Ledger) -> None:
    """The published record (public now: JSON, CSV and the page) says what the ledger says,
    member by member; on the secret appointment only that a member voted."""
    async with httpx.AsyncClient(base_url=hall.server.base) as client:
        response = await client.get(f"/api/meetings/{hall.seeded.meeting_id}/record.json")
        as_csv = await client.get(f"/api/meetings/{hall.seeded.meeting_id}/record.csv")
        as_html = await client.get(f"/api/meetings/{hall.seeded.meeting_id}/record.html")
    for answer in (response, as_csv, as_html):
        assert answer.status_code == 200, answer.text
    record, spreadsheet, page = response.json(), as_csv.text, as_html.text
    ballots = {b["id"]: b for b in record["ballots"]}
    for ballot in (agenda.amendment, agenda.proposal, agenda.motion):
        tally = ledger.tally(ballot)
        shown = ballots[ballot]
        assert {k: shown[k] for k in ("for", "against", "abstain", "cast", "members_voted")} == {
            k: tally[k] for k in ("for", "against", "abstain", "cast", "members_voted")
        }
        assert shown["percent_for"] == ledger.percent_for(ballot)
        assert shown["minutes"] == ledger.minutes(ballot)
    assert ballots[agenda.acclaimed]["outcome"] == "acclamation"
    assert ballots[agenda.withdrawn]["outcome"] == "withdrawn"
    voted = (agenda.amendment, agenda.proposal, agenda.motion)
    members = {m["code"]: m for m in record["members"]}
    assert set(members) == set(NAMES)
    # Every arrival stays to the end: without a vote, an arrival is present ("not_voted"), any
    # other member absent: three different cells (issue 15).
    arrived = {a.member for a in ARRIVALS}
    no_vote = {code: "not_voted" if code in arrived else "absent" for code in NAMES}
    no_vote_nl = {code: "niet gestemd" if code in arrived else "afwezig" for code in NAMES}
    assert record["attendance"]["members"] == len(arrived)
    for code, member in members.items():
        assert member["weight"] == WEIGHTS[code]
        assert member["present"] == (code in arrived)
        assert {int(b): c for b, c in member["votes"].items() if int(b) in voted} == {
            ballot: ledger.votes[ballot].get(code, no_vote[code]) for ballot in voted
        }, code
    assert members["GM0006"]["role"] is None
    assert {a.member: a.role for a in ARRIVALS} == {c: m["role"] for c, m in members.items() if m["role"]}

    # The secret appointment: its totals after release, and per member only that it voted.
    appointment, tally = ballots[agenda.appointment], ledger.tally(agenda.appointment)
    assert {k: appointment[k] for k in ("for", "against", "abstain", "cast", "members_voted")} == {
        k: tally[k] for k in ("for", "against", "abstain", "cast", "members_voted")
    }
    assert appointment["minutes"] == ledger.minutes(agenda.appointment)
    assert {code: member["votes"].get(str(agenda.appointment)) for code, member in members.items()} == {
        code: "voted" if code in ledger.votes[agenda.appointment] else no_vote[code] for code in NAMES
    }
    # GM0006 never came: absent on every ballot.
    assert set(members["GM0006"]["votes"].values()) == {"absent"}
    # The spreadsheet: the appointment's column says "gestemd" (or why not) in every member's
    # row, and its summary rows the totals.
    rows = list(csv.reader(io.StringIO(spreadsheet.lstrip("\ufeff")), delimiter=";"))
    column = next(i for i, name in enumerate(rows[0]) if name.endswith(f"(#{agenda.appointment})"))
    blank = rows.index([])
    assert {row[0]: row[column] for row in rows[1:blank]} == {
        code: "gestemd" if code in ledger.votes[agenda.appointment] else no_vote_nl[code] for code in NAMES
    }
    summary = {row[0]: row[column] for row in rows[blank + 1 :]}
    assert [summary[label] for label in ("voor", "tegen", "onthouding", "leden gestemd")] == [
        str(tally["for"]), str(tally["against"]), str(tally["abstain"]), str(tally["members_voted"])
    ]  # fmt: skip
    for ballot in voted:  # the public ballots' cells say the choice
        column = next(i for i, name in enumerate(rows[0]) if name.endswith(f"(#{ballot})"))
        assert {row[0]: row[column] for row in rows[1:blank]} == {
            code: CHOICE_NL[Choice(ledger.votes[ballot][code])]
            if code in ledger.votes[ballot]
            else no_vote_nl[code]
            for code in NAMES
        }
    # The page: a row per member with a cell per ballot voted on, in agenda order (the
    # amendment, the proposal, the motion, then the appointment of item 7).
    # A member without a vote is "niet gestemd" or "afwezig", as record.json's cell says.
    cells = {
        code: [
            text
            for kind, text in re.findall(r'<td class="([a-z_]+)">(.*?)</td>', row)
            if kind not in ("num", "role")
        ]
        for code, row in re.findall(r"<small>(GM\d{4})</small></th>(.*?)</tr>", page, re.DOTALL)
    }
    order = (agenda.amendment, agenda.proposal, agenda.motion)

    assert cells == {
        code: [
            CHOICE_NL[Choice(ledger.votes[b][code])] if code in ledger.votes[b] else no_vote_nl[code]
            for b in order
        ]
        + ["gestemd" if code in ledger.votes[agenda.appointment] else no_vote_nl[code]]
        for code in NAMES
    }


async def check_log(hall: Hall, motion: int, receipts: dict[str, str | None], secret: int) -> None:
    """Each of the two troubled votes is in the event log once, and the receipt on the handheld
    is the start of that entry's hash (SPEC 4.2, 5). The secret ballot's votes are there as
    participations only, its result as unit ballots; and the whole log verifies."""
    async with httpx.AsyncClient(base_url=hall.server.base) as client:
        response = await client.get(f"/api/meetings/{hall.seeded.meeting_id}/audit")
    assert response.status_code == 200, response.text
    entries = [json.loads(line) for line in response.text.splitlines() if line]
    assert replay([parse_line(line) for line in response.text.splitlines() if line]).problems == []
    about = [e for e in entries if e["data"].get("ballot") == secret]
    assert "vote" not in {e["type"] for e in about}
    # One participation per vote sent: Kleindorp changed its vote.
    assert sorted(e["data"]["member"] for e in about if e["type"] == "participation") == [
        "GM0001", "GM0002", "GM0003", "GM0003", "GM0004", "GM0005"
    ]  # fmt: skip
    assert [e["type"] for e in about if e["type"] in ("ballot_closed", "ballot_released")] == [
        "ballot_closed", "ballot_released"
    ]  # fmt: skip
    for member, receipt in receipts.items():
        votes = [
            e
            for e in entries
            if e["type"] == "vote" and e["data"]["ballot"] == motion and e["data"]["member"] == member
        ]
        assert len(votes) == 1, votes
        assert receipt and votes[0]["hash"].startswith(receipt), (receipt, votes[0]["hash"])
