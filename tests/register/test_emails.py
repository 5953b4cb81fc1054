"""Importing the municipal secretaries' e-mail addresses: the pure parser and the route."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from server.auth.roles import Role
from server.db import Database
from server.register.emails import EmailRow, address_problem, parse_emails_csv
from server.register.importing import RegisterImportError
from server.register.models import Member
from tests.factories import bearer, import_register

KNOWN = {"GM0001", "GM0002", "GM0003", "GM0004"}


@pytest.mark.parametrize(
    "csv",
    [
        "cbs_code,email\nGM0001,a@grootstad.nl\nGM0002,b@middenburg.nl\n",
        "\ufeffcbs_code;e-mail\r\nGM0001;a@grootstad.nl\r\nGM0002;b@middenburg.nl\r\n",
        "CBS_code;Emailadres;\nGM0001;a@grootstad.nl;\n\ngm0002 ; b@middenburg.nl ;\n",
        'naam,secretary_email,cbs_code\n"Grootstad, gemeente",a@grootstad.nl,GM0001\nMiddenburg,b@middenburg.nl,GM0002\n',
    ],
    ids=["comma", "semicolon BOM CRLF", "trailing separators and blank line", "other columns and quotes"],
)
def test_good_files(csv: str) -> None:
    rows = parse_emails_csv(csv, KNOWN)
    assert [(row.cbs_code, row.email) for row in rows] == [
        ("GM0001", "a@grootstad.nl"),
        ("GM0002", "b@middenburg.nl"),
    ]


def test_line_numbers_are_physical_lines() -> None:
    rows = parse_emails_csv("cbs_code,email\n\nGM0003,c@kleindorp.nl\n", KNOWN)
    assert rows == (EmailRow(3, "GM0003", "c@kleindorp.nl"),)


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("griffie@gemeente.nl", None),
        ("s.de.vries+alv@sub.gemeente-x.nl", None),
        ("", "no e-mail address given"),
        ("griffie gemeente.nl", "space"),
        ("griffie.gemeente.nl", "exactly one '@'"),
        ("a@b@gemeente.nl", "exactly one '@'"),
        ("@gemeente.nl", "nothing before"),
        ("griffie@gemeente", "dot"),
        ("griffie@gemeente.", "dot"),
        ("griffie@.nl", "dot"),
        ("Griffie <griffie@gemeente.nl>", "space"),
        ("griffie@gemeente.nl,b@gemeente.nl", "one bare address"),
        ("grïffie@gemeente.nl", "plain letters"),
    ],
)
def test_address_check(address: str, problem: str | None) -> None:
    found = address_problem(address)
    assert (found is None) if problem is None else (found is not None and problem in found)


@pytest.mark.parametrize(
    ("csv", "lines"),
    [
        ("GM0001,a@grootstad.nl\n", [1]),
        ("cbs_code\temail\nGM0001\ta@grootstad.nl\n", [1]),
        ("cbs_code,email\n", [1]),
        ("", [1]),
        ("cbs_code,email\nGM0001,a@grootstad\nGM0002,b@middenburg.nl\n", [2]),
        ("cbs_code,email\nGM0001,a@grootstad.nl\nGM9999,b@x.nl\nG-14,c@x.nl\n", [3, 4]),
        ("cbs_code,email\nGM0001,a@grootstad.nl\nGM0001,b@grootstad.nl\n", [3]),
        ("cbs_code,email\nGM0001\nGM0002,b@middenburg.nl,extra\n", [2, 3]),
        ("cbs_code,email\n,a@grootstad.nl\nGM0002,\n", [2, 3]),
    ],
    ids=[
        "no header",
        "tab separated",
        "no rows",
        "empty",
        "bad address",
        "unknown and malformed codes",
        "duplicate",
        "field counts",
        "empty fields",
    ],
)
def test_bad_files_list_every_line(csv: str, lines: list[int]) -> None:
    with pytest.raises(RegisterImportError) as caught:
        parse_emails_csv(csv, KNOWN)
    assert sorted({problem.line for problem in caught.value.problems}) == lines
    assert all(problem.message for problem in caught.value.problems)


async def post_emails(
    client: httpx.AsyncClient, tokens: dict[Role, str], text: str | bytes
) -> httpx.Response:
    headers = bearer(tokens[Role.ADMIN]) | {"content-type": "text/csv"}
    return await client.post("/api/members/emails", content=text, headers=headers)


async def addresses(database: Database) -> dict[str, str | None]:
    async with database.transaction(readonly=True) as session:
        rows = await session.execute(select(Member.cbs_code, Member.secretary_email))
        return {code: address for code, address in rows.all()}


async def test_import_over_the_api(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database
) -> None:
    await import_register(client, tokens)
    response = await post_emails(
        client, tokens, "cbs_code;emailadres\nGM0001;a@grootstad.nl\nGM0004;d@randmeer.nl\n"
    )
    assert (response.status_code, response.json()) == (200, {"updated": 2})
    assert await addresses(database) == {
        "GM0001": "a@grootstad.nl",
        "GM0002": None,
        "GM0003": None,
        "GM0004": "d@randmeer.nl",
    }

    response = await post_emails(
        client, tokens, "cbs_code,email\nGM0001,secretaris@grootstad.nl\n".encode("cp1252")
    )
    assert response.json() == {"updated": 1}
    assert (await addresses(database))["GM0001"] == "secretaris@grootstad.nl"


async def test_a_bad_file_changes_nothing(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database
) -> None:
    await import_register(client, tokens)
    await post_emails(client, tokens, "cbs_code,email\nGM0001,a@grootstad.nl\n")
    before = await addresses(database)
    bad = "cbs_code,email\nGM0002,b@middenburg.nl\nGM0003,c at kleindorp.nl\nGM0042,x@y.nl\nGM0001,new@grootstad.nl\n"
    response = await post_emails(client, tokens, bad)
    assert response.status_code == 422
    answer = response.json()
    assert answer["error"] == "invalid_register"
    assert [error["line"] for error in answer["errors"]] == [3, 4]
    assert "GM0042" in answer["errors"][1]["message"]
    assert await addresses(database) == before  # nothing half-applied

    response = await post_emails(client, tokens, "x" * (5 * 1024 * 1024 + 1))
    assert (response.status_code, response.json()["error"]) == (422, "too_large")
