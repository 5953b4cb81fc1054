"""Hypothesis against the import parsers (SPEC 4.1; SPEC 5 "Bad input").

The member register and the secretaries' addresses (server/register) and the meeting archive
(server/archive) take whole files from an operator, who may have been handed a hostile one. For
any input the parsers either answer rows that the database can store, or raise their documented
error (`RegisterImportError`, `InvalidInput`): nothing else, and never half an import.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.archive.checks import chain_findings, read_log
from server.archive.service import checked_document
from server.audit.chain import build_chain
from server.audit.replay import replay
from server.errors import InvalidInput
from server.register.emails import MAX_EMAIL_LENGTH, parse_emails_csv
from server.register.importing import RegisterImportError, parse_register_csv
from server.register.reference import reference_names

FUZZ = settings(
    max_examples=400,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
INT32_MAX = 2**31 - 1  # an INTEGER column on PostgreSQL
NAME_LENGTH = 200  # members.name
CODE = re.compile(r"GM[0-9]{4}")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
KNOWN = reference_names()
CODES = sorted(KNOWN)

# Text of every kind, lone surrogates (which JSON's "\ud800" escape produces) included.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)


def csv_text(header: st.SearchStrategy[list[str]], field: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """CSV with a header and rows whose fields are drawn from `field`, quoted or not, with `;` or
    `,`, and line endings of every kind; sometimes with a byte order mark or a title line."""

    def render(delimiter: str, head: list[str], rows: list[list[str]], ending: str, bom: bool) -> str:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator=ending, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(head)
        writer.writerows(rows)
        return ("\ufeff" if bom else "") + out.getvalue()

    rows = st.lists(st.lists(field, min_size=0, max_size=5), max_size=8)
    return st.builds(render, st.sampled_from([",", ";"]), header, rows,
                     st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())  # fmt: skip


register_field = st.one_of(
    st.sampled_from(CODES),
    st.sampled_from([KNOWN[code] for code in CODES[:40]]),
    st.from_regex(r"GM[0-9]{4}", fullmatch=True),
    st.sampled_from(["NL01", "PV20", "CR01", "Nederland", "Groningen (PV)", "Bron: CBS", "(gemeente)"]),
    st.integers(-10, 10**30).map(str),
    st.sampled_from(["243.768", "243 768", "1.2.3", "0", "", ".", "9" * 40, "2147483648", "1e6"]),
    any_text,
    st.text(min_size=190, max_size=400),  # around the column's 200 characters
)
register_header = st.one_of(
    st.just(["cbs_code", "name", "population"]),
    st.just(["Regio's", "Perioden", "Bevolking op 1 januari (aantal)"]),
    st.just(["RegioS (code)", "Bevolking (aantal)", "Bevolkingsdichtheid (aantal per km2)"]),
    st.permutations(["code", "naam", "inwoners", "Perioden"]).map(list),
    st.lists(st.sampled_from(["cbs_code", "name", "population", "gemeente", "aantal", ""]) | any_text,
             max_size=5),
)  # fmt: skip


def mostly(usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` five times in six, else `odd` (`|` would weigh every branch of `odd` alike)."""
    return st.tuples(st.integers(0, 5), usual, odd).map(lambda drawn: drawn[2] if drawn[0] == 0 else drawn[1])


# Files that are nearly right, so that the checks behind the header are reached.
plain_rows = st.lists(
    st.tuples(
        mostly(st.sampled_from(CODES), st.from_regex(r"GM[0-9]{4}", fullmatch=True) | register_field),
        mostly(st.sampled_from([KNOWN[code] for code in CODES]), st.text(min_size=150, max_size=300)),
        mostly(st.integers(1, 10**6).map(str), st.integers(2**31 - 10, 10**40).map(str) | register_field),
    ).map(list),
    min_size=1,
    max_size=6,
    unique_by=lambda row: row[0],
)
nearly_right = st.builds(
    lambda rows: "cbs_code,name,population\n" + "".join(_line(row) for row in rows), plain_rows
)
register_files = st.one_of(
    nearly_right, nearly_right, csv_text(register_header, register_field), any_text, st.text(max_size=400)
)


def _line(fields: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(fields)
    return out.getvalue()


@FUZZ
@given(text=register_files, allow_new_codes=st.booleans())
def test_register_parser_answers_storable_rows_or_its_error(text: str, allow_new_codes: bool) -> None:
    try:
        parsed = parse_register_csv(text, KNOWN, allow_new_codes=allow_new_codes)
    except RegisterImportError as error:
        assert error.problems and all(problem.line >= 1 for problem in error.problems)
        assert error.status == 422 and error.to_body()["errors"]
        return
    assert parsed.rows
    assert len({row.cbs_code for row in parsed.rows}) == len(parsed.rows)
    for row in parsed.rows:
        assert CODE.fullmatch(row.cbs_code), row
        assert allow_new_codes or row.cbs_code in KNOWN, row
        assert 0 < len(row.name) <= NAME_LENGTH and not CONTROL.search(row.name), row
        assert 1 <= row.population <= INT32_MAX, row


email_field = st.one_of(
    st.sampled_from(CODES[:20]),
    st.sampled_from(["griffie@gemeente.nl", "a@b.c", "x" * 250 + "@a.nl", "a@@b.nl", "a b@c.nl", ""]),
    st.emails().map(str),
    any_text,
)
email_header = st.one_of(
    st.just(["cbs_code", "email"]),
    st.permutations(["gemeentecode", "e-mailadres", "naam"]).map(list),
    st.lists(any_text, max_size=3),
)


@FUZZ
@given(text=st.one_of(csv_text(email_header, email_field), any_text))
def test_email_parser_answers_storable_rows_or_its_error(text: str) -> None:
    try:
        rows = parse_emails_csv(text, CODES)
    except RegisterImportError as error:
        assert error.problems and all(problem.line >= 1 for problem in error.problems)
        return
    assert rows
    for row in rows:
        assert row.cbs_code in KNOWN and 0 < len(row.email) <= MAX_EMAIL_LENGTH, row


# The meeting archive: any JSON, and mutations of a real export.

json_scalars = (
    st.none() | st.booleans() | st.integers() | st.integers(2**31 - 2, 2**70) | st.floats() | any_text
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=10,
)


def validate(document: Any) -> None:
    """What `server.archive.service.import_meeting` checks before it touches the database (it
    raises InvalidInput for every problem found)."""
    checked_document(document)


@FUZZ
@given(document=json_values | st.fixed_dictionaries({"format": st.just("votehall-meeting"),
                                                      "version": st.just(1)}, optional={"log": json_values}))  # fmt: skip
def test_archive_validation_of_any_json(document: Any) -> None:
    """No JSON short of a real export is a meeting: each is refused with a code and a reason."""
    with pytest.raises(InvalidInput) as refused:
        validate(document)
    body = refused.value.to_body()
    assert refused.value.status == 422 and body["error"] and body["detail"]


SECTIONS = ["ballots", "votes", "vote_events", "passes", "register", "meeting", "agenda", "log"]


def tamper(document: dict[str, Any], data: st.DataObject) -> Any:
    """One or two changes: most often inside the data of one log entry, else inside one section,
    or anywhere."""
    for _ in range(data.draw(st.integers(1, 2))):
        where = data.draw(st.sampled_from(["entry"] * 4 + ["section"] * 3 + ["anywhere", "everywhere"]))
        if not isinstance(document, dict):
            break
        if where == "everywhere":
            document = forge_everywhere(document, data)
        elif where == "entry" and isinstance(document.get("log"), list) and document["log"]:
            log = list(document["log"])
            index = data.draw(st.integers(0, len(log) - 1))
            log[index] = mutate(log[index], data, depth=-1)  # usually into "data"
            document = {**document, "log": log}
        elif where == "section":
            section = data.draw(st.sampled_from(SECTIONS))
            document = {**document, section: mutate(document.get(section), data)}
        else:
            document = mutate(document, data)
    return document


def forge_everywhere(document: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """One value changed wherever it stands, in the tables and the log alike: the forgery that
    the comparison of the tables with the log cannot see."""
    old = data.draw(st.sampled_from(sorted(set(_leaves(document)), key=repr)))
    changed: dict[str, Any] = replaced(document, old, data.draw(alike(old)))
    return changed


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value] if isinstance(value, (str, int)) and not isinstance(value, bool) else []


def replaced(value: Any, old: Any, new: Any) -> Any:
    if isinstance(value, dict):
        return {k: replaced(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [replaced(v, old, new) for v in value]
    return new if type(value) is type(old) and value == old else value


def mutate(document: Any, data: st.DataObject, depth: int = 0) -> Any:
    """A copy of `document` with one place changed: a value replaced by one of its kind or of
    any kind, a key dropped or added, a list entry duplicated, dropped or moved."""
    if (
        isinstance(document, dict)
        and document
        and (depth < 0 or (depth < 8 and data.draw(st.integers(0, 3)) > 0))
    ):
        key = "data" if depth < 0 and "data" in document else data.draw(st.sampled_from(sorted(document)))
        return {**document, key: mutate(document[key], data, depth + 1)}
    if isinstance(document, list) and document and depth < 8 and data.draw(st.integers(0, 3)) > 0:
        index = data.draw(st.integers(0, len(document) - 1))
        return [*document[:index], mutate(document[index], data, depth + 1), *document[index + 1 :]]
    action = data.draw(st.sampled_from(["alike", "alike", "replace", "drop", "add", "duplicate", "move"]))
    if action == "drop" and isinstance(document, (dict, list)) and document:
        if isinstance(document, list):
            return document[1:]
        dropped = data.draw(st.sampled_from(sorted(document)))
        return {k: v for k, v in document.items() if k != dropped}
    if action == "add" and isinstance(document, dict):
        return {**document, data.draw(any_text): data.draw(json_values)}
    if action == "duplicate" and isinstance(document, list) and document:
        return [*document, copy.deepcopy(data.draw(st.sampled_from(document)))]
    if action == "move" and isinstance(document, list) and len(document) > 1:
        return document[1:] + document[:1]
    if action == "alike":
        return data.draw(alike(document))
    return data.draw(json_values | st.sampled_from([None, 0, -1, 2**31, 2**63, "", "x" * 600, [], {}]))


def alike(value: Any) -> st.SearchStrategy[Any]:
    """Another value of the same JSON kind, near the edges."""
    if isinstance(value, bool):
        return st.just(not value)
    if isinstance(value, int):
        return st.sampled_from([value + 1, value - 1, 0, -1, 2**31, 2**63, 10**30]) | st.integers()
    if isinstance(value, float):
        return st.floats()
    if isinstance(value, str):
        edges = [value + "x", value.upper(), "", "\ud800", value[: len(value) // 2], "x" * 600]
        return st.sampled_from(edges) | any_text
    return json_values


def rechained(document: dict[str, Any]) -> dict[str, Any]:
    """The document with its log hashed anew, and every receipt and closing hash that named an
    old entry hash naming the new one: a forger can always make the chain whole, so the checks
    behind the chain must hold on their own."""
    log = document.get("log")
    if not isinstance(log, list) or not all(isinstance(line, dict) for line in log):
        return document
    entries = [{k: v for k, v in line.items() if k not in ("prev_hash", "hash")} for line in log]
    try:
        chain = build_chain(entries)
    except (TypeError, ValueError, UnicodeEncodeError):
        return document  # not hashable as the server hashes (the check below must say so too)
    tables = {key: value for key, value in document.items() if key != "log"}
    for line, old in zip(chain, log, strict=True):
        if isinstance(old.get("hash"), str):
            tables = replaced(tables, old["hash"], line.hash)
    return {
        **tables,
        "log": [{**line.entry, "prev_hash": line.prev_hash, "hash": line.hash} for line in chain],
    }


@settings(FUZZ, max_examples=1500)
@given(data=st.data(), forge=st.integers(0, 3))
def test_archive_validation_of_a_tampered_export(
    archive: dict[str, Any], data: st.DataObject, forge: int
) -> None:
    document = tamper(archive, data)
    if forge and isinstance(document, dict):  # three times in four
        document = rechained(document)
    changed = hashed(document) != hashed(archive)
    if changed and not forge:
        # A hashed field changed and the chain was left as it was: always refused.
        with pytest.raises(InvalidInput) as refused:
            validate(document)
        assert refused.value.to_body()["error"], refused.value.to_body()
        return
    try:
        validate(document)
    except InvalidInput:
        assert changed or document != archive, "the untouched export was refused"
        return
    if changed:
        # A forger who recomputed every hash: what the import takes must still replay without a
        # problem and say what its tables say; its head is no longer the original's, which the
        # committee's written-down hash (verify --head) catches.
        assert isinstance(document, dict)
        lines, found = read_log(document["log"])
        assert found == [] and chain_findings(lines) == []
        assert replay(lines).problems == []
        assert lines[-1].hash != archive["log"][-1]["hash"]


def hashed(document: Any) -> str:
    """What the log's hashes cover (every field of every entry, and the hashes themselves), in a
    form where 1, 1.0 and true differ and the order of keys does not."""
    log = document.get("log") if isinstance(document, dict) else document
    return json.dumps(log, sort_keys=True, default=repr)
