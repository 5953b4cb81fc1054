"""`votehall verify`, stricter (issue 13 items 9 and 10): a line must be in the canonical form the
server writes, a log cut short is warned about, and every replay rule and the link of each entry
to the one before are shown to catch a forger who recomputed every hash."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from server.audit.chain import GENESIS, build_chain, canonical, entry_hash, parse_canonical_line
from server.audit.journal import fast_canonical
from server.audit.service import export_line
from server.audit.verify import verify
from tests.audit.conftest import Played
from tests.audit.test_verify import dump, entries_of, find, run

# Rewriting one line of a log --------------------------------------------------------------------


def with_line(log: str, index: int, text: str) -> str:
    lines = log.split("\n")
    lines[index] = text
    return "\n".join(lines)


def renumbered(lines: list[dict[str, Any]]) -> str:
    """A forger's log after entries were inserted, dropped or moved: seqs renumbered and every
    hash recomputed, so that the chain itself is whole."""
    bare = [
        {**{k: v for k, v in line.items() if k not in ("prev_hash", "hash")}, "seq": number}
        for number, line in enumerate(lines, start=1)
    ]
    return dump([{**c.entry, "prev_hash": c.prev_hash, "hash": c.hash} for c in build_chain(bare)])


# Canonical form ---------------------------------------------------------------------------------


async def test_an_exported_log_is_in_canonical_form_line_for_line(played: Played) -> None:
    log = await played.log()
    for raw in log.split("\n")[:-1]:
        parse_canonical_line(raw)  # raises on any line the server wrote otherwise
    assert log.endswith("\n") and "\r" not in log


async def test_a_duplicated_key_is_refused_naming_the_line(played: Played, tmp_path: Path) -> None:
    """`"choice":"against","choice":"for"`: Python and most parsers read the last value (which
    the hash covers), others the first. Such a line has two readings, so it is refused."""
    log = await played.log()
    lines = entries_of(log)
    i = find(lines, "vote", vote_id="a4")
    raw = log.split("\n")[i]
    assert '"choice":"for"' in raw
    forged = raw.replace('"choice":"for"', '"choice":"against","choice":"for"')
    code, output = run(with_line(log, i, forged), tmp_path)
    assert code == 1
    assert f"line {i + 1} is not a log entry (the key 'choice' appears twice in one object)" in output
    code, output = run(with_line(log, i, forged), tmp_path, "--lang", "nl")
    assert (
        f"regel {i + 1} is geen gebeurtenis van het log (de sleutel 'choice' staat twee keer in één object)"
        in output
    )


async def test_another_key_order_spacing_or_escape_is_refused_naming_the_line(
    played: Played, tmp_path: Path
) -> None:
    log = await played.log()
    lines = entries_of(log)
    i = find(lines, "vote", vote_id="a3")
    entry = lines[i]
    reordered = json.dumps(
        {
            "prev_hash": entry["prev_hash"],
            "hash": entry["hash"],
            **{k: entry[k] for k in ("seq", "at", "type", "data")},
        },
        separators=(",", ":"),
    )
    spaced = json.dumps(entry)  # the standard library's default spacing: ", " and ": "
    raw = log.split("\n")[i]
    escaped = raw.replace('"type":"vote"', '"type":"vot\\u0065"')
    vote_at = raw.index('"type":"vote"') + len('"type":"vot') + 1
    for forged, column in ((reordered, 3), (spaced, 7), (escaped, vote_at)):
        assert json.loads(forged) == json.loads(raw)  # the same object: only its bytes differ
        code, output = run(with_line(log, i, forged), tmp_path)
        assert code == 1, forged
        assert f"line {i + 1} is not in canonical form (it is not in canonical form" in output
        assert f"it differs from character {column} on" in output
        # The chain itself holds: the entry parses to what was hashed, so nothing else is named.
        assert "altered" not in output and output.count("  - ") == 1
    code, output = run(with_line(log, i, raw + "\r"), tmp_path)  # a Windows line ending
    assert code == 1 and f"line {i + 1} is not in canonical form" in output


async def test_nan_and_a_lone_surrogate_are_refused(played: Played, tmp_path: Path) -> None:
    log = await played.log()
    i = find(entries_of(log), "vote", vote_id="a3")
    raw = log.split("\n")[i]
    code, output = run(with_line(log, i, raw.replace('"ballot":1', '"ballot":NaN')), tmp_path)
    assert code == 1 and f"line {i + 1} is not a log entry (NaN is not a JSON value)" in output
    code, output = run(with_line(log, i, raw.replace('"vote_id":"a3"', '"vote_id":"\\ud800"')), tmp_path)
    assert code == 1 and "(a lone surrogate)" in output


def test_a_line_separator_inside_a_text_is_not_a_line_break(tmp_path: Path) -> None:
    """U+2028 and U+0085 are written as themselves (not escaped); str.splitlines() would cut the
    line there, so verify splits at "\\n" only."""
    entries = [
        {"seq": 1, "at": "2025-06-18T10:00:00.000Z", "type": "meeting_created",
         "data": {"meeting": {"id": 1, "title": "ALV\u2028Noord\x85é", "date": "2025-06-18", "place": "Zaal\r1"},
                  "weight_rule": {"inhabitants_per_vote": 2000, "min_votes": 1, "max_votes": 75}}},
    ]  # fmt: skip
    chain = build_chain(entries)
    log = "".join(export_line(fast_canonical(c.entry).decode(), c.prev_hash, c.hash).decode() for c in chain)
    _, output = run(log, tmp_path)
    assert "canonical" not in output and "not a log entry" not in output, output
    assert "ALV\u2028Noord" in output


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.text(max_size=6),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.text(),
                lambda inner: (
                    st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
                ),
                max_leaves=8,
            ),
            max_size=5,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_every_line_the_server_exports_is_canonical(payloads: list[dict[str, Any]]) -> None:
    """The server's own writer and exporter (journal.fast_canonical, service.export_line) against
    the canonical reader, for any data an entry may hold: every log exported today verifies."""
    prev = GENESIS
    for seq, data in enumerate(payloads, start=1):
        entry = {"seq": seq, "at": "2025-06-18T10:00:00.000Z", "type": "vote", "data": data}
        try:
            body = fast_canonical(entry)
        except UnicodeEncodeError:
            continue  # a lone surrogate: the server cannot write it either
        digest = entry_hash(prev, entry)
        line = export_line(body.decode("utf-8"), prev, digest).decode("utf-8")
        assert line.endswith("\n") and line.count("\n") == 1
        parsed = parse_canonical_line(line[:-1])
        assert parsed.entry == entry and canonical(parsed.entry) == body and parsed.hash == digest
        prev = digest


# A log cut short ---------------------------------------------------------------------------------


async def test_a_log_that_ends_before_the_close_is_warned_about(played: Played, tmp_path: Path) -> None:
    log = await played.log()
    lines = entries_of(log)
    closed = find(lines, "meeting_closed")
    cut = "".join(line + "\n" for line in log.split("\n")[:closed])
    code, output = run(cut, tmp_path)
    assert code == 0, output  # what is there is intact: a warning, not a failure
    assert (
        f"warning: the log ends at entry {closed}, before the meeting was closed: it may be cut short"
        in output
    )
    code, output = run(cut, tmp_path, "--lang", "nl")
    assert (
        f"waarschuwing: het log eindigt bij gebeurtenis {closed}, voordat de vergadering werd gesloten"
        in output
    )
    # The whole log: closed, not published, nothing to warn about.
    code, output = run(log, tmp_path)
    assert code == 0 and "warning" not in output


async def test_a_published_log_without_its_publication_entry_is_warned_about(played: Played) -> None:
    log = await played.log()
    out = io.StringIO()
    report = verify(log, published=True, lang="en", out=out)
    assert report.problems == []
    assert [w.text("en") for w in report.warnings] == [
        f"the meeting was published, but the log ends at entry {len(entries_of(log))} without its "
        "publication entry (a truncated log?)"
    ]


async def test_a_record_read_before_publication_is_no_sign_of_a_cut(played: Played) -> None:
    """An admin reads the log and the record of a closed meeting before publishing it (the audit
    URL with a token fetches the record beside it): the log ends without a publication entry
    because there was none, and the record says so (`published_at` null)."""
    log = await played.log()
    unpublished = {"published_at": None, "ballots": [], "members": []}
    report = verify(log, record=unpublished, lang="en", out=io.StringIO())
    assert not any("published" in w.text("en") for w in report.warnings), report.warnings
    published = {**unpublished, "published_at": "2025-06-18T17:00:00+02:00"}
    report = verify(log, record=published, lang="en", out=io.StringIO())
    assert any("the meeting was published, but the log ends" in w.text("en") for w in report.warnings)


# Safeguards that no test guarded (issue 13 item 10) ---------------------------------------------


async def test_an_entry_rehashed_alone_no_longer_follows_the_one_before_it(
    played: Played, tmp_path: Path
) -> None:
    """A ballot title edited and only its own entry rehashed: its hash matches its content, but
    the next entry still names the old hash as its previous one."""
    lines = entries_of(await played.log())
    i = created_index(lines, played.ballots["first"])
    created = lines[i]
    created["data"]["ballot"]["title"] = "Jaarverslag (gewijzigd)"
    bare = {k: v for k, v in created.items() if k not in ("prev_hash", "hash")}
    created["hash"] = entry_hash(created["prev_hash"], bare)
    code, output = run(dump(lines), tmp_path)
    assert code == 1
    assert "was altered" not in output
    nxt = lines[i + 1]["seq"]
    named, rehashed = lines[i + 1]["prev_hash"][:12], created["hash"][:12]
    assert (
        f"line {i + 2}: entry {nxt} does not follow the entry before it "
        f"(its previous hash is {named}…, expected {rehashed}…)"
    ) in output


async def test_a_vote_inserted_after_its_ballot_closed_is_refused(played: Played, tmp_path: Path) -> None:
    lines = entries_of(await played.log())
    first = played.ballots["first"]
    closed = find(lines, "ballot_closed", ballot=first)
    late = json.loads(json.dumps(lines[find(lines, "vote", vote_id="a3")]))
    late["data"].update(vote_id="late", choice="for")
    lines.insert(closed + 1, late)
    code, output = run(renumbered(lines), tmp_path)
    assert code == 1
    assert f"entry {closed + 2}: is a vote on ballot {first}, which is closed, not open" in output


async def test_two_ballots_open_at_once_are_refused(played: Played, tmp_path: Path) -> None:
    """The close of the first ballot moved after the opening of the test ballot: every vote still
    falls in an open ballot and every result still adds up, but two ballots were open at once."""
    lines = entries_of(await played.log())
    first, test = played.ballots["first"], played.ballots["test"]
    close = lines.pop(find(lines, "ballot_closed", ballot=first))
    opened = find(lines, "ballot_opened", ballot=test)
    lines.insert(opened + 1, close)
    code, output = run(renumbered(lines), tmp_path)
    assert code == 1
    assert f"entry {opened + 1}: opens ballot {test} while ballot {first} is open" in output
    assert output.count("  - ") == 1, output


async def test_a_change_of_vote_on_a_ballot_without_changes_is_refused(
    played: Played, tmp_path: Path
) -> None:
    """The first ballot made one without changes (allow_change false): GM0002's change from
    against to for must not count, whatever the close entry says."""
    lines = entries_of(await played.log())
    first = played.ballots["first"]
    created = lines[created_index(lines, first)]
    assert created["data"]["ballot"]["allow_change"] is True
    created["data"]["ballot"]["allow_change"] = False
    code, output = run(renumbered(lines), tmp_path)
    assert code == 1
    change = lines[find(lines, "vote", vote_id="a4")]["seq"]
    assert f"entry {change}: changes the vote of GM0002 on ballot {first}, which allows no change" in output


async def test_a_second_active_pass_for_one_member_is_refused(played: Played, tmp_path: Path) -> None:
    lines = entries_of(await played.log())
    issued = find(lines, "pass_issued", member="GM0001")
    second = json.loads(json.dumps(lines[issued]))
    second["data"].update({"pass": 999, "replaces": None})
    lines.insert(issued + 1, second)
    code, output = run(renumbered(lines), tmp_path)
    assert code == 1
    assert f"entry {issued + 2}: issues a second active pass to GM0001 (SPEC 2.3: one at a time)" in output
    assert output.count("  - ") == 1, output


def created_index(lines: list[dict[str, Any]], ballot_id: int) -> int:
    return next(
        i for i, line in enumerate(lines)
        if line["type"] == "ballot_created" and line["data"]["ballot"]["id"] == ballot_id
    )  # fmt: skip
