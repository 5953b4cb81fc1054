"""`votehall verify` catches every kind of tampering with an exported log and names the entry
(issue 5 acceptance), and needs nothing of the server but the pure rules."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from server.audit.chain import build_chain
from server.audit.verify import main as verify
from server.ballots.models import Ballot
from tests.audit.conftest import Played
from tests.servers import VOTEHALL


def run(log: str, tmp_path: Path, *args: str) -> tuple[int, str]:
    path = tmp_path / "audit.ndjson"
    path.write_text(log, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = verify([str(path), *args], out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def entries_of(log: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.splitlines()]


def dump(lines: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def rehash(lines: list[dict[str, Any]]) -> str:
    """A forger's log: the entries as edited, every hash recomputed so that the chain holds."""
    bare = [{k: v for k, v in line.items() if k not in ("prev_hash", "hash")} for line in lines]
    return dump([{**c.entry, "prev_hash": c.prev_hash, "hash": c.hash} for c in build_chain(bare)])


def find(lines: list[dict[str, Any]], type_: str, **data: Any) -> int:
    return next(
        i for i, line in enumerate(lines)
        if line["type"] == type_ and all(line["data"].get(k) == v for k, v in data.items())
    )  # fmt: skip


async def test_an_untouched_log_verifies_and_prints_every_result(played: Played, tmp_path: Path) -> None:
    code, output = run(await played.log(), tmp_path)
    assert code == 0, output
    assert "OK: the chain is intact" in output
    assert "voor 192, tegen 0, onthouding 1, uitgebracht 192" in output
    assert "aangenomen met 100,00% van de stemmen" in output
    assert "voor 76, tegen 117, onthouding 0, uitgebracht 193" in output
    assert "verworpen met 39,38% van de stemmen vóór" in output
    assert "bij acclamatie aangenomen (zonder stemming)" in output
    assert "ingetrokken (zonder stemming)" in output
    assert output.count("equals the server's result: yes") == 3  # two ballots and the test ballot


async def test_a_changed_choice_is_named(played: Played, tmp_path: Path) -> None:
    lines = entries_of(await played.log())
    i = find(lines, "vote", vote_id="a4")
    lines[i]["data"]["choice"] = "against"
    code, output = run(dump(lines), tmp_path)
    assert code == 1
    assert f"entry {lines[i]['seq']} was altered" in output


async def test_a_dropped_entry_is_named(played: Played, tmp_path: Path) -> None:
    lines = entries_of(await played.log())
    i = find(lines, "vote", vote_id="a4")
    dropped = lines.pop(i)["seq"]
    code, output = run(dump(lines), tmp_path)
    assert code == 1
    assert f"entry {dropped + 1} where {dropped} was due: missing entries before it" in output


async def test_an_inserted_entry_is_named(played: Played, tmp_path: Path) -> None:
    lines = entries_of(await played.log())
    i = find(lines, "vote", vote_id="a5")
    forged = json.loads(json.dumps(lines[i]))
    forged["data"].update(vote_id="zz", member="GM0003", choice="for")
    lines.insert(i + 1, forged)
    code, output = run(dump(lines), tmp_path)
    assert code == 1
    assert f"line {i + 2}: entry {forged['seq']} was altered" in output
    assert f"line {i + 2}: entry {forged['seq']} where {forged['seq'] + 1} was due: out of order" in output


async def test_two_swapped_entries_are_named(played: Played, tmp_path: Path) -> None:
    lines = entries_of(await played.log())
    i = find(lines, "vote", vote_id="a2")
    lines[i], lines[i + 1] = lines[i + 1], lines[i]
    code, output = run(dump(lines), tmp_path)
    assert code == 1
    second, first = lines[i]["seq"], lines[i + 1]["seq"]
    assert f"entry {second} where {first} was due" in output
    assert f"entry {first} where {second + 1} was due: out of order" in output


async def test_a_changed_weight_in_the_frozen_register_is_named(played: Played, tmp_path: Path) -> None:
    lines = entries_of(await played.log())
    i = find(lines, "meeting_opened")
    row = next(r for r in lines[i]["data"]["register"] if r["member"] == "GM0001")
    row["weight"] = 80
    code, output = run(dump(lines), tmp_path)
    assert code == 1
    seq = lines[i]["seq"]
    assert f"entry {seq} was altered" in output
    assert (
        f"entry {seq}: the frozen register gives GM0001 the weight 80, but a population of 150,500 makes 75"
        in output
    )
    # A forger who also recomputes every hash still breaks the rule of SPEC 2.1.
    code, output = run(rehash(lines), tmp_path)
    assert code == 1
    assert "was altered" not in output
    assert f"entry {seq}: the frozen register gives GM0001 the weight 80" in output


async def test_a_rehashed_log_with_another_vote_breaks_the_stated_result(
    played: Played, tmp_path: Path
) -> None:
    lines = entries_of(await played.log())
    lines[find(lines, "vote", vote_id="a4")]["data"]["choice"] = "against"
    code, output = run(rehash(lines), tmp_path)
    assert code == 1
    close = lines[find(lines, "ballot_closed", ballot=played.ballots["first"])]["seq"]
    assert (
        f"entry {close}: states a result of ballot {played.ballots['first']} that its votes do not give"
        in output
    )
    assert "against 0 where the votes give 42" in output


async def test_a_wholly_forged_log_misses_the_hash_written_down_at_the_close(
    played: Played, tmp_path: Path
) -> None:
    """Votes and result changed together and every hash recomputed: only an anchor kept outside
    the server (the hash the chair's screen showed, or the published record) catches it."""
    lines = entries_of(await played.log())
    first = played.ballots["first"]
    lines[find(lines, "vote", vote_id="a3")]["data"]["choice"] = "against"
    close = lines[find(lines, "ballot_closed", ballot=first)]
    close["data"]["result"].update({"against": 1, "abstain": 0, "cast": 193, "percent_for": "99.48"})
    forged = rehash(lines)
    assert run(forged, tmp_path)[0] == 0
    async with played.live.database.transaction(readonly=True) as session:
        written_down = await session.scalar(select(Ballot.close_hash).where(Ballot.id == first))
    assert written_down is not None
    code, output = run(forged, tmp_path, "--head", written_down)
    assert code == 1
    assert f"the written-down hash {written_down[:16]}… is not in this log" in output
    code, output = run(await played.log(), tmp_path, "--head", written_down)
    assert code == 0 and f"written-down hash {written_down[:16]}…: entry" in output
    # The first block of eight, as a committee member might copy it: asked for the whole hash.
    code, output = run(await played.log(), tmp_path, "--head", written_down[:8])
    assert code == 1 and "has 8 characters; give all 64" in output


async def test_a_receipt_is_found_in_the_log(played: Played, tmp_path: Path) -> None:
    receipt = played.acks["a4"].receipt
    code, output = run(await played.log(), tmp_path, "--receipt", receipt[:10])
    assert code == 0, output
    assert f"receipt {receipt[:10]}: entry" in output and '"vote_id": "a4"' in output
    code, output = run(await played.log(), tmp_path, "--receipt", "0123456789")
    assert code == 1 and "receipt 0123456789: no entry matches" in output
    code, output = run(await played.log(), tmp_path, "--receipt", receipt[:5])
    assert code == 1 and "give at least 8 characters" in output


def test_an_unreadable_log_exits_2(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert verify([str(tmp_path / "missing.ndjson")], out=out, err=err) == 2
    assert "could not read" in err.getvalue()
    (tmp_path / "junk.ndjson").write_text("not json\n")
    out = io.StringIO()
    assert verify([str(tmp_path / "junk.ndjson")], out=out, err=err) == 1
    assert "line 1 is not a log entry" in out.getvalue()


async def test_the_command_imports_no_database_code(played: Played, tmp_path: Path) -> None:
    """`votehall verify` runs on the pure rules only (issue 5 item 4)."""
    path = tmp_path / "audit.ndjson"
    path.write_text(await played.log(), encoding="utf-8")
    probe = (
        "import sys, runpy; sys.argv = ['votehall', 'verify', sys.argv[1]];\n"
        "from server.entry import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'fastapi', 'asyncpg', 'aiosqlite')"
        " or m in ('server.db', 'server.cli', 'server.app'))\n"
        "print('CODE', code, 'IMPORTED', bad)\n"
    )
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", probe, str(path)], capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )  # fmt: skip
    assert "CODE 0 IMPORTED []" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("args", [["--help"]])
def test_votehall_verify_is_a_command(args: list[str]) -> None:
    result = subprocess.run([VOTEHALL, "verify", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--head" in result.stdout


async def test_a_vote_with_a_revoked_pass_is_named_even_when_rehashed(played: Played, tmp_path: Path) -> None:
    lines = entries_of(await played.log())
    handed = lines[find(lines, "pass_issued", member="GM0004", role="wethouder")]
    old_pass = handed["data"]["replaces"]
    i = find(lines, "vote", vote_id="b4")
    lines[i]["data"]["pass"] = old_pass
    code, output = run(rehash(lines), tmp_path)
    assert code == 1
    assert (
        f"entry {lines[i]['seq']}: is a vote of GM0004 with pass {old_pass}, which is not an active pass of it"
        in output
    )
