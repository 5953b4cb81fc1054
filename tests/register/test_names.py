"""Name matching against the real CBS list and the real attendance list of 29 November 2024."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from server.register.names import ALIASES, NameIndex, normalize_name

DATA = Path(__file__).resolve().parents[2] / "server" / "data"


def official_names() -> dict[str, str]:
    with (DATA / "gemeenten_population.csv").open(encoding="utf-8", newline="") as handle:
        return {row["cbs_code"]: row["name"] for row in csv.DictReader(handle)}


def populations() -> dict[str, int]:
    with (DATA / "gemeenten_population.csv").open(encoding="utf-8", newline="") as handle:
        return {row["cbs_code"]: int(row["population"]) for row in csv.DictReader(handle)}


@pytest.mark.parametrize(
    ("variant", "official"),
    [
        ("Bergen (NH)", "Bergen (NH.)"),
        ("bergen ( n.h. )", "Bergen (NH.)"),
        ("Bergen(NH.)", "Bergen (NH.)"),
        ("Groningen (gemeente)", "Groningen"),
        ("Utrecht (Gemeente)", "Utrecht"),
        ("\u2019s-Gravenhage", "'s-Gravenhage"),
        ("`s-Hertogenbosch", "'s-Hertogenbosch"),
        ("  Alphen  aan den\u00a0Rijn ", "Alphen aan den Rijn"),
        ("Edam\u2013Volendam", "Edam-Volendam"),
        ("Su\u0301dwest-Fryslân", "Súdwest-Fryslân"),
    ],
)
def test_spelling_variants_normalize_equal(variant: str, official: str) -> None:
    assert normalize_name(variant) == normalize_name(official)


@pytest.mark.parametrize(("one", "other"), [("Bergen (NH.)", "Bergen (L.)"), ("Groningen", "Groningen (PV)")])
def test_different_municipalities_stay_different(one: str, other: str) -> None:
    assert normalize_name(one) != normalize_name(other)


def test_every_alias_points_at_an_official_name() -> None:
    official = {normalize_name(name) for name in official_names().values()}
    assert {normalize_name(target) for target in ALIASES.values()} <= official
    assert not {normalize_name(alias) for alias in ALIASES} & official


def test_the_eight_minutes_spellings_of_the_readme() -> None:
    index = NameIndex(official_names())
    expected = {
        "Beek": "Beek (L.)",
        "Bergen NH": "Bergen (NH.)",
        "Den Haag": "'s-Gravenhage",
        "Hengelo": "Hengelo (O.)",
        "Laren": "Laren (NH.)",
        "Middelburg": "Middelburg (Z.)",
        "Rijswijk": "Rijswijk (ZH.)",
        "Stein": "Stein (L.)",
    }
    by_name = {name: code for code, name in official_names().items()}
    assert {alias: index.lookup(alias) for alias in expected} == {
        alias: by_name[name] for alias, name in expected.items()
    }


def test_attendance_list_resolves_to_271_distinct_members() -> None:
    present = (DATA / "alv_2024-11-29_present.txt").read_text(encoding="utf-8").splitlines()
    index = NameIndex(official_names())
    codes = [index.lookup(name) for name in present if name.strip()]
    assert None not in codes
    assert len(codes) == len(set(codes)) == 271
    population = populations()
    assert sum(min(75, max(1, population[code] // 1000)) for code in codes if code) == 11_248


def test_unknown_name_is_none() -> None:
    assert NameIndex(official_names()).lookup("Atlantis") is None


def test_ambiguous_name_is_refused() -> None:
    index = NameIndex({"GM0001": "Bergen (NH.)", "GM0002": "Bergen (NH)", "GM0003": "Beek (L.)"})
    assert index.lookup("Bergen (NH.)") is None
    assert index.codes("bergen nh") == {"GM0001", "GM0002"}
    assert index.lookup("Beek") == "GM0003"


def test_official_name_wins_over_alias() -> None:
    index = NameIndex({"GM0001": "Hengelo", "GM0002": "Hengelo (O.)"})
    assert index.lookup("Hengelo") == "GM0001"


def test_alias_needs_its_target_in_the_index() -> None:
    assert NameIndex({"GM0014": "Groningen"}).lookup("Den Haag") is None
