"""The `votehall` command as an operator runs it: real processes, a real SQLite file, a real server."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from alembic.script import ScriptDirectory

from server.migrate import alembic_config
from server.register.reference import shipped_register_text
from server.secret.keys import fingerprint_display, read_committee_public

COMMANDS = ["migrate", "serve", "demo", "token", "members", "meetings", "ballots"]
SHIPPED_AGENDA = Path(__file__).parents[1] / "server" / "data" / "alv_2025-06-18_agenda.json"
# The shipped agenda's item 12 has two vacancies: `meetings create` makes them ballots 1 and 2.
VACANCY_BALLOTS = 2


def votehall(
    *args: str, env: dict[str, str] | None = None, check: bool = True, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "server", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        timeout=60,
        cwd=cwd,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(*args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run `votehall serve` on a free port until the block ends; yields its base URL."""
    port = free_port()
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--port", str(port), *args],
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    raise AssertionError(f"the server exited: {log.read()}")
                try:
                    httpx.get(f"{base}/openapi.json", timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise AssertionError("the server did not answer within 30 s") from None
                    time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_help_documents_every_command() -> None:
    text = votehall("--help").stdout
    for command in COMMANDS:
        assert command in text
    for group, sub in [("token", "create"), ("members", "import"), ("meetings", "open")]:
        assert sub in votehall(group, "--help").stdout


def test_import_token_and_serve(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hall.db'}"
    env = {"VOTEHALL_DATABASE_URL": url}
    register = tmp_path / "register.csv"
    register.write_text(shipped_register_text(), encoding="utf-8")
    assert "imported 342 members" in votehall("members", "import", str(register), env=env).stdout
    token = votehall("token", "create", "--role", "admin", env=env).stdout.strip()
    assert token.startswith("vht_")

    with serving(env=env) as base:
        answer = httpx.get(f"{base}/api/members", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200
        assert sum(m["weight"] for m in answer.json()) == 13_111


def test_serve_migrates_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    with serving("--database-url", f"sqlite:///{path}"):
        with sqlite3.connect(path) as connection:
            (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            tables = {
                row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            (journal,) = connection.execute("PRAGMA journal_mode").fetchone()
        connection.close()
    assert version == ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert {"members", "meetings", "ballots", "votes", "passes", "operator_tokens"} <= tables
    assert journal == "wal"


def test_bad_import_file_exits_non_zero_with_line_numbers(tmp_path: Path) -> None:
    env = {"VOTEHALL_DATABASE_URL": f"sqlite:///{tmp_path / 'hall.db'}"}
    bad = tmp_path / "bad.csv"
    bad.write_text("cbs_code,name,population\nGM0014,Groningen,veel\nGM0014,Groningen,1\n", encoding="utf-8")
    result = votehall("members", "import", str(bad), env=env, check=False)
    assert result.returncode == 1
    assert "line 2" in result.stderr and "line 3" in result.stderr


def test_an_unknown_meeting_names_the_database_read(tmp_path: Path) -> None:
    """A command run beside the demo reads ./votehall.db, not the demo's file: it says which."""
    url = f"sqlite:///{tmp_path / 'other.db'}"
    result = votehall("meetings", "close", "1", env={"VOTEHALL_DATABASE_URL": url}, check=False)
    assert result.returncode == 1
    assert "there is no meeting 1" in result.stderr
    assert str(tmp_path / "other.db") in result.stderr and "VOTEHALL_DATABASE_URL" in result.stderr


def test_meeting_from_agenda_file(tmp_path: Path) -> None:
    env = {"VOTEHALL_DATABASE_URL": f"sqlite:///{tmp_path / 'hall.db'}"}
    register = tmp_path / "register.csv"
    register.write_text(shipped_register_text(), encoding="utf-8")
    votehall("members", "import", str(register), env=env)
    agenda = Path(__file__).parents[1] / "server" / "data" / "alv_2025-06-18_agenda.json"
    assert "no meetings yet" in votehall("meetings", "list", env=env).stdout
    assert "meeting 1 created" in votehall("meetings", "create", str(agenda), env=env).stdout
    assert votehall("meetings", "list", env=env).stdout.split()[:3] == ["1", "2025-06-18", "draft"]
    twice = votehall("meetings", "create", str(agenda), env=env, check=False)  # a step run twice
    assert twice.returncode == 1 and "meeting 1 has this title and date already" in twice.stderr
    assert "meeting 2 created" in votehall("meetings", "create", str(agenda), "--again", env=env).stdout
    assert "meeting 1 is open" in votehall("meetings", "open", "1", env=env).stdout
    # Item 12's vacancies: an uncontested slate and a contested vacancy, both secret (SPEC 2.9, 2.10).
    listed = votehall("ballots", "list", "1", env=env).stdout.splitlines()
    assert [line.split()[:5] for line in listed if not line.startswith("      ")] == [
        ["1", "12", "benoeming", "draft", "secret"],
        ["2", "12", "benoeming", "draft", "secret"],
    ]
    assert listed[1:] == [
        "   2  12     benoeming    draft        secret  Lid VNG-bestuur",
        "      round first",
        "      candidate 1: Femke Dijkstra (wethouder, Leeuwarden)",
        "      candidate 2: Joost van Wijngaarden (burgemeester, Oss)",
        "      candidate 3: Samira El Idrissi (wethouder, Tilburg)",
    ]
    again = votehall("meetings", "open", "1", env=env, check=False)
    assert again.returncode == 1
    assert "cannot open a meeting that is open" in again.stderr


def test_ballots_are_prepared_from_the_command_line(tmp_path: Path) -> None:
    env = {"VOTEHALL_DATABASE_URL": f"sqlite:///{tmp_path / 'hall.db'}"}
    register = tmp_path / "register.csv"
    register.write_text(shipped_register_text(), encoding="utf-8")
    votehall("members", "import", str(register), env=env)
    agenda = Path(__file__).parents[1] / "server" / "data" / "alv_2025-06-18_agenda.json"
    votehall("meetings", "create", str(agenda), env=env)
    first = VACANCY_BALLOTS + 1
    ballot = ["ballots", "create", "1", "--agenda", "8a"]
    proposal = votehall(*ballot, "--title", "Begroting 2026", "--kind", "voorstel", env=env).stdout
    assert proposal.strip() == f"ballot {first} created"
    amendment = ["--title", "Amendement A", "--kind", "amendement", "--amends", str(first), "--submitter",
                 "GM0363"]  # fmt: skip
    assert f"ballot {first + 1} created" in votehall(*ballot, *amendment, env=env).stdout
    motion = ["--title", "Motie B", "--kind", "motie", "--preadvies", "ontraden", "--majority", "two_thirds"]
    assert f"ballot {first + 2} created" in votehall(*ballot, *motion, env=env).stdout
    listed = votehall("ballots", "list", "1", env=env).stdout.splitlines()
    assert _rows(listed, "8a") == [
        [str(first + 1), "8a", "amendement", "draft"],  # amendments first within an item (SPEC 2.8)
        [str(first), "8a", "voorstel", "draft"],
        [str(first + 2), "8a", "motie", "draft"],
    ]
    # Bad input: a clear message and a non-zero exit, nothing created.
    unknown = votehall(
        *ballot, "--title", "x", "--kind", "amendement", "--amends", "99", env=env, check=False
    )
    assert unknown.returncode == 1 and "ballot 99" in unknown.stderr
    too_long = votehall(
        "ballots",
        "create",
        "1",
        "--agenda",
        "x" * 21,
        "--title",
        "x",
        "--kind",
        "motie",
        env=env,
        check=False,
    )
    assert too_long.returncode == 2 and "--agenda" in too_long.stderr
    assert len(_rows(votehall("ballots", "list", "1", env=env).stdout.splitlines(), "8a")) == 3


def _rows(listed: list[str], item: str) -> list[list[str]]:
    """The first four columns (id, item, kind, status) of `ballots list`'s rows of agenda `item`."""
    rows = [line.split() for line in listed if not line.startswith("      ")]
    return [row[:4] for row in rows if row[1] == item]


def test_a_meeting_is_corrected_and_closed_from_the_command_line(tmp_path: Path) -> None:
    """SPEC 2.7 and 2.11 at the console: edit, delete, void, re-vote, and close with undecided ballots."""
    env = {"VOTEHALL_DATABASE_URL": f"sqlite:///{tmp_path / 'votehall.db'}"}
    register = Path(__file__).parents[1] / "server" / "data" / "gemeenten_population.csv"
    votehall("members", "import", str(register), env=env)
    agenda = Path(__file__).parents[1] / "server" / "data" / "alv_2025-06-18_agenda.json"
    votehall("meetings", "create", str(agenda), env=env)
    assert _rows(votehall("ballots", "list", "1", env=env).stdout.splitlines(), "8a") == []
    first, second = VACANCY_BALLOTS + 1, VACANCY_BALLOTS + 2
    ballot = ["ballots", "create", "1", "--agenda", "8a", "--kind", "voorstel"]
    votehall(*ballot, "--title", "Begroting 2O26", env=env)
    votehall(*ballot, "--title", "Dubbel", env=env)
    edited = votehall(
        "ballots", "edit", str(first), "--title", "Begroting 2026", "--majority", "two_thirds", env=env
    )
    assert edited.stdout.strip() == f"ballot {first} edited: Begroting 2026"
    nothing = votehall("ballots", "edit", str(first), env=env, check=False)
    assert nothing.returncode == 2 and "at least one option" in nothing.stderr
    assert votehall("ballots", "delete", str(second), env=env).stdout.strip() == f"ballot {second} deleted"
    listed = votehall("ballots", "list", "1", env=env).stdout.splitlines()
    assert _rows(listed, "8a") == [[str(first), "8a", "voorstel", "draft"]]

    votehall("meetings", "open", "1", env=env)
    refused = votehall("ballots", "void", str(first), "--reason", "storing", env=env, check=False)
    assert refused.returncode == 1 and "cannot void a ballot that is draft" in refused.stderr
    undecided = votehall("meetings", "close", "1", env=env, check=False)
    assert undecided.returncode == 1 and "8a 'Begroting 2026'" in undecided.stderr
    closed = votehall("meetings", "close", "1", "--confirm", env=env)
    assert "meeting 1 is closed; closing entry" in closed.stdout
    blocks = closed.stdout.splitlines()[-1].split()
    assert len(blocks) == 8 and all(len(block) == 8 for block in blocks)
    listed = votehall("ballots", "list", "1", env=env).stdout.splitlines()
    assert _rows(listed, "8a") == [[str(first), "8a", "voorstel", "not_decided"]]
    votehall("meetings", "export", "1", str(tmp_path / "meeting.json"), env=env)
    document = json.loads((tmp_path / "meeting.json").read_text(encoding="utf-8"))
    corrections = [entry for entry in document["log"] if entry["type"] in ("ballot_edited", "ballot_deleted")]
    assert [entry["data"]["operator"] for entry in corrections] == [
        {"token": None, "label": "votehall command line"}
    ] * 2


@pytest.mark.parametrize("url", ["postgres://x@h/db", "postgresql://x@h/db"])
def test_database_url_spellings(url: str) -> None:
    from server.config import Settings

    assert Settings(database_url=url).database_url.startswith("postgresql+asyncpg://")


@contextmanager
def demo_running(tmp_path: Path, port: int, *args: str) -> Iterator[tuple[str, str]]:
    """`votehall demo` in `tmp_path` until the block ends; yields its base URL and what it printed."""
    out = tmp_path / f"demo-{port}.txt"
    with out.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "server", "demo", "--port", str(port), *args],
            cwd=tmp_path,
            env={**os.environ, "COLUMNS": "200"},
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, out.read_text()
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the demo did not answer within 60 s"
            time.sleep(0.1)
        yield base, out.read_text()
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_demo_prints_working_addresses_and_tokens_and_runs_again(tmp_path: Path) -> None:
    port = free_port()
    with demo_running(tmp_path, port) as (base, printed):
        tokens = dict(re.findall(r"^  (admin|desk|chair) +(vht_\S+)$", printed, re.MULTILINE))
        pairing = re.search(r"/kiosk#pair=(\S+)", printed)
        card = re.search(r"voting card\s+(VHC\w+)", printed)
        assert set(tokens) == {"admin", "desk", "chair"} and pairing and card, printed
        for page in ("/", "/display", "/display/overlay", "/chair", "/desk", "/kiosk", "/docs"):
            assert f"{base}{page}" in printed
            assert httpx.get(f"{base}{page}").status_code == 200, page
        present = httpx.get(f"{base}/api/feed").json()["present"]
        assert (present["members"], present["of_members"]) == (271, 342)
        chair = {"Authorization": f"Bearer {tokens['chair']}"}
        ballots = httpx.get(f"{base}/api/meetings/1/ballots", headers=chair).json()
        # One per decision item, in agenda order; item 12's vacancies one each, secret (SPEC 2.9).
        assert [b["id"] for b in ballots] == list(range(1, 16))
        appointments = [b for b in ballots if b["kind"] == "benoeming"]
        assert [(b["agenda"], b["secret"], len(b["candidates"])) for b in appointments] == [
            ("12", True, 0),
            ("12", True, 3),
        ]
        fingerprint = committee_key_of_the_demo(tmp_path, printed)
        meeting = httpx.get(f"{base}/api/meetings/1", headers=chair).json()
        assert meeting["committee_fingerprint"] == fingerprint_display(fingerprint)
        assert httpx.post(f"{base}/api/kiosk/pair", json={"pairing_code": pairing[1]}).status_code == 200
        checkin = httpx.post(
            f"{base}/api/meetings/1/checkins",
            headers={"Authorization": f"Bearer {tokens['desk']}"},
            json={"card": card[1], "representative": {"name": "A. Nieuw", "role": "wethouder"}},
        )
        assert checkin.status_code == 201, checkin.text

        # A second demo while the first serves: one line saying why, not a traceback, and the
        # running demo keeps its database.
        again = votehall("demo", "--port", str(free_port()), check=False, cwd=tmp_path)
        assert again.returncode == 1 and "still serving" in again.stdout, again.stdout + again.stderr
        taken = votehall("demo", "--port", str(port), "--database", "other.db", check=False, cwd=tmp_path)
        assert taken.returncode == 1 and "cannot listen" in taken.stdout, taken.stdout + taken.stderr
        assert "Traceback" not in again.stderr + taken.stderr
        assert httpx.get(f"{base}/api/feed").json()["present"]["members"] == 272

    with demo_running(tmp_path, port) as (base, printed):  # starts over: the check-in above is gone
        assert httpx.get(f"{base}/api/feed").json()["present"]["members"] == 271
        assert committee_key_of_the_demo(tmp_path, printed) != fingerprint  # and a new key


def committee_key_of_the_demo(directory: Path, printed: str) -> str:
    """The fingerprint of the committee's key pair the demo made beside its database, checked:
    the private key readable by its owner only, and the banner saying where it lies and how the
    committee unlocks a ballot with it."""
    from server.secret.keys import parse_committee_private

    committee = directory / "votehall-demo-committee"
    private = committee / "committee.key"
    assert private.stat().st_mode & 0o777 == 0o600
    public = read_committee_public((committee / "committee.pub").read_text(encoding="ascii"))
    assert parse_committee_private(private.read_text(encoding="ascii")).public == public
    assert "in votehall-demo-committee/" in printed and fingerprint_display(public.fingerprint) in printed
    assert re.search(
        r"votehall committee unlock --ballot <id> --key votehall-demo-committee/committee\.key "
        r"--url http://127\.0\.0\.1:\d+ --token <chair token>",
        printed,
    ), printed
    return public.fingerprint


def test_migrate_does_not_print_the_database_password() -> None:
    """A password in VOTEHALL_DATABASE_URL (compose.yaml has one) stays off the terminal."""
    base = os.environ.get("VOTEHALL_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    url = base.replace("://postgres@", "://postgres:never-print-this-pw@")  # trust auth ignores it
    result = votehall("migrate", "--database-url", url)
    assert "schema up to date" in result.stdout
    assert "never-print-this-pw" not in result.stdout + result.stderr


def test_serve_on_a_taken_port_says_so_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"VOTEHALL_DATABASE_URL": f"sqlite:///{tmp_path / 'hall.db'}"}
        result = votehall("serve", "--port", str(port), env=env, check=False)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def _agenda_with_vacancies(
    tmp_path: Path, vacancies: list[dict[str, object]], kind: str = "benoeming"
) -> Path:
    agenda = {
        "meeting": {"title": "ALV", "date": "2026-06-18"},
        "items": [
            {"number": "1", "title": "Opening"},
            {"number": "12", "title": "Vacatures", "decision": True, "kind": kind, "vacancies": vacancies},
        ],
    }
    path = tmp_path / f"agenda-{len(list(tmp_path.iterdir()))}.json"
    path.write_text(json.dumps(agenda), encoding="utf-8")
    return path


def test_elections_from_the_agenda_file_and_the_command_line(tmp_path: Path) -> None:
    """Issue 14: a benoeming item's vacancies become draft ballots; `ballots create` takes
    candidates, secrecy and the round an election follows; `ballots list` shows them."""
    env = {"VOTEHALL_DATABASE_URL": f"sqlite:///{tmp_path / 'hall.db'}"}
    vacancies = [
        {"title": "Leden van het bestuur", "secret": False},
        {"title": "Penningmeester", "candidates": [{"name": "Dirk Delta"}]},
        {"title": "Voorzitter", "candidates": [{"name": "Anna Alfa", "note": "Aa en Hunze"}, {"name": "Bert Beta"}],
         "secret": True},
    ]  # fmt: skip
    assert (
        "meeting 1 created"
        in votehall("meetings", "create", str(_agenda_with_vacancies(tmp_path, vacancies)), env=env).stdout
    )
    listed = votehall("ballots", "list", "1", env=env).stdout.splitlines()
    assert [line.split() for line in listed] == [
        ["1", "12", "benoeming", "draft", "public", "Leden", "van", "het", "bestuur"],
        ["2", "12", "benoeming", "draft", "secret", "Penningmeester"],  # unsaid: a benoeming is secret
        ["round", "single"],
        ["candidate", "1:", "Dirk", "Delta"],
        ["3", "12", "benoeming", "draft", "secret", "Voorzitter"],
        ["round", "first"],
        ["candidate", "2:", "Anna", "Alfa", "(Aa", "en", "Hunze)"],
        ["candidate", "3:", "Bert", "Beta"],
    ]

    ballot = [
        "ballots",
        "create",
        "1",
        "--agenda",
        "12",
        "--kind",
        "benoeming",
        "--title",
        "Voorzitter, tweede ronde",
    ]
    later = ["--round-of", "3", "--round", "second", "--secret", "--candidate", "Anna Alfa | Aa en Hunze",
             "--candidate", "Bert Beta"]  # fmt: skip
    assert votehall(*ballot, *later, env=env).stdout.strip() == "ballot 4 created"
    listed = votehall("ballots", "list", "1", env=env).stdout.splitlines()
    assert listed[-4:] == [
        "   4  12     benoeming    draft        secret  Voorzitter, tweede ronde",
        "      round second after ballot 3",
        "      candidate 4: Anna Alfa (Aa en Hunze)",
        "      candidate 5: Bert Beta",
    ]
    twice = votehall(*ballot, "--candidate", "Anna", "--candidate", "anna", env=env, check=False)
    assert twice.returncode == 1 and "named twice" in twice.stderr

    bad = [{"title": "Voorzitter", "candidates": [{"name": "Anna Alfa"}, {"name": "Anna Alfa"}]}]
    refused = votehall(
        "meetings", "create", str(_agenda_with_vacancies(tmp_path, bad)), "--again", env=env, check=False
    )
    assert refused.returncode == 1 and "agenda item 12, vacancy 'Voorzitter'" in refused.stderr
    wrong = votehall(
        "meetings", "create", str(_agenda_with_vacancies(tmp_path, vacancies, "voorstel")), "--again", env=env,
        check=False,
    )  # fmt: skip
    assert wrong.returncode == 2 and "agenda item 12: vacancies belong to a benoeming item" in wrong.stderr
    assert votehall("meetings", "list", env=env).stdout.count("ALV") == 1  # nothing else was created


def test_election_rounds_are_refused_from_the_command_line_until_a_round_ends_so(tmp_path: Path) -> None:
    """`votehall ballots next-round` and `lot` drive the same use cases as the API (SPEC 2.10):
    a draft election has neither a next round nor a lot to draw."""
    env = {"VOTEHALL_DATABASE_URL": f"sqlite:///{tmp_path / 'hall.db'}"}
    register = tmp_path / "register.csv"
    register.write_text(shipped_register_text(), encoding="utf-8")
    votehall("members", "import", str(register), env=env)
    agenda = Path(__file__).parents[1] / "server" / "data" / "alv_2025-06-18_agenda.json"
    votehall("meetings", "create", str(agenda), env=env)
    election = ["ballots", "create", "1", "--agenda", "8a", "--kind", "benoeming", "--title", "Voorzitter"]
    made = votehall(*election, "--candidate", "Anna Alfa", "--candidate", "Bert Beta", "--public", env=env)
    ballot = str(VACANCY_BALLOTS + 1)
    assert made.stdout.strip() == f"ballot {ballot} created"
    nxt = votehall("ballots", "next-round", ballot, env=env, check=False)
    assert nxt.returncode == 1 and "only a round without a winner has a next round" in nxt.stderr
    lot = votehall(
        "ballots", "lot", ballot, "--candidate", "4", "--drawn-by", "de notaris", env=env, check=False
    )
    assert lot.returncode == 1 and "a lot is drawn after a tie" in lot.stderr
    listed = votehall("ballots", "list", "1", env=env).stdout.splitlines()
    assert _rows(listed, "8a") == [[ballot, "8a", "benoeming", "draft"]]  # nothing else was made
    assert len(listed) == 1 + 5 + 4  # item 12's slate, its election (a round, 3 candidates), this one


def test_the_committee_key_is_set_from_the_command_line(tmp_path: Path) -> None:
    env = {"VOTEHALL_DATABASE_URL": f"sqlite:///{tmp_path / 'hall.db'}"}
    agenda = Path(__file__).parents[1] / "server" / "data" / "alv_2025-06-18_agenda.json"
    votehall("meetings", "create", str(agenda), env=env)
    made = votehall("committee", "keygen", str(tmp_path / "committee")).stdout
    fingerprint = made.split("fingerprint: ")[1].splitlines()[0]
    answer = votehall(
        "meetings", "committee-key", "1", str(tmp_path / "committee" / "committee.pub"), env=env
    )
    assert fingerprint in answer.stdout
    leaked = votehall(
        "meetings", "committee-key", "1", str(tmp_path / "committee" / "committee.key"), env=env, check=False
    )
    assert leaked.returncode == 1 and "PRIVATE" in leaked.stderr
    with sqlite3.connect(tmp_path / "hall.db") as connection:
        stored = connection.execute("SELECT committee_fingerprint FROM meetings WHERE id = 1").fetchone()[0]
    assert fingerprint == " ".join(stored[i : i + 4] for i in range(0, 64, 4))


def test_the_demo_agenda_gives_the_record_its_settings() -> None:
    from server.demo import demo_agenda, meeting_from_agenda

    data = meeting_from_agenda(demo_agenda())
    assert data.population_date is not None and data.population_date.isoformat() == "2024-01-01"
    assert data.chair_name and len(data.committee_members or []) in (2, 3)
    assert data.publish_representatives is False


def test_meeting_settings_and_lists_from_the_command_line(tmp_path: Path) -> None:
    """Issue 15 items 3 and 8: the reference date, the signature names, `meetings set`, and what
    `meetings list` and `ballots list` say."""
    database = tmp_path / "hall.db"
    env = {"VOTEHALL_DATABASE_URL": f"sqlite:///{database}"}
    register = tmp_path / "register.csv"
    register.write_text(shipped_register_text(), encoding="utf-8")
    imported = votehall("members", "import", str(register), env=env).stdout
    assert "population on 2024-01-01: 342 members" in imported
    created = votehall(
        "meetings", "create", str(SHIPPED_AGENDA), "--chair", "Anna de Wit", "--committee", "Henk Bosman",
        "--committee", "Ingrid Verhoeven", "--publish-representatives", env=env,
    )  # fmt: skip
    assert "meeting 1 created" in created.stdout
    changed = votehall("meetings", "set", "1", "--chair", "Marieke van der Veen", env=env).stdout
    assert changed.splitlines() == [
        "meeting 1:",
        "  population date: 2024-01-01",
        "  chair: Marieke van der Veen",
        "  committee: Henk Bosman, Ingrid Verhoeven",
        "  representatives in the public record: yes",
    ]
    bad = votehall("meetings", "set", "1", "--population-date", "1 januari", env=env, check=False)
    assert bad.returncode == 2 and "population_date" in bad.stderr

    other = votehall(
        "meetings", "create", str(SHIPPED_AGENDA), "--again", "--population-date", "2025-01-01", env=env
    )
    assert "meeting 2 created" in other.stdout
    refused = votehall("meetings", "open", "2", env=env, check=False)
    assert refused.returncode == 1 and "2024-01-01" in refused.stderr and "2025-01-01" in refused.stderr

    assert "meeting 1 is open" in votehall("meetings", "open", "1", env=env).stdout
    frozen = votehall("meetings", "set", "1", "--population-date", "2023-01-01", env=env, check=False)
    assert frozen.returncode == 1 and "frozen" in frozen.stderr

    small = tmp_path / "small.json"
    small.write_text(json.dumps({"meeting": {"title": "Klein", "date": "2026-01-01"}, "items": []}))
    assert "meeting 3 created" in votehall("meetings", "create", str(small), env=env).stdout
    assert votehall("ballots", "list", "3", env=env).stdout.strip() == (
        "meeting 3 has no ballots yet (votehall ballots create)"
    )
    with sqlite3.connect(database) as connection:  # published as the chair's page does it
        connection.execute("UPDATE meetings SET published_at = '2026-01-02 12:00:00' WHERE id = 1")
    listed = [line.split()[:3] for line in votehall("meetings", "list", env=env).stdout.splitlines()]
    assert sorted(listed) == [
        ["1", "2025-06-18", "published"],
        ["2", "2025-06-18", "draft"],
        ["3", "2026-01-01", "draft"],
    ]
