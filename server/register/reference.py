"""The CBS register shipped with the package (1 January 2024), the reference for name matching."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from server.register.importing import ParsedRegister, parse_register_csv

SHIPPED_REGISTER = "gemeenten_population.csv"


def shipped_register_text() -> str:
    return files("server.data").joinpath(SHIPPED_REGISTER).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def shipped_register() -> ParsedRegister:
    return parse_register_csv(shipped_register_text(), {}, allow_new_codes=True)


def reference_names() -> dict[str, str]:
    """CBS code -> official name for every municipality of the shipped register."""
    return {row.cbs_code: row.name for row in shipped_register().rows}
