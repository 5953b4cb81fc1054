from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class Ballot(Base):
    __tablename__ = "ballots"
    __table_args__ = (
        # SPEC 4.1: at most one ballot of a meeting is open at a time.
        Index(
            "uq_ballots_one_open_per_meeting",
            "meeting_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    agenda: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20))
    majority: Mapped[str] = mapped_column(String(16))
    abstain_is_cast: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_change: Mapped[bool] = mapped_column(Boolean, default=True)
    test: Mapped[bool] = mapped_column(Boolean, default=False)
    show_live_tally: Mapped[bool] = mapped_column(Boolean, default=False)
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("ballots.id"), default=None)
    submitters: Mapped[list[str]] = mapped_column(JSON, default=list)
    preadvies: Mapped[str | None] = mapped_column(String(32), default=None)
    # SPEC 2.8: a motion on a matter not on the agenda (vreemd aan de orde van de dag).
    off_agenda: Mapped[bool] = mapped_column(Boolean, default=False)
    # SPEC 2.7: the voided ballot this one votes again (herstemming).
    revote_of_id: Mapped[int | None] = mapped_column(ForeignKey("ballots.id"), default=None)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The result, stored when the ballot is decided (SPEC 2.6).
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    for_weight: Mapped[int | None] = mapped_column(Integer, default=None)
    against_weight: Mapped[int | None] = mapped_column(Integer, default=None)
    abstain_weight: Mapped[int | None] = mapped_column(Integer, default=None)
    cast_weight: Mapped[int | None] = mapped_column(Integer, default=None)
    members_voted: Mapped[int | None] = mapped_column(Integer, default=None)
    percent_for: Mapped[str | None] = mapped_column(String(8), default=None)
    # The hash and number of the log entry that closed the ballot: the head of the log at the close.
    close_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    close_seq: Mapped[int | None] = mapped_column(Integer, default=None)
    # SPEC 2.7 corrections: the chair's reason for voiding; a result counted by hand (show of
    # hands or paper) and the committee member who confirmed it; the members whose dissent from
    # a decision by acclamation is noted (aantekening), by CBS code.
    void_reason: Mapped[str | None] = mapped_column(String(300), default=None)
    counted_by_hand: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_by: Mapped[str | None] = mapped_column(String(200), default=None)
    dissent: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The chair's countdown on an open ballot ("nog 30 seconden"); closing stays the chair's act.
    countdown_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # SPEC 2.9, 2.10 (docs/SECRET_BALLOTS.md): a secret ballot; every ballot stored before issue 14
    # reads as public. An election's round names the ballot it follows and its kind (RoundKind);
    # both are null outside elections.
    secret: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    round_of_id: Mapped[int | None] = mapped_column(ForeignKey("ballots.id"), default=None)
    round: Mapped[str | None] = mapped_column(String(16), default=None)
    # The public half of a secret ballot's key (base64), from its opening on.
    sealing_key: Mapped[str | None] = mapped_column(String(64), default=None)
    # An election's result as logged in `ballot_closed`; when the chair released a secret result
    # to the public screens.
    election_result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Candidate(Base):
    """A candidate on one election ballot (SPEC 2.10); each round has rows of its own, and a
    vote's choice names the candidate by its id."""

    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # the order on the ballot, from 1
    name: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(200), default=None)


class Vote(Base):
    """The current vote of a member on a ballot: at most one (SPEC 2.4, DESIGN invariant 2)."""

    __tablename__ = "votes"
    # The unique index leads with ballot_id: it serves the lookups by ballot, so ballot_id has
    # no index of its own (one b-tree insert less per vote; issue 16).
    __table_args__ = (UniqueConstraint("ballot_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    pass_id: Mapped[int | None] = mapped_column(ForeignKey("passes.id"), default=None)
    choice: Mapped[str] = mapped_column(String(8))
    vote_id: Mapped[str] = mapped_column(String(64))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    # The seq of the vote's entry in the meeting's log (orders a member's votes across processes).
    log_seq: Mapped[int | None] = mapped_column(Integer, default=None)


class VoteEvent(Base):
    """Every accepted vote message, in commit order: the idempotency record of SPEC 4.2 step 5.

    A `vote_id` is unique per member, so a resend finds its original ack here, also after a
    restart. The current vote (table `votes`) is derived: the last event per (ballot, member).
    """

    __tablename__ = "vote_events"
    __table_args__ = (UniqueConstraint("member_id", "vote_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    pass_id: Mapped[int] = mapped_column(ForeignKey("passes.id"))
    vote_id: Mapped[str] = mapped_column(String(64))
    choice: Mapped[str] = mapped_column(String(8))
    receipt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())


# The secret vote path (docs/SECRET_BALLOTS.md). `sealed_votes` and `ballot_keys` hold rows only
# while a secret ballot is open: its close unseals them into `unit_ballots` and deletes them.


class SealedVote(Base):
    """A member's sealed box on an open secret ballot; a change of vote replaces it."""

    __tablename__ = "sealed_votes"
    __table_args__ = (UniqueConstraint("ballot_id", "member_id"), UniqueConstraint("ballot_id", "tag"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    # SHA-256(b"votehall-tag|" + secret), hex: two members cannot use one secret.
    tag: Mapped[str] = mapped_column(String(64))
    box: Mapped[bytes] = mapped_column(LargeBinary)


class BallotKey(Base):
    """A secret ballot's private key sealed to the committee's public key, for recovery."""

    __tablename__ = "ballot_keys"

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)


class UnitBallot(Base):
    """One unit of weight of a closed secret ballot: a receipt and a choice, nothing of the member."""

    __tablename__ = "unit_ballots"
    __table_args__ = (UniqueConstraint("ballot_id", "receipt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    receipt: Mapped[str] = mapped_column(String(64))
    choice: Mapped[str] = mapped_column(String(16))
