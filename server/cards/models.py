from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class Card(Base):
    """A member's voting card (stemkaart) for one meeting. Re-issuing replaces it: the old code
    stops working (SPEC 2.2). The code is kept, not hashed: the secretariat prints and mails it."""

    __tablename__ = "cards"
    __table_args__ = (
        Index("uq_cards_one_valid_per_member", "meeting_id", "member_id", unique=True,
              sqlite_where=text("replaced_at IS NULL"), postgresql_where=text("replaced_at IS NULL")),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
