"""The vote side of secret ballots (SPEC 2.9, docs/SECRET_BALLOTS.md "A vote on a secret ballot").

- `SealedKeys` (`hub.sealed`): the private keys of the secret ballots this process opened or the
  committee unlocked here, in memory only. A key goes in after the commit that stored its public
  half (`keep_after_commit`), and out after the commit that closed or voided its ballot
  (`forget_after_commit`): `settle` runs both once the session dependency has committed.
- `seal_vote`: the hub checks a secret vote's choice for its ballot and seals it with the
  member's secret BEFORE the vote is queued, so that the writer and everything after it hold a
  tag and a box, never the choice.
- `TagBook`, `upsert_sealed`: the writer's checks of the tags (one query per batch) and its
  upsert of the boxes, in the same group commit as every vote.

Nothing here logs or raises a message that names a choice or a secret.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from server.ballots.models import SealedVote
from server.bulk_insert import BulkInsert, Row
from server.db import Database
from server.errors import BadMessage, ChangeNotAllowed, VoteHallError
from server.live.state import LiveBallot
from server.rules import Choice, VoteChoice, vote_choice
from server.secret.keys import BallotKey
from server.secret.sealing import seal, secret_tag
from server.secret.values import SecretChoice, validate_secret

log = logging.getLogger(__name__)

# The choice stored in `votes` and `vote_events` for a vote on a secret ballot.
SEALED = "sealed"
SEALED_VOTES: Table = SealedVote.__table__  # type: ignore[assignment]
_KEEP = "votehall.sealed_keep"
_FORGET = "votehall.sealed_forget"


def stored_choice(value: str) -> VoteChoice | None:
    """A `votes`/`vote_events` choice as memory holds it: None for a sealed one, else "for",
    "against", "abstain" or a candidate's id (server.rules.vote_choice)."""
    return None if value == SEALED else vote_choice.from_text(value)


@dataclass(frozen=True, slots=True)
class SealedChoice:
    """What a vote on a secret ballot carries past the hub: the tag of its secret and its box."""

    tag: str
    box: bytes = field(repr=False)


class SealedKeys:
    """The ballot keys this process holds, by ballot; never written anywhere."""

    def __init__(self) -> None:
        self._keys: dict[int, BallotKey] = {}

    def hold(self, ballot_id: int, key: BallotKey) -> None:
        self._keys[ballot_id] = key

    def get(self, ballot_id: int) -> BallotKey | None:
        return self._keys.get(ballot_id)

    def forget(self, ballot_id: int) -> None:
        self._keys.pop(ballot_id, None)

    def __contains__(self, ballot_id: object) -> bool:
        return ballot_id in self._keys


def keep_after_commit(session: AsyncSession, ballot_id: int, key: BallotKey) -> None:
    """Hold `key` in this process once the session's transaction has committed."""
    session.info.setdefault(_KEEP, []).append((ballot_id, key))


def forget_after_commit(session: AsyncSession, ballot_id: int) -> None:
    """Forget the ballot's key once the session's transaction has committed."""
    session.info.setdefault(_FORGET, []).append(ballot_id)


def settle(session: AsyncSession, keys: SealedKeys | None) -> list[int]:
    """After the commit: hold the keys made, forget those done with; answers the ballots whose
    sealed rows were deleted (for the vacuum that follows)."""
    kept: list[tuple[int, BallotKey]] = session.info.pop(_KEEP, [])
    forgotten: list[int] = session.info.pop(_FORGET, [])
    if keys is not None:
        for ballot_id, key in kept:
            keys.hold(ballot_id, key)
        for ballot_id in forgotten:
            keys.forget(ballot_id)
    return forgotten


def word_or_candidate(ballot: LiveBallot, choice: Choice | int) -> SecretChoice:
    """The choice as a sealed vote carries it, refused (bad_message) unless the ballot has it:
    a candidate's id or "abstain" in an election, "for", "against" or "abstain" otherwise."""
    if len(ballot.candidates) >= 2:
        if isinstance(choice, Choice):
            if choice is Choice.ABSTAIN:
                return choice.value
        elif choice in {c.id for c in ballot.candidates}:
            return choice
        raise BadMessage("choice: a candidate of this ballot or abstain")
    if isinstance(choice, Choice):
        return choice.value
    raise BadMessage("choice: for, against or abstain")


def seal_vote(ballot: LiveBallot, choice: Choice | int, secret: str | None) -> SealedChoice:
    """Seal a vote on a secret ballot to the ballot's public key (SECRET_BALLOTS.md)."""
    if secret is None:
        raise BadMessage("secret: a vote on a secret ballot carries its secret")
    try:
        validate_secret(secret)
    except ValueError:
        raise BadMessage("secret: 64 lowercase hex digits") from None
    value = word_or_candidate(ballot, choice)
    if ballot.sealing_key is None:  # a ballot opened secret always has one
        raise BadMessage("this secret ballot has no sealing key")
    return SealedChoice(secret_tag(secret), seal(ballot.sealing_key, value, secret))


class TagBook:
    """The tags stored on the ballots of one batch, for the members and tags of its sealed votes
    (read in the transaction), kept up to date as the batch accepts votes."""

    def __init__(self, rows: Iterable[tuple[int, int, str]]) -> None:
        self._by_member: dict[tuple[int, int], str] = {}
        self._by_tag: dict[tuple[int, str], int] = {}
        for ballot_id, member_id, tag in rows:
            self.accept(ballot_id, member_id, tag)

    @classmethod
    async def read(cls, session: AsyncSession, votes: list[tuple[int, int, str]]) -> TagBook:
        """One query for the whole batch: (ballot, member, tag) of its sealed votes."""
        if not votes:
            return cls(())
        query = select(SealedVote.ballot_id, SealedVote.member_id, SealedVote.tag).where(
            SealedVote.ballot_id.in_({b for b, _, _ in votes}),
            or_(
                SealedVote.member_id.in_({m for _, m, _ in votes}),
                SealedVote.tag.in_({t for _, _, t in votes}),
            ),
        )
        rows = (await session.execute(query)).all()
        return cls((ballot_id, member_id, tag) for ballot_id, member_id, tag in rows)

    def refusal(self, ballot_id: int, member_id: int, tag: str) -> VoteHallError | None:
        """A change of vote must carry the member's secret; no two members share one."""
        own = self._by_member.get((ballot_id, member_id))
        if own is not None and own != tag:
            return ChangeNotAllowed("a change of vote needs the same secret")
        holder = self._by_tag.get((ballot_id, tag))
        if holder is not None and holder != member_id:
            return BadMessage("secret: this secret is in use; make a new one")
        return None

    def accept(self, ballot_id: int, member_id: int, tag: str) -> None:
        self._by_member[(ballot_id, member_id)] = tag
        self._by_tag[(ballot_id, tag)] = member_id


# A change of vote replaces the member's box (same tag): an upsert on (ballot, member).
UPSERT_SEALED = BulkInsert(
    SEALED_VOTES, ("ballot_id", "member_id", "tag", "box"), conflict=("ballot_id", "member_id")
)


def sealed_row(ballot_id: int, member_id: int, sealed: SealedChoice) -> Row:
    """A `sealed_votes` row as UPSERT_SEALED takes it."""
    return (ballot_id, member_id, sealed.tag, sealed.box)


async def upsert_sealed(connection: AsyncConnection, rows: list[Row]) -> None:
    """Store the boxes, on the writer's connection (in its transaction); one key at most once."""
    await UPSERT_SEALED.run(connection, rows)


async def scrub(database: Database) -> None:
    """After the commit that deleted sealed rows: PostgreSQL vacuums the two tables (the deleted
    rows' bytes leave the pages), SQLite (secure_delete on) truncates its WAL."""
    try:
        if database.dialect == "postgresql":
            async with database.engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text("VACUUM sealed_votes, ballot_keys"))
        else:
            async with database.engine.connect() as connection:
                # On the driver itself: the engine begins every transaction IMMEDIATE, and SQLite
                # checkpoints only outside one. The deleted rows were zeroed (secure_delete);
                # this takes their old pages out of the WAL file.
                raw = await connection.get_raw_connection()
                driver: Any = raw.driver_connection
                await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception as error:  # the rows are deleted; only their bytes may stay a while longer
        log.warning("sealed votes: could not vacuum after the close (%s)", error)
