"""Matching municipality names as people write them to the official CBS names.

Minutes, spreadsheets and CBS downloads spell the same municipality differently ("Den Haag" and
"'s-Gravenhage", "Bergen (NH)" and "Bergen (NH.)", "Groningen (gemeente)" and "Groningen").
Matching is deliberately conservative: a name is placed only through a normalized exact match or
an explicit alias, never by fuzzy similarity, so a wrong member can never silently get votes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u02bc": "'"})
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-"})
_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)")
_GEMEENTE_SUFFIX = " (gemeente)"

ALIASES: Mapping[str, str] = MappingProxyType(
    {
        # The eight spellings of the 29 November 2024 minutes (see data README).
        "Beek": "Beek (L.)",
        "Bergen NH": "Bergen (NH.)",
        "Den Haag": "'s-Gravenhage",
        "Hengelo": "Hengelo (O.)",
        "Laren": "Laren (NH.)",
        "Middelburg": "Middelburg (Z.)",
        "Rijswijk": "Rijswijk (ZH.)",
        "Stein": "Stein (L.)",
        # The same pattern without parentheses, for the other province-qualified names.
        "Bergen L": "Bergen (L.)",
        "Beek L": "Beek (L.)",
        "Hengelo O": "Hengelo (O.)",
        "Laren NH": "Laren (NH.)",
        "Middelburg Z": "Middelburg (Z.)",
        "Rijswijk ZH": "Rijswijk (ZH.)",
        "Stein L": "Stein (L.)",
        "Bergen (Noord-Holland)": "Bergen (NH.)",
        "Bergen (Limburg)": "Bergen (L.)",
        # Everyday names of municipalities whose official name is longer or older.
        "Den Bosch": "'s-Hertogenbosch",
        "Nuenen": "Nuenen, Gerwen en Nederwetten",
        "Tietjerksteradeel": "Tytsjerksteradiel",
    }
)


def normalize_name(name: str) -> str:
    """Reduce a name to the form under which spelling variants of one municipality compare equal.

    Case, spacing, apostrophe and dash variants, dots and spaces inside parentheses ("(N.H.)" is
    "(NH)"), and CBS's " (gemeente)" suffix (used where a municipality shares a province's name)
    do not distinguish municipalities, so they are erased.
    """
    text = unicodedata.normalize("NFC", name).translate(_APOSTROPHES).translate(_DASHES).casefold()
    text = " ".join(text.split())
    text = _PARENTHESIS.sub(lambda m: " (" + re.sub(r"[.\s]", "", m.group(1)) + ")", text).strip()
    return text.removesuffix(_GEMEENTE_SUFFIX)


class NameIndex:
    """Find a CBS code from an official name or an alias.

    A normalized name that fits more than one code (two register entries that normalize alike)
    is refused rather than guessed; `codes` tells the caller which codes it fits.
    """

    __slots__ = ("_aliases", "_by_name")

    def __init__(self, official: Mapping[str, str], aliases: Mapping[str, str] = ALIASES) -> None:
        by_name: dict[str, set[str]] = {}
        for code, name in official.items():
            by_name.setdefault(normalize_name(name), set()).add(code)
        self._by_name: dict[str, frozenset[str]] = {key: frozenset(codes) for key, codes in by_name.items()}
        self._aliases: dict[str, str] = {
            normalize_name(alias): normalize_name(target) for alias, target in aliases.items()
        }

    def codes(self, name: str) -> frozenset[str]:
        """Every code the name fits; an official name wins over an alias spelled the same."""
        key = normalize_name(name)
        found = self._by_name.get(key)
        if found is None and key in self._aliases:
            found = self._by_name.get(self._aliases[key])
        return found or frozenset()

    def lookup(self, name: str) -> str | None:
        """The single code the name fits, or None when it fits none or several."""
        found = self.codes(name)
        return next(iter(found)) if len(found) == 1 else None
