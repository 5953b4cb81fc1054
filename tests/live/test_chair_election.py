"""A secret election in two rounds, from the chair's page to the hall screen and a handheld, in
Debian's Chromium against a real server on SQLite and on PostgreSQL (issue 14, SPEC 2.10): the
chair makes the election with its candidates in the form, sees the committee's key, opens and
closes each round; the hall screen shows who voted and no tally while it is open, "the chair
announces the result" until it is released, then the votes per candidate and the minutes; the
chair starts the second round in one click; a representative votes on a phone. Screenshots of
each step in screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page, expect

from server.secret.keys import fingerprint_display
from server.secret.sealing import new_secret
from tests.live.chair_page import answer, dialog, sign_in
from tests.live.pages_browser import PageWatch, open_page, screenshot
from tests.live.secret_hall import SecretHall, secret_hall, vote  # noqa: F401 - the fixture
from tests.live.test_pages import PHONE_OPTIONS

expect.set_options(timeout=20_000)

LAPTOP = {"width": 1366, "height": 768}
HALL = {"width": 1920, "height": 1080}
TITLE = "Lid dagelijks bestuur"


def item(page: Page, title: str):  # type: ignore[no-untyped-def]
    return page.locator(".ballot-item").filter(
        has=page.locator(".item-title", has_text=re.compile(f"^{re.escape(title)}$"))
    )


async def run_round(
    hall: SecretHall, chair: Page, phone: Page, display: Page, title: str, phone_pick: str,
    others: dict[str, str], request: pytest.FixtureRequest, step: str,
) -> int:  # fmt: skip
    """Open the round on the chair's page, vote (the phone by tapping, the others as kiosks),
    check the hall screen while open, close. Answers the ballot's id."""
    ballot = item(chair, title)
    ballot_id = int(await ballot.get_attribute("data-ballot") or 0)
    await ballot.get_by_role("button", name="Openen").click()
    if await dialog(chair).count():  # earlier agenda items still undecided: the chair goes on
        await answer(chair, "Toch openen")
    await expect(ballot.get_by_role("button", name="Sluiten")).to_be_visible()

    await expect(phone.locator("#ballot-title")).to_have_text(title)
    await phone.get_by_role("button", name=re.compile(phone_pick)).tap()
    await expect(phone.locator("#vote-status-text")).to_have_text("Uw stem is ontvangen")
    ids = {c["name"]: c["id"] for c in (await hall.ballot(ballot_id))["candidates"]}
    for code, pick in others.items():
        kiosk, _ = await hall.kiosk(code)
        choice = "abstain" if pick == "abstain" else ids[pick]
        assert (await vote(kiosk, ballot_id, choice, f"{step}-{code}", new_secret()))["type"] == "ack"
        await kiosk.close()

    # While open: who voted, the secret badge, no tally.
    await expect(display.locator(".progress-line")).to_have_text("4 van 4 leden hebben gestemd")
    await expect(display.locator(".secret")).to_have_text("Geheim")
    await expect(display.locator(".tally")).to_have_count(0)
    await screenshot(display, request, f"{step}-open-display")

    await ballot.get_by_role("button", name="Sluiten").click()
    asked = await answer(chair)  # the chair confirms the close, with how many voted
    assert "Alle aanwezige leden hebben gestemd." in asked, asked
    await expect(ballot.locator(".status")).to_have_text(re.compile("gesloten"))
    # Closed, not yet released: the hall waits for the chair.
    await expect(display.locator(".result-pending")).to_have_text(
        "De voorzitter maakt de uitslag bekend namens de commissie van stemopneming."
    )
    await expect(display.locator(".tally")).to_have_count(0)
    # The chair sees the result at once, marked as not out yet (its screen may be mirrored).
    await expect(chair.locator(".unreleased").first).to_have_text("Uitslag nog niet vrijgegeven")
    await expect(display.locator(".unreleased")).to_have_count(0)
    await screenshot(chair, request, f"{step}-closed-chair")
    await ballot.get_by_role("button", name="Uitslag vrijgeven").click()
    await answer(chair, "Vrijgeven")
    await expect(display.locator(".tally.election")).to_be_visible()
    await expect(display.locator(".result-pending")).to_have_count(0)
    await expect(chair.locator(".unreleased")).to_have_count(0)
    await screenshot(display, request, f"{step}-released-display")
    return ballot_id


async def test_a_secret_election_in_two_rounds_from_the_chair_to_the_hall_and_a_phone(
    secret_hall: SecretHall,  # noqa: F811 - the fixture imported above
    browser: Browser,
    request: pytest.FixtureRequest,
) -> None:
    hall = secret_hall
    watch = PageWatch()
    async with (
        open_page(browser, hall.server.base, watch, viewport=LAPTOP) as (_, chair),
        open_page(browser, hall.server.base, watch, viewport=HALL) as (_, display),
        open_page(browser, hall.server.base, watch, **PHONE_OPTIONS) as (_, phone),
    ):
        await sign_in(chair, hall)  # type: ignore[arg-type]
        await expect(chair.locator("#committee-key")).to_have_text(
            f"Sleutel commissie van stemopneming: {fingerprint_display(hall.committee.fingerprint)}"
        )
        await display.goto("/display")
        await phone.goto(f"/kiosk#pair={hall.seeded.pairing_codes['GM0001']}")
        await expect(phone.locator("#member-name")).not_to_be_empty()

        # The election, made in the chair's form: secret by default for an appointment.
        await chair.get_by_role("button", name="Nieuwe stemming").click()
        box = dialog(chair)
        await box.get_by_label("Soort").select_option("benoeming")
        agenda = box.get_by_label("Agendapunt")
        if await agenda.evaluate("e => e.tagName") == "SELECT":
            await agenda.select_option("4")
        else:
            await agenda.fill("4")
        await box.get_by_label("Titel").fill(TITLE)
        await box.get_by_label("Kandidaten").fill("Anna Alfa | wethouder, Aa en Hunze\nBert Beta\nCees Gamma")
        await expect(box.get_by_label("Geheime stemming (stemmingen over personen)")).to_be_checked()
        await screenshot(chair, request, "0-form")
        await answer(chair, "Stemming aanmaken")
        await expect(item(chair, TITLE).locator(".item-notes")).to_contain_text(
            "geheime stemming · kandidaten: Anna Alfa, Bert Beta, Cees Gamma"
        )

        # First round: Anna 75 (the phone), Cees 75, Bert 42, one abstains: nobody has more than
        # half of 192.
        first = await run_round(
            hall, chair, phone, display, TITLE, "Anna Alfa",
            {"GM0004": "Cees Gamma", "GM0002": "Bert Beta", "GM0003": "abstain"}, request, "1",
        )  # fmt: skip
        await expect(display.locator(".outcome")).to_have_text(
            "geen kandidaat heeft de volstrekte meerderheid; tweede vrije stemming"
        )
        assert (await hall.ballot(first))["result"]["outcome"] == "next_round"

        # The second round in one click.
        await item(chair, TITLE).get_by_role("button", name="Volgende stemronde").click()
        second_title = f"{TITLE} (tweede stemming)"
        await expect(item(chair, second_title)).to_be_visible()
        await expect(item(chair, second_title).locator(".item-notes")).to_contain_text(
            "tweede vrije stemming"
        )

        # Second round: Bert's 42 go to Anna: 117 of 192.
        second = await run_round(
            hall, chair, phone, display, second_title, "Anna Alfa",
            {"GM0004": "Cees Gamma", "GM0002": "Anna Alfa", "GM0003": "abstain"}, request, "2",
        )  # fmt: skip
        await expect(display.locator(".outcome")).to_have_text("gekozen: Anna Alfa met 60,94% van de stemmen")
        await expect(display.locator(".tally-row.candidate.marked .candidate-name")).to_have_text("Anna Alfa")
        result = (await hall.ballot(second))["result"]
        assert (result["outcome"], result["election"]["elected"]["name"]) == ("elected", "Anna Alfa")
        # The votes per candidate, and no member counts: the units carry weights only.
        assert {c["name"]: (c["votes"], c["members"]) for c in result["election"]["candidates"]} == {
            "Anna Alfa": (117, None), "Bert Beta": (0, None), "Cees Gamma": (75, None),
        }  # fmt: skip
        await expect(phone.locator("#last-ballot")).to_contain_text("gekozen: Anna Alfa")
        await screenshot(phone, request, "3-phone-after")
        await screenshot(chair, request, "3-chair-after")
    assert watch.problems == []

    # The published record says per member only that it voted on the secret rounds (SPEC 2.9).
    closed = await hall.post(f"/api/meetings/{hall.seeded.meeting_id}/close", confirm=True)
    assert closed.status_code == 200, closed.text
    published = await hall.post(f"/api/meetings/{hall.seeded.meeting_id}/publish")
    assert published.status_code == 200, published.text
    async with hall.client() as client:
        record = (await client.get(f"/api/meetings/{hall.seeded.meeting_id}/record.json")).json()
        csv = (await client.get(f"/api/meetings/{hall.seeded.meeting_id}/record.csv")).text
        html = (await client.get(f"/api/meetings/{hall.seeded.meeting_id}/record.html")).text
    # Each round by name, the later linked to the first, which lists both with their results.
    rounds = {b["id"]: (b["round"], b["round_of"], b["first_round"], b["secret"]) for b in record["ballots"]}
    assert (rounds[first], rounds[second]) == (("first", None, None, True), ("second", first, first, True))
    flat = " ".join(html.split())
    assert f'tweede vrije stemming van <a href="#stemming-{first}">stemming #{first}</a>' in flat
    assert (
        f'<li><a href="#stemming-{second}">tweede vrije stemming (stemming #{second})</a>: gekozen: Anna Alfa '
        "met 60,94% van de stemmen</li>"
    ) in flat
    assert '<td>Anna Alfa</td><td class="num">117</td> <td class="num">60,94%</td>' in flat
    cells = {m["code"]: m["votes"] for m in record["members"]}
    for ballot in (first, second):
        assert {code: votes[str(ballot)] for code, votes in cells.items() if code != "GM0005"} == {
            "GM0001": "voted", "GM0002": "voted", "GM0003": "voted", "GM0004": "voted",
        }  # fmt: skip
    assert "gestemd" in csv and "Anna Alfa" not in csv.split("\r\n\r\n")[0].split("\r\n", 1)[1]
