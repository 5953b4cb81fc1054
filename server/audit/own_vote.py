"""`votehall verify --secret` and `--committee-key`: a member's check of their own secret vote, and
the committee's check that the log's key is theirs (docs/SECRET_BALLOTS.md "Checking").

A handheld shows `VH1:<ballot>:<member code>:<secret hex>` after a secret vote. From the secret
the member's w receipts follow (w: the member's weight in the frozen register); all w must be
among the ballot's published units, carrying one choice. The secret is never printed.

Pure: hashlib only (`server.secret.units`), as the rest of `votehall verify`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from server.audit.replay import Replay
from server.audit.replay_secret import fingerprint, raw_key
from server.audit.wording import Joined, Said, say
from server.secret.units import OWN_SECRET_PREFIX, OwnSecret, own_units, units_by_receipt

PUBLIC_HEADER = "votehall-committee-pub-v1"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def check_own_secret(text: str, state: Replay, problems: list[Said], notes: list[Said]) -> None:
    """Find all units of the vote `text` names; a problem when one is missing, when they carry
    different choices, or when the member did not vote on that ballot."""
    parts = text.strip().split(":")
    if len(parts) != 4 or parts[0] != OWN_SECRET_PREFIX or not (parts[1].isascii() and parts[1].isdigit()):
        problems.append(
            say("secret: write it as VH1:<ballot>:<member code>:<secret>, as the handheld shows it")
        )
        return
    ballot_id, member, secret = int(parts[1]), parts[2], parts[3].lower()
    where = {"member": member, "ballot": ballot_id}
    if len(secret) != 64 or not _HEX64.fullmatch(secret):
        problems.append(
            say(
                "secret of {member} on ballot {ballot}: it has {length} characters; all 64 hex digits are "
                "needed to find every unit of the vote",
                length=len(secret),
                **where,
            )
        )
        return
    ballot = state.ballots.get(ballot_id)
    seat = state.register.get(member)
    if ballot is None or seat is None:
        problems.append(
            say("secret of {member} on ballot {ballot}: the log has no such ballot or member", **where)
        )
        return
    if member not in ballot.participants:
        problems.append(
            say("secret of {member} on ballot {ballot}: the member has no participation on it", **where)
        )
        return
    if ballot.status != "closed" or not ballot.secret:
        problems.append(
            say(
                "secret of {member} on ballot {ballot}: the ballot is {status}; it has no unit ballots",
                status=ballot.status,
                **where,
            )
        )
        return
    check = own_units(units_by_receipt(ballot.units), OwnSecret(ballot_id, member, secret), seat.weight)
    choices = Joined(
        say("{choice} ({count})", choice=_choice_name(choice, ballot.names), count=count)
        for choice, count in check.choices
    )
    notes.append(
        say(
            "secret of {member} on ballot {ballot}: {found} of its {weight} units found, carrying {choices}",
            found=check.found,
            weight=check.weight,
            choices=choices,
            **where,
        )
    )
    if not check.complete:
        problems.append(
            say(
                "secret of {member} on ballot {ballot}: {missing} of its {weight} units are missing",
                missing=len(check.missing),
                weight=check.weight,
                **where,
            )
        )
    if len(check.choices) > 1:
        problems.append(
            say("secret of {member} on ballot {ballot}: its units carry different choices", **where)
        )


def _choice_name(choice: str | int, names: Mapping[int, str]) -> str:
    return names.get(choice, str(choice)) if isinstance(choice, int) else choice


def check_committee_key(given: str, state: Replay, problems: list[Said], notes: list[Said]) -> None:
    """The log's committee key is the one given: the committee's `committee.pub` file, or its
    fingerprint (64 hex digits, spaces allowed, as `votehall committee keygen` prints it)."""
    path = Path(given)
    expected: str | None
    if path.is_file():
        expected = _file_fingerprint(path)
        if expected is None:
            problems.append(
                say(
                    "the committee key {path} is not a committee.pub file ({header} <base64 of 32 bytes>)",
                    path=given,
                    header=PUBLIC_HEADER,
                )
            )
            return
    else:
        expected = "".join(given.split()).lower()
        if not _HEX64.fullmatch(expected):
            problems.append(
                say("{given} is neither a committee.pub file nor a fingerprint of 64 hex digits", given=given)
            )
            return
    key = state.committee_key
    raw = raw_key(key["public_key"]) if key else None
    logged = fingerprint(raw) if raw is not None else key["fingerprint"] if key else None
    if logged is None:
        problems.append(say("the log has no committee key to compare with {expected}", expected=expected))
    elif logged != expected:
        problems.append(
            say(
                "the log's committee key has the fingerprint {logged}, not {expected}",
                logged=logged,
                expected=expected,
            )
        )
    else:
        notes.append(say("committee key: the log's is the one given ({expected})", expected=expected))


def _file_fingerprint(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    header, _, key = text.strip().partition(" ")
    raw = raw_key(key) if header == PUBLIC_HEADER else None
    return fingerprint(raw) if raw is not None else None
