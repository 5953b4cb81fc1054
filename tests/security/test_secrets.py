"""How secrets are made, kept and compared (SPEC 3; SECURITY.md "Secrets").

- Operator tokens, pass tokens and pairing codes are stored as SHA-256 hashes and looked up by
  the hash; card codes are kept as printed (they are printed again), as SECURITY.md says.
- The one secret compared in Python, the environment's admin token, goes through
  `hmac.compare_digest`; no `==` on a secret anywhere in `server/` (an AST check keeps it so).
- Pass and operator tokens carry 256 random bits and card codes 128 (SPEC 3 asks for 128 or
  more); pairing codes 50, by design: single-use, for 30 minutes, with guessing blocked.
"""

from __future__ import annotations

import ast
import base64
import hmac
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from server.auth import repository as token_repository
from server.auth import service as auth_service
from server.auth.roles import Role
from server.cards import codes
from server.cards.models import Card
from server.db import Database
from server.desk.models import Pass
from server.desk.throttle import Backoff, DeskGuard
from server.security import (
    PAIRING_ALPHABET,
    hash_token,
    new_pairing_code,
    new_token,
    normalize_pairing_code,
    same_secret,
)
from tests.factories import bearer, create_meeting, import_register, open_meeting

SERVER = Path(__file__).resolve().parents[2] / "server"
SAMPLES = 2_000  # a bit that is random is constant over 2,000 samples once in 2**1999


def varying_bits(values: list[int], width: int) -> int:
    """How many of the `width` low bits take both values over the samples."""
    ones = zeros = 0
    for value in values:
        ones |= value
        zeros |= ~value
    return bin(ones & zeros & ((1 << width) - 1)).count("1")


# Randomness


def test_pass_and_operator_tokens_carry_256_random_bits() -> None:
    for prefix in ("vhp", "vht"):
        tokens = [new_token(prefix) for _ in range(SAMPLES)]
        assert all(re.fullmatch(rf"{prefix}_[A-Za-z0-9_-]{{43}}", token) for token in tokens)
        raw = [base64.urlsafe_b64decode(token[4:] + "=") for token in tokens]
        assert {len(value) for value in raw} == {32}
        assert varying_bits([int.from_bytes(value, "big") for value in raw], 256) == 256


def _card_value(code: str) -> int:
    body = code[len(codes.PREFIX) : -codes.CHECK_LENGTH]
    return sum(codes.ALPHABET.index(symbol) << (5 * i) for i, symbol in enumerate(body))


def test_card_codes_carry_128_random_bits_and_a_check() -> None:
    cards = [codes.new_card_code() for _ in range(SAMPLES)]
    assert all(len(code) == codes.CODE_LENGTH == 31 and codes.is_well_formed(code) for code in cards)
    assert all(set(code[3:]) <= set(codes.ALPHABET) for code in cards)
    values = [_card_value(code) for code in cards]
    assert max(values) < 2**128
    assert varying_bits(values, 128) == 128
    # The check symbols tell a mistyped code from an unknown one without asking the database.
    mistyped = [code[:10] + ("1" if code[10] != "1" else "2") + code[11:] for code in cards]
    assert sum(codes.is_well_formed(code) for code in mistyped) < SAMPLES // 100


def test_pairing_codes_carry_50_random_bits() -> None:
    pairing = [new_pairing_code() for _ in range(SAMPLES)]
    assert all(
        re.fullmatch(rf"[{PAIRING_ALPHABET}]{{5}}-[{PAIRING_ALPHABET}]{{5}}", code) for code in pairing
    )
    values = [
        sum(PAIRING_ALPHABET.index(symbol) << (5 * i) for i, symbol in enumerate(code.replace("-", "")))
        for code in pairing
    ]
    assert varying_bits(values, 50) == 50


# Comparison in constant time, lookups by hash


def _spy(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[tuple[Any, ...]]:
    calls: list[tuple[Any, ...]] = []
    real: Callable[..., Any] = getattr(owner, name)

    def spy(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(owner, name, spy)
    return calls


def test_same_secret_is_hmac_compare_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    import server.security

    calls = _spy(monkeypatch, server.security.hmac, "compare_digest")
    assert same_secret("vht_abc", "vht_abc") and not same_secret("vht_abc", "vht_abd")
    assert not same_secret("vht_abc", "vht_abcd") and same_secret("ü", "ü")
    assert calls == [(b"vht_abc", b"vht_abc"), (b"vht_abc", b"vht_abd"), (b"vht_abc", b"vht_abcd"),
                     ("ü".encode(), "ü".encode())]  # fmt: skip
    assert server.security.hmac is hmac


async def test_operator_tokens_are_compared_in_constant_time_or_looked_up_by_hash(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared = _spy(monkeypatch, auth_service, "same_secret")
    looked_up = _spy(monkeypatch, token_repository, "find_active")
    env_token = new_token("vht")
    async with database.transaction() as session:
        desk = await auth_service.create_token(session, Role.DESK)
    async with database.transaction(readonly=True) as session:
        assert (await auth_service.authenticate(session, env_token, env_token)).role is Role.ADMIN
        assert (await auth_service.authenticate(session, desk, env_token)).role is Role.DESK
    assert compared == [(env_token, env_token), (desk, env_token)]
    assert looked_up == [(looked_up[0][0], hash_token(desk))]  # the secret itself never reaches SQL


def _secret_comparisons() -> list[str]:
    """Every Python `==` / `!=` in server/ with an operand named like a secret."""
    secret_names = re.compile(r"(token|secret|password|pass_|pairing_code|card_code)$")
    found = []
    for path in sorted(SERVER.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Compare) and any(isinstance(o, ast.Eq | ast.NotEq) for o in node.ops)
            ):
                continue
            for operand in (node.left, *node.comparators):
                name = getattr(operand, "id", None) or getattr(operand, "attr", None)
                card_code = ast.unparse(operand) == "Card.code"
                if (isinstance(name, str) and secret_names.search(name)) or card_code:
                    found.append(f"{path.relative_to(SERVER.parent)}: {ast.unparse(node)}")
                    break
    return found


def test_no_secret_is_compared_with_equals() -> None:
    """A timing-safe comparison, or a lookup by hash, for every secret. The one exception is the
    card code, kept as printed and found by an index lookup in SQL (SECURITY.md says why)."""
    assert _secret_comparisons() == ["server/cards/repository.py: Card.code == code"]


# Storage


@pytest.fixture
async def checked_in(client: httpx.AsyncClient, tokens: dict[Role, str]) -> dict[str, Any]:
    """A check-in through the desk API: the answer, with the card that was used."""
    await import_register(client, tokens)
    meeting_id = await create_meeting(client, tokens)
    await open_meeting(client, tokens, meeting_id)
    cards = (
        await client.post(f"/api/meetings/{meeting_id}/cards", headers=bearer(tokens[Role.ADMIN]))
    ).json()
    body = {"card": cards[0]["card"], "representative": {"name": "A. de Vries", "role": "burgemeester"}}
    response = await client.post(
        f"/api/meetings/{meeting_id}/checkins", json=body, headers=bearer(tokens[Role.DESK])
    )
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json() | {"card": cards[0]["card"]}
    return answer


async def test_pass_tokens_and_pairing_codes_are_stored_hashed_card_codes_as_printed(
    client: httpx.AsyncClient, database: Database, checked_in: dict[str, Any]
) -> None:
    assert "pass" not in checked_in  # the desk never holds a pass token (SPEC 4.1)
    async with database.transaction(readonly=True) as session:
        stored = await session.get_one(Pass, checked_in["pass_id"])
        card = await session.scalar(select(Card).where(Card.member_id == stored.member_id))
    assert re.fullmatch(r"[0-9a-f]{64}", stored.token_hash)  # of a token that nobody keeps
    assert stored.pairing_code_hash == hash_token(normalize_pairing_code(checked_in["pairing_code"]))
    row = repr(vars(stored))
    assert checked_in["pairing_code"].replace("-", "") not in row
    assert card is not None and card.code == checked_in["card"]

    paired = await client.post("/api/kiosk/pair", json={"pairing_code": checked_in["pairing_code"]})
    token = paired.json()["pass"]
    assert re.fullmatch(r"vhp_[A-Za-z0-9_-]{43}", token)
    async with database.transaction(readonly=True) as session:
        stored = await session.get_one(Pass, checked_in["pass_id"])
    assert (stored.token_hash, stored.pairing_code_hash) == (hash_token(token), None)
    assert token not in repr(vars(stored))


async def test_pairing_code_guessing_is_blocked_per_address(
    client: httpx.AsyncClient, checked_in: dict[str, Any]
) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    app.state.desk_guard = DeskGuard(wrong_cards=Backoff(block_after=3))
    guesses = [new_pairing_code() for _ in range(4)]
    answers = [(await client.post("/api/kiosk/pair", json={"pairing_code": g})).status_code for g in guesses]
    assert answers == [404, 404, 404, 429]
    # Blocked means blocked: the right code from this address waits too, and still works later.
    right = await client.post("/api/kiosk/pair", json={"pairing_code": checked_in["pairing_code"]})
    assert (right.status_code, right.json()["error"]) == (429, "rate_limited")
    app.state.desk_guard = DeskGuard()
    assert (
        await client.post("/api/kiosk/pair", json={"pairing_code": checked_in["pairing_code"]})
    ).status_code == 200
