"""The renderings as pure functions of a Record, without a server."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from server.record.content import VOTED, Record, RecordBallot, RecordMember, Representative
from server.record.spreadsheet import record_csv
from server.rules import (
    Choice,
    ElectionOutcome,
    ElectionResult,
    ElectionTally,
    Outcome,
    RoundKind,
    decide_election,
)


def test_csv_cells_that_a_spreadsheet_would_run_are_defused() -> None:
    ballot = RecordBallot(
        id=7, agenda="=1+2", title='HYPERLINK("http://x.example")', kind="motie", majority="simple",
        status="closed", outcome=Outcome.REJECTED, for_=0, against=0, abstain=12, cast=0,
        members_voted=1, percent_for=None, log_seq=9, log_hash="ab" * 32,
    )  # fmt: skip
    member = RecordMember(
        code="GM0009", name="@Gemeente", weight=12, role="wethouder", votes={7: Choice.ABSTAIN},
        present=True, representatives=(Representative("=HYPERLINK(1)", "wethouder"),),
    )  # fmt: skip
    record = Record(
        meeting_id=1, title="ALV", date=date(2025, 6, 18), place=None, published_at=None,
        log_head=(9, "ab" * 32), ballots=(ballot,), members=(member,), show_names=True,
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(record_csv(record).decode("utf-8-sig")), delimiter=";"))
    assert rows[0][6] == """'=1+2 HYPERLINK("http://x.example") (#7)"""
    assert rows[1] == [
        "GM0009",
        "'@Gemeente",
        "12",
        "wethouder",
        "ja",
        "'=HYPERLINK(1) (wethouder)",
        "onthouding",
    ]
    summary = {row[0]: row[6] for row in rows[3:]}
    # No cast votes: no percentage, and the minutes say so (SPEC 2.5).
    assert summary["percentage voor"] == ""
    assert summary["uitslag"] == "verworpen; er zijn geen stemmen uitgebracht"


def test_an_election_names_the_chosen_candidate_and_words_its_result() -> None:
    """SPEC 2.10 on a public election: a member's cell is the candidate it chose (or
    onthouding), the result line the minutes sentence, in the CSV, the HTML and the JSON."""
    from server.live.election_view import result_view
    from server.record.page import record_html
    from server.record.schemas import record_out
    from server.rules import ElectionOutcome, ElectionTally, RoundKind, decide_election

    tally = ElectionTally.empty([21, 22]).add(22, 75).add(21, 42).add("abstain", 1)
    result = decide_election(RoundKind.FIRST, [21, 22], tally)
    assert result.elected == 22
    ballot = RecordBallot(
        id=8, agenda="12", title="Voorzitter", kind="benoeming", majority="simple", status="closed",
        outcome=ElectionOutcome.ELECTED, for_=None, against=None, abstain=1, cast=117, members_voted=3,
        percent_for=None, log_seq=9, log_hash="ab" * 32, election=result,
        candidates=((21, "Anna Alfa"), (22, "Bert Beta")),
    )  # fmt: skip
    members = (
        RecordMember(code="GM0001", name="Grootstad", weight=75, role=None, votes={8: 22}),
        RecordMember(code="GM0002", name="Middenburg", weight=42, role=None, votes={8: 21}),
        RecordMember(code="GM0003", name="Kleindorp", weight=1, role=None, votes={8: Choice.ABSTAIN}),
    )
    record = Record(
        meeting_id=1, title="ALV", date=date(2025, 6, 18), place=None, published_at=None,
        log_head=(9, "ab" * 32), ballots=(ballot,), members=members,
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(record_csv(record).decode("utf-8-sig")), delimiter=";"))
    assert [row[6] for row in rows[1:4]] == ["Bert Beta", "Anna Alfa", "onthouding"]
    assert {row[0]: row[6] for row in rows[5:]}["uitslag"] == "gekozen: Bert Beta met 64,10% van de stemmen"
    html = record_html(record).decode()
    assert "Besluit: gekozen: Bert Beta met 64,10% van de stemmen" in html
    assert '<td class="candidate">Anna Alfa</td>' in html
    out = record_out(record)
    assert out.ballots[0].election == result_view(result, {21: "Anna Alfa", 22: "Bert Beta"})
    assert out.members[0].votes == {"8": 22}


def _round(
    ballot_id: int, result: ElectionResult, first_round: int | None, candidates: tuple[tuple[int, str], ...]
) -> RecordBallot:
    """A closed round of a secret election, as the service reads it."""
    return RecordBallot(
        id=ballot_id, agenda="12", title="Lid dagelijks bestuur", kind="benoeming", majority="simple",
        status="closed", outcome=result.outcome, for_=None, against=None, abstain=result.abstain,
        cast=result.cast, members_voted=result.members_voted, percent_for=None, log_seq=ballot_id,
        log_hash="cd" * 32, election=result, candidates=candidates, secret=True, round=result.round,
        round_of=first_round, first_round=first_round,
    )  # fmt: skip


def test_a_secret_election_gives_its_votes_per_candidate_and_its_rounds() -> None:
    """Issue 14 item 4: the record of a secret election in two rounds gives each round's votes
    per candidate, its outcome sentence and its round name (the later round linked to the first,
    which lists both), and per member only "gestemd"; in the HTML, the PDF and the JSON."""
    import pypdf

    from server.record.page import record_html
    from server.record.pdf import results_pdf
    from server.record.schemas import record_out

    names = ((21, "Anna Alfa"), (22, "Bert Beta"), (23, "Cees Gamma-van Oosterhout tot Nieuwenhuizen"))
    ids = [21, 22, 23]
    first = decide_election(
        RoundKind.FIRST, ids, ElectionTally.empty(ids).add(21, 75).add(22, 42).add(23, 75).add("abstain", 1)
    )
    second = decide_election(
        RoundKind.SECOND, ids, ElectionTally.empty(ids).add(21, 117).add(23, 75).add("abstain", 1)
    )
    assert (first.outcome, second.outcome, second.elected) == (
        ElectionOutcome.NEXT_ROUND, ElectionOutcome.ELECTED, 21,
    )  # fmt: skip
    members = tuple(
        RecordMember(code=code, name=name, weight=weight, role=None, votes={8: VOTED, 9: VOTED})
        for code, name, weight in (("GM0001", "Grootstad", 75), ("GM0002", "Middenburg", 42))
    )
    record = Record(
        meeting_id=1, title="ALV", date=date(2025, 6, 18), place=None, published_at=None,
        log_head=(9, "ab" * 32), ballots=(_round(8, first, None, names), _round(9, second, 8, names)),
        members=members,
    )  # fmt: skip

    html = record_html(record).decode()
    # Per candidate, in the ballot's order, with the share of the cast votes; then the abstentions.
    first_rows = re.findall(r"<tr(?: class=\"abstain\")?><td>([^<]*)</td><td class=\"num\">([^<]*)</td>\s*"
                            r"<td class=\"num\">([^<]*)</td></tr>", html.split('id="stemming-9"')[0])  # fmt: skip
    assert first_rows == [
        ("Anna Alfa", "75", "39,06%"), ("Bert Beta", "42", "21,88%"),
        ("Cees Gamma-van Oosterhout tot Nieuwenhuizen", "75", "39,06%"), ("onthouding", "1", "telt niet mee"),
    ]  # fmt: skip
    assert "Besluit: geen kandidaat heeft de volstrekte meerderheid; tweede vrije stemming" in html
    assert "Besluit: gekozen: Anna Alfa met 60,94% van de stemmen" in html
    flat = " ".join(html.split())
    assert (
        "benoeming · eerste vrije stemming · volstrekte meerderheid · geheime stemming · stemming #8" in flat
    )
    assert (
        'tweede vrije stemming van <a href="#stemming-8">stemming #8</a> · volstrekte meerderheid · '
        "geheime stemming" in flat
    )
    rounds = re.findall(r'<li><a href="#stemming-(\d+)">([^<]*)</a>:\s*([^<]*?)</li>', html)
    assert rounds == [
        ("8", "eerste vrije stemming (stemming #8)", "geen kandidaat heeft de volstrekte meerderheid; tweede vrije stemming"),
        ("9", "tweede vrije stemming (stemming #9)", "gekozen: Anna Alfa met 60,94% van de stemmen"),
    ]  # fmt: skip
    flat = " ".join(html.split())
    secret_note = "per lid staat alleen vast dat het gestemd heeft."
    assert f"Uitgebracht 193 stemmen door 4 leden; {secret_note}" not in flat  # abstentions are not cast
    assert f"Uitgebracht 192 stemmen door 4 leden; {secret_note}" in flat  # the first round
    assert f"Uitgebracht 192 stemmen door 3 leden; {secret_note}" in flat  # the second
    cells = re.findall(r'<td class="voted">([^<]*)</td>', html)
    assert cells == ["gestemd"] * 4

    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(results_pdf(record))).pages)
    text = " ".join(text.split())
    for expected in (
        "benoeming · eerste vrije stemming · geheime stemming · stemming #8",
        "benoeming · tweede vrije stemming van stemming #8 · geheime stemming · stemming #9",
        "Besluit: gekozen: Anna Alfa met 60,94% van de stemmen",
        "kandidaat stemmen van de uitgebrachte Anna Alfa 117 60,94% Bert Beta 0 0,00%",
        "Cees Gamma-van Oosterhout tot Nieuwenhuizen 75 39,06% onthouding 1 telt niet mee",
        "Uitgebracht 192 stemmen door 3 leden; per lid staat alleen vast dat het gestemd heeft.",
        "Stemronden van deze verkiezing: eerste vrije stemming (stemming #8): geen kandidaat heeft de "
        "volstrekte meerderheid; tweede vrije stemming tweede vrije stemming (stemming #9): gekozen: "
        "Anna Alfa met 60,94% van de stemmen",
    ):
        assert expected in text, (expected, text)
    assert text.count("Stemronden van deze verkiezing") == 1  # on the first round only

    out = record_out(record).ballots
    assert [(b.id, b.secret, b.round, b.round_of, b.first_round) for b in out] == [
        (8, True, "first", None, None), (9, True, "second", 8, 8),
    ]  # fmt: skip
    assert [c["members"] for c in out[1].election["candidates"]] == [None, None, None]  # type: ignore[index]
    assert record_out(record).members[0].votes == {"8": "voted", "9": "voted"}


def test_the_first_round_is_found_through_the_chain_of_rounds() -> None:
    from server.record.build import _first_round

    follows = {8: None, 9: 8, 10: 9, 11: None, 12: 12}
    assert [_first_round(b, follows) for b in (8, 9, 10, 11, 12, 99)] == [None, 8, 8, None, None, None]


def test_an_election_counted_by_hand_says_so_without_members() -> None:
    from dataclasses import replace

    import pypdf

    from server.record.page import record_html
    from server.record.pdf import results_pdf
    from server.record.schemas import record_out
    from server.rules import hand_count_result_data, hand_count_result_from_data

    ids = [21, 22]
    counted = decide_election(RoundKind.FIRST, ids, ElectionTally({21: 75, 22: 42}, {21: 0, 22: 0}, 1, 0))
    result = hand_count_result_from_data(hand_count_result_data(counted))  # as stored and read back
    names = ((21, "Anna Alfa"), (22, "Bert Beta"))
    ballot = replace(_round(8, result, None, names), secret=False, counted_by_hand=True, members_voted=None)
    record = Record(
        meeting_id=1, title="ALV", date=date(2025, 6, 18), place=None, published_at=None,
        log_head=(9, "ab" * 32), ballots=(ballot,), members=(),
    )  # fmt: skip
    flat = " ".join(record_html(record).decode().split())
    assert "Besluit: gekozen: Anna Alfa met 64,10% van de stemmen (met de hand geteld)" in flat
    assert "Uitgebracht 117 stemmen, met de hand geteld." in flat
    assert '<td>Anna Alfa</td><td class="num">75</td> <td class="num">64,10%</td>' in flat
    pages = pypdf.PdfReader(io.BytesIO(results_pdf(record))).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Uitgebracht 117 stemmen, met de hand geteld." in text
    election = record_out(record).ballots[0].election
    assert election is not None and election["members_voted"] is None
    assert [c["members"] for c in election["candidates"]] == [None, None]
