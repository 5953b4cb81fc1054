"""The reference date of a meeting's weights (statutes art. 11.4: the CBS population of 1 January).

Pure: the frozen members' reference dates and the date the meeting was given in, the date the
meeting keeps out, or a 409 that says why the register cannot be used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from server.errors import Conflict


def population_date(dates: Iterable[date | None], given: date | None) -> date | None:
    """The register's one reference date, or the given date when no member has one; 409
    `mixed_reference_dates` when the register mixes figures of different dates (members without a
    date beside members with one count as another date: the record would say "per 1 januari 2024"
    of figures nobody dated), `reference_date_mismatch` when it disagrees with `given`."""
    counts = Counter(dates)
    known = sorted(day for day in counts if day is not None)
    if len(known) > 1 or (known and counts[None]):
        shown = ", ".join(f"{day.isoformat()} ({_members(counts[day])})" for day in known)
        unknown = f" and {_members(counts[None])} without one" if counts[None] else ""
        raise Conflict(
            f"the register mixes population figures of different reference dates: {shown}{unknown}; "
            "import the figures of one date first",
            code="mixed_reference_dates",
            extra={
                "reference_dates": [
                    {"date": day.isoformat() if day else None, "members": counts[day]}
                    for day in [*known, *([None] if counts[None] else [])]
                ]
            },
        )
    register = known[0] if known else None
    if given is not None and register is not None and register != given:
        raise Conflict(
            f"the meeting's population date is {given.isoformat()}, but the register's figures are of "
            f"{register.isoformat()}: import the figures of {given.isoformat()} or change the meeting's date",
            code="reference_date_mismatch",
            extra={"population_date": given.isoformat(), "register_date": register.isoformat()},
        )
    return register or given


def _members(count: int) -> str:
    return "1 member" if count == 1 else f"{count} members"
