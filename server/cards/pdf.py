"""The printable voting card (stemkaart, SPEC 2.2): one A6 portrait page per member.

Pure: a meeting and card views in, PDF bytes out. The Code 128 barcode is what a USB handheld
scanner at the desk reads (it types the plain code and Enter); the QR code carries the same code
for 2D imagers and phones; the grouped code is for typing it by hand.
"""

# reportlab ships without type hints; its objects are Any here.
# mypy: disable-error-code="import-untyped"

from __future__ import annotations

import io
from collections.abc import Sequence

import segno
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.colors import Color, HexColor, black, white
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm as _mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from server.cards import codes
from server.cards.codes import votes_label
from server.cards.service import CardView
from server.meetings.models import Meeting
from server.rules.minutes import dutch_date

INSTRUCTIONS = (
    "Neem deze kaart mee naar de stembalie.",
    "Alleen de burgemeester, een wethouder, een raadslid, de secretaris of de griffier van de "
    "gemeente kan hiermee de stemmen van de gemeente uitbrengen.",
)
VALIDITY = "Alleen geldig voor deze vergadering. Een nieuwe kaart maakt deze ongeldig."

MM: float = _mm  # typed, so that lengths derived from it are floats for mypy

# Code 128 at 0.25 mm per module is about 94 mm of bars for a 31-character code: the widest that
# fits an A6 page (105 mm) with the 10-module quiet zones the symbology asks for on both sides.
BAR_MODULE = 0.25 * MM
BAR_QUIET = 10 * BAR_MODULE
BAR_HEIGHT = 13 * MM
QR_MODULE = MM  # version 2 (25 modules) for 31 alphanumeric characters: 25 mm square

PAGE_WIDTH: float = A6[0]
PAGE_HEIGHT: float = A6[1]
MARGIN = 8 * MM
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
INK = HexColor("#1a1a1a")
ACCENT = HexColor("#1d3f72")
MUTED = HexColor("#5a5a5a")
RULE = HexColor("#b8c2d0")
PANEL = HexColor("#eef2f7")


def cards_pdf(meeting: Meeting, views: Sequence[CardView]) -> bytes:
    """The voting cards of `views`, one A6 page each, in the order given."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A6, pageCompression=1)
    canvas.setTitle(f"Stemkaarten {meeting.title} {dutch_date(meeting.date)}")
    canvas.setAuthor("VoteHall")
    canvas.setSubject("Stemkaart")
    for view in views:
        _card(canvas, meeting, view)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _card(canvas: Canvas, meeting: Meeting, view: CardView) -> None:
    """Meeting and member from the top down; instructions, validity and barcode from the foot up."""
    below_header = _header(canvas, meeting, PAGE_HEIGHT - MARGIN)
    _member(canvas, view, below_header - 8 * MM)
    panel_top = _instructions(canvas, MARGIN)
    canvas.setFont("Helvetica", 7.5)
    canvas.setFillColor(MUTED)
    canvas.drawCentredString(PAGE_WIDTH / 2, panel_top + 3.5 * MM, VALIDITY)
    _barcode(canvas, view.card.code, panel_top + 11 * MM)


def _header(canvas: Canvas, meeting: Meeting, top: float) -> float:
    """The meeting, then "Stemkaart"; returns the y below it."""
    y = _lines(canvas, meeting.title, "Helvetica-Bold", 10.5, top - 10.5, INK, max_lines=2)
    when = dutch_date(meeting.date) + (f"  ·  {meeting.place}" if meeting.place else "")
    y = _lines(canvas, when, "Helvetica", 9, y - 2, MUTED, max_lines=2)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, y + 2, PAGE_WIDTH - MARGIN, y + 2)
    canvas.setFillColor(ACCENT)
    canvas.setFont("Helvetica-Bold", 28)
    canvas.drawString(MARGIN, y - 28, "Stemkaart")
    return y - 28


def _member(canvas: Canvas, view: CardView, top: float) -> None:
    """Name, weight and CBS code on the left, the QR code on the right."""
    qr = segno.make_qr(view.card.code, error="m")
    side = len(qr.matrix) * QR_MODULE
    text_width = CONTENT_WIDTH - side - 5 * MM
    size, lines = _fit(view.member.name, "Helvetica-Bold", text_width, sizes=(20, 18, 16, 14, 12, 11))
    y = top - size
    canvas.setFillColor(INK)
    canvas.setFont("Helvetica-Bold", size)
    for line in lines:
        canvas.drawString(MARGIN, y, line)
        y -= size * 1.15
    canvas.setFont("Helvetica", 14)
    canvas.drawString(MARGIN, y - 4, votes_label(view.weight))
    canvas.setFillColor(MUTED)
    canvas.setFont("Helvetica", 8.5)
    canvas.drawString(MARGIN, y - 17, f"gemeente {view.member.cbs_code}")
    _qr(canvas, qr, PAGE_WIDTH - MARGIN - side, top - side + MM)


def _qr(canvas: Canvas, qr: segno.QRCode, left: float, bottom: float) -> None:
    """Dark modules as one rectangle per horizontal run; the white quiet zone is the page."""
    canvas.setFillColor(black)
    rows = len(qr.matrix)
    for r, row in enumerate(qr.matrix):
        y = bottom + (rows - 1 - r) * QR_MODULE
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            canvas.rect(left + start * QR_MODULE, y, (c - start) * QR_MODULE, QR_MODULE, stroke=0, fill=1)


def _barcode(canvas: Canvas, code: str, text_baseline: float) -> None:
    """The Code 128 barcode, centred with its quiet zones, and the grouped code under it."""
    barcode = Code128(
        code, barWidth=BAR_MODULE, barHeight=BAR_HEIGHT, quiet=1, lquiet=BAR_QUIET, rquiet=BAR_QUIET
    )
    left = (PAGE_WIDTH - barcode.width) / 2
    bottom = text_baseline + 13
    canvas.setFillColor(white)
    canvas.rect(left, bottom, barcode.width, BAR_HEIGHT, stroke=0, fill=1)
    canvas.setFillColor(black)
    barcode.drawOn(canvas, left, bottom)
    canvas.setFont("Courier-Bold", 10.5)
    canvas.setFillColor(INK)
    canvas.drawCentredString(PAGE_WIDTH / 2, text_baseline, codes.grouped(code))


def _instructions(canvas: Canvas, bottom: float) -> float:
    """The two instructions in a light panel at the foot of the card; returns the panel's top."""
    size, leading, pad = 8.5, 10.5, 2.5 * MM
    width = CONTENT_WIDTH - 2 * pad
    first = simpleSplit(INSTRUCTIONS[0], "Helvetica-Bold", size, width)
    second = simpleSplit(INSTRUCTIONS[1], "Helvetica", size, width)
    height = (len(first) + len(second)) * leading + 2 * pad - (leading - size)
    canvas.setFillColor(PANEL)
    canvas.roundRect(MARGIN, bottom, CONTENT_WIDTH, height, 2 * MM, stroke=0, fill=1)
    y = bottom + height - pad - size + 1
    for font, lines in (("Helvetica-Bold", first), ("Helvetica", second)):
        canvas.setFont(font, size)
        canvas.setFillColor(INK)
        for line in lines:
            canvas.drawString(MARGIN + pad, y, line)
            y -= leading
    return bottom + height


def _fit(text: str, font: str, width: float, *, sizes: Sequence[float]) -> tuple[float, list[str]]:
    """The largest size at which `text` takes at most two lines of `width`."""
    for size in sizes:
        lines = simpleSplit(text, font, size, width)
        if len(lines) <= 2:
            return size, lines
    return sizes[-1], simpleSplit(text, font, sizes[-1], width)[:2]


def _lines(
    canvas: Canvas, text: str, font: str, size: float, y: float, color: Color, *, max_lines: int
) -> float:
    """Draw wrapped text from baseline `y` down; returns the baseline below the last line."""
    canvas.setFont(font, size)
    canvas.setFillColor(color)
    for line in simpleSplit(text, font, size, CONTENT_WIDTH)[:max_lines]:
        canvas.drawString(MARGIN, y, line)
        y -= size * 1.25
    return y
