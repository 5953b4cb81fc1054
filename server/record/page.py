"""`record.html` and `/uitslagen`: the published record and the list of published meetings as
pages for people, in Dutch, to read on a laptop or a phone and to print.

Pure: values in, bytes out. The templates are in server/record/page_template.py, the one inline
style block in server/record/page_style.py; it is allowed by its hash in the Content-Security-
Policy, so the policy stays as strict as that of the other pages. `/uitslagen` may be framed by
any site (the association's website embeds it); the record itself may not be framed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from server.record.content import (
    ABSENT,
    HALL_TIME,
    NOT_VOTED,
    VOTED,
    Record,
    RecordCell,
    RecordMember,
    hall_time,
    nl_number,
)
from server.record.page_style import STYLE, content_security_policy
from server.record.page_template import LISTING, RECORD
from server.rules import Choice
from server.rules.minutes import dutch_date

if TYPE_CHECKING:
    from server.record.listing import PublishedMeeting

CONTENT_SECURITY_POLICY = content_security_policy("'none'")
# The association's website links to /uitslagen or embeds it in a frame (issue 15).
LISTING_CONTENT_SECURITY_POLICY = content_security_policy("*")


def cell_class(cell: RecordCell | None) -> str:
    """The CSS class of a member's cell: its choice, `candidate`, `voted`, `not_voted`, `absent`;
    `none` for a cell a record built before attendance was known leaves empty."""
    if cell is None:
        return "none"
    if isinstance(cell, Choice):
        return cell.value
    if cell in (VOTED, NOT_VOTED, ABSENT):
        return str(cell)
    return "candidate"


def represented(member: RecordMember, show_names: bool) -> str:
    """Who represented the member: the roles of its representatives in pass order, with their
    names only where this rendering may name them (Record.show_names: personal data)."""
    if not member.representatives:
        return member.role or ""
    seen: list[str] = []
    for representative in member.representatives:
        text = f"{representative.name} ({representative.role})" if show_names else representative.role
        if text not in seen:
            seen.append(text)
    return ", ".join(seen)


def _moment(value: datetime) -> str:
    """A moment as a Dutch reader reads it, on the hall's clock ("18 juni 2025, 21:04")."""
    local = value.astimezone(HALL_TIME)
    return f"{dutch_date(local.date())}, {local:%H:%M}"


_environment = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_environment.filters["nl"] = nl_number
_environment.filters["hall"] = hall_time
_environment.filters["cell_class"] = cell_class
_environment.filters["day"] = lambda value: dutch_date(value) if isinstance(value, date) else ""
_environment.filters["moment"] = _moment
_record = _environment.from_string(RECORD)
_listing = _environment.from_string(LISTING)


def record_html(record: Record) -> bytes:
    html = _record.render(
        r=record,
        voted=record.voted,
        date=dutch_date(record.date),
        opened=hall_time(record.opened_at),
        closed=hall_time(record.closed_at),
        published=_moment(record.published_at) if record.published_at else None,
        represented=lambda member: represented(member, record.show_names),
        style=Markup(STYLE),
    )
    return html.encode("utf-8")


def listing_html(meetings: Sequence[PublishedMeeting]) -> bytes:
    """`/uitslagen`: every published meeting, newest first, with its decisions and formats."""
    return _listing.render(meetings=meetings, style=Markup(STYLE)).encode("utf-8")
