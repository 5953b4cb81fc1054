"""State changes that the live read model must learn about once their transaction has committed.

Services record them on the session; the session dependency hands them to the live hub after the
commit (STYLE 3: publish after commit, so no screen ever shows a change that was rolled back).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

_KEY = "votehall.live_events"


@dataclass(frozen=True, slots=True)
class MeetingChanged:
    meeting_id: int


@dataclass(frozen=True, slots=True)
class BallotChanged:
    ballot_id: int


@dataclass(frozen=True, slots=True)
class PassChanged:
    pass_id: int


LiveEvent = MeetingChanged | BallotChanged | PassChanged


def record(session: AsyncSession, event: LiveEvent) -> None:
    session.info.setdefault(_KEY, []).append(event)


def take(session: AsyncSession) -> list[LiveEvent]:
    events: list[LiveEvent] = session.info.pop(_KEY, [])
    return events
