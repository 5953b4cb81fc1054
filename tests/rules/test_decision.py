from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.rules import EMPTY_TALLY, Majority, Outcome, Tally, decide, minutes_sentence, percent_for


def _tally(for_: int, against: int, abstain: int = 0) -> Tally:
    return Tally(for_, against, abstain, int(for_ > 0), int(against > 0), int(abstain > 0))


def test_rejected_12_40() -> None:
    d = decide(_tally(1240, 8760), Majority.SIMPLE)
    assert d.outcome is Outcome.REJECTED
    assert d.percent_for == "12.40"
    assert (d.for_, d.against, d.abstain, d.cast, d.members_voted) == (1240, 8760, 0, 10000, 2)
    assert minutes_sentence(d.outcome, d.percent_for) == "verworpen met 12,40% van de stemmen vóór"


def test_adopted_93_40() -> None:
    d = decide(_tally(9340, 660), Majority.SIMPLE)
    assert d.outcome is Outcome.ADOPTED
    assert d.percent_for == "93.40"
    assert minutes_sentence(d.outcome, d.percent_for) == "aangenomen met 93,40% van de stemmen"


@pytest.mark.parametrize("majority", list(Majority))
def test_tie_and_no_votes_rejected(majority: Majority) -> None:
    assert decide(_tally(5000, 5000), majority).outcome is Outcome.REJECTED
    nothing = decide(EMPTY_TALLY, majority)
    assert nothing.outcome is Outcome.REJECTED
    assert nothing.percent_for is None
    only_abstain = decide(_tally(0, 0, 300), majority)
    assert (only_abstain.outcome, only_abstain.cast, only_abstain.percent_for) == (Outcome.REJECTED, 0, None)


def test_simple_majority_boundary() -> None:
    assert decide(_tally(5000, 5000), Majority.SIMPLE).outcome is Outcome.REJECTED
    assert decide(_tally(5001, 5000), Majority.SIMPLE).outcome is Outcome.ADOPTED
    assert decide(_tally(1, 0), Majority.SIMPLE).outcome is Outcome.ADOPTED


def test_two_thirds_boundary() -> None:
    assert decide(_tally(2000, 1000), Majority.TWO_THIRDS).outcome is Outcome.ADOPTED
    assert decide(_tally(1999, 1001), Majority.TWO_THIRDS).outcome is Outcome.REJECTED
    assert decide(_tally(2000, 1000), Majority.TWO_THIRDS).percent_for == "66.67"


def test_abstain_is_cast_changes_cast() -> None:
    tally = _tally(600, 400, 300)
    plain = decide(tally, Majority.SIMPLE)
    counted = decide(tally, Majority.SIMPLE, abstain_is_cast=True)
    assert (plain.cast, plain.outcome, plain.percent_for) == (1000, Outcome.ADOPTED, "60.00")
    assert (counted.cast, counted.outcome, counted.percent_for) == (1300, Outcome.REJECTED, "46.15")


@pytest.mark.parametrize(
    ("for_", "cast", "expected"),
    [
        (1240, 10000, "12.40"),
        (1, 8, "12.50"),
        (1, 3, "33.33"),
        (2, 3, "66.67"),
        (1, 6, "16.67"),
        (5, 16, "31.25"),
        (1, 200, "0.50"),
        (1, 400, "0.25"),
        (1, 2000, "0.05"),
        (1, 1600, "0.06"),  # 0.0625
        (1, 40000, "0.00"),  # 0.0025
        (1, 800, "0.13"),  # 0.125: exactly half, rounds up (banker's rounding would give 0.12)
        (3, 800, "0.38"),  # 0.375
        (13333, 20000, "66.67"),  # 66.665: round(0.66665 * 100, 2) on floats gives 66.66
        (0, 7, "0.00"),
        (7, 7, "100.00"),
    ],
)
def test_percent_half_up(for_: int, cast: int, expected: str) -> None:
    assert percent_for(for_, cast) == expected


@pytest.mark.parametrize(("for_", "cast"), [(1, 0), (-1, 5), (6, 5), (0, -1)])
def test_percent_invalid(for_: int, cast: int) -> None:
    with pytest.raises(ValueError):
        percent_for(for_, cast)


def test_percent_none_without_votes() -> None:
    assert percent_for(0, 0) is None


votes = st.integers(min_value=0, max_value=20_000)


@given(votes, votes, votes, st.booleans())
def test_majority_properties(for_: int, against: int, abstain: int, abstain_is_cast: bool) -> None:
    tally = _tally(for_, against, abstain)
    simple = decide(tally, Majority.SIMPLE, abstain_is_cast=abstain_is_cast)
    two_thirds = decide(tally, Majority.TWO_THIRDS, abstain_is_cast=abstain_is_cast)
    cast = for_ + against + (abstain if abstain_is_cast else 0)
    assert simple.cast == two_thirds.cast == cast
    assert (simple.outcome is Outcome.ADOPTED) == (cast > 0 and 2 * for_ > cast)
    assert (two_thirds.outcome is Outcome.ADOPTED) == (cast > 0 and 3 * for_ >= 2 * cast)
    if two_thirds.outcome is Outcome.ADOPTED:
        assert simple.outcome is Outcome.ADOPTED


@given(st.integers(min_value=1, max_value=10**12).flatmap(lambda c: st.tuples(st.integers(0, c), st.just(c))))
def test_percent_is_close_and_in_range(pair: tuple[int, int]) -> None:
    for_, cast = pair
    text = percent_for(for_, cast)
    assert text is not None
    whole, _, decimals = text.partition(".")
    assert len(decimals) == 2
    assert whole == str(int(whole))
    value = Fraction(Decimal(text))
    assert 0 <= value <= 100
    exact = Fraction(100 * for_, cast)
    # within 0.005, and half up: an exact value halfway between two hundredths goes to the upper one
    assert -Fraction(1, 200) < value - exact <= Fraction(1, 200)
