"""Issue 14's migration on a database of the revision before it: every stored value stays, every
stored ballot reads as public, and the way back keeps them too (both backends)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from server.db import Database
from server.migrate import upgrade

BEFORE = "e7b3f1a90c25"  # the current item and countdown: the head before issue 14
ISSUE_14 = "f5a2c8e1d3b7"


async def _empty_postgres(template_url: str) -> str:
    """`<database>_upgrade` on the same server, with an empty public schema."""
    url = make_url(template_url)
    name = f"{url.database}_upgrade"
    connection = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    target = url.set(database=name)
    connection = await asyncpg.connect(
        target.set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()
    return target.render_as_string(hide_password=False)


@pytest.fixture
async def old_url(database_template: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database migrated to the revision before issue 14."""
    if database_template.startswith("postgresql"):
        url = await _empty_postgres(database_template)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await asyncio.to_thread(upgrade, url, BEFORE)
    yield url


_SEED = [
    "INSERT INTO members (id, cbs_code, name, population) VALUES (1, 'GM0001', 'Aa en Hunze', 25000)",
    "INSERT INTO meetings (id, title, date, status, inhabitants_per_vote, min_votes, max_votes, current_item)"
    " VALUES (1, 'ALV', '2026-06-18', 'open', 1000, 1, 75, '12')",
    "INSERT INTO ballots (id, meeting_id, agenda, title, kind, majority, abstain_is_cast, allow_change, test,"
    " show_live_tally, submitters, preadvies, status, outcome, for_weight, percent_for, void_reason)"
    " VALUES (1, 1, '12', 'Benoeming bestuur', 'benoeming', 'simple', false, true, false, false, '[]',"
    " NULL, 'closed', 'adopted', 25, '100.00', NULL)",
    "INSERT INTO ballots (id, meeting_id, agenda, title, kind, majority, abstain_is_cast, allow_change, test,"
    " show_live_tally, submitters, preadvies, status, revote_of_id)"
    " VALUES (2, 1, '12', 'Herstemming', 'voorstel', 'two_thirds', true, false, true, true, '[\"GM0001\"]',"
    " 'oordeel_vergadering', 'draft', 1)",
    "INSERT INTO votes (id, ballot_id, member_id, choice, vote_id, log_seq) VALUES (1, 1, 1, 'for', 'v-1', 7)",
]
_BALLOTS = (
    "SELECT id, kind, majority, abstain_is_cast, allow_change, test, show_live_tally, submitters, preadvies,"
    " status, outcome, for_weight, percent_for, revote_of_id FROM ballots ORDER BY id"
)


async def _rows(database: Database, query: str) -> list[tuple[object, ...]]:
    async with database.engine.connect() as connection:
        return [tuple(row) for row in (await connection.execute(text(query))).all()]


async def test_an_old_database_upgrades_with_every_value_kept_and_its_ballots_public(old_url: str) -> None:
    database = Database(old_url)
    try:
        async with database.engine.begin() as connection:
            for statement in _SEED:
                await connection.execute(text(statement))
        ballots = await _rows(database, _BALLOTS)
        votes = await _rows(database, "SELECT id, ballot_id, member_id, choice, vote_id, log_seq FROM votes")
        meetings = await _rows(database, "SELECT id, title, status, current_item FROM meetings")
        await database.dispose()

        await asyncio.to_thread(upgrade, old_url, ISSUE_14)
        assert await _rows(database, _BALLOTS) == ballots
        assert (
            await _rows(database, "SELECT id, ballot_id, member_id, choice, vote_id, log_seq FROM votes")
            == votes
        )
        assert await _rows(database, "SELECT id, title, status, current_item FROM meetings") == meetings
        new = "SELECT secret, round_of_id, round, sealing_key, election_result, released_at FROM ballots ORDER BY id"
        assert await _rows(database, new) == [(False, None, None, None, None, None)] * 2
        keys = "SELECT committee_public_key, committee_fingerprint FROM meetings"
        assert await _rows(database, keys) == [(None, None)]
        for table in ("candidates", "sealed_votes", "ballot_keys", "unit_ballots"):
            assert await _rows(database, f"SELECT count(*) FROM {table}") == [(0,)]
        await database.dispose()

        await asyncio.to_thread(_downgrade, old_url, BEFORE)
        assert await _rows(database, _BALLOTS) == ballots
        assert (
            await _rows(database, "SELECT id, ballot_id, member_id, choice, vote_id, log_seq FROM votes")
            == votes
        )
    finally:
        await database.dispose()


def _downgrade(url: str, revision: str) -> None:
    from alembic import command

    from server.migrate import alembic_config

    command.downgrade(alembic_config(url), revision)
