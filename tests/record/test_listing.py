"""Where the public finds the records (issue 15 item 7): `GET /api/records` and `/uitslagen` list
every published meeting, newest first, with its decisions and a link to each format; nothing
unpublished appears."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import update

from server.auth.roles import Role
from server.db import Database
from server.meetings.models import Meeting
from tests.record.conftest import SCRIPT_TITLE, Hall

DECISION_FIELDS = ("id", "agenda", "title", "kind", "outcome", "minutes", "percent_for")


async def _meeting(hall: Hall, title: str, day: date) -> int:
    created = await hall.call(
        "POST", "/api/meetings", Role.ADMIN, json={"title": title, "date": day.isoformat()}
    )
    meeting_id: int = created["id"]
    return meeting_id


async def _set(database: Database, meeting_id: int, **values: Any) -> None:
    async with database.transaction() as session:
        await session.execute(update(Meeting).where(Meeting.id == meeting_id).values(**values))


async def test_only_published_meetings_newest_first_with_the_records_decisions(
    played: Hall, database: Database
) -> None:
    hall = played
    await hall.close_and_publish()
    draft = await _meeting(hall, "Concept-vergadering", date(2026, 1, 10))
    closed = await _meeting(hall, "Gesloten, niet gepubliceerd", date(2026, 2, 10))
    await _set(database, closed, status="closed", closed_at=datetime(2026, 2, 10, 15, tzinfo=UTC))
    older = await _meeting(hall, "Najaarsvergadering 2024", date(2024, 11, 27))
    await _set(database, older, status="closed", published_at=datetime(2024, 11, 28, 9, tzinfo=UTC))

    response = await hall.client.get("/api/records")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    meetings = response.json()["meetings"]
    assert [m["id"] for m in meetings] == [hall.meeting, older]  # newest first; draft and closed absent
    assert {draft, closed}.isdisjoint(m["id"] for m in meetings)
    assert meetings[1] | {"links": None} == {
        "id": older, "title": "Najaarsvergadering 2024", "date": "2024-11-27", "place": None,
        "published_at": "2024-11-28T09:00:00Z", "decisions": [], "links": None,
    }  # fmt: skip

    listed = meetings[0]
    record = (await hall.client.get(f"/api/meetings/{hall.meeting}/record.json")).json()
    assert (listed["title"], listed["date"], listed["place"]) == (
        "Algemene Ledenvergadering",
        "2025-06-18",
        "Utrecht",
    )
    assert listed["published_at"] == record["published_at"]
    assert listed["decisions"] == [{key: b[key] for key in DECISION_FIELDS} for b in record["ballots"]]
    assert [d["outcome"] for d in listed["decisions"]] == [
        "adopted",
        "rejected",
        "acclamation",
        "not_decided",
    ]

    # Each link resolves; results.docx once its route is there (another change adds it).
    routes = {getattr(route, "path", "") for route in hall.app.routes}
    base = f"/api/meetings/{hall.meeting}/"
    assert listed["links"] == {
        name: base + file
        for name, file in (("html", "record.html"), ("json", "record.json"), ("csv", "record.csv"),
                           ("pdf", "results.pdf"), ("docx", "results.docx"), ("audit", "audit"))
    }  # fmt: skip
    for name, link in listed["links"].items():
        if name == "docx" and "/api/meetings/{meeting_id}/results.docx" not in routes:
            continue
        assert (await hall.client.get(link)).status_code == 200, link


async def test_the_page_lists_them_and_may_be_framed(played: Hall, database: Database) -> None:
    hall = played
    empty = await hall.client.get("/uitslagen")
    assert empty.status_code == 200 and "Er zijn nog geen uitslagen gepubliceerd." in empty.text
    await hall.close_and_publish()
    hidden = await _meeting(hall, "Gesloten, niet gepubliceerd", date(2026, 2, 10))
    await _set(database, hidden, status="closed")

    response = await hall.client.get("/uitslagen")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors *" in policy and "default-src 'none'" in policy and "script-src" not in policy
    page = " ".join(response.text.split())
    assert "<script>" not in page and "niet gepubliceerd" not in page
    assert "<h2>Algemene Ledenvergadering</h2>" in page
    assert "18 juni 2025 · Utrecht · gepubliceerd op" in page
    listed = (await hall.client.get("/api/records")).json()["meetings"][0]
    for decision in listed["decisions"]:
        assert f'<strong class="{decision["outcome"]}">{decision["minutes"]}</strong>' in page
    assert (
        f"Agendapunt 2: {SCRIPT_TITLE.replace('<', '&lt;').replace('>', '&gt;').replace('& ', '&amp; ')}"
        in page
    )
    for link in listed["links"].values():
        assert f'href="{link}" target="_top"' in page
    # The record itself still refuses to be framed.
    record = await hall.client.get(listed["links"]["html"])
    assert "frame-ancestors 'none'" in record.headers["content-security-policy"]


async def test_the_list_takes_a_fixed_number_of_queries(played: Hall, database: Database) -> None:
    """No query per meeting or per ballot: 50 meetings take as many queries as one."""
    from sqlalchemy import event

    hall = played
    await hall.close_and_publish()

    async def queries() -> int:
        counted = 0

        def count(*_: object) -> None:
            nonlocal counted
            counted += 1

        engines = {database.engine.sync_engine, database.read_engine.sync_engine}
        for engine in engines:
            event.listen(engine, "before_cursor_execute", count)
        try:
            assert (await hall.client.get("/api/records")).status_code == 200
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", count)
        return counted

    one = await queries()
    assert one >= 3
    for n in range(5):
        extra = await _meeting(hall, f"Vergadering {n}", date(2024, 1, 1 + n))
        await _set(database, extra, status="closed", published_at=datetime(2024, 2, 1, tzinfo=UTC))
    assert len((await hall.client.get("/api/records")).json()["meetings"]) == 6
    assert await queries() == one
