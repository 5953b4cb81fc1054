from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from server.deps import AdminOnly, Session
from server.errors import InvalidInput
from server.register import emails, service
from server.register.schemas import ImportResult, MemberOut, MemberRef, ReferenceDateCount, SkippedLine
from server.rules import DEFAULT_RULE, weight_for

router = APIRouter(prefix="/api/members", tags=["register"])

MAX_IMPORT_BYTES = 5 * 1024 * 1024


@router.post(
    "/import",
    response_model=ImportResult,
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}
    },
)
async def import_members(
    request: Request, session: Session, _: AdminOnly, allow_new_codes: bool = False
) -> ImportResult:
    """Import the register from CSV: plain `cbs_code,name,population[,reference_date]` or a CBS
    StatLine download (its `Perioden` year is the reference date: 1 January of that year)."""
    body = await request.body()
    if len(body) > MAX_IMPORT_BYTES:
        raise InvalidInput(
            f"the file is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MiB", code="too_large"
        )
    text = _decode(body)
    report = await service.import_register(session, text, allow_new_codes=allow_new_codes)
    return ImportResult(
        imported=report.imported,
        created=report.created,
        updated=report.updated,
        unmatched=[MemberRef(code=m.cbs_code, name=m.name) for m in report.unmatched],
        skipped=[SkippedLine(line=s.line, text=s.text, reason=s.reason) for s in report.skipped],
        reference_dates=[
            ReferenceDateCount(date=day, members=n) for day, n in report.reference_dates.items()
        ],
    )


class EmailImportResult(BaseModel):
    # Here rather than in schemas.py only because that file had another owner when this was added.
    updated: int


@router.post(
    "/emails",
    response_model=EmailImportResult,
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}
    },
)
async def import_emails(request: Request, session: Session, _: AdminOnly) -> EmailImportResult:
    """Set the municipal secretaries' e-mail addresses (where the voting cards are mailed) from
    CSV `cbs_code,email`; all or nothing, every problem with its line number."""
    body = await request.body()
    if len(body) > MAX_IMPORT_BYTES:
        raise InvalidInput(
            f"the file is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MiB", code="too_large"
        )
    return EmailImportResult(updated=await emails.import_emails(session, _decode(body)))


def _decode(body: bytes) -> str:
    """UTF-8 (with or without BOM) first; older CBS and Excel exports come as Windows-1252."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("the file is neither UTF-8 nor Windows-1252 text", code="bad_encoding")


@router.get("", response_model=list[MemberOut])
async def list_members(session: Session, _: AdminOnly) -> list[MemberOut]:
    """The standing register with each member's weight under the default rule (1,000 / 1 / 75)."""
    return [
        MemberOut(
            code=m.cbs_code,
            name=m.name,
            population=m.population,
            weight=weight_for(m.population, DEFAULT_RULE),
            reference_date=m.reference_date,
        )
        for m in await service.list_members(session)
    ]
