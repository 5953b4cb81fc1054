"""Every format of the record agrees with every other on every figure (issue 15).

The meeting of tests/record/minutes_hall.py, published, read as record.json (the reference),
record.csv, record.html, results.pdf (its text, as pdftotext gives it) and results.docx (its XML's
text). Each figure the JSON gives (totals, percentages, presence, attendance, members' cells, the
minutes sentences, the reference date, the closing hash) is found in each of the others, in the
words and number format that format uses.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.record.minutes_hall import VOID_REASON, MinutesHall
from tests.record.test_minutes_documents import docx_text, pdf_text

CELLS = {
    "for": "voor",
    "against": "tegen",
    "abstain": "onthouding",
    "not_voted": "niet gestemd",
    "absent": "afwezig",
}


async def _get(minutes: MinutesHall, route: str) -> bytes:
    response = await minutes.hall.client.get(f"/api/meetings/{minutes.hall.meeting}/{route}")
    assert response.status_code == 200, response.text
    return response.content


def nl(value: int) -> str:
    return f"{value:,}".replace(",", ".")


async def record_json(minutes: MinutesHall) -> dict[str, Any]:
    import json

    record: dict[str, Any] = json.loads(await _get(minutes, "record.json"))
    return record


def cell_text(record: dict[str, Any], ballot: dict[str, Any], value: str | int) -> str:
    if isinstance(value, int):
        names = {c["id"]: c["name"] for c in (ballot["election"] or {}).get("candidates", [])}
        return names[value]
    return CELLS.get(value, value)


async def test_the_json_states_what_the_minutes_need(minutes: MinutesHall) -> None:
    record = await record_json(minutes)
    ids = minutes.ids
    ballots = {b["id"]: b for b in record["ballots"]}
    assert record["population_date"] == "2024-01-01"
    assert record["chair"] == "Sharon Dijksma" and record["committee"] == ["Jan de Vries", "Fatima El Amrani"]
    assert record["attendance"] == {"members": 4, "weight": 193, "of_members": 5, "of_weight": 205}
    amendment = ballots[ids["amendment"]]
    assert amendment["submitters"] == ["Middenburg", "Kleindorp"] and amendment["preadvies"] == "ontraden"
    assert amendment["amends"] == {"id": ids["proposal"], "agenda": "1", "title": "Kadernota 2026"}
    assert ballots[ids["proposal"]]["amended_by"] == [
        amendment["amends"] | {"id": ids["amendment"], "title": amendment["title"]}
    ]
    assert ballots[ids["first"]]["majority"] == "absolute"  # an election: more than half of the cast votes
    assert ballots[ids["voided"]]["void_reason"] == VOID_REASON
    assert ballots[ids["voided"]]["revoted_by"] == ids["revote"]
    assert ballots[ids["revote"]]["revote_of"]["id"] == ids["voided"]
    assert ballots[ids["proposal"]]["present"] == {"members": 4, "weight": 193}
    assert ballots[ids["motion"]]["present"] == {"members": 3, "weight": 192}  # GM0003 left
    cells = {m["code"]: m["votes"] for m in record["members"]}
    assert cells["GM0004"][str(ids["proposal"])] == "not_voted"
    assert cells["GM0003"][str(ids["motion"])] == "absent"
    assert cells["GM0005"][str(ids["proposal"])] == "absent"
    assert ballots[ids["second"]]["outcome"] == "elected"
    assert ballots[ids["second"]]["first_round"] == ids["first"]


async def test_the_csv_agrees_with_the_json(minutes: MinutesHall) -> None:
    record = await record_json(minutes)
    rows = list(
        csv.reader(io.StringIO((await _get(minutes, "record.csv")).decode("utf-8-sig")), delimiter=";")
    )
    header, members = rows[0], rows[1 : 1 + len(record["members"])]
    voted = [b for b in record["ballots"] if b["status"] == "closed"]
    assert header[6:] == [f"{b['agenda']} {b['title']} (#{b['id']})" for b in voted]
    for row, member in zip(members, record["members"], strict=True):
        assert row[:6] == [
            member["code"], member["name"], str(member["weight"]), member["role"] or "",
            "ja" if member["present"] else "nee", "",
        ]  # fmt: skip
        assert row[6:] == [cell_text(record, b, member["votes"][str(b["id"])]) for b in voted]
    summary = {row[0]: row[6:] for row in rows[2 + len(record["members"]) :]}
    for column, ballot in enumerate(voted):
        assert summary["leden aanwezig"][column] == str(ballot["present"]["members"])
        assert summary["stemmen aanwezig"][column] == str(ballot["present"]["weight"])
        assert summary["uitslag"][column] == ballot["minutes"]
        assert summary["leden gestemd"][column] == str(ballot["members_voted"])
        if ballot["election"] is not None:  # an election round: its votes per candidate
            assert summary["stemmen per kandidaat"][column] == "; ".join(
                [f"{c['name']} {c['votes']}" for c in ballot["election"]["candidates"]]
                + [f"onthouding {ballot['election']['abstain']}"]
            )
        else:
            assert summary["stemmen per kandidaat"][column] == ""


def fold(text: str) -> str:
    """Text compared across formats: whitespace folded, and without colons, which one format puts
    after a label ("Preadvies: ontraden") and another leaves to its layout."""
    return " ".join(text.replace(":", " ").split())


def in_a_row(ballot: dict[str, Any]) -> str:
    """The totals as the documents' table prints them: a row of figures under a row of labels."""
    return " ".join(nl(ballot[k]) for k in ("for", "against", "abstain", "cast"))


def labelled(ballot: dict[str, Any]) -> str:
    """The totals as the page prints them: each figure after its label."""
    return " ".join(
        f"{label} {nl(ballot[k])}"
        for label, k in zip(
            ("voor", "tegen", "onthouding", "uitgebracht"), ("for", "against", "abstain", "cast"), strict=True
        )
    )


def figures(record: dict[str, Any], totals: Callable[[dict[str, Any]], str] = in_a_row) -> list[str]:
    """What every document for the minutes must print, as Dutch text: the attendance, the reference
    date, per ballot its minutes sentence, presence and totals (or votes per candidate), its
    submitters and preadvies, and the closing entry's hash."""
    attendance = record["attendance"]
    said = [
        f"{attendance['members']} van {attendance['of_members']} leden aanwezig, "
        f"{nl(attendance['weight'])} van {nl(attendance['of_weight'])} stemmen",
        "inwonertallen CBS per 1 januari 2024",
        record["close"]["hash"],
        record["chair"],
        *record["committee"],
    ]
    for ballot in record["ballots"]:
        said.append(ballot["minutes"])
        said += [ref["title"] for ref in ballot["amended_by"]]
        said += ballot["submitters"]
        if ballot["preadvies"]:
            said.append(f"Preadvies: {ballot['preadvies']}")
        if ballot["void_reason"]:
            said.append(ballot["void_reason"])
        present = ballot["present"]
        if present is not None:
            said.append(f"{present['members']} leden, {nl(present['weight'])} stemmen")
        if ballot["election"] is not None:
            for candidate in ballot["election"]["candidates"]:
                said.append(f"{candidate['name']} {nl(candidate['votes'])}")
        elif ballot["for"] is not None:
            said.append(totals(ballot))
    return said


async def test_the_pdf_and_the_word_document_agree_with_the_json(
    minutes: MinutesHall, tmp_path: Path
) -> None:
    record = await record_json(minutes)
    texts = {
        "results.pdf": pdf_text(await _get(minutes, "results.pdf"), tmp_path),
        "results.docx": docx_text(await _get(minutes, "results.docx")),
    }
    for name, text in texts.items():
        folded = fold(text)
        for figure in figures(record):
            assert fold(figure) in folded, (name, figure)
        assert "UTC" not in folded, name


async def test_the_page_agrees_with_the_json(minutes: MinutesHall) -> None:
    record = await record_json(minutes)
    page = (await _get(minutes, "record.html")).decode()
    text = fold(html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page, flags=re.S))))
    signers = {record["chair"], *record["committee"]}  # they sign the PDF and the Word document
    for figure in figures(record, labelled):
        if figure not in signers:
            assert fold(figure) in text, figure
    voted = [b for b in record["ballots"] if b["status"] == "closed"]
    for member in record["members"]:  # a row: name, code, weight, then a cell per ballot in order
        cells = " ".join(cell_text(record, b, member["votes"][str(b["id"])]) for b in voted)
        assert fold(f"{member['name']} {member['code']} {nl(member['weight'])} {cells}") in text, member[
            "code"
        ]
    assert "UTC" not in text
