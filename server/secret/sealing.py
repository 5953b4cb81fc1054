"""A vote on a secret ballot while the ballot is open (docs/SECRET_BALLOTS.md, "A vote on a
secret ballot").

The handheld makes a 32-byte random secret per ballot and sends it, as 64 lowercase hex, with
its choice. The server stores the pair sealed to the ballot's public key:

    plaintext = canonical JSON {"c":<choice>,"s":"<secret hex>"}, padded with spaces to 128 bytes
    box       = crypto_box_seal(plaintext, ballot public key)       always 128 + 48 = 176 bytes

Every box has one length, and an ephemeral key of its own, so neither the bytes nor the length
of a stored box say anything about the choice in it. The tag, SHA-256(b"votehall-tag|" + the
secret's 32 bytes), lets the database refuse one secret for two members without storing it.

A choice is "for", "against" or "abstain", or a candidate's id (a positive int) in an election.
No message here contains a choice or a secret.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from functools import lru_cache

from nacl.exceptions import CryptoError
from nacl.public import PublicKey, SealedBox

from server.secret.keys import SEAL_BYTES, BallotKey, decode_key_b64
from server.secret.values import SECRET_BYTES, SecretChoice, validate_choice, validate_secret

__all__ = [
    "BOX_BYTES",
    "PLAINTEXT_BYTES",
    "SecretChoice",
    "UnsealError",
    "new_secret",
    "plaintext",
    "seal",
    "secret_tag",
    "unseal",
    "validate_choice",
    "validate_secret",
]

PLAINTEXT_BYTES = 128
BOX_BYTES = PLAINTEXT_BYTES + SEAL_BYTES  # 176
TAG_PREFIX = b"votehall-tag|"


class UnsealError(ValueError):
    """A stored box that does not open or does not hold a vote: the close fails (nothing written)."""


def new_secret() -> str:
    """A fresh secret as the handheld makes one (for tests and the load client)."""
    return secrets.token_hex(SECRET_BYTES)


def secret_tag(secret_hex: str) -> str:
    """SHA-256(b"votehall-tag|" + the secret's 32 bytes), hex: unique per ballot in `sealed_votes`."""
    return hashlib.sha256(TAG_PREFIX + bytes.fromhex(validate_secret(secret_hex))).hexdigest()


def plaintext(choice: SecretChoice, secret_hex: str) -> bytes:
    """The canonical padded plaintext of a vote; ValueError past 128 bytes."""
    canonical = json.dumps(
        {"c": validate_choice(choice), "s": validate_secret(secret_hex)}, separators=(",", ":")
    ).encode("ascii")
    if len(canonical) > PLAINTEXT_BYTES:
        raise ValueError(f"a sealed vote's plaintext is at most {PLAINTEXT_BYTES} bytes")
    return canonical.ljust(PLAINTEXT_BYTES, b" ")


@lru_cache(maxsize=64)
def _sealer(public_b64: str) -> SealedBox[PublicKey]:
    return SealedBox(PublicKey(decode_key_b64(public_b64, "the ballot's sealing key")))


def seal(public_b64: str, choice: SecretChoice, secret_hex: str) -> bytes:
    """The box stored for a vote: its plaintext sealed to the ballot's public key (176 bytes)."""
    return _sealer(public_b64).encrypt(plaintext(choice, secret_hex))


def unseal(ballot_key: BallotKey, box: bytes) -> tuple[SecretChoice, str]:
    """(choice, secret hex) from a stored box; UnsealError unless it opens with this ballot's key
    and holds exactly the canonical plaintext of a vote."""
    if len(box) != BOX_BYTES:
        raise UnsealError(f"a sealed vote is {BOX_BYTES} bytes, this one {len(box)}")
    try:
        opened = ballot_key.open(box)
    except CryptoError:
        raise UnsealError("a sealed vote does not open with this ballot's key") from None
    try:
        vote = json.loads(opened)
        choice, secret_hex = vote["c"], vote["s"]
        canonical = plaintext(choice, secret_hex)
    except (ValueError, TypeError, KeyError):
        raise UnsealError("a sealed vote does not hold a vote") from None
    if canonical != opened:
        raise UnsealError("a sealed vote is not in the canonical form")
    return choice, secret_hex
