from functools import reduce

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.rules import EMPTY_TALLY, Choice, Presence, Tally, presence, tally_votes

choices = st.sampled_from(list(Choice))
weights_st = st.integers(min_value=1, max_value=75)
electorate = st.dictionaries(st.text(min_size=1, max_size=6), st.tuples(weights_st, choices), max_size=60)


def test_add_and_properties() -> None:
    t = EMPTY_TALLY.add(Choice.FOR, 75).add(Choice.AGAINST, 3).add(Choice.ABSTAIN, 10).add(Choice.FOR, 1)
    assert t == Tally(76, 3, 10, 2, 1, 1)
    assert t.members_voted == 4
    assert t.weight_voted == 89
    assert t.cast(abstain_is_cast=False) == 79
    assert t.cast(abstain_is_cast=True) == 89


def test_remove_below_zero_raises() -> None:
    with pytest.raises(ValueError):
        EMPTY_TALLY.remove(Choice.FOR, 1)
    with pytest.raises(ValueError):
        EMPTY_TALLY.add(Choice.AGAINST, 5).remove(Choice.AGAINST, 6)
    with pytest.raises(ValueError):
        EMPTY_TALLY.add(Choice.FOR, -1)


def test_tally_votes_uses_frozen_weights_and_unknown_member_is_an_error() -> None:
    weights = {"GM0014": 75, "GM0088": 1, "GM0034": 75}
    votes = {"GM0014": Choice.FOR, "GM0088": Choice.AGAINST}
    assert tally_votes(votes, weights) == Tally(75, 1, 0, 1, 1, 0)
    with pytest.raises(KeyError):
        tally_votes({"GM9999": Choice.FOR}, weights)


def test_presence() -> None:
    weights = {"a": 75, "b": 1, "c": 10}
    assert presence(["a", "b", "a"], weights) == Presence(members=2, weight=76, of_members=3, of_weight=86)
    assert presence([], weights) == Presence(0, 0, 3, 86)


@given(electorate)
def test_tally_votes_equals_folding_add(members: dict[str, tuple[int, Choice]]) -> None:
    weights = {code: w for code, (w, _) in members.items()}
    votes = {code: c for code, (_, c) in members.items()}
    folded = reduce(lambda t, code: t.add(votes[code], weights[code]), votes, EMPTY_TALLY)
    assert tally_votes(votes, weights) == folded


@given(electorate, st.data())
def test_vote_change_keeps_totals(members: dict[str, tuple[int, Choice]], data: st.DataObject) -> None:
    weights = {code: w for code, (w, _) in members.items()}
    votes = {code: c for code, (_, c) in members.items()}
    tally = tally_votes(votes, weights)
    for code in data.draw(st.lists(st.sampled_from(sorted(votes)), max_size=20) if votes else st.just([])):
        new = data.draw(choices)
        changed = tally.remove(votes[code], weights[code]).add(new, weights[code])
        assert changed.weight_voted == tally.weight_voted
        assert changed.members_voted == tally.members_voted
        votes[code], tally = new, changed
    assert tally == tally_votes(votes, weights)
