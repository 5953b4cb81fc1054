"""The register import parser against the real CBS list and CBS-shaped downloads built from it."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.register.importing import ParsedRegister, RegisterImportError, parse_register_csv

DATA = Path(__file__).resolve().parents[2] / "server" / "data"
SHIPPED = (DATA / "gemeenten_population.csv").read_text(encoding="utf-8")
RECORDS = list(csv.DictReader(SHIPPED.splitlines()))
KNOWN = {row["cbs_code"]: row["name"] for row in RECORDS}
POPULATION = {row["cbs_code"]: int(row["population"]) for row in RECORDS}
HEADER = "cbs_code,name,population"
CBS_HEADER = '"Regio\'s";"Perioden";"Bevolking op 1 januari (aantal)"'


def populations(parsed: ParsedRegister) -> dict[str, int]:
    return {row.cbs_code: row.population for row in parsed.rows}


def problems(text: str, **options: bool) -> list[tuple[int, str]]:
    with pytest.raises(RegisterImportError) as caught:
        parse_register_csv(text, KNOWN, **options)
    return [(problem.line, problem.message) for problem in caught.value.problems]


def test_shipped_register_parses_to_342_rows() -> None:
    parsed = parse_register_csv(SHIPPED, KNOWN)
    assert parsed.format == "plain"
    assert len(parsed.rows) == 342
    assert sum(row.population for row in parsed.rows) == 17_942_942
    assert parsed.skipped == ()
    assert parsed.rows[0].line == 2
    assert {row.cbs_code: row.name for row in parsed.rows}["GM0820"] == "Nuenen, Gerwen en Nederwetten"


def test_shipped_register_parses_without_known_codes_when_new_codes_are_allowed() -> None:
    parsed = parse_register_csv(SHIPPED, {}, allow_new_codes=True)
    assert populations(parsed) == POPULATION


def test_cbs_download_with_names_only() -> None:
    renamed = {"GM0014": "Groningen (gemeente)", "GM0344": "Utrecht (gemeente)", "GM0518": "'s-Gravenhage"}
    lines = [CBS_HEADER, '"Nederland";"2024";"17942942"', '"Groningen (PV)";"2024";"596075"']
    lines += [f'"{renamed.get(code, name)}";"2024";"{POPULATION[code]}"' for code, name in KNOWN.items()]
    lines += ['"Bron: CBS"', ""]
    parsed = parse_register_csv("\ufeff" + "\r\n".join(lines), KNOWN)
    assert parsed.format == "cbs"
    assert populations(parsed) == POPULATION
    assert {row.name for row in parsed.rows} == set(KNOWN.values())
    assert [(s.line, s.text, s.reason) for s in parsed.skipped] == [
        (2, "Nederland", "not a municipality (country)"),
        (3, "Groningen (PV)", "not a municipality (province)"),
        (346, "Bron: CBS", "footer"),
    ]


def test_cbs_download_with_padded_code_column_and_dutch_digit_groups() -> None:
    lines = ['"RegioS";"Regio\'s";"Perioden";"Bevolking op 1 januari (aantal)"']
    lines += [
        '"NL01    ";"Nederland";"2024JJ00";"17.942.942"',
        '"PV20    ";"Groningen (PV)";"2024JJ00";"596.075"',
    ]
    lines += [
        f'"{code}    ";"{name}";"2024JJ00";"{POPULATION[code]:,}"'.replace(",", ".")
        for code, name in KNOWN.items()
    ]
    parsed = parse_register_csv("\n".join(lines) + "\n", KNOWN)
    assert populations(parsed) == POPULATION
    assert [s.reason for s in parsed.skipped] == [
        "not a municipality (country)",
        "not a municipality (province)",
    ]


def test_minutes_spellings_are_placed_through_aliases() -> None:
    text = "Gemeente;Inwoners\nDen Haag;1\nBergen NH;2\nHengelo;3\nDen Bosch;4\n"
    parsed = parse_register_csv(text, KNOWN)
    assert [(row.cbs_code, row.name) for row in parsed.rows] == [
        ("GM0518", "'s-Gravenhage"),
        ("GM0373", "Bergen (NH.)"),
        ("GM0164", "Hengelo (O.)"),
        ("GM0796", "'s-Hertogenbosch"),
    ]


def test_a_changed_name_next_to_a_known_code_is_a_rename() -> None:
    text = f"{HEADER}\nGM0518,Den Haag,1\nGM0014,Groningen (gemeente),2\nGM0034,Almere Stad,3\nGM0037,,4\n"
    names = [row.name for row in parse_register_csv(text, KNOWN).rows]
    assert names == ["'s-Gravenhage", "Groningen", "Almere Stad", "Stadskanaal"]


def test_title_blank_lines_and_footer_are_not_rows() -> None:
    text = (
        '"Bevolking; kerncijfers"\n\n'
        f"{CBS_HEADER}\n\n"
        '"Groningen";"2024";"243768"\n;;\n'
        '"Almere";"2024";"226500"\n'
        '"Centraal Bureau voor de Statistiek, Den Haag/Heerlen"\n'
        '"* voorlopige cijfers";""\n'
    )
    parsed = parse_register_csv(text, KNOWN)
    assert [(row.line, row.cbs_code) for row in parsed.rows] == [(5, "GM0014"), (7, "GM0034")]
    assert [(s.line, s.reason) for s in parsed.skipped] == [(1, "title"), (8, "footer"), (9, "footer")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("243768", 243768),
        ("243.768", 243768),
        ("243 768", 243768),
        ("243\u00a0768", 243768),
        ("1.234.567", 1234567),
    ],
)
def test_population_forms(value: str, expected: int) -> None:
    parsed = parse_register_csv(f'{HEADER}\nGM0014,Groningen,"{value}"\n', KNOWN)
    assert parsed.rows[0].population == expected


@pytest.mark.parametrize(
    "value", ["12,5", "-3", "", "abc", "1e5", ".", "0", "24.37", "2437.680", "1.234 567", " 1 2"]
)
def test_bad_population(value: str) -> None:
    [(line, message)] = problems(f'{HEADER}\nGM0034,Almere,1\nGM0014,Groningen,"{value}"\n')
    assert line == 3
    assert message.startswith(f"bad population '{value.strip()}'")


def test_missing_value_mark_says_no_population() -> None:
    assert problems(f'{CBS_HEADER}\n"Groningen";"2024";"."\n') == [
        (2, "bad population '.': no population given")
    ]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("GM14", "unknown code 'GM14'"),
        ("0014", "unknown code '0014'"),
        ("GM9999", "unknown code 'GM9999': not in the register or the CBS list"),
    ],
)
def test_bad_codes(code: str, expected: str) -> None:
    [(line, message)] = problems(f"{HEADER}\n{code},Groningen,243768\n")
    assert line == 2
    assert message.startswith(expected)


def test_new_code_when_allowed_needs_a_name() -> None:
    text = f"{HEADER}\nGM9999,Nieuwstad,1200\nGM9998,,1300\n"
    assert problems(text, allow_new_codes=True) == [(3, "new code 'GM9998' needs a name")]
    parsed = parse_register_csv(text.replace(",,", ",Oudstad,"), KNOWN, allow_new_codes=True)
    assert [(row.cbs_code, row.name) for row in parsed.rows] == [
        ("GM9999", "Nieuwstad"),
        ("GM9998", "Oudstad"),
    ]


def test_name_that_cannot_be_placed() -> None:
    assert problems(f'{CBS_HEADER}\n"Atlantis";"2024";"1000"\n') == [
        (2, "cannot place municipality 'Atlantis'")
    ]


def test_ambiguous_name_lists_the_codes() -> None:
    with pytest.raises(RegisterImportError) as caught:
        parse_register_csv(
            "naam;aantal\nBergen (NH);5\n", {"GM0373": "Bergen (NH.)", "GM9000": "Bergen (N.H.)"}
        )
    assert (
        caught.value.problems[0].message
        == "cannot place municipality 'Bergen (NH)': the name fits GM0373, GM9000"
    )


def test_duplicate_names_the_earlier_line() -> None:
    text = f"{HEADER}\nGM0034,Almere,1\nGM0014,Groningen,2\n\nGM0014,Groningen,3\n"
    assert problems(text) == [(5, "duplicate of line 3: GM0014 appears twice")]


def test_same_municipality_under_two_spellings_is_a_duplicate() -> None:
    assert problems("Gemeente,Inwoners\n's-Gravenhage,1\nDen Haag,2\n") == [
        (3, "duplicate of line 2: GM0518 appears twice")
    ]


def test_several_periods_ask_for_one() -> None:
    text = f'{CBS_HEADER}\n"Groningen";"2023";"238147"\n"Groningen";"2024";"243768"\n'
    [(line, message)] = problems(text)
    assert line == 3
    assert "line 2" in message and "'2023' and '2024'" in message and "one period" in message


def test_wrong_number_of_fields() -> None:
    text = f"{HEADER}\nGM0014,Groningen,243768,extra\nGM0034,Almere,226500\nGM0037,32013\n"
    assert problems(text) == [(2, "expected 3 fields, found 4"), (4, "expected 3 fields, found 2")]


@pytest.mark.parametrize("text", ["", "\ufeff", "\n\n  \n", f"{HEADER}\n", f"{HEADER}\r\n\r\n"])
def test_empty_file_or_header_only(text: str) -> None:
    [(line, message)] = problems(text)
    assert line == 1
    assert message.startswith("no rows")


def test_only_non_municipalities_is_no_rows() -> None:
    [(line, message)] = problems(f'{CBS_HEADER}\n"Nederland";"2024";"17942942"\n')
    assert (line, message) == (
        1,
        "no rows: the file holds no municipalities (1 skipped: not municipalities or footer)",
    )


@pytest.mark.parametrize(
    ("header", "detected"),
    [
        ("cbs_code\tname\tpopulation", "separator tab detected"),
        ("cbs_code|name|population", "separator '|' detected"),
        ("Regio's;Perioden;Oppervlakte", "separator ';' detected"),
        ("code,naam", "separator ',' detected"),
        ("population", "no separator detected"),
    ],
)
def test_unreadable_header(header: str, detected: str) -> None:
    [(line, message)] = problems(f"{header}\nGM0014{header[8:9] or ','}Groningen,1\n")
    assert line == 1
    assert detected in message
    assert "expected a population column" in message and "Gemeentenaam" in message


def test_all_problems_are_reported_together() -> None:
    text = "\n".join(
        [
            HEADER,
            "GM0014,Groningen,243768",
            "GM0034,Almere,lots",
            "GM0037,Stadskanaal,32013",
            "XX,?,-1",
            "GM0014,,1",
        ]
    )
    with pytest.raises(RegisterImportError) as caught:
        parse_register_csv(text, KNOWN)
    error = caught.value
    assert [problem.line for problem in error.problems] == [3, 5, 5, 6]
    assert error.message == "3 lines could not be read"
    body = error.to_body()
    assert body["error"] == "invalid_register"
    assert body["errors"][0] == {
        "line": 3,
        "message": "bad population 'lots': expected a whole number such as 243768 or 243.768",
    }
    assert error.status == 422


def test_short_data_line_at_the_end_is_an_error_not_a_footer() -> None:
    assert problems(f'{CBS_HEADER}\n"Groningen";"2024";"243768"\n"Almere";"2024"\n') == [
        (3, "expected 3 fields, found 2")
    ]


@settings(max_examples=40, deadline=None)
@given(st.permutations(RECORDS[:40]))
def test_row_order_does_not_matter(records: list[dict[str, str]]) -> None:
    lines = [f'{row["cbs_code"]},"{row["name"]}",{row["population"]}' for row in records]
    parsed = parse_register_csv("\n".join([HEADER, *lines]), KNOWN)
    assert populations(parsed) == {row["cbs_code"]: int(row["population"]) for row in RECORDS[:40]}


def test_title_line_then_a_tab_header_blames_the_header_line() -> None:
    [(line, message)] = problems('"Bevolking"\nRegio\tBevolking\nGroningen\t243768\n')
    assert line == 2
    assert "separator tab detected" in message


def test_header_suffixes_and_density_columns() -> None:
    text = "Codering (code);Gemeentenaam (naam);Bevolking (aantal);Bevolkingsdichtheid (inwoners per km²)\n"
    parsed = parse_register_csv(text + "GM0014;Groningen;243768;1234\n", KNOWN)
    assert parsed.rows[0].population == 243768


def test_several_population_columns_are_refused() -> None:
    [(line, message)] = problems("Gemeente;Inwoners 2023;Inwoners 2024\nGroningen;1;2\n")
    assert line == 1
    assert "several population columns" in message


def test_unclosed_quote_is_named() -> None:
    text = f'{HEADER}\nGM0014,"Groningen,243768\nGM0034,Almere,226500\n'
    [(line, message)] = problems(text)
    assert line == 2
    assert "quote is not closed" in message


def test_the_reference_date_comes_from_its_column_or_the_cbs_year() -> None:
    """Issue 15 item 3: the day the population was counted, kept per row."""
    assert {row.reference_date for row in parse_register_csv(SHIPPED, KNOWN).rows} == {date(2024, 1, 1)}
    plain = parse_register_csv(f"{HEADER}\nGM0014,Groningen,243768\n", KNOWN)
    assert plain.rows[0].reference_date is None
    dated = parse_register_csv(
        f"{HEADER},reference_date\nGM0014,Groningen,243768,2023-01-01\nGM0034,Almere,226500,\n", KNOWN
    )
    assert [row.reference_date for row in dated.rows] == [date(2023, 1, 1), None]
    for period, expected in (("2024", date(2024, 1, 1)), ("2025JJ00", date(2025, 1, 1)), ("2024MM03", None)):
        cbs = parse_register_csv(f'{CBS_HEADER}\n"Groningen";"{period}";"243768"\n', KNOWN)
        assert cbs.rows[0].reference_date == expected, period


@pytest.mark.parametrize("value", ["1-1-2024", "20240101", "2024-02-30", "januari"])
def test_a_bad_reference_date_is_refused_with_its_line(value: str) -> None:
    assert problems(f"{HEADER},reference_date\nGM0014,Groningen,243768,{value}\n") == [
        (2, f"bad reference date '{value}': expected a date such as 2024-01-01")
    ]
