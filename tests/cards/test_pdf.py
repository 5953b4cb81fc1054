"""The printable voting cards: one A6 page per member, with the code as text and as a barcode
that decodes back to it (read from the PDF's own drawing operations, so no scanner library)."""

from __future__ import annotations

import io
from datetime import date
from itertools import pairwise

import httpx
import pytest
from pypdf import PdfReader
from reportlab.graphics.barcode.code128 import _patterns
from reportlab.lib.units import mm

from server.auth.roles import Role
from server.cards import codes
from server.cards.models import Card
from server.cards.pdf import INSTRUCTIONS, cards_pdf, dutch_date
from server.cards.service import CardView
from server.meetings.models import Meeting
from server.register.models import Member
from tests.factories import REGISTER_CSV, bearer, create_meeting, import_register

A6_POINTS = (297.64, 419.53)


def pdf_pages(data: bytes) -> list[str]:
    """The text of every page."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def barcode_bars(data: bytes, page: int = 0) -> list[tuple[float, float]]:
    """(left, width) of every bar of the Code 128 symbol on a page, in points, left to right."""
    bars: list[tuple[float, float]] = []

    def visit(operator: bytes, operands: list[float], cm: list[float], tm: list[float]) -> None:
        if operator == b"re":
            x, _, width, height = (float(value) for value in operands)
            if height > 10 * mm and width < 2 * mm:  # tall and thin: a bar, not a QR module
                bars.append((cm[0] * x + cm[4], cm[0] * width))

    PdfReader(io.BytesIO(data)).pages[page].extract_text(visitor_operand_before=visit)
    return sorted(bars)


_SYMBOLS = {tuple(ord(c.lower()) - ord("a") + 1 for c in pattern): v for v, pattern in _patterns.items()}


def decode_code128(bars: list[tuple[float, float]]) -> tuple[str, float]:
    """The text a scanner reads from the bars, and the module width; checks the check symbol."""
    module = min(width for _, width in bars)
    widths = [round(bars[0][1] / module)]
    for (left, width), (next_left, next_width) in pairwise(bars):
        widths += [round((next_left - left - width) / module), round(next_width / module)]
    values = [_SYMBOLS[tuple(widths[i : i + 6])] for i in range(0, len(widths) - 7, 6)]
    assert _SYMBOLS[tuple(widths[-7:])] == 106, "the symbol ends with the stop pattern"
    start, *data, check = values
    assert (start + sum(i * v for i, v in enumerate(data, start=1))) % 103 == check
    text, charset = "", {103: "A", 104: "B", 105: "C"}[start]
    for value in data:
        if charset == "C" and value < 100:
            text += f"{value:02d}"
        elif charset != "C" and value < 96:
            text += chr(value + 32)
        else:
            charset = {99: "C", 100: "B", 101: "A"}[value]
    return text, module


def card_view(name: str, cbs_code: str, weight: int) -> CardView:
    return CardView(Card(code=codes.new_card_code()), Member(cbs_code=cbs_code, name=name), weight)


MEETING = Meeting(title="Algemene Ledenvergadering", date=date(2025, 6, 18), place="Klokgebouw, Eindhoven")


def test_one_a6_page_per_card_with_the_member_and_the_meeting() -> None:
    views = [card_view("Súdwest-Fryslân", "GM1900", 75), card_view("Schiermonnikoog", "GM0088", 1)]
    data = cards_pdf(MEETING, views)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A6_POINTS, abs=0.1)
    first, second = pdf_pages(data)
    for text in (first, second):
        assert "Algemene Ledenvergadering" in text
        assert "18 juni 2025" in text and "Klokgebouw, Eindhoven" in text
        assert "Stemkaart" in text
        assert INSTRUCTIONS[0] in text
        assert "de griffier van de gemeente" in text.replace("\n", " ")
    assert "Súdwest-Fryslân" in first and "75 stemmen" in first
    assert codes.grouped(views[0].card.code) in first
    assert "Schiermonnikoog" in second and "1 stem\n" in second
    assert codes.grouped(views[1].card.code) in second


def test_the_barcode_reads_back_as_the_card_code_with_room_for_a_scanner() -> None:
    views = [card_view("Grootstad", "GM0001", 75) for _ in range(5)]
    data = cards_pdf(MEETING, views)
    for page, view in enumerate(views):
        bars = barcode_bars(data, page)
        text, module = decode_code128(bars)
        assert text == view.card.code
        assert module >= 0.25 * mm - 0.001
        first_bar, (last_left, last_width) = bars[0][0], bars[-1]
        assert first_bar - 10 * module >= 0, "quiet zone on the left"
        assert last_left + last_width + 10 * module <= A6_POINTS[0], "quiet zone on the right"


def test_a_long_name_is_wrapped_not_cut() -> None:
    name = "Noardeast-Fryslân en Dantumadiel-Achtkarspelen"
    text = pdf_pages(cards_pdf(MEETING, [card_view(name, "GM0999", 12)]))[0]
    assert text.count(name.split()[0]) == 1 and "Achtkarspelen" in text


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (date(2025, 6, 18), "18 juni 2025"),
        (date(2024, 11, 29), "29 november 2024"),
        (date(2026, 3, 1), "1 maart 2026"),
    ],
)
def test_dutch_date(day: date, written: str) -> None:
    assert dutch_date(day) == written


async def test_cards_pdf_of_a_seeded_meeting(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    admin = bearer(tokens[Role.ADMIN])
    await import_register(client, tokens)
    meeting_id = await create_meeting(client, tokens)
    assert (await client.get(f"/api/meetings/{meeting_id}/cards.pdf", headers=admin)).json()[
        "error"
    ] == "no_cards"
    cards = (await client.post(f"/api/meetings/{meeting_id}/cards", headers=admin)).json()

    response = await client.get(f"/api/meetings/{meeting_id}/cards.pdf", headers=admin)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    pages = pdf_pages(response.content)
    assert len(pages) == len(REGISTER_CSV.splitlines()) - 1 == len(cards)
    for page, card in zip(pages, cards, strict=True):  # both by name
        assert card["name"] in page and card["printed"] in page

    one = cards[0]
    response = await client.get(f"/api/meetings/{meeting_id}/cards/{one['member']}.pdf", headers=admin)
    assert response.status_code == 200
    assert f'filename="stemkaart-{one["member"]}.pdf"' in response.headers["content-disposition"]
    [page] = pdf_pages(response.content)
    assert one["name"] in page and one["printed"] in page
    assert decode_code128(barcode_bars(response.content))[0] == one["card"]

    response = await client.get(f"/api/meetings/{meeting_id}/cards/GM9999.pdf", headers=admin)
    assert (response.status_code, response.json()["error"]) == (404, "unknown_member")
