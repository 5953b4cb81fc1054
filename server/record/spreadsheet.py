"""`record.csv`: how every member voted, as a table for Dutch spreadsheets. Pure: a Record in, bytes out.

The format:

- UTF-8 with a byte order mark, `;` between fields, CRLF line ends, fields quoted only where
  needed: what Excel with Dutch settings opens with a double click.
- The header row: `code;naam;stemgewicht;rol;aanwezig;vertegenwoordiger`, then one column per ballot decided by an
  electronic vote, in agenda order, named `<agenda> <title> (#<ballot id>)`. Test votes are left
  out (SPEC 2.7); so are decisions by acclamation and withdrawn and held-over motions, which have
  no per-member choices: they are in `record.json` and on the HTML page.
- One row per member of the frozen register, by code: code, name, weight, the role of its
  representative's latest pass (empty if never present), `ja` or `nee` (present at the meeting:
  an active pass at any time), its representatives' names (`; `-separated, only when the meeting
  publishes them or the chair reads: issue 15), and per ballot `voor`, `tegen`, `onthouding` (in
  an election the candidate's name, on a secret ballot `gestemd`), `niet gestemd` (present when
  the ballot closed, no vote) or `afwezig` (the last vote counts, SPEC 2.4).
- An empty row, so that sorting the members in a spreadsheet leaves the totals alone, and then
  ten summary rows with their label in the `code` column and a value in every ballot column:
  `voor`, `tegen`, `onthouding` (weighted), `uitgebracht` (cast votes, SPEC 2.5),
  `leden gestemd` (members that voted), `leden aanwezig` and `stemmen aanwezig` (active passes when
  the ballot closed), `stemmen per kandidaat` (an election round: "Anna Alfa 117; Bert Beta 0;
  onthouding 0"), `percentage voor` (two decimals with a comma, `93,40`; empty when no votes
  were cast) and `uitslag` (the sentence for the minutes).

A text cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or
carriage return) gets a leading apostrophe, as OWASP advises for CSV files opened in Excel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from server.record.content import Record, RecordBallot

HEADER = ["code", "naam", "stemgewicht", "rol", "aanwezig", "vertegenwoordiger"]
SUMMARY: list[tuple[str, Callable[[RecordBallot], object]]] = [
    ("voor", lambda b: b.for_),
    ("tegen", lambda b: b.against),
    ("onthouding", lambda b: b.abstain),
    ("uitgebracht", lambda b: b.cast),
    ("leden gestemd", lambda b: b.members_voted),
    ("leden aanwezig", lambda b: b.present_members),
    ("stemmen aanwezig", lambda b: b.present_weight),
    (
        "stemmen per kandidaat",
        lambda b: "; ".join(f"{name} {votes}" for name, votes, _ in b.candidate_rows()) or None,
    ),
    ("percentage voor", lambda b: b.percent_nl),
    ("uitslag", lambda b: b.minutes("nl")),
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def column_name(ballot: RecordBallot) -> str:
    return f"{ballot.agenda} {ballot.title} (#{ballot.id})"


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def record_csv(record: Record) -> bytes:
    ballots = record.voted
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER + [_text(column_name(b)) for b in ballots])
    for member in record.members:
        choices = [(b, member.votes.get(b.id)) for b in ballots]
        people = (
            "; ".join(f"{r.name} ({r.role})" for r in member.representatives) if record.show_names else ""
        )
        writer.writerow(
            [_text(member.code), _text(member.name), member.weight, member.role or ""]
            + ["ja" if member.present else "nee", _text(people)]
            + [_text(b.cell(c)) if c is not None else "" for b, c in choices]
        )
    writer.writerow([])
    blank = [""] * (len(HEADER) - 1)
    for label, value in SUMMARY:
        writer.writerow([label, *blank] + ["" if (v := value(b)) is None else v for b in ballots])
    return buffer.getvalue().encode("utf-8-sig")
