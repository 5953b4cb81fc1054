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
