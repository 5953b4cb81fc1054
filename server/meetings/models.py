from __future__ import annotations

import datetime as dt
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (
        # SPEC 4.3: at most one meeting is open at a time; the database holds the line.
        Index(
            "uq_meetings_one_open",
            "status",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("uq_meetings_feed_epoch", "feed_epoch", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    date: Mapped[date] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(300), default=None)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    inhabitants_per_vote: Mapped[int] = mapped_column(Integer, default=1000)
    min_votes: Mapped[int] = mapped_column(Integer, default=1)
    max_votes: Mapped[int] = mapped_column(Integer, default=75)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # When the chair published the per-member record and the log (SPEC 2.9, statutes art. 11.5).
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The how-manieth meeting to open here: the high part of its feed versions, so that they
    # keep growing from one meeting to the next (README "Feed versions"). None until it opens.
    feed_epoch: Mapped[int | None] = mapped_column(Integer, default=None)
    # The agenda item the chair has put up, also one without a vote (the hall screen shows it).
    current_item: Mapped[str | None] = mapped_column(String(20), default=None)
    # The vote-counting committee's public key for the secret ballots (the text of committee.pub)
    # and its fingerprint (docs/SECRET_BALLOTS.md "Keys").
    committee_public_key: Mapped[str | None] = mapped_column(Text, default=None)
    committee_fingerprint: Mapped[str | None] = mapped_column(String(64), default=None)
    # The reference date of the register's population figures (CBS: 1 January of a year, statutes
    # art. 11.4): given when the meeting is created, or frozen from the register when it opens.
    # (dt.date: inside this class `date` is the meeting's day column)
    population_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    # The record's signature block (issue 15): the chair and the vote-counting committee.
    chair_name: Mapped[str | None] = mapped_column(String(200), default=None)
    committee_members: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    # Whether the public record (JSON, CSV, HTML) names the representatives: personal data, off
    # by default; the PDF and Word documents for the minutes and the chair's record always do.
    publish_representatives: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class MeetingMember(Base):
    """The register as frozen when the meeting opened (SPEC 2.1): later changes do not move it."""

    __tablename__ = "meeting_members"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"), UniqueConstraint("meeting_id", "cbs_code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    cbs_code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    population: Mapped[int] = mapped_column(Integer)
    weight: Mapped[int] = mapped_column(Integer)


class AgendaItem(Base):
    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500))
    decision: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str | None] = mapped_column(String(20), default=None)
    position: Mapped[int] = mapped_column(Integer)
