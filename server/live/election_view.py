"""An election as the screens and the chair see it (SPEC 2.10, 4.3): per candidate, by name.

Pure: no I/O. The running tally while the ballot is open, and the stored result once closed:

    {"candidates": [{"id": 7, "name": "Anna Alfa", "votes": 15, "members": 3, "percent": "53.57"}],
     "abstain": 5, "cast": 28, "members_voted": 7,
     "outcome": "elected", "elected": {"id": 7, "name": "Anna Alfa"},
     "next_round": null, "next_candidates": [], "drawn": []}

The running tally has the figures only (outcome, elected and the rest are null or empty). A
single-candidate vote (round "single") is yes/no: its result adds "against"; its candidate's
votes are those in favour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from server.rules import ElectionResult, ElectionTally, election_sentence, percent_for


def _named(ids: Sequence[int], names: Mapping[int, str]) -> list[dict[str, Any]]:
    return [{"id": c, "name": names.get(c, "?")} for c in ids]


def running(tally: ElectionTally, names: Mapping[int, str]) -> dict[str, Any]:
    """The running tally of an open election, per candidate in the ballot's order."""
    cast = tally.cast
    return {
        "candidates": [
            {
                "id": c,
                "name": names.get(c, "?"),
                "votes": tally.votes[c],
                "members": tally.members[c],
                "percent": percent_for(tally.votes[c], cast),
            }
            for c in tally.candidates
        ],
        "abstain": tally.abstain,
        "cast": cast,
        "members_voted": tally.members_voted,
        "round": None,
        "outcome": None,
        "elected": None,
        "next_round": None,
        "next_candidates": [],
        "drawn": [],
    }


def result_view(
    result: ElectionResult, names: Mapping[int, str], *, secret: bool = False, by_hand: bool = False
) -> dict[str, Any]:
    """A closed round's stored result, per candidate, with the outcome and who it names; on a
    secret ballot without member counts per candidate (null), which its units do not give; a
    round counted by hand (SPEC 2.7) without any member count, not even of those who voted."""
    secret = secret or by_hand
    view: dict[str, Any] = {
        "candidates": [
            {
                "id": c.id,
                "name": names.get(c.id, "?"),
                "votes": c.votes,
                "members": None if secret else c.members,
                "percent": c.percent,
            }
            for c in result.candidates
        ],
        "abstain": result.abstain,
        "cast": result.cast,
        "members_voted": None if by_hand else result.members_voted,
        "round": result.round.value,
        "outcome": result.outcome.value,
        "elected": _named([result.elected], names)[0] if result.elected is not None else None,
        "next_round": result.next_round.value if result.next_round is not None else None,
        "next_candidates": _named(result.next_candidates, names),
        "drawn": _named(result.drawn, names),
    }
    if result.round.value == "single":
        view["against"] = result.against
    return view


def election_minutes(
    result: ElectionResult, names: Mapping[int, str], *, by_hand: bool = False
) -> dict[str, str]:
    """The minutes sentence of a round in the hall's language and in English (SPEC 2.10), said
    to be counted by hand where it was (SPEC 2.7)."""
    known = {c: names.get(c, "?") for c in names} | {
        c: names.get(c, "?")
        for c in (*result.candidate_ids, *result.next_candidates, *result.seeded, *result.drawn)
    }
    return {lang: election_sentence(result, known, lang, by_hand=by_hand) for lang in ("nl", "en")}
