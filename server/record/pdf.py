"""`results.pdf`: the results for the minutes, A4 portrait. Pure: a Record in, PDF bytes out.

Per decided ballot (agenda order, test votes left out): agenda item, title, kind and majority,
the sentence for the minutes, the weighted totals with the members that voted, and the number
and hash of the log entry that recorded the decision, so that the minutes can cite it. An
election round gives its votes per candidate instead of the totals, and its round; the first
round lists every round of the election with its result. At the
end the head of the log, which `votehall verify` checks the published log against.
"""

# reportlab ships without type hints; its objects are Any here.
# mypy: disable-error-code="import-untyped"

from __future__ import annotations

import io
from datetime import UTC
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm as _mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from server.record.content import MAJORITY_NL, Record, RecordBallot, nl_number
from server.rules.minutes import dutch_date

MM: float = _mm
INK = HexColor("#1a1a1a")
ACCENT = HexColor("#1d3f72")
MUTED = HexColor("#5a5a5a")
RULE = HexColor("#b8c2d0")

_BASE = ParagraphStyle("base", fontName="Helvetica", fontSize=10, leading=13, textColor=INK)
KICKER = ParagraphStyle("kicker", _BASE, fontName="Helvetica-Bold", fontSize=9, textColor=ACCENT)
TITLE = ParagraphStyle("title", _BASE, fontName="Helvetica-Bold", fontSize=18, leading=22, spaceAfter=2)
MUTED_TEXT = ParagraphStyle("muted", _BASE, textColor=MUTED)
BALLOT = ParagraphStyle("ballot", _BASE, fontName="Helvetica-Bold", fontSize=11.5, leading=14.5)
MINUTES = ParagraphStyle("minutes", _BASE, fontName="Helvetica-Bold", spaceBefore=3, spaceAfter=3)
ROUND = ParagraphStyle("round", _BASE, leftIndent=4 * MM)
CANDIDATE = ParagraphStyle("candidate", _BASE, fontName="Helvetica-Bold")
HASH = ParagraphStyle("hash", _BASE, fontName="Courier", fontSize=7.5, leading=9.5, textColor=MUTED)


def _p(text: str, style: ParagraphStyle) -> Any:
    """A paragraph of plain text: reportlab reads markup in paragraphs, so every value is escaped."""
    return Paragraph(escape(text), style)


def results_pdf(record: Record) -> bytes:
    buffer = io.BytesIO()
    when = dutch_date(record.date) + (f" · {record.place}" if record.place else "")
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * MM,
        rightMargin=20 * MM,
        topMargin=18 * MM,
        bottomMargin=18 * MM,
        title=f"Uitslagen {record.title} {dutch_date(record.date)}",
        author="VoteHall",
        subject="Uitslagen van de stemmingen",
    )
    story: list[Any] = [
        _p("UITSLAGEN VAN DE STEMMINGEN", KICKER),
        _p(record.title, TITLE),
        _p(when, MUTED_TEXT),
    ]
    if record.published_at is None:
        story.append(_p("Concept: nog niet gepubliceerd.", MUTED_TEXT))
    story.append(Spacer(0, 6 * MM))
    if not record.ballots:
        story.append(_p("Er zijn geen besluiten genomen.", _BASE))
    story.extend(KeepTogether(_ballot(record, ballot)) for ballot in record.ballots)
    story.append(Spacer(0, 4 * MM))
    story.extend(_log_head(record))

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(20 * MM, 10 * MM, f"{record.title} · {dutch_date(record.date)}")
        canvas.drawRightString(A4[0] - 20 * MM, 10 * MM, f"pagina {doc.page}")
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _meta(ballot: RecordBallot) -> str:
    """Kind, majority (or an election's round and the round it follows), secrecy and number."""
    if ballot.election is not None:
        words = [ballot.kind, str(ballot.round_name)]
        if ballot.first_round is not None:
            words[-1] += f" van stemming #{ballot.first_round}"
    else:
        words = [ballot.kind, MAJORITY_NL.get(ballot.majority, ballot.majority)]
    if ballot.secret:
        words.append("geheime stemming")
    return " · ".join([*words, f"stemming #{ballot.id}"])


def _figures(
    rows: list[list[Any]], bold: tuple[int, int, int, int], widths: list[float] | None = None
) -> Any:
    """A small table of figures: a muted header row, the cells from bold[:2] to bold[2:] in bold."""
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica", 8.5),
                ("TEXTCOLOR", (0, 0), (-1, 0), MUTED),
                ("FONT", bold[:2], bold[2:], "Helvetica-Bold", 10),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 12),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _candidates(ballot: RecordBallot) -> list[Any]:
    """An election round: its votes per candidate (a long name wraps), the abstentions, the cast
    votes and the members that voted."""
    assert ballot.election is not None
    figures = ballot.candidate_rows()
    rows: list[list[Any]] = [["kandidaat", "stemmen", "van de uitgebrachte"]]
    for index, (name, votes, share) in enumerate(figures, start=1):
        style = CANDIDATE if index < len(figures) else _BASE  # the abstentions are no candidate
        rows.append([_p(name, style), nl_number(votes), share])
    table = _figures(rows, (1, 1, -1, -2), widths=[95 * MM, 22 * MM, 35 * MM])
    table.setStyle(TableStyle([("ALIGN", (1, 0), (-1, -1), "RIGHT")]))
    note = f"Uitgebracht {nl_number(ballot.election.cast)} stemmen"
    if ballot.counted_by_hand:
        note += ", met de hand geteld"
    else:
        note += f" door {nl_number(ballot.election.members_voted)} leden"
        if ballot.secret:
            note += "; per lid staat alleen vast dat het gestemd heeft"
    return [table, _p(note + ".", MUTED_TEXT)]


def _rounds(record: Record, ballot: RecordBallot) -> list[Any]:
    rounds = record.rounds_of(ballot)
    if not rounds:
        return []
    lines = [_p("Stemronden van deze verkiezing:", MUTED_TEXT)]
    lines += [_p(f"{r.round_name} (stemming #{r.id}): {r.minutes('nl')}", ROUND) for r in rounds]
    return lines


def _ballot(record: Record, ballot: RecordBallot) -> list[Any]:
    parts: list[Any] = [
        _p(f"Agendapunt {ballot.agenda}: {ballot.title}", BALLOT),
        _p(_meta(ballot), MUTED_TEXT),
        _p(f"Besluit: {ballot.minutes('nl')}", MINUTES),
    ]
    if ballot.election is not None and ballot.status == "closed":
        parts.extend(_candidates(ballot))
    elif ballot.electronic:
        percent = f"{ballot.percent_nl}%" if ballot.percent_for is not None else "—"
        rows = [
            ["voor", "tegen", "onthouding", "uitgebracht", "leden gestemd", "percentage voor"],
            [nl_number(ballot.for_), nl_number(ballot.against), nl_number(ballot.abstain),
             nl_number(ballot.cast), nl_number(ballot.members_voted), percent],
        ]  # fmt: skip
        parts.append(_figures(rows, (0, 1, -1, 1)))
    else:
        parts.append(_p("Besloten zonder elektronische stemming.", MUTED_TEXT))
    parts.extend(_rounds(record, ballot))
    if ballot.log_hash is not None:
        parts.append(Spacer(0, 1.5 * MM))
        parts.append(_p(f"logregel {ballot.log_seq} · {ballot.log_hash}", HASH))
    parts.append(Spacer(0, 5 * MM))
    return parts


def _log_head(record: Record) -> list[Any]:
    if record.log_head is None:
        return []
    seq, digest = record.log_head
    lines = [
        _p("Logboek", BALLOT),
        _p(
            f"Het logboek van deze vergadering telt {seq} regels. De laatste regel heeft de hash:",
            _BASE,
        ),
        _p(digest, HASH),
    ]
    if record.published_at is not None:
        moment = record.published_at.astimezone(UTC)
        lines.append(_p(f"Gepubliceerd op {dutch_date(moment.date())}, {moment:%H:%M} UTC.", MUTED_TEXT))
    return lines
