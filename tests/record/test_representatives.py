"""Representatives' names are personal data (issue 15): record.html names them to the chair and the
admin, before and after publication, and to the public only when the meeting's setting
`publish_representatives` is on (off by default)."""

from __future__ import annotations

from sqlalchemy import update

from server.auth.roles import Role
from server.db import Database
from server.meetings.models import Meeting
from tests.record.conftest import Hall

# Who held the passes in the played meeting (tests/record/conftest.py, server/seed.py).
HANDED_OVER = "W. Ethouder"
SEEDED = "Vertegenwoordiger GM0001"


async def _page(hall: Hall, role: Role | None = None) -> str:
    headers = hall.auth(role) if role is not None else {}
    response = await hall.client.get(f"/api/meetings/{hall.meeting}/record.html", headers=headers)
    assert response.status_code == 200, response.text
    return response.text


async def test_the_public_reads_roles_the_chair_reads_names(played: Hall) -> None:
    hall = played
    before = await _page(hall, Role.CHAIR)  # the chair checks the record before publishing
    assert HANDED_OVER in before and SEEDED in before
    await hall.close_and_publish()

    public = await _page(hall)
    assert HANDED_OVER not in public and SEEDED not in public
    assert "wethouder" in public and "burgemeester" in public  # the roles are public
    for route in ("record.json", "record.csv"):
        body = (await hall.client.get(f"/api/meetings/{hall.meeting}/{route}")).text
        assert HANDED_OVER not in body and SEEDED not in body, route

    for role in (Role.CHAIR, Role.ADMIN):
        assert HANDED_OVER in await _page(hall, role), role
    # The chair's rendering is not what the public is served next (nor the other way round).
    assert HANDED_OVER not in await _page(hall)
    assert HANDED_OVER not in await _page(hall, Role.DESK)


async def test_the_meetings_setting_makes_the_names_public(played: Hall, database: Database) -> None:
    hall = played
    async with database.transaction() as session:
        await session.execute(
            update(Meeting).where(Meeting.id == hall.meeting).values(publish_representatives=True)
        )
    await hall.close_and_publish()
    public = await _page(hall)
    assert HANDED_OVER in public and SEEDED in public
