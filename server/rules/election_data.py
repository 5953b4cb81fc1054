"""An election result as JSON: the `result` of `ballot_closed` (and of `ballot_lot`), stored and
replayed (SPEC 2.10, docs/SECRET_BALLOTS.md).

    {"round": "second", "outcome": "next_round",
     "candidates": [{"id": 1, "votes": 15, "members": 3, "percent": "53.57"}, ...],
     "abstain": 5, "abstain_members": 1, "cast": 28, "members_voted": 7,
     "elected": null, "next_round": "intermediate", "next_candidates": [2, 3],
     "seeded": [1], "places": 1, "drawn": []}

A single-candidate vote (round "single") adds "against" and "against_members"; its candidate's
"votes", "members" and "percent" are those in favour. Every key is always present (null where
there is nothing to say); `result_from_data` refuses missing or unknown keys and figures that do
not add up, so a checker reads exactly what the server wrote.

A SECRET election's units carry weights only, so its result says how many members took part
(`members_voted`, the distinct participants) but not how many chose each candidate: every
candidate's "members", "abstain_members" (and a single-candidate vote's "against_members") are
null. Publishing member counts per candidate would say more than the totals do.
`secret_result_data` and `secret_result_from_data` write and read that shape.

A round COUNTED BY HAND (SPEC 2.7: paper, per candidate, confirmed by the vote-counting
committee) knows neither: it has the same shape with `members_voted` null as well
(`hand_count_result_data`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.rules.election import CandidateResult, ElectionOutcome, ElectionResult, RoundKind

_KEYS = frozenset(
    {
        "round",
        "outcome",
        "candidates",
        "abstain",
        "abstain_members",
        "cast",
        "members_voted",
        "elected",
        "next_round",
        "next_candidates",
        "seeded",
        "places",
        "drawn",
    }
)
_SINGLE_KEYS = _KEYS | {"against", "against_members"}
_CANDIDATE_KEYS = frozenset({"id", "votes", "members", "percent"})


def result_data(result: ElectionResult) -> dict[str, Any]:
    """The JSON shape of an election result (module docstring)."""
    data: dict[str, Any] = {
        "round": result.round.value,
        "outcome": result.outcome.value,
        "candidates": [
            {"id": c.id, "votes": c.votes, "members": c.members, "percent": c.percent}
            for c in result.candidates
        ],
        "abstain": result.abstain,
        "abstain_members": result.abstain_members,
        "cast": result.cast,
        "members_voted": result.members_voted,
        "elected": result.elected,
        "next_round": result.next_round.value if result.next_round else None,
        "next_candidates": list(result.next_candidates),
        "seeded": list(result.seeded),
        "places": result.places,
        "drawn": list(result.drawn),
    }
    if result.round is RoundKind.SINGLE:
        data["against"] = result.against
        data["against_members"] = result.against_members
    return data


def secret_result_data(result: ElectionResult, members_voted: int | None) -> dict[str, Any]:
    """The JSON shape of a secret election's result: `result_data` with every member count per
    choice null and `members_voted` the number of distinct participants (null for a count by
    hand, which does not know it).

    `result` is decided from the units (an `ElectionTally` whose member counts are all zero)."""
    if members_voted is not None and members_voted < 0:
        raise ValueError(f"members_voted must not be negative, got {members_voted}")
    data = result_data(result)
    for candidate in data["candidates"]:
        candidate["members"] = None
    data["abstain_members"] = None
    if "against_members" in data:
        data["against_members"] = None
    data["members_voted"] = members_voted
    return data


def hand_count_result_data(result: ElectionResult) -> dict[str, Any]:
    """The JSON shape of a round counted by hand: no member counts at all (module docstring)."""
    return secret_result_data(result, None)


def hand_count_result_from_data(data: Mapping[str, Any]) -> ElectionResult:
    """A round counted by hand from its JSON shape (`hand_count_result_data`'s inverse), member
    counts zero. ValueError if malformed, also when it gives any member count."""
    if not isinstance(data, Mapping) or data.get("members_voted") is not None:
        raise ValueError(f"a round counted by hand gives no members that voted (null), got {data!r}")
    result, _ = _without_member_counts(data)
    return result


def secret_result_from_data(data: Mapping[str, Any]) -> tuple[ElectionResult, int]:
    """A secret election's result from its JSON shape (`secret_result_data`'s inverse): the result
    with member counts zero, and the number of members that voted. ValueError if malformed, also
    when a member count is not null (a secret result never says them)."""
    result, members_voted = _without_member_counts(data)
    if members_voted is None:
        raise ValueError("members_voted must be an integer, got None")
    return result, members_voted


def _without_member_counts(data: Mapping[str, Any]) -> tuple[ElectionResult, int | None]:
    if not isinstance(data, Mapping) or not isinstance(data.get("candidates"), list):
        raise ValueError(f"an election result is a JSON object with a list of candidates, got {data!r}")
    member_counts = [c.get("members", 0) if isinstance(c, Mapping) else 0 for c in data["candidates"]]
    member_counts += [data.get("abstain_members", 0), data.get("against_members")]
    if any(n is not None for n in member_counts):
        raise ValueError("a secret election's result gives no member counts per choice (all null)")
    given = data.get("members_voted")
    members_voted = None if given is None else _int(given, "members_voted")
    public = {
        **data,
        "candidates": [{**c, "members": 0} for c in data["candidates"]],
        "abstain_members": 0,
        "members_voted": 0,
    }
    if "against_members" in data:
        public["against_members"] = 0
    return result_from_data(public), members_voted


def _int(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    return value


def _ids(value: Any, name: str) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise ValueError(f"{name} must be a list of candidate ids, got {value!r}")
    return tuple(_int(v, name) for v in value)


def _keys(data: Mapping[str, Any], keys: frozenset[str], what: str) -> None:
    if not isinstance(data, Mapping) or set(data) != keys:
        given = set(data) if isinstance(data, Mapping) else data
        raise ValueError(f"{what} needs exactly the keys {sorted(keys)}, got {given!r}")


def _candidate(data: Any) -> CandidateResult:
    _keys(data, _CANDIDATE_KEYS, "a candidate's result")
    percent = data["percent"]
    if percent is not None and not isinstance(percent, str):
        raise ValueError(f"percent must be text or null, got {percent!r}")
    return CandidateResult(
        _int(data["id"], "id"), _int(data["votes"], "votes"), _int(data["members"], "members"), percent
    )


def result_from_data(data: Mapping[str, Any]) -> ElectionResult:
    """An election result from its JSON shape (`result_data`'s inverse); ValueError if malformed."""
    if not isinstance(data, Mapping):
        raise ValueError(f"an election result is a JSON object, got {data!r}")
    round = RoundKind(data.get("round", ""))
    _keys(data, _SINGLE_KEYS if round is RoundKind.SINGLE else _KEYS, f"a {round} result")
    if not isinstance(data["candidates"], list):
        raise ValueError(f"candidates must be a list, got {data['candidates']!r}")
    elected, next_round = data["elected"], data["next_round"]
    return ElectionResult(
        outcome=ElectionOutcome(data["outcome"]),
        round=round,
        candidates=tuple(_candidate(c) for c in data["candidates"]),
        abstain=_int(data["abstain"], "abstain"),
        abstain_members=_int(data["abstain_members"], "abstain_members"),
        cast=_int(data["cast"], "cast"),
        members_voted=_int(data["members_voted"], "members_voted"),
        elected=None if elected is None else _int(elected, "elected"),
        next_round=None if next_round is None else RoundKind(next_round),
        next_candidates=_ids(data["next_candidates"], "next_candidates"),
        seeded=_ids(data["seeded"], "seeded"),
        places=_int(data["places"], "places"),
        drawn=_ids(data["drawn"], "drawn"),
        against=_int(data.get("against", 0), "against"),
        against_members=_int(data.get("against_members", 0), "against_members"),
    )
