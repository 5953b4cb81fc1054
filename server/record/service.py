"""Publication (SPEC 2.9, statutes art. 11.5): publishing a closed meeting, building its record, and
who may read the record and the log before and after publication (SPEC 3, 4.1)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries, journal
from server.audit.service import export_chain, head_of
from server.auth.roles import Role
from server.auth.service import Operator
from server.db import Database
from server.errors import Conflict, Forbidden
from server.meetings.models import Meeting
from server.meetings.service import get_meeting
from server.record import page, schemas, spreadsheet
from server.record.build import build_record
from server.record.content import (
    Record,
)

# Before publication the chair and the admin check the record; the log is the admin's (SPEC 4.1).
RECORD_READERS = frozenset({Role.ADMIN, Role.CHAIR})
AUDIT_READERS = frozenset({Role.ADMIN})


async def publish(session: AsyncSession, meeting_id: int) -> tuple[Meeting, journal.Written]:
    """Publish a closed meeting's per-member record and log; answers the entry that says so.

    SPEC 2.9 / art. 11.5: how each member voted is published after the meeting, so only a
    closed meeting is published, and only once.
    """
    meeting = await get_meeting(session, meeting_id, for_update=True)
    if meeting.published_at is not None:
        raise Conflict(f"meeting {meeting_id} was published already", code="already_published")
    if meeting.status != "closed":
        raise Conflict(
            f"the meeting is {meeting.status}; close it before publishing", code="meeting_not_closed"
        )
    meeting.published_at = datetime.now(UTC)
    await session.flush()
    entry = journal.note(session, meeting.id, entries.MEETING_PUBLISHED, {})
    await journal.flush(session)
    assert entry.written is not None
    return meeting, entry.written


def check_can_read(meeting: Meeting, reader: Operator | None, readers: frozenset[Role]) -> None:
    """Public once published; before that only `readers` (an operator token of another role is
    no better than none)."""
    if meeting.published_at is not None or (reader is not None and reader.role in readers):
        return
    raise Forbidden(
        f"meeting {meeting.id} is not published yet; how every member voted is public once the "
        "chair has published it after the meeting (SPEC 2.9)",
        code="not_published",
    )


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    HTML = "html"
    PDF = "pdf"
    DOCX = "docx"


def _results_pdf(record: Record) -> bytes:
    """reportlab and python-docx are imported on the first document, not by every server at start:
    they are a tenth of an idle server's memory (issue 16)."""
    from server.record.pdf import results_pdf

    return results_pdf(record)


def _results_docx(record: Record) -> bytes:
    from server.record.docx import results_docx

    return results_docx(record)


RENDERERS: dict[Format, Callable[[Record], bytes]] = {
    Format.JSON: schemas.record_json,
    Format.CSV: spreadsheet.record_csv,
    Format.HTML: page.record_html,
    Format.PDF: _results_pdf,
    Format.DOCX: _results_docx,
}

# Once published, a record is read by anyone, and a public route must not make the server rebuild
# a whole meeting on every request. Every change to what the record shows appends to the meeting's
# log, so a rendering stays valid for as long as the log's head hash is the one it was made at.
CACHE_SIZE = 64
_published: dict[tuple[int, Format, bool], tuple[str, bytes]] = {}


def names_shown(meeting: Meeting, reader: Operator | None) -> bool:
    """Whether a rendering names the representatives (personal data, issue 15): for the chair and
    the admin, who write the minutes, always; for anyone else only by the meeting's setting."""
    return meeting.publish_representatives or (reader is not None and reader.role in RECORD_READERS)


async def rendered(
    session: AsyncSession,
    meeting_id: int,
    reader: Operator | None,
    fmt: Format,
    public_url: str | None = None,
) -> tuple[Meeting, bytes]:
    """The record of a meeting in `fmt`, for a reader who may see it."""
    meeting = await get_meeting(session, meeting_id)
    check_can_read(meeting, reader, RECORD_READERS)
    published = meeting.published_at is not None
    show_names = names_shown(meeting, reader)
    key = (meeting.id, fmt, show_names)
    if published:
        head = await head_of(session, meeting.id)
        cached = _published.get(key)
        if head is not None and cached is not None and cached[0] == head[1]:
            return meeting, cached[1]
    record = replace(await build_record(session, meeting, show_names=show_names), public_url=public_url)
    body = await asyncio.to_thread(RENDERERS[fmt], record)
    if published and record.log_head is not None:
        _published.pop(key, None)
        while len(_published) >= CACHE_SIZE:
            _published.pop(next(iter(_published)))
        _published[key] = (record.log_head[1], body)
    return meeting, body


async def check_audit_access(session: AsyncSession, meeting_id: int, reader: Operator | None) -> bool:
    """Raises unless the reader may see the meeting's log; answers whether it is published."""
    meeting = await get_meeting(session, meeting_id)
    check_can_read(meeting, reader, AUDIT_READERS)
    return meeting.published_at is not None


async def audit_lines(database: Database, meeting_id: int) -> AsyncIterator[bytes]:
    """The meeting's log, one JSON object a line, read in pages in one read-only transaction of its
    own (the request's transaction ends before a streamed answer is sent)."""
    async with database.transaction(readonly=True) as session:
        async for line in export_chain(session, meeting_id):
            yield line
