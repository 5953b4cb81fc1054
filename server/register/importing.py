"""Parse a member-register CSV (the plain export or a CBS StatLine download) into checked rows.

Pure: text and the known municipalities in, rows out, or one error that lists every problem with
its line number. An import is all or nothing, so the user fixes the whole file in one pass
instead of discovering the problems one upload at a time.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from server.errors import InvalidInput
from server.register.names import NameIndex, normalize_name

_CODE = re.compile(r"GM[0-9]{4}")
_REGION_CODE = re.compile(r"[A-Z]{2}[0-9]+")
_POPULATION = re.compile(r"[0-9]+|[0-9]{1,3}([. \u00a0\u202f])[0-9]{3}(?:\1[0-9]{3})*")
_UNIT = re.compile(r" \((?:code|naam|name)\)$")
_CODE_HEADERS = ("regios", "codering", "gemeentecode", "cbs_code", "code")
_NAME_HEADERS = ("regio's", "regio", "gemeente", "gemeentenaam", "naam", "name")
_POPULATION_WORDS = ("bevolking", "inwoners", "population", "aantal")
_NOT_A_COUNT = ("dichtheid", "density", " per ", "%")
_PERIOD_HEADERS = ("perioden", "periode", "period")
_REFERENCE_HEADERS = ("reference_date", "peildatum", "referentiedatum")
# A CBS period of a whole year ("2024", "2024JJ00"): a population "op 1 januari" of that year.
_YEAR_PERIOD = re.compile(r"([0-9]{4})(?:JJ00)?")
_FOOTER_STARTS = ("bron:", "source:", "©", "(c)", "copyright", "centraal bureau voor de statistiek")
_PV, _LD, _CR = "province", "part of the country", "COROP region"
_REGION_KINDS = {"NL": "country", "LD": _LD, "PV": _PV, "CR": _CR, "WK": "district", "BU": "neighbourhood"}
_NAME_SUFFIX_KINDS = {"(pv)": _PV, "(provincie)": _PV, "(ld)": _LD, "(cr)": _CR, "(corop)": _CR}
_MAX_TITLE_LINES = 3
# What the register's columns hold (members.name, and population as a PostgreSQL INTEGER): a row
# past them is refused here, with its line, instead of failing in the database.
MAX_NAME_LENGTH = 200
MAX_POPULATION = 2**31 - 1
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # never in a name; NUL cannot even be stored
_EXPECTED = (
    "expected a population column (header containing 'bevolking', 'inwoners', 'population' or 'aantal') "
    "and a name column (Regio's, Regio, Gemeente, Gemeentenaam, naam, name) "
    "or a code column (RegioS, Codering, Gemeentecode, cbs_code, code)"
)


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """One municipality to store; `line` is the physical line in the file (the header is line 1)."""

    line: int
    cbs_code: str
    name: str
    population: int
    # The day the population was counted: the file's reference_date column, or 1 January of a
    # CBS download's year period; None when the file does not say.
    reference_date: date | None = None


@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A line deliberately left out (country, province, title, footer), reported so none vanish."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class ParsedRegister:
    rows: tuple[RegisterRow, ...]
    skipped: tuple[SkippedRow, ...]
    format: str


@dataclass(frozen=True, slots=True)
class ImportProblem:
    line: int
    message: str


class RegisterImportError(InvalidInput):
    """Every problem of a rejected file, so the client can show them next to the lines."""

    code = "invalid_register"

    def __init__(self, problems: Iterable[tuple[int, str]]) -> None:
        self.problems = tuple(
            sorted((ImportProblem(line, text) for line, text in problems), key=lambda p: p.line)
        )
        lines = len({problem.line for problem in self.problems})
        message = f"{lines} line{'s' if lines != 1 else ''} could not be read"
        if len(self.problems) == 1:
            message = f"line {self.problems[0].line}: {self.problems[0].message}"
        errors = [{"line": problem.line, "message": problem.message} for problem in self.problems]
        super().__init__(message, extra={"errors": errors})


@dataclass(frozen=True, slots=True)
class _Header:
    line: int
    delimiter: str
    width: int
    population: int
    code: int | None
    name: int | None
    period: int | None
    reference: int | None
    format: str


def parse_register_csv(
    text: str, known: Mapping[str, str], *, allow_new_codes: bool = False
) -> ParsedRegister:
    """Read and check every row; raise RegisterImportError listing all problems if any.

    `known` maps CBS code to official name (the shipped CBS list plus the current register); it
    decides which codes are accepted and which names can be placed.
    """
    return _Parser(known, allow_new_codes).parse(text.removeprefix("\ufeff"))


class _Parser:
    def __init__(self, known: Mapping[str, str], allow_new_codes: bool) -> None:
        self.known = known
        self.index = NameIndex(known)
        self.allow_new_codes = allow_new_codes
        self.rows: list[RegisterRow] = []
        self.skipped: list[SkippedRow] = []
        self.problems: list[tuple[int, str]] = []
        self.seen: dict[str, tuple[int, str]] = {}

    def parse(self, text: str) -> ParsedRegister:
        header = self._header(text)
        records = [
            (line, fields)
            for line, fields in self._records(text, header.delimiter)
            if line > header.line and any(field.strip() for field in fields)
        ]
        last_full = max((line for line, fields in records if len(fields) >= header.width), default=0)
        for line, fields in records:
            if _is_footer(fields) or (
                len(fields) < header.width and line > last_full and not self._is_data(fields)
            ):
                self.skipped.append(
                    SkippedRow(line, " ".join(f.strip() for f in fields if f.strip())[:80], "footer")
                )
            elif len(fields) != header.width:
                unclosed = " (a '\"' quote is not closed)" if any("\n" in field for field in fields) else ""
                self.problems.append((line, f"expected {header.width} fields, found {len(fields)}{unclosed}"))
            else:
                self._row(line, fields, header)
        if self.problems:
            raise RegisterImportError(self.problems)
        if not self.rows:
            extra = f" ({len(self.skipped)} skipped: not municipalities or footer)" if self.skipped else ""
            raise RegisterImportError([(header.line, f"no rows: the file holds no municipalities{extra}")])
        return ParsedRegister(tuple(self.rows), tuple(self.skipped), header.format)

    def _header(self, text: str) -> _Header:
        """Find the header; up to three one-field title lines (as StatLine writes) may precede it."""
        lines = [(n, line) for n, line in enumerate(io.StringIO(text, newline=""), start=1) if line.strip()]
        if not lines:
            raise RegisterImportError([(1, "no rows: the file is empty")])
        errors: list[tuple[int, str]] = []
        for position, (number, line) in enumerate(lines[: _MAX_TITLE_LINES + 1]):
            found = _read_header(number, line.rstrip("\r\n"))
            if isinstance(found, _Header):
                for title_line, title in lines[:position]:
                    self.skipped.append(SkippedRow(title_line, title.strip(), "title"))
                return found
            errors.append((number, found))
            if not _is_title(line):
                break
        error = errors[-1] if any(mark in lines[len(errors) - 1][1] for mark in "\t|") else errors[0]
        raise RegisterImportError([error])

    def _records(self, text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
        start = 1
        try:
            for fields in reader:
                yield start, fields
                start = reader.line_num + 1
        except csv.Error as error:
            self.problems.append((start, f"cannot read CSV: {error}"))

    def _is_data(self, fields: list[str]) -> bool:
        """A short trailing line is a footer unless it starts like a municipality row."""
        first = fields[0].strip()
        return bool(_CODE.fullmatch(first.upper())) or bool(self.index.codes(first))

    def _row(self, line: int, fields: list[str], header: _Header) -> None:
        code_given = fields[header.code].strip().upper() if header.code is not None else ""
        name_given = _clean_name(fields[header.name]) if header.name is not None else ""
        if not code_given and _REGION_CODE.fullmatch(name_given.upper()):
            code_given, name_given = name_given.upper(), ""
        kind = _region_kind(code_given, name_given)
        if kind is not None:
            self.skipped.append(SkippedRow(line, name_given or code_given, f"not a municipality ({kind})"))
            return
        errors: list[str] = []
        code, name = self._place(code_given, name_given, errors)
        if code is not None and len(name) > MAX_NAME_LENGTH:
            errors.append(f"the name is longer than {MAX_NAME_LENGTH} characters")
        if code is not None and _CONTROL.search(name):
            errors.append("the name holds a control character")
        population = _population(fields[header.population], errors)
        period = fields[header.period].strip() if header.period is not None else ""
        reference = _reference_date(fields, header, period, errors)
        if code is not None:
            errors.extend(self._duplicate(line, code, period))
        if errors:
            self.problems.extend((line, error) for error in errors)
        elif code is not None and population is not None:
            self.rows.append(RegisterRow(line, code, name, population, reference))

    def _place(self, code: str, name: str, errors: list[str]) -> tuple[str | None, str]:
        """The row's code and the name to store: the known official one unless the file renames."""
        if not code and not name:
            errors.append("no municipality name or code given")
            return None, ""
        if not code:
            codes = self.index.codes(name)
            if len(codes) != 1:
                fits = f": the name fits {', '.join(sorted(codes))}" if codes else ""
                errors.append(f"cannot place municipality '{name}'{fits}")
                return None, name
            code = next(iter(codes))
            return code, self.known[code]
        if not _CODE.fullmatch(code):
            errors.append(f"unknown code '{code}': a municipality code is GM and four digits")
            return None, name
        if code not in self.known:
            if not self.allow_new_codes:
                errors.append(f"unknown code '{code}': not in the register or the CBS list")
            elif not name:
                errors.append(f"new code '{code}' needs a name")
            return code, name
        if not name or code in self.index.codes(name):
            return code, self.known[code]
        return code, name

    def _duplicate(self, line: int, code: str, period: str) -> list[str]:
        first = self.seen.setdefault(code, (line, period))
        if first[0] == line:
            return []
        if first[1] != period:
            return [
                f"duplicate of line {first[0]}: {code} appears for periods '{first[1]}' and '{period}'; "
                "download one period only"
            ]
        return [f"duplicate of line {first[0]}: {code} appears twice"]


def _splits(line: str) -> dict[str, list[str]]:
    return {delimiter: next(csv.reader([line], delimiter=delimiter), []) for delimiter in (";", ",")}


def _is_title(line: str) -> bool:
    """A one-field line without tabs or bars, as StatLine puts its table title above the header."""
    return "\t" not in line and "|" not in line and all(len(f) <= 1 for f in _splits(line).values())


def _read_header(line_number: int, line: str) -> _Header | str:
    """The header's layout, or why this line cannot be the header."""
    splits = _splits(line)
    delimiter = max(splits, key=lambda d: len(splits[d]))
    fields = splits[delimiter]
    if len(fields) < 2:
        detected = "separator tab" if "\t" in line else "separator '|'" if "|" in line else "no separator"
        return f"cannot read the header: {detected} detected, only ',' or ';' is accepted; {_EXPECTED}"
    names = [_UNIT.sub("", normalize_name(field)) for field in fields]
    code, name = _column(names, _CODE_HEADERS), _column(names, _NAME_HEADERS)
    counts = [
        i for i, h in enumerate(names) if i not in (code, name) and any(w in h for w in _POPULATION_WORDS)
    ]
    if len(counts) > 1:
        counts = [i for i in counts if not any(word in f" {names[i]} " for word in _NOT_A_COUNT)]
    if (code is None and name is None) or len(counts) != 1:
        problem = "several population columns" if len(counts) > 1 else "missing columns"
        shown = ", ".join(f"'{field.strip()}'" for field in fields)
        return (
            f"cannot read the header ({problem}): separator '{delimiter}' detected, columns {shown}; "
            + _EXPECTED
        )
    columns = [names[i] if i is not None else "" for i in (code, name, counts[0])]
    kind = "plain" if columns == ["cbs_code", "name", "population"] else "cbs"
    period, reference = _column(names, _PERIOD_HEADERS), _column(names, _REFERENCE_HEADERS)
    return _Header(line_number, delimiter, len(fields), counts[0], code, name, period, reference, kind)


def _column(names: list[str], wanted: tuple[str, ...]) -> int | None:
    return next((i for i, header in enumerate(names) if header in wanted), None)


def _population(raw: str, errors: list[str]) -> int | None:
    """Whole inhabitants; Dutch digit grouping ('243.768', '243 768') only in groups of three."""
    value = raw.strip()
    if value in ("", "."):
        errors.append(f"bad population '{value}': no population given")
        return None
    if not _POPULATION.fullmatch(value):
        errors.append(f"bad population '{value}': expected a whole number such as 243768 or 243.768")
        return None
    number = int(re.sub(r"[^0-9]", "", value))
    if number < 1:
        errors.append(f"bad population '{value}': must be at least 1")
        return None
    if number > MAX_POPULATION:
        errors.append(f"bad population '{value}': must be at most {MAX_POPULATION}")
        return None
    return number


def _reference_date(fields: list[str], header: _Header, period: str, errors: list[str]) -> date | None:
    """The row's reference date: its reference_date cell (ISO, empty for unknown), else 1 January
    of a CBS year period; None for any other period (a month, a quarter) or none at all."""
    if header.reference is not None:
        value = fields[header.reference].strip()
        if not value:
            return None
        try:
            if len(value) == 10:  # YYYY-MM-DD only; fromisoformat would also take 20240101
                return date.fromisoformat(value)
        except ValueError:
            pass
        errors.append(f"bad reference date '{value}': expected a date such as 2024-01-01")
        return None
    year = _YEAR_PERIOD.fullmatch(period.upper())
    return date(int(year.group(1)), 1, 1) if year and int(year.group(1)) >= 1 else None


def _region_kind(code: str, name: str) -> str | None:
    """What a CBS region row is when it is not a municipality (totals, provinces, COROP areas)."""
    if code:
        if code.startswith("GM") or not _REGION_CODE.fullmatch(code):
            return None
        return _REGION_KINDS.get(code[:2], f"region code '{code}'")
    normalized = normalize_name(name)
    if normalized == "nederland":
        return "country"
    return next((kind for suffix, kind in _NAME_SUFFIX_KINDS.items() if normalized.endswith(suffix)), None)


def _clean_name(raw: str) -> str:
    return re.sub(r"\s*\(gemeente\)$", "", " ".join(raw.split()), flags=re.IGNORECASE)


def _is_footer(fields: list[str]) -> bool:
    return fields[0].strip().casefold().startswith(_FOOTER_STARTS)
