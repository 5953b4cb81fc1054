from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class Member(Base):
    """A member of the association (a municipality) in the standing register."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    cbs_code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    population: Mapped[int] = mapped_column(Integer)
    # The day the population was counted (CBS: 1 January), as the import gave it; None if unknown.
    reference_date: Mapped[date | None] = mapped_column(Date, default=None)
    secretary_email: Mapped[str | None] = mapped_column(String(320), default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
