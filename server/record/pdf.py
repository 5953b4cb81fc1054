"""`results.pdf`: the results for the minutes, A4 portrait. Pure: a Record in, PDF bytes out.

The words come from `minutes_text` (the same as `results.docx`): a cover with the meeting, its
times on the hall's clock, the reference date of the weights and the attendance; the attendance
list (in two columns on pages of their own for a large meeting); per ballot in agenda order its
item, kind and required majority, submitters, preadvies, the proposal it amends, the ballot it
votes again, the sentence for the minutes, the weighted totals or the votes per candidate, who
was present at the vote, and the number and hash of the log entry that recorded it; the head of
the log; and the block the chair and the vote-counting committee sign, with the hash of the
meeting's closing entry and how to check it.
"""

# reportlab ships without type hints; its objects are Any here.
# mypy: disable-error-code="import-untyped"

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm as _mm
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from server.record.content import Record
from server.record.minutes_text import Attendance, BallotText, LogHead, Minutes, Signatures, minutes

MM: float = _mm
INK = HexColor("#1a1a1a")
ACCENT = HexColor("#1d3f72")
MUTED = HexColor("#5a5a5a")
RULE = HexColor("#b8c2d0")
MARGIN = 20 * MM
# Above this many members present, the attendance list gets pages of its own in two columns.
INLINE_ATTENDANCE = 40

_BASE = ParagraphStyle("base", fontName="Helvetica", fontSize=10, leading=13, textColor=INK)
KICKER = ParagraphStyle("kicker", _BASE, fontName="Helvetica-Bold", fontSize=9, textColor=ACCENT)
TITLE = ParagraphStyle("title", _BASE, fontName="Helvetica-Bold", fontSize=18, leading=22, spaceAfter=2)
MUTED_TEXT = ParagraphStyle("muted", _BASE, textColor=MUTED)
HEADING = ParagraphStyle("heading", _BASE, fontName="Helvetica-Bold", fontSize=13, leading=16, spaceAfter=3)
BALLOT = ParagraphStyle("ballot", _BASE, fontName="Helvetica-Bold", fontSize=11.5, leading=14.5)
MINUTES = ParagraphStyle("minutes", _BASE, fontName="Helvetica-Bold", spaceBefore=3, spaceAfter=3)
ROUND = ParagraphStyle("round", _BASE, leftIndent=4 * MM)
CANDIDATE = ParagraphStyle("candidate", _BASE, fontName="Helvetica-Bold")
HASH = ParagraphStyle("hash", _BASE, fontName="Courier", fontSize=7.5, leading=9.5, textColor=MUTED)
SIGNED_HASH = ParagraphStyle("signed_hash", _BASE, fontName="Courier-Bold", fontSize=8.5, leading=11)
SMALL = ParagraphStyle("small", _BASE, fontSize=7, leading=8.4)
SMALL_HEAD = ParagraphStyle("small_head", SMALL, textColor=MUTED)


def _p(text: str, style: ParagraphStyle) -> Any:
    """A paragraph of plain text: reportlab reads markup in paragraphs, so every value is escaped."""
    return Paragraph(escape(text), style)


def results_pdf(record: Record) -> bytes:
    text = minutes(record)
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=18 * MM,
        bottomMargin=18 * MM,
        title=text.document_title,
        author="VoteHall",
        subject="Uitslagen van de stemmingen",
    )

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, 10 * MM, text.footer)
        canvas.drawRightString(A4[0] - MARGIN, 10 * MM, f"pagina {doc.page}")
        canvas.restoreState()

    x, y, width, height = document.leftMargin, document.bottomMargin, document.width, document.height
    gap = 6 * MM
    column = (width - gap) / 2
    document.addPageTemplates(
        [
            PageTemplate("one", [Frame(x, y, width, height, id="one")], onPage=footer),
            PageTemplate(
                "two",
                [
                    Frame(x, y, column, height, id="left"),
                    Frame(x + column + gap, y, column, height, id="right"),
                ],
                onPage=footer,
            ),
        ]
    )
    document.build(_story(text))
    return buffer.getvalue()


def _story(text: Minutes) -> list[Any]:
    cover = text.cover
    story: list[Any] = [_p(cover.kicker, KICKER), _p(cover.title, TITLE), _p(cover.when, MUTED_TEXT)]
    story += [Spacer(0, 2 * MM), *(_p(line, _BASE) for line in cover.lines), Spacer(0, 6 * MM)]
    # A long attendance list (the cover says its totals) follows the signatures on pages of two
    # columns, so that the decisions start on the first page; a short one stays in front.
    long_list = len(text.attendance.rows) > INLINE_ATTENDANCE
    if not long_list:
        story += [*_attendance(text.attendance, 1), Spacer(0, 6 * MM)]
    if text.no_ballots is not None:
        story.append(_p(text.no_ballots, _BASE))
    story.extend(KeepTogether(_ballot(ballot, text.rounds_intro)) for ballot in text.ballots)
    story.append(Spacer(0, 4 * MM))
    if text.log_head is not None:
        story.extend(_log_head(text.log_head))
    story.append(KeepTogether(_signatures(text.signatures)))
    if long_list:
        story += [NextPageTemplate("two"), PageBreak(), *_attendance(text.attendance, 2)]
    return story


def _attendance(attendance: Attendance, columns: int) -> list[Any]:
    """The present members with their weight and representatives: small type, a header row that
    repeats on every column, so that 271 members stay readable."""
    width = (A4[0] - 2 * MARGIN - (6 * MM if columns == 2 else 0)) / columns
    header = [_p(cell, SMALL_HEAD) for cell in attendance.header]
    rows = [[_p(name, SMALL), weight, _p(who, SMALL)] for name, weight, who in attendance.rows]
    table = Table([header, *rows], colWidths=[width * 0.31, width * 0.17, width * 0.52], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (1, 1), (1, -1), "Helvetica", 7),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 0.6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.6),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    parts = [_p(attendance.heading, HEADING), _p(attendance.summary, _BASE), Spacer(0, 2 * MM), table]
    if attendance.absent is not None:
        parts += [Spacer(0, 2 * MM), _p(attendance.absent, SMALL)]
    return parts


def _figures(ballot: BallotText) -> Any:
    """A small table of figures: a muted header row; the totals, or the candidates' names, in bold."""
    header, *rows = ballot.figures
    if ballot.figures_kind == "candidates":
        cells = [
            [_p(row[0], CANDIDATE if i < len(rows) else _BASE), *row[1:]] for i, row in enumerate(rows, 1)
        ]
        table = Table([list(header), *cells], colWidths=[95 * MM, 22 * MM, 35 * MM], hAlign="LEFT")
        bold = [("FONT", (1, 1), (-1, -2), "Helvetica-Bold", 10), ("ALIGN", (1, 0), (-1, -1), "RIGHT")]
    else:
        table = Table([list(header), *map(list, rows)], hAlign="LEFT")
        bold = [("FONT", (0, 1), (-1, 1), "Helvetica-Bold", 10)]
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica", 8.5),
                ("TEXTCOLOR", (0, 0), (-1, 0), MUTED),
                *bold,
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 12),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _ballot(ballot: BallotText, rounds_intro: str) -> list[Any]:
    parts: list[Any] = [_p(ballot.heading, BALLOT), _p(ballot.meta, MUTED_TEXT)]
    parts += [_p(line, MUTED_TEXT) for line in ballot.before]
    parts.append(_p(ballot.decision, MINUTES))
    if ballot.figures:
        parts.append(_figures(ballot))
    parts += [_p(line, MUTED_TEXT) for line in ballot.after]
    if ballot.rounds:
        parts += [_p(rounds_intro, MUTED_TEXT), *(_p(line, ROUND) for line in ballot.rounds)]
    if ballot.log is not None:
        parts += [Spacer(0, 1.5 * MM), _p(ballot.log, HASH)]
    parts.append(Spacer(0, 5 * MM))
    return parts


def _log_head(head: LogHead) -> list[Any]:
    lines = [_p(head.heading, BALLOT), _p(head.text, _BASE), _p(head.hash, HASH)]
    if head.published is not None:
        lines.append(_p(head.published, MUTED_TEXT))
    return [*lines, Spacer(0, 6 * MM)]


def _signatures(block: Signatures) -> list[Any]:
    """The "Voor akkoord" block: a line to sign for the chair and for each committee member, place and date,
    and the hash of the closing entry that they sign for."""
    rows = [[_p(name or " ", _BASE), _p(function, MUTED_TEXT)] for function, name in block.signers]
    signers = Table(rows, colWidths=[75 * MM, 95 * MM], rowHeights=[16 * MM] * len(rows), hAlign="LEFT")
    signers.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, 0), (0, -1), 0.6, INK),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    parts: list[Any] = [_p(block.heading, HEADING), _p(block.intro, _BASE), Spacer(0, 14 * MM), signers]
    parts += [_p(line, _BASE) for line in block.place_date]
    if block.close is not None and block.close_hash is not None and block.check is not None:
        parts += [
            Spacer(0, 5 * MM),
            _p(block.close, _BASE),
            _p(block.close_hash, SIGNED_HASH),
            _p(block.check, MUTED_TEXT),
        ]
    return parts
