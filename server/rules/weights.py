"""Member weights: SPEC 2.1 / statutes art. 11."""

from __future__ import annotations

from dataclasses import dataclass

from server.errors import InvalidInput


def _is_positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


@dataclass(frozen=True, slots=True)
class WeightRule:
    """How population becomes votes (SPEC 2.1 / statutes art. 11).

    "One vote for every full 1,000 inhabitants, at least 1 and at most 75." The three numbers are a
    meeting setting so that other associations can use theirs.
    """

    inhabitants_per_vote: int = 1000
    min_votes: int = 1
    max_votes: int = 75

    def __post_init__(self) -> None:
        values = (self.inhabitants_per_vote, self.min_votes, self.max_votes)
        if not all(_is_positive_int(v) for v in values):
            raise InvalidInput(
                "inhabitants_per_vote, min_votes and max_votes must be positive integers",
                code="invalid_weight_rule",
            )
        if self.min_votes > self.max_votes:
            raise InvalidInput(
                f"min_votes ({self.min_votes}) is greater than max_votes ({self.max_votes})",
                code="invalid_weight_rule",
            )


DEFAULT_RULE = WeightRule()


def weight_for(population: int, rule: WeightRule = DEFAULT_RULE) -> int:
    """The weight of a member with this population (SPEC 2.1 / statutes art. 11).

    One vote per *full* 1,000 inhabitants (so 1,999 gives 1, not 2), then clamped to
    [min_votes, max_votes]. The population is the CBS figure on 1 January.
    """
    if not isinstance(population, int) or isinstance(population, bool) or population < 0:
        raise InvalidInput(
            f"population must be a non-negative integer, got {population!r}", code="invalid_population"
        )
    return max(rule.min_votes, min(rule.max_votes, population // rule.inhabitants_per_vote))
