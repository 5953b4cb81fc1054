import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.errors import InvalidInput
from server.rules import DEFAULT_RULE, WeightRule, weight_for

POPULATION_CSV = Path(__file__).parents[2] / "server" / "data" / "gemeenten_population.csv"


def _register() -> dict[str, int]:
    with POPULATION_CSV.open(newline="", encoding="utf-8") as f:
        return {row["name"]: int(row["population"]) for row in csv.DictReader(f)}


def test_real_register_totals() -> None:
    weights = {name: weight_for(pop) for name, pop in _register().items()}
    assert len(weights) == 342
    assert sum(weights.values()) == 13_111
    assert sum(1 for w in weights.values() if w == 75) == 53
    assert weights["Schiermonnikoog"] == 1


@pytest.mark.parametrize(
    ("population", "weight"),
    [(0, 1), (972, 1), (1_999, 1), (2_000, 2), (74_999, 74), (75_000, 75), (243_768, 75)],
)
def test_default_rule_counts_full_thousands(population: int, weight: int) -> None:
    assert weight_for(population) == weight


def test_custom_rule() -> None:
    rule = WeightRule(inhabitants_per_vote=500, min_votes=2, max_votes=10)
    assert weight_for(0, rule) == 2
    assert weight_for(1_499, rule) == 2
    assert weight_for(3_500, rule) == 7
    assert weight_for(1_000_000, rule) == 10


def test_one_vote_each() -> None:
    rule = WeightRule(min_votes=1, max_votes=1)
    assert weight_for(0, rule) == weight_for(900_000, rule) == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"inhabitants_per_vote": 0},
        {"inhabitants_per_vote": -1000},
        {"min_votes": 0},
        {"max_votes": 0},
        {"min_votes": 10, "max_votes": 5},
        {"inhabitants_per_vote": 1000.0},
        {"min_votes": True},
    ],
)
def test_invalid_rule_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInput) as exc:
        WeightRule(**kwargs)  # type: ignore[arg-type]
    assert exc.value.code == "invalid_weight_rule"


def test_negative_population_rejected() -> None:
    with pytest.raises(InvalidInput):
        weight_for(-1)


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9))
def test_monotone_and_bounded(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert DEFAULT_RULE.min_votes <= weight_for(low) <= weight_for(high) <= DEFAULT_RULE.max_votes
