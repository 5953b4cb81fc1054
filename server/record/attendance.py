"""Who was present, from the meeting's log (issue 15): pure, no I/O.

A member is present at a moment of the meeting when it holds an active voting pass then (SPEC
2.3): issued and not yet revoked, checked out or handed over. The log says when each pass began and
ended (`pass_issued`, `pass_ended`, `pass_returned`, and a hand-over's `replaces`), so presence at a
ballot's decision is presence at the number of its log entry: the same answer `votehall verify`
gets by replaying the log (server.audit.replay), and no clock is compared with another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from server.audit import entries

PASS_ENTRIES = (entries.PASS_ISSUED, entries.PASS_ENDED, entries.PASS_RETURNED)


@dataclass(frozen=True, slots=True)
class PassChange:
    """One change of a pass, as the log numbers it: `active` says whether the pass is active after."""

    seq: int
    pass_id: int
    member: str
    active: bool
    replaces: int | None = None  # a hand-over ends this pass at the same entry


def pass_changes(
    rows: Iterable[tuple[int, str, Mapping[str, Any]]], members: Mapping[int, str]
) -> list[PassChange]:
    """The log's pass entries, (seq, type, data) in log order, as changes. `members` gives the
    member of a pass that an entry names without its member."""
    changes: list[PassChange] = []
    owners = dict(members)
    for seq, kind, data in rows:
        pass_id = int(data["pass"])
        member = str(data.get("member") or owners.get(pass_id, ""))
        owners[pass_id] = member
        if kind == entries.PASS_ISSUED:
            replaces = data.get("replaces")
            changes.append(
                PassChange(seq, pass_id, member, True, int(replaces) if replaces is not None else None)
            )
        elif kind == entries.PASS_ENDED:
            changes.append(PassChange(seq, pass_id, member, False))
        elif kind == entries.PASS_RETURNED:
            changes.append(PassChange(seq, pass_id, member, True))
    return changes


def present_at(changes: Sequence[PassChange], moments: Iterable[int]) -> dict[int, frozenset[str]]:
    """The members with an active pass at each log entry number in `moments` (the entry itself
    counted: a pass that the same transaction ended before the decision's entry is not active)."""
    wanted = sorted(set(moments))
    answer: dict[int, frozenset[str]] = {}
    active: dict[int, str] = {}  # pass -> member
    ordered = sorted(changes, key=lambda change: change.seq)
    index = 0
    for moment in wanted:
        while index < len(ordered) and ordered[index].seq < moment:
            change = ordered[index]
            if change.replaces is not None:
                active.pop(change.replaces, None)
            if change.active:
                active[change.pass_id] = change.member
            else:
                active.pop(change.pass_id, None)
            index += 1
        answer[moment] = frozenset(active.values())
    return answer


def ever_present(changes: Iterable[PassChange]) -> frozenset[str]:
    """The members present at the meeting: an active pass at any time."""
    return frozenset(change.member for change in changes if change.active)
