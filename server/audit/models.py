"""The event log's tables: the entries, and one head row per chain (DESIGN invariant 4)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime

SYSTEM_CHAIN = 0  # changes that belong to no meeting (the standing register, operator tokens)


class LogEntry(Base):
    """One entry of a chain, append-only: triggers refuse UPDATE and DELETE (migration 5)."""

    __tablename__ = "log_entries"
    __table_args__ = (UniqueConstraint("chain", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The meeting's id, or SYSTEM_CHAIN; each meeting has a chain of its own from seq 1.
    chain: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    type: Mapped[str] = mapped_column(String(40))
    # The entry's canonical bytes (server.audit.chain), stored as they were hashed.
    body: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class LogHead(Base):
    """The last entry of a chain. Its row is locked for the length of a writing transaction, so
    that two writers (or two processes) never fork the chain."""

    __tablename__ = "log_heads"

    chain: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
