"""What a sealed vote carries, checked: the choice and the secret. Pure (no PyNaCl), so that the
verifier's checks (server.secret.units) share it without importing the cryptography."""

from __future__ import annotations

import re
from typing import TypeAlias

SECRET_BYTES = 32
WORD_CHOICES = frozenset({"for", "against", "abstain"})

# "for", "against" or "abstain" on a yes/no ballot; a candidate's id or "abstain" in an election.
SecretChoice: TypeAlias = str | int

_SECRET = re.compile(r"[0-9a-f]{64}")


def validate_secret(text: object) -> str:
    """`text` if it is a secret (64 lowercase hex), else ValueError (the message never repeats it)."""
    if not isinstance(text, str) or not _SECRET.fullmatch(text):
        raise ValueError("a secret is 64 lowercase hex digits (32 bytes)")
    return text


def validate_choice(choice: object) -> SecretChoice:
    """`choice` if a sealed vote or a unit ballot can carry it, else ValueError."""
    if isinstance(choice, str) and choice in WORD_CHOICES:
        return str(choice)  # a plain str, also for a Choice enum member
    if type(choice) is int and choice > 0:  # not bool, which is an int too
        return choice
    raise ValueError("a choice is 'for', 'against', 'abstain' or a candidate's id (a positive integer)")
