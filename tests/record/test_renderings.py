"""The renderings as pure functions of a Record, without a server."""

from __future__ import annotations

import csv
import io
from datetime import date

from server.record.content import Record, RecordBallot, RecordMember
from server.record.spreadsheet import record_csv
from server.rules import Choice, Outcome


def test_csv_cells_that_a_spreadsheet_would_run_are_defused() -> None:
    ballot = RecordBallot(
        id=7, agenda="=1+2", title='HYPERLINK("http://x.example")', kind="motie", majority="simple",
        status="closed", outcome=Outcome.REJECTED, for_=0, against=0, abstain=12, cast=0,
        members_voted=1, percent_for=None, log_seq=9, log_hash="ab" * 32,
    )  # fmt: skip
    member = RecordMember(code="GM0009", name="@Gemeente", weight=12, role=None, votes={7: Choice.ABSTAIN})
    record = Record(
        meeting_id=1, title="ALV", date=date(2025, 6, 18), place=None, published_at=None,
        log_head=(9, "ab" * 32), ballots=(ballot,), members=(member,),
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(record_csv(record).decode("utf-8-sig")), delimiter=";"))
    assert rows[0][4] == """'=1+2 HYPERLINK("http://x.example") (#7)"""
    assert rows[1] == ["GM0009", "'@Gemeente", "12", "", "onthouding"]
    summary = {row[0]: row[4] for row in rows[3:]}
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
    assert [row[4] for row in rows[1:4]] == ["Bert Beta", "Anna Alfa", "onthouding"]
    assert {row[0]: row[4] for row in rows[5:]}["uitslag"] == "gekozen: Bert Beta met 64,10% van de stemmen"
    html = record_html(record).decode()
    assert "Besluit: gekozen: Bert Beta met 64,10% van de stemmen" in html
    assert '<td class="candidate">Anna Alfa</td>' in html
    out = record_out(record)
    assert out.ballots[0].election == result_view(result, {21: "Anna Alfa", 22: "Bert Beta"})
    assert out.members[0].votes == {"8": 22}
