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
