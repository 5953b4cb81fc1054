"""The published record in its four forms and the log, for one small meeting (SPEC 2.6-2.9, 4.1)."""

from __future__ import annotations

import base64
import copy
import csv
import hashlib
import io
import re
from typing import Any

import pypdf
import pytest

from server.audit.chain import check_chain, parse_line
from server.audit.replay import replay
from server.audit.verify import Report, compare_record
from server.auth.roles import Role
from tests.record.conftest import SCRIPT_TITLE, Hall

DUTCH = {
    "for": "voor",
    "against": "tegen",
    "abstain": "onthouding",
    "not_voted": "niet gestemd",
    "absent": "afwezig",
}


@pytest.fixture
async def published(played: Hall) -> tuple[Hall, dict[str, Any]]:
    return played, await played.close_and_publish()


async def _get(hall: Hall, route: str) -> Any:
    response = await hall.client.get(f"/api/meetings/{hall.meeting}/{route}")
    assert response.status_code == 200, response.text
    return response


async def _decision(hall: Hall, name: str) -> tuple[int, str]:
    result = (await hall.call("GET", f"/api/ballots/{hall.ballots[name]}", Role.CHAIR))["result"]
    return result["log_seq"], result["log_hash"]


# A ballot that is neither secret nor an election round.
NO_ROUND = {"secret": False, "round": None, "round_of": None, "first_round": None}
# Nor an amendment, motion with submitters, re-vote or count by hand (issue 15's details).
PLAIN = {
    "submitters": [], "preadvies": None, "amends": None, "amended_by": [], "off_agenda": False,
    "revote_of": None, "revoted_by": None,
    "void_reason": None, "confirmed_by": None, "lot": None,
}  # fmt: skip
# GM0001-GM0004 hold an active pass at every decision: 75 + 42 + 1 + 75.
ALL_FOUR = {"members": 4, "weight": 193}


async def test_record_json(published: tuple[Hall, dict[str, Any]]) -> None:
    hall, publication = published
    ids = hall.ballots
    annual_seq, annual_hash = await _decision(hall, "annual")
    digital_seq, digital_hash = await _decision(hall, "digital")
    motion_seq, motion_hash = await _decision(hall, "motion")
    closing_seq, closing_hash = await _decision(hall, "draft")
    record = (await _get(hall, "record.json")).json()
    a, d = str(ids["annual"]), str(ids["digital"])
    decided_at = {b["id"]: b.pop("decided_at") for b in record["ballots"]}
    assert all(decided_at.values())
    for field in ("opened_at", "closed_at"):
        assert record.pop(field)
    closing = await hall.call("GET", f"/api/meetings/{hall.meeting}", Role.CHAIR)
    assert record == {
        "meeting": {"id": hall.meeting, "title": "Algemene Ledenvergadering", "date": "2025-06-18", "place": "Utrecht"},
        "published_at": publication["published_at"],
        "log_head": publication["log_head"],
        "population_date": None,
        "close": {"seq": closing["close_seq"], "hash": closing["close_hash"]},
        "chair": None,
        "committee": [],
        "attendance": {"members": 4, "weight": 193, "of_members": 5, "of_weight": 205},
        # Agenda order (SPEC 2.8): item 1's proposal and resolution by id, then item 2's motion.
        # The test ballot is not in the record; the draft left at the close is, as not decided (SPEC 2.11).
        "ballots": [
            {
                "id": ids["annual"], "agenda": "1", "title": "Jaarverslag 2024", "kind": "voorstel",
                "majority": "simple", "outcome": "adopted", "for": 75, "against": 42, "abstain": 1,
                "cast": 117, "members_voted": 3, "percent_for": "64.10",
                "minutes": "aangenomen met 64,10% van de stemmen",
                "minutes_en": "adopted with 64.10% of the votes",
                "log_seq": annual_seq, "log_hash": annual_hash, "election": None,
                **NO_ROUND, **PLAIN, "status": "closed", "present": ALL_FOUR,
            },
            {
                "id": ids["digital"], "agenda": "1", "title": "Resolutie digitalisering", "kind": "resolutie",
                "majority": "two_thirds", "outcome": "rejected", "for": 76, "against": 117, "abstain": 0,
                "cast": 193, "members_voted": 4, "percent_for": "39.38",
                "minutes": "verworpen met 39,38% van de stemmen vóór",
                "minutes_en": "rejected with 39.38% of the votes in favour",
                "log_seq": digital_seq, "log_hash": digital_hash, "election": None,
                **NO_ROUND, **PLAIN, "status": "closed", "present": ALL_FOUR,
            },
            {
                "id": ids["motion"], "agenda": "2", "title": SCRIPT_TITLE, "kind": "motie",
                "majority": "simple", "outcome": "acclamation", "for": None, "against": None,
                "abstain": None, "cast": None, "members_voted": None, "percent_for": None,
                "minutes": "bij acclamatie aangenomen", "minutes_en": "adopted by acclamation",
                "log_seq": motion_seq, "log_hash": motion_hash, "election": None,
                **NO_ROUND, **PLAIN, "status": "acclamation", "present": ALL_FOUR,
            },
            {
                "id": ids["draft"], "agenda": "2", "title": "Motie die niet aan bod kwam", "kind": "motie",
                "majority": "simple", "outcome": "not_decided", "for": None, "against": None,
                "abstain": None, "cast": None, "members_voted": None, "percent_for": None,
                "minutes": "niet in stemming gebracht", "minutes_en": "not put to the vote",
                "log_seq": closing_seq, "log_hash": closing_hash, "election": None,
                **NO_ROUND, **PLAIN, "status": "not_decided", "present": ALL_FOUR,
            },
        ],
        # Only the electronically closed ballots have choices; GM0001 changed against -> for.
        # Three cells: a vote, present without voting (GM0004 on the annual report), absent.
        # The public reads no representatives' names (the meeting's setting is off).
        "members": [
            {"code": "GM0001", "name": "Grootstad", "weight": 75, "role": "burgemeester",
             "votes": {a: "for", d: "for"}, "present": True, "representatives": None},
            {"code": "GM0002", "name": "Middenburg", "weight": 42, "role": "wethouder",
             "votes": {a: "against", d: "against"}, "present": True, "representatives": None},
            {"code": "GM0003", "name": "Kleindorp", "weight": 1, "role": "burgemeester",
             "votes": {a: "abstain", d: "for"}, "present": True, "representatives": None},
            {"code": "GM0004", "name": "Randmeer", "weight": 75, "role": "burgemeester",
             "votes": {a: "not_voted", d: "against"}, "present": True, "representatives": None},
            {"code": "GM0005", "name": "Afwezig", "weight": 12, "role": None,
             "votes": {a: "absent", d: "absent"}, "present": False, "representatives": None},
        ],
    }  # fmt: skip


async def test_record_csv_agrees_with_the_json(published: tuple[Hall, dict[str, Any]]) -> None:
    hall, _ = published
    response = await _get(hall, "record.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    record = (await _get(hall, "record.json")).json()
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))

    voted = [b for b in record["ballots"] if b["for"] is not None]
    header = rows[0]
    assert header == ["code", "naam", "stemgewicht", "rol", "aanwezig", "vertegenwoordiger"] + [
        f"{b['agenda']} {b['title']} (#{b['id']})" for b in voted
    ]
    members = rows[1 : 1 + len(record["members"])]
    for row, member in zip(members, record["members"], strict=True):
        assert row[:4] == [member["code"], member["name"], str(member["weight"]), member["role"] or ""]
        assert row[4:6] == ["ja" if member["present"] else "nee", ""]
        assert row[6:] == [DUTCH[member["votes"][str(b["id"])]] for b in voted]
    assert rows[1 + len(record["members"])] == []
    summary = {row[0]: row[6:] for row in rows[2 + len(record["members"]) :]}
    assert list(summary) == [
        "voor",
        "tegen",
        "onthouding",
        "uitgebracht",
        "leden gestemd",
        "leden aanwezig",
        "stemmen aanwezig",
        "stemmen per kandidaat",
        "percentage voor",
        "uitslag",
    ]
    assert all(row[1:6] == [""] * 5 for row in rows[2 + len(record["members"]) :])
    for column, ballot in enumerate(voted):
        assert summary["voor"][column] == str(ballot["for"])
        assert summary["tegen"][column] == str(ballot["against"])
        assert summary["onthouding"][column] == str(ballot["abstain"])
        assert summary["uitgebracht"][column] == str(ballot["cast"])
        assert summary["leden gestemd"][column] == str(ballot["members_voted"])
        assert summary["leden aanwezig"][column] == str(ballot["present"]["members"])
        assert summary["stemmen aanwezig"][column] == str(ballot["present"]["weight"])
        assert summary["percentage voor"][column] == ballot["percent_for"].replace(".", ",")
        assert summary["uitslag"][column] == ballot["minutes"]
    assert summary["percentage voor"] == ["64,10", "39,38"]


async def test_record_html(published: tuple[Hall, dict[str, Any]]) -> None:
    hall, publication = published
    response = await _get(hall, "record.html")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    for sentence in ("aangenomen met 64,10% van de stemmen", "verworpen met 39,38% van de stemmen vóór",
                     "bij acclamatie aangenomen"):  # fmt: skip
        assert sentence in page
    assert "<script>" not in page
    assert "Motie &lt;script&gt;alert(1)&lt;/script&gt; &amp; meer" in page
    assert "Proefstemming" not in page.split("<h2>Besluiten</h2>")[1]  # the test ballot
    assert publication["log_head"]["hash"] in page
    assert (await _decision(hall, "annual"))[1] in page
    assert "wethouder" in page and "Afwezig" in page

    # A strict policy: nothing is loaded, no script runs; the one style block is allowed by hash.
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no external resources


async def test_results_pdf(published: tuple[Hall, dict[str, Any]]) -> None:
    hall, publication = published
    response = await _get(hall, "results.pdf")
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 1
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Agendapunt 1: Jaarverslag 2024",
        "Besluit: aangenomen met 64,10% van de stemmen",
        "Besluit: verworpen met 39,38% van de stemmen vóór",
        f"Agendapunt 2: {SCRIPT_TITLE}",  # escaped for reportlab's markup, printed as written
        "Besluit: bij acclamatie aangenomen",
        (await _decision(hall, "digital"))[1],
        publication["log_head"]["hash"],
    ):
        assert expected in text, expected
    assert "Proefstemming" not in text


async def test_results_docx(published: tuple[Hall, dict[str, Any]]) -> None:
    """Issue 15: the results for the minutes in Word, the same words as the PDF."""
    from tests.record.test_minutes_documents import docx_text

    hall, publication = published
    response = await _get(hall, "results.docx")
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response.headers["content-disposition"] == f'attachment; filename="uitslagen-{hall.meeting}.docx"'
    text = docx_text(response.content)
    pdf = " ".join(
        " ".join(
            page.extract_text()
            for page in pypdf.PdfReader(io.BytesIO((await _get(hall, "results.pdf")).content)).pages
        ).split()
    )
    for expected in (
        "Agendapunt 1: Jaarverslag 2024",
        "Besluit: aangenomen met 64,10% van de stemmen",
        f"Agendapunt 2: {SCRIPT_TITLE}",
        "Besluit: bij acclamatie aangenomen",
        "Besluit: niet in stemming gebracht",
        "Voor akkoord",
        (await _decision(hall, "digital"))[1],
        publication["log_head"]["hash"],
    ):
        assert expected in text, expected
        assert expected in pdf, expected
    assert "Proefstemming" not in text


async def test_audit_log(published: tuple[Hall, dict[str, Any]]) -> None:
    hall, publication = published
    response = await _get(hall, "audit")
    assert response.headers["content-type"] == "application/x-ndjson"
    lines = [parse_line(line) for line in response.text.splitlines()]
    assert check_chain(lines) == []
    assert lines[-1].entry["type"] == "meeting_published" and lines[-1].entry["data"] == {}
    record = (await _get(hall, "record.json")).json()
    assert {"seq": lines[-1].seq, "hash": lines[-1].hash} == record["log_head"] == publication["log_head"]

    # The record says what a replay of the log with the pure rules says (votehall verify's check).
    state = replay(lines)
    assert state.problems == [] and state.published
    report = Report()
    compare_record(state, record, report)
    assert report.problems == []

    # Attendance is checked against the log's passes: an absent member said to be present
    # without voting, a present one said to be absent, and wrong totals are each caught.
    annual = str(hall.ballots["annual"])
    forged = copy.deepcopy(record)
    forged["members"][3]["votes"][annual] = "absent"  # GM0004 held an active pass
    forged["members"][4]["votes"][annual] = "not_voted"  # GM0005 never came
    forged["members"][4]["present"] = True
    forged["attendance"]["weight"] += 12
    forged["ballots"][0]["present"] = {"members": 5, "weight": 205}
    report = Report()
    compare_record(state, forged, report)
    said = [problem.text("en") for problem in report.problems]
    assert len(said) == 5, said
    assert any("GM0004" in line and "'absent'" in line and "'not_voted'" in line for line in said)
    assert any("GM0005" in line and "'not_voted'" in line and "'absent'" in line for line in said)
    assert any("GM0005" in line and "present True" in line for line in said)
    assert any(line.startswith("the record says attendance") for line in said)
    assert any(f"ballot {annual}: the record says present" in line for line in said)


async def test_the_chair_checks_the_record_before_publishing(played: Hall) -> None:
    response = await played.client.get(
        f"/api/meetings/{played.meeting}/record.json", headers=played.auth(Role.CHAIR)
    )
    record = response.json()
    assert record["published_at"] is None
    assert [b["title"] for b in record["ballots"]] == [
        "Jaarverslag 2024",
        "Resolutie digitalisering",
        SCRIPT_TITLE,
    ]
    page = await played.client.get(
        f"/api/meetings/{played.meeting}/record.html", headers=played.auth(Role.CHAIR)
    )
    assert "nog niet gepubliceerd" in page.text
