"""Unit ballots and their checks (docs/SECRET_BALLOTS.md, "Close" and "Checking")."""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.secret.sealing import SecretChoice, new_secret
from server.secret.units import (
    DuplicateReceipt,
    OwnSecret,
    check_units,
    chunks,
    count_units,
    make_units,
    own_units,
    parse_own_secret,
    sorted_by_receipt,
    unit_receipt,
    unit_receipts,
    units_by_receipt,
)

BALLOT = 37


def independent_receipt(secret_hex: str, ballot: int, i: int) -> str:
    """The doc's formula, written out again: SHA-256(s_bytes | ballot | i), hex."""
    data = bytes.fromhex(secret_hex) + b"|" + str(ballot).encode() + b"|" + str(i).encode()
    return hashlib.sha256(data).hexdigest()


def test_unit_receipts_follow_the_documented_formula() -> None:
    secret = new_secret()
    for ballot in (1, BALLOT, 123456):
        assert [unit_receipt(secret, ballot, i) for i in range(12)] == [
            independent_receipt(secret, ballot, i) for i in range(12)
        ]
        assert unit_receipts(secret, ballot, 12) == [
            independent_receipt(secret, ballot, i) for i in range(12)
        ]
    assert unit_receipt(secret, 1, 11) != unit_receipt(secret, 11, 1)  # the separators matter


def hall(weights: list[int], seed: int = 14) -> list[tuple[int, SecretChoice, str]]:
    rng = random.Random(seed)
    choices: list[SecretChoice] = ["for", "against", "abstain", 3, 5]
    return [(weight, rng.choice(choices), new_secret()) for weight in weights]


def test_make_units_gives_w_units_per_member_sorted_by_receipt() -> None:
    sealed = hall([1, 2, 40, 75, 3])
    units = make_units(sealed, BALLOT)
    expected = sorted(
        (independent_receipt(secret, BALLOT, i), choice)
        for weight, choice, secret in sealed
        for i in range(weight)
    )
    assert units == expected
    assert [receipt for receipt, _ in units] == sorted(receipt for receipt, _ in units)
    assert count_units(units) == Counter(
        {choice: sum(w for w, c, _ in sealed if c == choice) for _, choice, _ in sealed}
    )


# Receipts over a small alphabet share their first two digits often: buckets of many, and of one.
RECEIPTS = st.lists(st.text(alphabet="0af", min_size=64, max_size=64), unique=True, max_size=200)


@given(RECEIPTS, st.randoms())
def test_sorting_a_bucket_at_a_time_gives_the_order_of_one_sort(
    receipts: list[str], rng: random.Random
) -> None:
    units: list[tuple[str, SecretChoice]] = [(r, rng.choice(["for", "against", "abstain"])) for r in receipts]
    rng.shuffle(units)
    assert sorted_by_receipt(units) == sorted(units)


def test_units_do_not_follow_the_order_of_the_votes() -> None:
    sealed = hall([40] * 10)
    units = make_units(sealed, BALLOT)
    assert units == make_units(list(reversed(sealed)), BALLOT)
    first_member = {independent_receipt(sealed[0][2], BALLOT, i) for i in range(40)}
    positions = [n for n, (receipt, _) in enumerate(units) if receipt in first_member]
    assert positions != list(range(40))  # spread among the others, not the first 40


def test_a_receipt_twice_fails_the_close() -> None:
    secret = new_secret()
    with pytest.raises(DuplicateReceipt) as caught:
        make_units([(2, "for", secret), (3, "against", secret)], BALLOT)
    assert secret not in str(caught.value)


@pytest.mark.parametrize("weight", [0, -1, True, 1.0])
def test_make_units_refuses_a_weight_that_is_not_positive(weight: object) -> None:
    with pytest.raises(ValueError, match="weight"):
        make_units([(weight, "for", new_secret())], BALLOT)  # type: ignore[list-item]


def test_make_units_refuses_a_bad_choice_or_secret() -> None:
    with pytest.raises(ValueError, match="choice"):
        make_units([(1, "yes", new_secret())], BALLOT)
    with pytest.raises(ValueError, match="secret"):
        make_units([(1, "for", new_secret()[:40])], BALLOT)


@pytest.mark.parametrize(
    ("total", "size"), [(0, 1000), (1, 1000), (999, 1000), (1000, 1000), (2501, 1000), (7, 3)]
)
def test_chunks_cut_the_units_in_order_into_parts_of_at_most_size(total: int, size: int) -> None:
    units = make_units([(total, "for", new_secret())], BALLOT) if total else []
    parts = list(chunks(units, size))
    assert [unit for part in parts for unit in part] == units
    assert all(1 <= len(part) <= size for part in parts)
    assert len(parts) == -(-total // size)
    with pytest.raises(ValueError):
        list(chunks(units, 0))


def logged(units: list[tuple[str, SecretChoice]]) -> list[list[object]]:
    """The units as `votehall verify` reads them back from the log's JSON."""
    loaded: list[list[object]] = []
    for part in chunks(units, 4):
        loaded.extend(json.loads(json.dumps(part)))
    return loaded


def test_check_units_passes_a_good_close() -> None:
    sealed = hall([1, 5, 9, 2])
    units = logged(make_units(sealed, BALLOT))
    weights = {f"GM{n:04d}": weight for n, (weight, _, _) in enumerate(sealed)}
    assert check_units(units, weights) == []
    assert check_units(units, weights, allowed={"for", "against", "abstain", 3, 5}) == []


def test_check_units_finds_each_problem() -> None:
    sealed = hall([1, 5, 9, 2])
    good = logged(make_units(sealed, BALLOT))
    weights = {f"GM{n:04d}": weight for n, (weight, _, _) in enumerate(sealed)}

    (problem,) = check_units(good[:-1], weights)
    assert "16 unit ballots" in problem and "weigh 17" in problem
    (problem,) = check_units(good, {**weights, "GM9999": 1})
    assert "weigh 18" in problem

    swapped = [good[1], good[0], *good[2:]]
    (problem,) = check_units(swapped, weights)
    assert "not sorted" in problem and "unit 2" in problem

    twice = sorted([*good[:-1], good[0]], key=lambda unit: str(unit[0]))
    (problem,) = check_units(twice, weights)
    assert "more than once" in problem and str(good[0][0]) in problem

    for bad in (
        [str(good[3][0]).upper(), "for"],
        [str(good[3][0])[:63], "for"],
        [good[3][0], "yes"],
        [good[3][0]],
        [good[3][0], True],
    ):
        broken = [*good[:3], bad, *good[4:]]
        problems = check_units(broken, weights)
        assert any("not a receipt" in p and "unit 4" in p for p in problems), (bad, problems)

    candidate_units = logged(make_units([(2, 3, new_secret()), (1, 5, new_secret())], BALLOT))
    assert check_units(candidate_units, {"A": 2, "B": 1}, allowed={3, 5, "abstain"}) == []
    (problem,) = check_units(candidate_units, {"A": 2, "B": 1}, allowed={3, "abstain"})
    assert "not a receipt" in problem


def test_count_units_is_the_tally_per_choice() -> None:
    units = make_units([(3, "for", new_secret()), (2, "against", new_secret()), (4, 7, new_secret())], BALLOT)
    assert count_units(units) == {"for": 3, "against": 2, 7: 4}
    assert count_units(logged(units)) == {"for": 3, "against": 2, 7: 4}


def own_text(secret: str, code: str = "GM0014", ballot: int = BALLOT) -> str:
    return f"VH1:{ballot}:{code}:{secret}"


def test_the_handhelds_text_parses_to_ballot_member_and_secret() -> None:
    secret = new_secret()
    own = parse_own_secret("  " + own_text(secret) + "\n")
    assert own == OwnSecret(BALLOT, "GM0014", secret)
    assert own.text == own_text(secret)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("VH1:37:GM0014:PREFIX", "all 64 hex digits"),  # a prefix only
        ("VH1:37:GM0014:", "all 64 hex digits"),
        ("VH1:37:GM0014:LONGER", "all 64 hex digits"),
        ("VH1:37:GM0014:UPPER", "64 lowercase hex"),
        ("VH2:37:GM0014:SECRET", "VH1:<ballot>"),
        ("VH1:37:SECRET", "VH1:<ballot>"),
        ("VH1:37:GM:0014:SECRET", "VH1:<ballot>"),
        ("VH1:x7:GM0014:SECRET", "ballot number"),
        ("VH1:0:GM0014:SECRET", "ballot number"),
        ("VH1:٣:GM0014:SECRET", "ballot number"),
        ("VH1:37::SECRET", "member code"),
    ],
)
def test_a_wrong_text_is_refused(text: str, said: str) -> None:
    secret = new_secret()
    text = (
        text.replace("PREFIX", secret[:16])
        .replace("LONGER", secret + "00")
        .replace("UPPER", "AB" * 32)
        .replace("SECRET", secret)
    )
    with pytest.raises(ValueError, match=said):
        parse_own_secret(text)


def test_a_member_finds_all_w_units_of_their_vote_and_the_choice_they_carry() -> None:
    secret = new_secret()
    sealed = [(40, "against", secret), *hall([1, 75, 3, 40])]
    units = make_units(sealed, BALLOT)
    check = own_units(units_by_receipt(logged(units)), parse_own_secret(own_text(secret)), 40)
    assert check.ok and check.complete and check.same_choice
    assert (check.found, check.weight, check.missing) == (40, 40, ())
    assert check.choice == "against" and check.choices == (("against", 40),)


def test_one_missing_unit_is_found_out() -> None:
    secret = new_secret()
    units = make_units([(40, "for", secret), *hall([5, 6])], BALLOT)
    dropped = independent_receipt(secret, BALLOT, 17)
    rest = [unit for unit in units if unit[0] != dropped]
    check = own_units(units_by_receipt(rest), OwnSecret(BALLOT, "GM0014", secret), 40)
    assert not check.ok and not check.complete
    assert (check.found, check.missing) == (39, (17,))
    assert check.choice == "for"  # the 39 found still agree


def test_units_that_hold_only_part_of_the_weight_are_found_out() -> None:
    """A close that published only the first k of w units (as if the weight were k)."""
    secret = new_secret()
    units = make_units([(12, "for", secret), *hall([2, 2])], BALLOT)
    check = own_units(units_by_receipt(units), OwnSecret(BALLOT, "GM0014", secret), 40)
    assert (check.found, check.missing) == (12, tuple(range(12, 40)))
    assert not check.ok


def test_units_that_carry_another_choice_are_found_out() -> None:
    secret = new_secret()
    units = make_units([(10, "for", secret)], BALLOT)
    changed = units_by_receipt(units)
    changed[independent_receipt(secret, BALLOT, 3)] = "against"
    check = own_units(changed, OwnSecret(BALLOT, "GM0014", secret), 10)
    assert check.complete and not check.same_choice and not check.ok
    assert check.choice is None and dict(check.choices) == {"for": 9, "against": 1}


def test_the_secret_of_another_ballot_finds_nothing() -> None:
    secret = new_secret()
    units = make_units([(10, "for", secret)], BALLOT)
    check = own_units(units_by_receipt(units), OwnSecret(BALLOT + 1, "GM0014", secret), 10)
    assert check.found == 0 and check.choice is None and not check.ok
