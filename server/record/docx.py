"""`results.docx`: the results for the minutes as a Word document, so that the secretariat pastes
them into the minutes instead of retyping them (issue 15). Pure: a Record in, DOCX bytes out.

The same content as `results.pdf`, in the same words (`minutes_text`): headings (Word's own
heading styles, so that the navigation pane lists the ballots), the attendance list in a
two-column section, the figures and the votes per candidate as tables, and the signature block.
A4, Calibri 10.5 pt. The package is written with fixed timestamps, so that one record gives the
same bytes every time.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from server.record.content import DOCX_MEDIA_TYPE, HALL_TIME, Record
from server.record.minutes_text import Attendance, BallotText, LogHead, Minutes, Signatures, minutes

MUTED = RGBColor(0x5A, 0x5A, 0x5A)
ACCENT = RGBColor(0x1D, 0x3F, 0x72)
MONO = "Courier New"
TABLE = "Table Grid"
SIGN_HERE = "_" * 40
# The attendance list's columns in one of two page columns: 170 mm of text width, 6 mm between.
COLUMN = (25.0, 17.0, 40.0)
MEDIA_TYPE = DOCX_MEDIA_TYPE


def results_docx(record: Record) -> bytes:
    text = minutes(record)
    document = Document()
    _page_and_style(document)
    properties = document.core_properties
    properties.title, properties.subject, properties.author = (
        text.document_title, "Uitslagen van de stemmingen", "VoteHall",
    )  # fmt: skip
    moment = record.closed_at or datetime.combine(record.date, datetime.min.time(), HALL_TIME)
    properties.created = properties.modified = moment
    properties.last_modified_by = "VoteHall"

    cover = text.cover
    _paragraph(document, cover.kicker, bold=True, size=9, color=ACCENT)
    document.add_heading(cover.title, level=0)
    _paragraph(document, cover.when, color=MUTED)
    for line in cover.lines:
        _paragraph(document, line)
    _attendance(document, text.attendance)
    document.add_heading("Besluiten", level=1)
    if text.no_ballots is not None:
        _paragraph(document, text.no_ballots)
    for ballot in text.ballots:
        _ballot(document, ballot, text.rounds_intro)
    if text.log_head is not None:
        _log_head(document, text.log_head)
    _signatures(document, text.signatures)
    _footer(document, text)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_timestamps(buffer.getvalue())


def _page_and_style(document: Any) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(18)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Calibri", Pt(10.5)
    normal.paragraph_format.space_after = Pt(3)


def _paragraph(
    container: Any, text: str, *, bold: bool = False, size: float | None = None,
    color: RGBColor | None = None, mono: bool = False, style: str | None = None,
) -> Any:  # fmt: skip
    paragraph = container.add_paragraph(style=style)
    run = paragraph.add_run(text)
    run.bold = bold or None
    if size is not None:
        run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color
    if mono:
        run.font.name, run.font.size = MONO, Pt(8)
    return paragraph


def _table(
    document: Any, rows: tuple[tuple[str, ...], ...], *, size: float, right: tuple[int, ...],
    widths: tuple[float, ...] | None = None,
) -> Any:  # fmt: skip
    """A table whose first row is a header that Word repeats on every page; `widths` in mm
    (python-docx spreads the columns over the whole page width otherwise)."""
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = document.styles[TABLE]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    if widths is not None:
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Mm(width)
    for r, values in enumerate(rows):
        cells = table.rows[r].cells
        for c, value in enumerate(values):
            if widths is not None:
                cells[c].width = Mm(widths[c])  # Word reads the cells' widths
            paragraph = cells[c].paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            run = paragraph.add_run(value)
            run.font.size = Pt(size)
            run.bold = r == 0 or None
            if c in right:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)
    return table


def _columns(section: Any, number: int) -> None:
    sect_pr = section._sectPr
    cols = sect_pr.find(qn("w:cols"))
    if cols is None:
        cols = OxmlElement("w:cols")
        sect_pr.append(cols)
    cols.set(qn("w:num"), str(number))
    cols.set(qn("w:space"), "340")  # 6 mm between the columns, in twentieths of a point


def _attendance(document: Any, attendance: Attendance) -> None:
    document.add_heading(attendance.heading, level=1)
    _paragraph(document, attendance.summary)
    # The list in two columns: a continuous section of its own, then one column again.
    _columns(document.add_section(WD_SECTION.CONTINUOUS), 2)
    _table(document, (attendance.header, *attendance.rows), size=8, right=(1,), widths=COLUMN)
    if attendance.absent is not None:
        _paragraph(document, attendance.absent, size=8)
    _columns(document.add_section(WD_SECTION.CONTINUOUS), 1)


def _ballot(document: Any, ballot: BallotText, rounds_intro: str) -> None:
    document.add_heading(ballot.heading, level=2)
    _paragraph(document, ballot.meta, color=MUTED)
    for line in ballot.before:
        _paragraph(document, line)
    _paragraph(document, ballot.decision, bold=True)
    if ballot.figures:
        right = (1, 2) if ballot.figures_kind == "candidates" else tuple(range(len(ballot.figures[0])))
        _table(document, ballot.figures, size=9.5, right=right)
    for line in ballot.after:
        _paragraph(document, line, color=MUTED)
    if ballot.rounds:
        _paragraph(document, rounds_intro, color=MUTED)
        for line in ballot.rounds:
            _paragraph(document, line, style="List Bullet")
    if ballot.log is not None:
        _paragraph(document, ballot.log, mono=True, color=MUTED)


def _log_head(document: Any, head: LogHead) -> None:
    document.add_heading(head.heading, level=1)
    _paragraph(document, head.text)
    _paragraph(document, head.hash, mono=True)
    if head.published is not None:
        _paragraph(document, head.published, color=MUTED)


def _signatures(document: Any, block: Signatures) -> None:
    document.add_heading(block.heading, level=1)
    _paragraph(document, block.intro)
    for function, name in block.signers:
        line = _paragraph(document, SIGN_HERE)
        line.paragraph_format.space_before = Pt(30)
        line.paragraph_format.keep_with_next = True
        _paragraph(document, f"{name}, {function}" if name else function)
    for line in block.place_date:
        _paragraph(document, line).paragraph_format.space_before = Pt(10)
    if block.close is not None and block.close_hash is not None and block.check is not None:
        _paragraph(document, block.close).paragraph_format.space_before = Pt(14)
        _paragraph(document, block.close_hash, mono=True)
        _paragraph(document, block.check, color=MUTED)


def _footer(document: Any, text: Minutes) -> None:
    # The later sections' footers are linked to the first one's.
    paragraph = document.sections[0].footer.paragraphs[0]
    run = paragraph.add_run(f"{text.footer} · pagina ")
    run.font.size, run.font.color.rgb = Pt(8), MUTED
    page = OxmlElement("w:fldSimple")  # Word fills in the page number
    page.set(qn("w:instr"), "PAGE")
    paragraph._p.append(page)


def _fixed_timestamps(package: bytes) -> bytes:
    """The package again, every part dated 1980-01-01 (python-docx dates them now)."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)), source.read(info),
                            compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
    return out.getvalue()
