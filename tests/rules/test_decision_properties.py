"""Property tests of the decision (SPEC 2.5, 2.6) against an oracle in `fractions.Fraction`.

The strategies aim at the boundaries on purpose rather than hoping to hit them at random: for
exactly half of cast (not adopted under a simple majority), one vote either side of it, for
exactly two thirds of cast (adopted under the qualified majority) and one vote either side, and
percentages that lie exactly on a half-hundredth (rounded up) or one vote either side of one.
"""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from server.rules import Majority, Outcome, Tally, decide, format_percent, percent_for

HALF_HUNDREDTH = Fraction(1, 200)  # of a percent: 0.005


def adopted_oracle(for_: int, cast: int, majority: Majority) -> bool:
    """SPEC 2.5 in exact fractions: for > 1/2 of cast, or for >= 2/3 of cast; never with no cast."""
    if cast == 0:
        return False
    share = Fraction(for_, cast)
    return share > Fraction(1, 2) if majority is Majority.SIMPLE else share >= Fraction(2, 3)


def percent_oracle(for_: int, cast: int) -> str:
    """SPEC 2.6 in exact fractions: the percentage in favour, two decimals, half up."""
    exact = Fraction(100 * for_, cast)
    hundredths = math.floor(exact * 100 + Fraction(1, 2))
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def as_fraction(text: str) -> Fraction:
    whole, decimals = text.split(".")
    return Fraction(int(whole) * 100 + int(decimals), 100)


casts = st.integers(min_value=1, max_value=10**9)
nudges = st.sampled_from([-1, 0, 1])


@st.composite
def near_half(draw: st.DrawFn) -> tuple[int, int]:
    """(for, cast) with for at, or one vote beside, exactly half of cast (cast often even)."""
    cast = draw(st.one_of(casts.map(lambda c: 2 * c), casts))
    for_ = cast // 2 + draw(nudges)
    return max(0, min(cast, for_)), cast


@st.composite
def near_two_thirds(draw: st.DrawFn) -> tuple[int, int]:
    """(for, cast) with for at, or one vote beside, two thirds of cast (cast often a multiple of 3)."""
    cast = draw(st.one_of(casts.map(lambda c: 3 * c), casts))
    for_ = -(-2 * cast // 3) + draw(nudges)  # the least for that reaches 2/3, then one either side
    return max(0, min(cast, for_)), cast


@st.composite
def on_half_hundredth(draw: st.DrawFn) -> tuple[int, int]:
    """(for, cast) whose percentage lies exactly on a half-hundredth: (2n+1)/200 %, scaled by any k."""
    odd = 2 * draw(st.integers(min_value=0, max_value=9_999)) + 1
    share = Fraction(odd, 20_000)  # of one: (2n+1)/2 hundredths of a percent
    k = draw(st.integers(min_value=1, max_value=10**6))
    return share.numerator * k, share.denominator * k


@st.composite
def beside_half_hundredth(draw: st.DrawFn) -> tuple[int, int]:
    """One vote more or fewer than an exact half-hundredth: must round to the nearer hundredth."""
    for_, cast = draw(on_half_hundredth())
    for_ += draw(st.sampled_from([-1, 1]))
    return max(0, min(cast, for_)), cast


def check_decision(for_: int, cast: int, abstain: int) -> None:
    """decide() on for/against/abstain (abstentions not cast, and counted as cast) against the oracle."""
    against = cast - for_
    tally = Tally(for_, against, abstain, int(for_ > 0), int(against > 0), int(abstain > 0))
    for majority in Majority:
        plain = decide(tally, majority)
        assert plain.cast == cast
        assert (plain.outcome is Outcome.ADOPTED) == adopted_oracle(for_, cast, majority), (for_, cast)
        assert plain.outcome in (Outcome.ADOPTED, Outcome.REJECTED)
        assert plain.percent_for == (percent_oracle(for_, cast) if cast else None)
        counted = decide(tally, majority, abstain_is_cast=True)
        assert counted.cast == cast + abstain
        expected = adopted_oracle(for_, cast + abstain, majority)
        assert (counted.outcome is Outcome.ADOPTED) == expected, (for_, cast, abstain)
        assert counted.percent_for == (percent_oracle(for_, cast + abstain) if cast + abstain else None)
        assert (plain.for_, plain.against, plain.abstain, plain.members_voted) == (
            for_,
            against,
            abstain,
            tally.members_voted,
        )


@given(near_half(), st.integers(min_value=0, max_value=3))
@example((5000, 10000), 0)  # a tie: exactly half is not a majority
@example((1, 2), 0)
@example((2, 3), 0)
@example((1, 1), 0)
def test_simple_majority_at_half(pair: tuple[int, int], abstain: int) -> None:
    for_, cast = pair
    check_decision(for_, cast, abstain)
    if 2 * for_ == cast:
        assert decide(Tally(for_, cast - for_, 0, 1, 1, 0), Majority.SIMPLE).outcome is Outcome.REJECTED


@given(near_two_thirds(), st.integers(min_value=0, max_value=3))
@example((2000, 3000), 0)  # exactly two thirds: adopted
@example((1999, 3000), 0)
@example((2, 3), 1)  # two thirds of for + against, not of cast with the abstention counted
@example((0, 1), 0)
def test_two_thirds_at_the_boundary(pair: tuple[int, int], abstain: int) -> None:
    for_, cast = pair
    check_decision(for_, cast, abstain)
    if 3 * for_ == 2 * cast:
        assert decide(Tally(for_, cast - for_, 0, 1, 1, 0), Majority.TWO_THIRDS).outcome is Outcome.ADOPTED


@given(on_half_hundredth())
@example((1, 800))  # 0.125 %: 0.13, where banker's rounding gives 0.12
@example((13333, 20000))  # 66.665 %: 66.67, where float rounding gives 66.66
@example((1, 20000))  # 0.005 %: 0.01
@example((19999, 20000))  # 99.995 %: 100.00
def test_exact_half_hundredths_round_up(pair: tuple[int, int]) -> None:
    for_, cast = pair
    text = percent_for(for_, cast)
    assert text == percent_oracle(for_, cast)
    # exactly halfway: the shown value is the upper neighbour, half a hundredth above the exact one
    assert as_fraction(text) - Fraction(100 * for_, cast) == HALF_HUNDREDTH


@given(beside_half_hundredth())
@example((0, 800))
@example((2, 800))
def test_beside_a_half_hundredth_rounds_to_the_nearer(pair: tuple[int, int]) -> None:
    for_, cast = pair
    text = percent_for(for_, cast)
    assert text == percent_oracle(for_, cast)
    assert abs(as_fraction(text) - Fraction(100 * for_, cast)) < HALF_HUNDREDTH


@given(st.one_of(near_half(), near_two_thirds(), on_half_hundredth(), beside_half_hundredth()))
def test_the_shown_percent_and_the_decision_agree_with_the_text(pair: tuple[int, int]) -> None:
    """The Dutch screen text is the same number with a decimal comma; both are read back exactly."""
    for_, cast = pair
    text = percent_for(for_, cast)
    assert text is not None
    whole, decimals = text.split(".")
    assert len(decimals) == 2 and whole == str(int(whole))
    assert format_percent(text) == f"{whole},{decimals}%"
    assert format_percent(text, "en") == f"{text}%"
    assert Fraction(0) <= as_fraction(text) <= Fraction(100)
