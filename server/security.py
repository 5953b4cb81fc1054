"""Secrets: generation, hashing and comparison in one place (SPEC 3)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # 256 bits; SPEC 3 asks for at least 128


def new_token(prefix: str) -> str:
    """A random bearer secret; the prefix tells a reader what kind of secret leaked."""
    return f"{prefix}_{secrets.token_urlsafe(TOKEN_BYTES)}"


def hash_token(token: str) -> str:
    """SHA-256 is enough for a 256-bit random secret: nobody can brute-force it, so no slow hash."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


# Crockford's base32: no I, L, O or U, so a code read aloud or typed on a phone is not misread.
PAIRING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PAIRING_LENGTH = 10  # 50 bits; single-use, short-lived and rate-limited
_LOOK_ALIKES = str.maketrans("OIL", "011")


def new_pairing_code() -> str:
    """A pairing code as shown at the desk, e.g. "7KQ2M-X9DTA"."""
    code = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_LENGTH))
    return f"{code[:5]}-{code[5:]}"


def normalize_pairing_code(typed: str) -> str:
    """What a person types, in the canonical form: case, dashes, spaces and look-alikes forgiven."""
    text = typed.upper().replace("-", "").replace(" ", "")
    return text.translate(_LOOK_ALIKES)
