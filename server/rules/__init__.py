"""The voting rules of SPEC 2 (statutes art. 11): pure functions and values, no I/O."""

from server.rules.ballot_state import (
    TERMINAL,
    BallotAction,
    BallotKind,
    BallotStatus,
    Placed,
    Preadvies,
    check_out_of_order,
    kind_order,
    order_blockers,
    outcome_of_status,
    transition,
    validate_ballot_fields,
)
from server.rules.decision import Decision, Majority, Outcome, decide, percent_for
from server.rules.minutes import format_percent, minutes_sentence
from server.rules.representation import PassStatus, RepresentativeRole
from server.rules.tally import EMPTY_TALLY, Choice, Presence, Tally, presence, tally_votes
from server.rules.weights import DEFAULT_RULE, WeightRule, weight_for

__all__ = [
    "DEFAULT_RULE",
    "EMPTY_TALLY",
    "TERMINAL",
    "BallotAction",
    "BallotKind",
    "BallotStatus",
    "Choice",
    "Decision",
    "Majority",
    "Outcome",
    "PassStatus",
    "Placed",
    "Preadvies",
    "Presence",
    "RepresentativeRole",
    "Tally",
    "WeightRule",
    "check_out_of_order",
    "decide",
    "format_percent",
    "kind_order",
    "minutes_sentence",
    "order_blockers",
    "outcome_of_status",
    "percent_for",
    "presence",
    "tally_votes",
    "transition",
    "validate_ballot_fields",
    "weight_for",
]
