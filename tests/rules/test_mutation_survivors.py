"""Guards that mutation testing (`make mutation`, README "Mutation testing") found unguarded:
each test here failed against a surviving mutant of server/rules.

- A tally never holds a negative weight or count, in any of its six fields (a mutant that left
  one field out of the check survived).
- A refusal carries what the pages word it from: an illegal transition its `ballot_status` and
  `action`, a refused out-of-order its code.
- A member's weight comes only from a whole, non-negative population: not from a bool (True is
  an int in Python) nor a float, and the refusal carries its code for the import's error list.
"""

from __future__ import annotations

import pytest

from server.errors import IllegalTransition, InvalidInput
from server.rules import BallotAction, BallotKind, BallotStatus, Choice, Tally, weight_for
from server.rules.ballot_state import check_out_of_order, transition

FIELDS = ("for_", "against", "abstain", "members_for", "members_against", "members_abstain")


@pytest.mark.parametrize("field", FIELDS)
def test_no_field_of_a_tally_goes_below_zero(field: str) -> None:
    values = dict.fromkeys(FIELDS, 1)
    values[field] = -1
    with pytest.raises(ValueError, match="below zero"):
        Tally(**values)


@pytest.mark.parametrize("move", ["add", "remove"])
def test_a_negative_weight_is_refused_and_a_zero_weight_moves_only_the_count(move: str) -> None:
    tally = Tally(5, 5, 5, 1, 1, 1)
    with pytest.raises(ValueError, match="must not be negative, got -1"):
        getattr(tally, move)(Choice.FOR, -1)
    moved = getattr(tally, move)(Choice.FOR, 0)
    assert moved.for_ == 5 and moved.members_for == (2 if move == "add" else 0)


@pytest.mark.parametrize("population", [True, False, 1500.0, "1500", None, -1])
def test_a_weight_comes_from_a_whole_population_only(population: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        weight_for(population)  # type: ignore[arg-type]
    assert refused.value.code == "invalid_population"
    assert "population must be a non-negative integer" in str(refused.value)


@pytest.mark.parametrize("test", [False, True])
def test_an_illegal_transition_names_the_status_and_the_action(test: bool) -> None:
    """The chair page words a refusal from `ballot_status` and `action` in the 409 body."""
    action = BallotAction.ACCLAMATION if test else BallotAction.OPEN
    status = BallotStatus.DRAFT if test else BallotStatus.CLOSED
    with pytest.raises(IllegalTransition) as refused:
        transition(status, action, test=test)
    assert refused.value.to_body()["ballot_status"] == status.value
    assert refused.value.to_body()["action"] == action.value


def test_only_a_motion_or_amendment_is_declared_out_of_order() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_out_of_order(BallotKind.VOORSTEL)
    assert refused.value.code == "invalid_ballot" and "not a voorstel" in str(refused.value)
