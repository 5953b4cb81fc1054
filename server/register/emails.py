"""The municipal secretaries' e-mail addresses, to which the voting cards are mailed (SPEC 2.2).

A CSV file `cbs_code,email` (';' or ',' as separator, a header line required) sets
`Member.secretary_email` for members already in the register. Like the register import it is all
or nothing: every problem is reported with its line number, and nothing is stored until the whole
file is right.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server.register import repository
from server.register.importing import RegisterImportError

CODE_HEADERS = ("cbs_code", "code", "gemeentecode")
EMAIL_HEADERS = ("email", "e-mail", "emailadres", "e-mailadres", "secretary_email")
MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path
_CODE = re.compile(r"GM[0-9]{4}")
_NOT_IN_ADDRESS = set(',;:<>()[]\\"')
_EXPECTED = (
    f"expected a code column ({', '.join(CODE_HEADERS)}) and an address column "
    f"({', '.join(EMAIL_HEADERS)}), separated by ',' or ';'"
)


@dataclass(frozen=True, slots=True)
class EmailRow:
    """One address to store; `line` is the physical line in the file (the header is line 1)."""

    line: int
    cbs_code: str
    email: str


def address_problem(address: str) -> str | None:
    """Why `address` is not a plausible e-mail address, or None. Deliberately simple: one '@',
    something before it, a domain with a dot, no spaces; the mail server has the last word."""
    if not address:
        return "no e-mail address given"
    if any(symbol.isspace() for symbol in address):
        return f"'{address}' contains a space"
    if not address.isascii():
        return f"'{address}' has characters other than plain letters, digits and punctuation"
    if _NOT_IN_ADDRESS & set(address):
        return f"'{address}' contains one of {''.join(sorted(_NOT_IN_ADDRESS))}: give one bare address"
    if address.count("@") != 1:
        return f"'{address}' must contain exactly one '@'"
    local, domain = address.split("@")
    if not local:
        return f"'{address}' has nothing before the '@'"
    if "." not in domain or any(not label for label in domain.split(".")):
        return f"'{address}' needs a domain with a dot after the '@', like gemeente.nl"
    if len(address) > MAX_EMAIL_LENGTH:
        return f"the address is longer than {MAX_EMAIL_LENGTH} characters"
    return None


def parse_emails_csv(text: str, known: Collection[str]) -> tuple[EmailRow, ...]:
    """Read and check every row; raise RegisterImportError listing all problems if any.

    `known` holds the CBS codes of the register: an address for any other code is an error.
    """
    text = text.removeprefix("\ufeff")
    header_line, delimiter, code_column, email_column, width = _header(text)
    rows: list[EmailRow] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for line, fields in _records(text, delimiter, problems):
        if line <= header_line or not any(field.strip() for field in fields):
            continue
        if len(fields) < width or any(field.strip() for field in fields[width:]):
            problems.append((line, f"expected {width} fields, found {len(fields)}"))
            continue
        code, address = fields[code_column].strip().upper(), fields[email_column].strip()
        errors = [_code_problem(code, known), address_problem(address)]
        if code and seen.setdefault(code, line) != line:
            errors.append(f"duplicate of line {seen[code]}: {code} appears twice")
        if any(errors):
            problems.extend((line, error) for error in errors if error)
        else:
            rows.append(EmailRow(line, code, address))
    if problems:
        raise RegisterImportError(problems)
    if not rows:
        raise RegisterImportError([(header_line, "no rows: the file holds no addresses")])
    return tuple(rows)


async def import_emails(session: AsyncSession, text: str) -> int:
    """Set the secretary address of every member in the file, or of none when any line is wrong;
    answers how many members were given an address."""
    members = {member.cbs_code: member for member in await repository.all_members(session)}
    rows = parse_emails_csv(text, members.keys())
    for row in rows:
        members[row.cbs_code].secretary_email = row.email
    await session.flush()
    return len(rows)


def _header(text: str) -> tuple[int, str, int, int, int]:
    """The header's line, separator, code and address columns, and width."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if not line.strip():
            continue
        found: list[str] = []
        for delimiter in (";", ","):
            fields = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])
            names = [field.strip().lower() for field in fields]
            code = next((i for i, name in enumerate(names) if name in CODE_HEADERS), None)
            email = next((i for i, name in enumerate(names) if name in EMAIL_HEADERS), None)
            if code is not None and email is not None:
                return number, delimiter, code, email, len(fields)
            found = found if len(found) > len(fields) else [field.strip() for field in fields]
        shown = ", ".join(f"'{field}'" for field in found)
        raise RegisterImportError([(number, f"cannot read the header (found {shown}): {_EXPECTED}")])
    raise RegisterImportError([(1, "no rows: the file is empty")])


def _records(text: str, delimiter: str, problems: list[tuple[int, str]]) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    start = 1
    try:
        for fields in reader:
            yield start, fields
            start = reader.line_num + 1
    except csv.Error as error:
        problems.append((start, f"cannot read CSV: {error}"))


def _code_problem(code: str, known: Collection[str]) -> str | None:
    if not code:
        return "no municipality code given"
    if not _CODE.fullmatch(code):
        return f"unknown code '{code}': a municipality code is GM and four digits"
    if code not in known:
        return f"unknown code '{code}': not in the register (import the register first)"
    return None
