"""The journal's fast canonical form is the documented one, byte for byte."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from server.audit.chain import canonical
from server.audit.journal import fast_canonical, timestamp

TEXT = st.text(st.characters(exclude_categories=["Cs"]))  # no lone surrogates: not UTF-8
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


def test_every_code_point_is_written_as_the_standard_library_writes_it() -> None:
    for start in range(0, 0x110000, 0x1000):
        text = "".join(chr(c) for c in range(start, start + 0x1000) if not 0xD800 <= c <= 0xDFFF)
        entry: dict[str, Any] = {"data": {text: text, "k": [text]}, "seq": 1}
        assert fast_canonical(entry) == canonical(entry), hex(start)


@given(st.dictionaries(TEXT, VALUES, max_size=6))
def test_any_entry_is_written_as_the_standard_library_writes_it(entry: dict[str, Any]) -> None:
    assert fast_canonical(entry) == canonical(entry)


def test_integers_beyond_64_bits_take_the_standard_path() -> None:
    entry = {"data": {"n": 2**70}}
    assert fast_canonical(entry) == canonical(entry) == b'{"data":{"n":1180591620717411303424}}'


def test_times_are_utc_to_the_millisecond() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    moment = datetime(2026, 11, 26, 17, 54, 54, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert timestamp(moment) == "2026-11-26T16:54:54.123Z"
    assert timestamp(moment.astimezone(UTC)) == "2026-11-26T16:54:54.123Z"
