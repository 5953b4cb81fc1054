"""Voting card codes (stemkaart, SPEC 2.2): 128 random bits with a check, so that a mistyped code
is told apart from a wrong one. Pure: no I/O.

A code is "VHC" + 26 Crockford base32 symbols (130 bits, 128 of them random) + 2 check symbols
(10 bits of SHA-256 over the rest: a typo slips through once in 1,024). Printed in groups of
four for people; the barcode carries the plain 31 characters, which a USB scanner types.
"""

from __future__ import annotations

import hashlib
import secrets

from server.security import PAIRING_ALPHABET, normalize_pairing_code

PREFIX = "VHC"
BODY_LENGTH = 26
CHECK_LENGTH = 2
CODE_LENGTH = len(PREFIX) + BODY_LENGTH + CHECK_LENGTH
ALPHABET = PAIRING_ALPHABET  # Crockford's base32


def _check(body: str) -> str:
    digest = int.from_bytes(hashlib.sha256(body.encode("ascii")).digest()[:2], "big") >> 6
    return ALPHABET[digest >> 5] + ALPHABET[digest & 31]


def new_card_code() -> str:
    value = secrets.randbits(128)
    body = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(BODY_LENGTH))
    return PREFIX + body + _check(body)


def normalize(typed: str) -> str:
    """What was typed or scanned, in the canonical form (case, dashes, spaces, look-alikes)."""
    return normalize_pairing_code(typed.strip())


def is_well_formed(code: str) -> bool:
    """True when the code has the right shape and its check symbols agree."""
    if len(code) != CODE_LENGTH or not code.startswith(PREFIX):
        return False
    body, check = code[len(PREFIX) : -CHECK_LENGTH], code[-CHECK_LENGTH:]
    return all(symbol in ALPHABET for symbol in body) and _check(body) == check


def grouped(code: str) -> str:
    """For print: "VHC-7K2M-..." in groups of four."""
    rest = code[len(PREFIX) :]
    return "-".join([PREFIX, *(rest[i : i + 4] for i in range(0, len(rest), 4))])


def votes_label(weight: int) -> str:
    """ "1 stem", "12 stemmen": a member's weight as the card and its mail say it."""
    return f"{weight} stem" if weight == 1 else f"{weight} stemmen"
