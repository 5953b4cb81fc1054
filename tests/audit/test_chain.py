"""The hash chain catches an altered, missing, inserted or reordered entry and names it."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import replace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from server.audit.chain import GENESIS, LogLine, build_chain, canonical, check_chain, entry_hash


def entries(count: int = 6) -> list[dict[str, Any]]:
    return [
        {"seq": i, "at": f"2025-06-18T10:00:0{i}Z", "type": "vote",
         "data": {"ballot": 7, "member": f"GM000{i}", "choice": "for", "vote_id": f"v-{i}"}}
        for i in range(1, count + 1)
    ]  # fmt: skip


def test_the_documented_byte_format() -> None:
    entry = {"type": "vote", "seq": 1, "data": {"member": "GM0518", "name": "'s-Gravenhage é"}, "at": "t"}
    assert (
        canonical(entry)
        == '{"at":"t","data":{"member":"GM0518","name":"\'s-Gravenhage é"},"seq":1,"type":"vote"}'.encode()
    )
    expected = hashlib.sha256(GENESIS.encode() + canonical(entry)).hexdigest()
    assert entry_hash(GENESIS, entry) == expected
    # The same entry written by another JSON library with other spacing and key order hashes alike.
    assert canonical(json.loads(json.dumps(entry, indent=4))) == canonical(entry)


def test_an_intact_chain_has_no_problems() -> None:
    assert check_chain(build_chain(entries())) == []


def test_an_altered_entry() -> None:
    chain = build_chain(entries())
    changed = dict(chain[2].entry, data=dict(chain[2].entry["data"], choice="against"))
    chain[2] = replace(chain[2], entry=changed)
    problems = check_chain(chain)
    assert [(p.line, p.seq) for p in problems] == [(3, 3)]
    assert "altered" in problems[0].message


def test_a_missing_entry() -> None:
    chain = build_chain(entries())
    del chain[3]
    problems = check_chain(chain)
    assert {p.seq for p in problems} == {5}
    assert any("missing" in p.message for p in problems)


def test_an_inserted_entry() -> None:
    chain = build_chain(entries())
    forged = LogLine(entry=dict(chain[1].entry, seq=3), prev_hash=chain[1].hash, hash="f" * 64)
    chain.insert(2, forged)
    problems = check_chain(chain)
    assert problems and problems[0].line == 3


def test_two_entries_swapped() -> None:
    chain = build_chain(entries())
    chain[1], chain[2] = chain[2], chain[1]
    problems = check_chain(chain)
    assert problems[0].line == 2 and {2, 3} <= {p.line for p in problems}
    assert any("out of order" in p.message or "missing" in p.message for p in problems)


@given(
    st.lists(
        st.dictionaries(st.text(min_size=1, max_size=5), st.integers() | st.text(max_size=8)), max_size=8
    )
)
def test_any_payloads_chain_and_verify(payloads: list[dict[str, Any]]) -> None:
    chain = build_chain(
        {"seq": i, "at": "t", "type": "x", "data": p} for i, p in enumerate(payloads, start=1)
    )
    assert check_chain(chain) == []
    if chain:
        assert chain[0].prev_hash == GENESIS
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(chain))
