"""Meeting logs with secret ballots and elections, written the way the server writes them
(docs/SECRET_BALLOTS.md): every entry hashed onto the chain with `server.audit.chain`, units made
with `server.secret.units`, so that every line is canonical and only a semantic check can catch a
forger who recomputed the hashes (`Log.forged`)."""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server.audit.chain import build_chain, export_form
from server.audit.verify import main as verify_main

# inhabitants_per_vote 1000, at least 1 vote, at most 1000: a weight is population // 1000.
RULE = {"inhabitants_per_vote": 1000, "min_votes": 1, "max_votes": 1000}
COMMITTEE_RAW = hashlib.sha256(b"the committee's public key, for tests").digest()
COMMITTEE_PUB = base64.b64encode(COMMITTEE_RAW).decode("ascii")
COMMITTEE_FINGERPRINT = hashlib.sha256(COMMITTEE_RAW).hexdigest()
OPERATOR = {"token": 1, "label": "voorzitter"}


def secret_of(member: str, ballot: int) -> str:
    """A handheld's secret for one vote: 64 lowercase hex, distinct per member and ballot."""
    return hashlib.sha256(f"secret|{member}|{ballot}".encode()).hexdigest()


def sealing_key(ballot: int) -> str:
    return base64.b64encode(hashlib.sha256(f"ballot key {ballot}".encode()).digest()).decode("ascii")


@dataclass
class Log:
    """A meeting's log under construction; `weights` by member code."""

    weights: dict[str, int]
    entries: list[dict[str, Any]] = field(default_factory=list)
    passes: dict[str, int] = field(default_factory=dict)

    def add(self, type_: str, **data: Any) -> dict[str, Any]:
        entry = {"seq": len(self.entries) + 1, "at": "2026-12-03T10:00:00.000Z", "type": type_, "data": data}
        self.entries.append(entry)
        return entry

    def text(self) -> str:
        return forged(self.entries)


def forged(entries: Sequence[Mapping[str, Any]]) -> str:
    """The entries, renumbered, hashed onto a fresh chain and exported in canonical form."""
    bare = [{**entry, "seq": n} for n, entry in enumerate(entries, start=1)]
    return "".join(export_form(line).decode("utf-8") + "\n" for line in build_chain(bare))


def meeting(weights: Mapping[str, int], *, committee_key: bool = True) -> Log:
    """A meeting opened with these members (weight by code), each with an active pass."""
    log = Log(dict(weights))
    log.add("meeting_created", meeting={"id": 1, "title": "ALV", "date": "2026-12-03", "place": "Utrecht"},
            weight_rule=RULE)  # fmt: skip
    register = [
        {"member": code, "name": f"Gemeente {code}", "population": weight * 1000, "weight": weight}
        for code, weight in weights.items()
    ]
    log.add("meeting_opened", weight_rule=RULE, register=register)
    for number, code in enumerate(weights, start=1):
        log.passes[code] = number
        log.add("pass_issued", member=code, operator=OPERATOR, **{"pass": number, "role": "burgemeester",
                                                                   "replaces": None})  # fmt: skip
    if committee_key:
        log.add(
            "committee_key", public_key=COMMITTEE_PUB, fingerprint=COMMITTEE_FINGERPRINT, operator=OPERATOR
        )
    return log


def create(
    log: Log,
    ballot: int,
    candidates: Sequence[tuple[int, str]] = (),
    *,
    secret: bool,
    round: str | None = None,
    round_of: int | None = None,
) -> None:
    kind = "benoeming" if candidates else "motie"
    settled_round = round or (None if not candidates else "single" if len(candidates) == 1 else "first")
    log.add("ballot_created", ballot={
        "id": ballot, "agenda": "7", "title": f"Stemming {ballot}", "kind": kind, "majority": "simple",
        "abstain_is_cast": False, "allow_change": True, "test": False, "show_live_tally": False,
        "amends": None, "submitters": [], "preadvies": None, "off_agenda": False, "revote_of": None,
        "secret": secret, "candidates": [{"id": i, "name": name, "note": None} for i, name in candidates],
        "round_of": round_of, "round": settled_round,
    })  # fmt: skip


def open_(log: Log, ballot: int, *, secret: bool) -> None:
    if secret:
        log.add("ballot_opened", ballot=ballot, sealing_key=sealing_key(ballot))
    else:
        log.add("ballot_opened", ballot=ballot)


def vote(log: Log, ballot: int, member: str, choice: str | int) -> None:
    log.add("vote", ballot=ballot, member=member, choice=choice, vote_id=f"{member}-{ballot}-{len(log.entries)}",
            **{"pass": log.passes[member]})  # fmt: skip


def participate(log: Log, ballot: int, member: str) -> None:
    log.add("participation", ballot=ballot, member=member, vote_id=f"{member}-{ballot}-{len(log.entries)}",
            **{"pass": log.passes[member]})  # fmt: skip


def close_secret(
    log: Log, ballot: int, choices: Mapping[str, str | int], result: Mapping[str, Any], *, chunk: int = 1000
) -> None:
    """The server's close of a secret ballot: every member's units, sorted, logged in parts, then
    the result (as the caller states it)."""
    from server.secret.units import chunks, make_units

    sealed = [(log.weights[code], choice, secret_of(code, ballot)) for code, choice in choices.items()]
    for part, units in enumerate(chunks(make_units(sealed, ballot), chunk), start=1):
        log.add("ballot_units", ballot=ballot, part=part, units=[list(unit) for unit in units])
    log.add("ballot_closed", ballot=ballot, result=dict(result))


def close(log: Log, ballot: int, result: Mapping[str, Any]) -> None:
    log.add("ballot_closed", ballot=ballot, result=dict(result))


def end(log: Log) -> None:
    log.add("meeting_closed", not_decided=[], operator=OPERATOR)


def run(text: str, tmp_path: Path, *args: str) -> tuple[int, str]:
    """`votehall verify` on the log, in English unless asked otherwise."""
    path = tmp_path / "audit.ndjson"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    language = [] if any(arg.startswith("--lang") for arg in args) else ["--lang", "en"]
    code = verify_main([str(path), *language, *args], out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def where(entries: Sequence[Mapping[str, Any]], type_: str, **data: Any) -> int:
    """The index of the first entry of this type whose data has these values."""
    return next(
        i for i, e in enumerate(entries)
        if e["type"] == type_ and all(e["data"].get(k) == v for k, v in data.items())
    )  # fmt: skip


def edited(entries: Sequence[dict[str, Any]], index: int, change: Callable[[dict[str, Any]], None]) -> str:
    """A forger's log: entry `index`'s data changed in place (a copy), every hash recomputed."""
    import copy

    copies = copy.deepcopy(list(entries))
    change(copies[index]["data"])
    return forged(copies)
