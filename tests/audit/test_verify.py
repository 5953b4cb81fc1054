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

from server.audit.chain import LogLine, build_chain, export_form
from server.audit.replay import Replay
from server.audit.verify import Report, find_receipt
from server.audit.verify import main as verify
from server.ballots.models import Ballot
from tests.audit.conftest import Played
from tests.servers import VOTEHALL


def run(log: str, tmp_path: Path, *args: str) -> tuple[int, str]:
    """verify on a log written to a file; in English unless `args` ask for a language."""
    path = tmp_path / "audit.ndjson"
    path.write_bytes(log.encode("utf-8", "surrogatepass"))
    out, err = io.StringIO(), io.StringIO()
    language = [] if any(arg.startswith("--lang") for arg in args) else ["--lang", "en"]
    code = verify([str(path), *language, *args], out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def entries_of(log: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.splitlines()]


def dump(lines: list[dict[str, Any]]) -> str:
    """The lines in the server's canonical form (as edited: their hashes are not recomputed)."""
    return "".join(export_form(line_of(line)).decode("utf-8") + "\n" for line in lines)


def line_of(line: dict[str, Any]) -> LogLine:
    entry = {k: v for k, v in line.items() if k not in ("prev_hash", "hash")}
    return LogLine(entry=entry, prev_hash=line["prev_hash"], hash=line["hash"])


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
    assert "for 192, against 0, abstain 1, cast 192" in output
    assert "adopted with 100.00% of the votes" in output
    assert "for 76, against 117, abstain 0, cast 193" in output
    assert "rejected with 39.38% of the votes in favour" in output
    assert "adopted by acclamation (without a vote)" in output
    assert "withdrawn (without a vote)" in output
    assert output.count("equals the server's result: yes") == 3  # two ballots and the test ballot


async def test_verify_speaks_dutch_by_default_and_english_when_asked(played: Played, tmp_path: Path) -> None:
    """One language per run (issue 13 item 9): no English word in a Dutch run, none the other way."""
    log = await played.log()
    receipt = played.acks["a2"].receipt[:10] + "…"
    path = tmp_path / "audit.ndjson"
    path.write_text(log, encoding="utf-8")
    out = io.StringIO()
    assert verify([str(path), "--receipt", receipt], out=out, err=out) == 0
    dutch = out.getvalue()
    assert "OK: de keten is intact en elke uitslag volgt uit de stemmen" in dutch
    assert (
        "voor 192, tegen 0, onthouding 1, uitgebracht 192, 4 leden stemden; 100,00% voor: aangenomen" in dutch
    )
    assert "verworpen met 39,38% van de stemmen vóór" in dutch
    assert "bij acclamatie aangenomen (zonder stemming)" in dutch
    assert "stemming 3 (3, voorstel, proefstemming)" in dutch
    assert "deze stem is later vervangen door gebeurtenis" in dutch
    english = (
        "ballot",
        "meeting",
        "equals",
        "decided",
        "for ",
        "against",
        "receipt",
        "vote ",
        "the ",
        "chain",
    )
    assert [word for word in english if word in dutch.lower()] == []
    code, output = run(log, tmp_path, "--lang", "en", "--receipt", receipt)
    assert code == 0
    dutch_words = ("stemming 1", "vergadering", "besloten", "voor ", "tegen", "bewijs", "aangenomen", "keten")
    assert [word for word in dutch_words if word in output.lower()] == []
    # Problems and warnings too, and the help.
    lines = entries_of(log)
    lines[find(lines, "vote", vote_id="a4")]["data"]["choice"] = "against"
    code, output = run(rehash(lines[:-3]), tmp_path, "--lang", "nl")
    assert code == 1
    assert "AFGEKEURD" in output and "noemt een uitslag van stemming 1 die de stemmen niet geven" in output
    assert "tegen 0 waar de stemmen 42 geven" in output
    assert "waarschuwing: het log eindigt bij gebeurtenis" in output
    assert [word for word in english if word in output.lower()] == []


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
    assert f"receipt {receipt[:10]}: entry" in output and "a vote of GM0002 on ballot 1: for" in output
    assert "this vote counts: it is the member's last vote on the ballot" in output
    code, output = run(await played.log(), tmp_path, "--receipt", "0123456789")
    assert code == 1 and "receipt 0123456789: no entry matches" in output
    code, output = run(await played.log(), tmp_path, "--receipt", receipt[:5])
    assert code == 1 and "give at least 8 characters" in output


@pytest.mark.parametrize("shown", ["{}…", "{}...", " {} … ", "{}…".upper()])
async def test_a_receipt_as_the_handheld_shows_it(played: Played, tmp_path: Path, shown: str) -> None:
    """kiosk/view.js shows the first ten characters and kiosk.css adds "…" after them."""
    receipt = played.acks["a5"].receipt
    code, output = run(await played.log(), tmp_path, "--receipt", shown.format(receipt[:10]))
    assert code == 0, output
    assert f"receipt {receipt[:10]}: entry" in output and "a vote of GM0004 on ballot 1: for" in output


async def test_a_replaced_vote_names_the_entry_that_replaced_it(played: Played, tmp_path: Path) -> None:
    log = await played.log()
    lines = entries_of(log)
    later = find(lines, "vote", vote_id="a4")
    code, output = run(log, tmp_path, "--receipt", played.acks["a2"].receipt[:10] + "…")
    assert code == 0, output
    assert "a vote of GM0002 on ballot 1: against" in output
    assert f"this vote was later replaced by entry {lines[later]['seq']} (line {later + 1}): for" in output
    assert "this vote counts" not in output


def test_an_ambiguous_receipt_says_so_and_picks_none() -> None:
    """Two vote entries whose hashes begin alike (1 in 16^10 for the ten characters the handheld
    shows, so made up here): the command names both and asks for more characters."""
    votes = [
        LogLine(
            entry={
                "seq": seq,
                "at": "",
                "type": "vote",
                "data": {"ballot": 1, "member": "GM0001", "choice": "for"},
            },
            prev_hash="0" * 64,
            hash="3fa9c1d2e0" + letter * 54,
        )
        for seq, letter in ((4, "a"), (9, "b"))
    ]
    report = Report()
    find_receipt("3fa9c1d2e0…", votes, [4, 9], Replay(), report)
    assert [p.text("en") for p in report.problems] == [
        "receipt 3fa9c1d2e0: 2 entries match (4, 9); give more characters"
    ]
    assert report.notes == []
    report = Report()
    find_receipt("3fa9c1d2e0b", votes, [4, 9], Replay(), report)
    assert report.problems == [] and "entry 9, a vote of GM0001" in report.notes[0].text("en")


def test_an_unreadable_log_exits_2(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert verify([str(tmp_path / "missing.ndjson"), "--lang", "en"], out=out, err=err) == 2
    assert "could not read" in err.getvalue() and "there is no such file" in err.getvalue()
    err = io.StringIO()
    assert verify([str(tmp_path / "missing.ndjson")], out=out, err=err) == 2
    assert "fout: kon" in err.getvalue() and "niet lezen: dat bestand bestaat niet" in err.getvalue()
    (tmp_path / "junk.ndjson").write_text("not json\n")
    out = io.StringIO()
    assert verify([str(tmp_path / "junk.ndjson"), "--lang", "en"], out=out, err=err) == 1
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


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--help"], ["gebruik: votehall verify", "opties", "de taal van de uitvoer", "toon deze hulp"]),
        (
            ["--lang", "en", "--help"],
            ["usage: votehall verify", "options", "the language of the output", "show this"],
        ),
    ],
)
def test_votehall_verify_is_a_command(args: list[str], expected: list[str]) -> None:
    result = subprocess.run([VOTEHALL, "verify", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--head" in result.stdout
    assert all(text in result.stdout for text in expected), result.stdout
    other = "show this" if args == ["--help"] else "toon deze"
    assert other not in result.stdout, "one language per run"


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
