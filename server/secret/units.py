"""Unit ballots: how a closed secret ballot's votes are published, and how they are checked
(docs/SECRET_BALLOTS.md, "Close" and "Checking"; DESIGN.md "Secret votes that stay verifiable").

A member of weight w whose sealed vote carried choice c and secret s becomes w unit ballots
(receipt, c) with

    receipt_i = SHA-256(s + b"|" + str(ballot).encode() + b"|" + str(i).encode()), hex, i = 0 … w-1

where s is the secret's 32 raw bytes (not its hex text). Units are published sorted by receipt,
so neither their order nor their grouping says whose they are; only the member who keeps s can
find their own w receipts.

Pure and hashlib only (no PyNaCl, no database): `votehall verify` imports this module.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from operator import itemgetter

from server.secret.values import SecretChoice, validate_choice, validate_secret

CHUNK_UNITS = 1000  # units per `ballot_units` log entry
OWN_SECRET_PREFIX = "VH1"

Unit = tuple[str, SecretChoice]

_RECEIPT = re.compile(r"[0-9a-f]{64}")


class DuplicateReceipt(ValueError):
    """Two units with one receipt: two members used one secret (the close fails)."""


def _receipt_prefix(secret_hex: str, ballot_id: int) -> bytes:
    return bytes.fromhex(validate_secret(secret_hex)) + b"|%d|" % ballot_id


def unit_receipt(secret_hex: str, ballot_id: int, i: int) -> str:
    """The receipt of unit i of the vote with this secret on this ballot."""
    return hashlib.sha256(_receipt_prefix(secret_hex, ballot_id) + b"%d" % i).hexdigest()


def unit_receipts(secret_hex: str, ballot_id: int, weight: int) -> list[str]:
    """The receipts of units 0 … weight-1, in that order (one hash per unit, nothing else)."""
    prefix = _receipt_prefix(secret_hex, ballot_id)
    sha256 = hashlib.sha256
    return [sha256(prefix + b"%d" % i).hexdigest() for i in range(weight)]


def make_units(sealed: Iterable[tuple[int, SecretChoice, str]], ballot_id: int) -> list[Unit]:
    """The unit ballots of the opened votes (weight, choice, secret hex), sorted by receipt.

    DuplicateReceipt when two units share a receipt; ValueError for a weight below 1 or a bad
    choice or secret. The messages never name a choice or a secret.
    """
    units: list[Unit] = []
    for weight, choice, secret_hex in sealed:
        if type(weight) is not int or weight < 1:
            raise ValueError("a member's weight is a positive integer")
        validate_choice(choice)
        units.extend(zip(unit_receipts(secret_hex, ballot_id, weight), (choice,) * weight, strict=True))
    units = sorted_by_receipt(units)
    for (before, _), (after, _) in pairwise(units):
        if before == after:
            raise DuplicateReceipt("two unit ballots share a receipt: two votes carry one secret")
    return units


def sorted_by_receipt(units: Iterable[Unit]) -> list[Unit]:
    """The units sorted by receipt, a bucket at a time (the receipt's first two hex digits): the
    order of one sort, made by 256 short sorts. The close makes its units on a worker thread, and
    one sort of 400,000 units would hold the GIL, and so stop the event loop and the hall's
    screens, for a fifth of a second or more; between two short sorts the loop gets its turn."""
    buckets: defaultdict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        buckets[unit[0][:2]].append(unit)
    ordered: list[Unit] = []
    for prefix in sorted(buckets):
        bucket = buckets.pop(prefix)
        bucket.sort(key=itemgetter(0))
        ordered += bucket
    return ordered


def chunks(units: Sequence[Unit], size: int = CHUNK_UNITS) -> Iterator[list[Unit]]:
    """The units in log entries of at most `size` each, in order (part 1, 2, … as enumerated)."""
    if size < 1:
        raise ValueError("a chunk holds at least one unit")
    for start in range(0, len(units), size):
        yield list(units[start : start + size])


def count_units(units: Iterable[Sequence[object]]) -> Counter[SecretChoice]:
    """The number of units per choice: the tally a secret ballot's result is decided from."""
    return Counter(validate_choice(unit[1]) for unit in units)


def check_units(
    units: Sequence[Sequence[object]],
    participation_weights: Mapping[str, int],
    allowed: Collection[SecretChoice] | None = None,
) -> list[str]:
    """What is wrong with a closed secret ballot's published units (empty when nothing is).

    `units` as logged ([receipt, choice] pairs, all parts in order), `participation_weights` the
    weight of each member with a `participation` entry (each member once), `allowed` the choices
    the ballot can carry (None: any valid choice). Checks: the count equals the sum of the
    weights; every unit is a pair of a 64-hex receipt and a choice; the receipts are distinct and
    sorted.
    """
    problems: list[str] = []
    expected = sum(participation_weights.values())
    if len(units) != expected:
        problems.append(
            f"{len(units)} unit ballots, but the {len(participation_weights)} members who voted "
            f"weigh {expected} together"
        )
    malformed = [n for n, unit in enumerate(units, 1) if not _well_formed(unit, allowed)]
    if malformed:
        problems.append(
            f"{len(malformed)} unit ballots are not a receipt of 64 lowercase hex digits with a "
            f"choice of this ballot (the first is unit {malformed[0]})"
        )
    receipts = [unit[0] for unit in units if len(unit) == 2 and isinstance(unit[0], str)]
    repeated = sorted(receipt for receipt, times in Counter(receipts).items() if times > 1)
    if repeated:
        problems.append(f"{len(repeated)} receipts appear more than once (the first: {repeated[0]})")
    unsorted = next((n for n in range(1, len(receipts)) if receipts[n - 1] > receipts[n]), None)
    if unsorted is not None:
        problems.append(f"the unit ballots are not sorted by receipt (unit {unsorted + 1} is out of order)")
    return problems


def _well_formed(unit: Sequence[object], allowed: Collection[SecretChoice] | None) -> bool:
    if len(unit) != 2 or not isinstance(unit[0], str) or not _RECEIPT.fullmatch(unit[0]):
        return False
    try:
        choice = validate_choice(unit[1])
    except ValueError:
        return False
    return allowed is None or choice in allowed


@dataclass(frozen=True, slots=True)
class OwnSecret:
    """What a member's handheld shows after a secret vote: `VH1:<ballot>:<member code>:<secret>`."""

    ballot: int
    member_code: str
    secret: str

    @property
    def text(self) -> str:
        return f"{OWN_SECRET_PREFIX}:{self.ballot}:{self.member_code}:{self.secret}"


def parse_own_secret(text: str) -> OwnSecret:
    """The handheld's text, read strictly: the whole secret is needed to find all w units, so a
    prefix of it is refused (ValueError)."""
    parts = text.strip().split(":")
    if len(parts) != 4 or parts[0] != OWN_SECRET_PREFIX:
        raise ValueError(
            f"the text is '{OWN_SECRET_PREFIX}:<ballot>:<member code>:<secret>', as the handheld shows it"
        )
    _, ballot, member_code, secret_hex = parts
    if not ballot.isascii() or not ballot.isdigit() or int(ballot) < 1:
        raise ValueError("the ballot in the text is not a ballot number")
    if not member_code:
        raise ValueError("the text names no member code")
    if len(secret_hex) != 64:
        raise ValueError(
            f"the secret has {len(secret_hex)} characters: all 64 hex digits are needed to check "
            "every unit of the vote"
        )
    return OwnSecret(int(ballot), member_code, validate_secret(secret_hex))


@dataclass(frozen=True, slots=True)
class OwnCheck:
    """A member's check of their own vote: which of their w units were found, and what they carry."""

    weight: int
    missing: tuple[int, ...]  # the unit numbers i whose receipt is not among the units
    choices: tuple[tuple[SecretChoice, int], ...]  # each choice found, with its number of units

    @property
    def found(self) -> int:
        return self.weight - len(self.missing)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def same_choice(self) -> bool:
        return len(self.choices) == 1

    @property
    def choice(self) -> SecretChoice | None:
        """The one choice all found units carry, or None (none found, or not all the same)."""
        return self.choices[0][0] if self.same_choice else None

    @property
    def ok(self) -> bool:
        return self.complete and self.same_choice


def units_by_receipt(units: Iterable[Sequence[object]]) -> dict[str, SecretChoice]:
    """The published units as a lookup for `own_units` (malformed units are left out)."""
    found: dict[str, SecretChoice] = {}
    for unit in units:
        if _well_formed(unit, None):
            found[str(unit[0])] = validate_choice(unit[1])
    return found


def own_units(units_by_receipt: Mapping[str, SecretChoice], own: OwnSecret, weight: int) -> OwnCheck:
    """Look up the `weight` units of a member's own vote among a ballot's published units."""
    if weight < 1:
        raise ValueError("a member's weight is a positive integer")
    missing: list[int] = []
    choices: Counter[SecretChoice] = Counter()
    for i, receipt in enumerate(unit_receipts(own.secret, own.ballot, weight)):
        choice = units_by_receipt.get(receipt)
        if choice is None:
            missing.append(i)
        else:
            choices[choice] += 1
    return OwnCheck(weight, tuple(missing), tuple(choices.most_common()))
