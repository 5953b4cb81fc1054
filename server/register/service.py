"""The standing member register: import from CBS figures (SPEC 2.1, 4.1)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries
from server.audit.journal import note
from server.audit.models import SYSTEM_CHAIN
from server.register import repository
from server.register.importing import RegisterRow, SkippedRow, parse_register_csv
from server.register.models import Member
from server.register.reference import reference_names


@dataclass(frozen=True, slots=True)
class ImportReport:
    imported: int
    created: int
    updated: int
    unmatched: list[Member]  # register members the file did not mention; they keep their figures
    skipped: tuple[SkippedRow, ...]
    # How many imported members have each reference date (None: the file did not say), in order.
    reference_dates: dict[date | None, int]


async def import_register(session: AsyncSession, text: str, *, allow_new_codes: bool = False) -> ImportReport:
    """Insert or update every member of the file, or nothing at all when any line is wrong.

    Codes are matched first; rows without a code are placed by name through the CBS list and
    the alias table. A meeting that is already open keeps its frozen register (SPEC 2.1).
    """
    existing = {member.cbs_code: member for member in await repository.all_members(session)}
    known = reference_names() | {code: member.name for code, member in existing.items()}
    parsed = parse_register_csv(text, known, allow_new_codes=allow_new_codes)
    created = 0
    for row in parsed.rows:
        member = existing.get(row.cbs_code)
        if member is None:
            repository.add(
                session,
                Member(
                    cbs_code=row.cbs_code,
                    name=row.name,
                    population=row.population,
                    reference_date=row.reference_date,
                ),
            )
            created += 1
        else:
            member.name = row.name
            member.population = row.population
            member.reference_date = row.reference_date  # figures without a date have none
    await session.flush()
    members = [_logged(row) for row in parsed.rows]
    note(session, SYSTEM_CHAIN, entries.MEMBERS_IMPORTED, {"members": members})
    counts = Counter(row.reference_date for row in parsed.rows)
    seen = {row.cbs_code for row in parsed.rows}
    return ImportReport(
        imported=len(parsed.rows),
        created=created,
        updated=len(parsed.rows) - created,
        unmatched=[member for code, member in existing.items() if code not in seen],
        skipped=parsed.skipped,
        reference_dates=dict(sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or date.min))),
    )


def _logged(row: RegisterRow) -> dict[str, object]:
    """A member as `members_imported` logs it; `reference_date` only when the file gave one, so
    that logs of imports without dates read as before."""
    logged: dict[str, object] = {"member": row.cbs_code, "name": row.name, "population": row.population}
    if row.reference_date is not None:
        logged["reference_date"] = row.reference_date.isoformat()
    return logged


async def list_members(session: AsyncSession) -> list[Member]:
    return list(await repository.all_members(session))
