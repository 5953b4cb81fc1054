from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class Pass(Base):
    """A personal voting pass (stempas). SPEC 2.3: one active pass per member of a meeting."""

    __tablename__ = "passes"
    __table_args__ = (
        Index(
            "uq_passes_one_active_per_member",
            "meeting_id",
            "member_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    representative_name: Mapped[str] = mapped_column(String(200))
    representative_role: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default="active")
    # The single-use code a handheld exchanges for the pass token (SPEC 4.1 /api/kiosk/pair).
    pairing_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True, default=None)
    pairing_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    paired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class DeskLogEntry(Base):
    """Who did what at the desk: every pass change with the operator token that made it."""

    __tablename__ = "desk_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    pass_id: Mapped[int | None] = mapped_column(ForeignKey("passes.id"), default=None)
    action: Mapped[str] = mapped_column(String(20))
    operator_token_id: Mapped[int | None] = mapped_column(ForeignKey("operator_tokens.id"), default=None)
    detail: Mapped[str | None] = mapped_column(String(300), default=None)
    at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
