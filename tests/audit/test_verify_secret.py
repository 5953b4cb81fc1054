"""`votehall verify` on secret ballots (SPEC 2.9, docs/SECRET_BALLOTS.md "Checking"): the units
of every closed secret ballot are counted against its participants and its result, and a member
finds all units of their own vote. Every tampered log is rechained (a forger who recomputes the
hashes), so only the semantic check can catch it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.audit.replay import replay
from server.audit.verify import Report as VerifyReport
from server.audit.verify import compare_record, parse_log, verify
from server.rules import ElectionTally, RoundKind, decide_election, secret_result_data
from server.secret.units import unit_receipts
from tests.audit.secret_logs import (
    COMMITTEE_FINGERPRINT,
    COMMITTEE_PUB,
    OPERATOR,
    Log,
    close_secret,
    create,
    edited,
    end,
    forged,
    meeting,
    open_,
    participate,
    run,
    secret_of,
    where,
)

WEIGHTS = {"GM0001": 5, "GM0002": 3, "GM0003": 2, "GM0004": 1}
ANNA, BERT = 101, 102
MOTION, ELECTION = 1, 2


def secret_meeting() -> Log:
    """A secret motion (GM0001 for, GM0002 against after a change, GM0003 abstains; GM0004 does
    not vote) and a secret election (GM0001 and GM0004 Anna, GM0002 Bert, GM0003 abstains), its
    11 units logged in parts of 4."""
    log = meeting(WEIGHTS)
    create(log, MOTION, secret=True)
    open_(log, MOTION, secret=True)
    for code in ("GM0001", "GM0002", "GM0003", "GM0002"):
        participate(log, MOTION, code)
    close_secret(log, MOTION, {"GM0001": "for", "GM0002": "against", "GM0003": "abstain"}, {
        "for": 5, "against": 3, "abstain": 2, "cast": 8, "members_voted": 3, "percent_for": "62.50",
        "outcome": "adopted",
    }, chunk=4)  # fmt: skip
    log.add("ballot_released", ballot=MOTION, operator=OPERATOR)
    create(log, ELECTION, [(ANNA, "Anna Alfa"), (BERT, "Bert Beta")], secret=True)
    open_(log, ELECTION, secret=True)
    for code in WEIGHTS:
        participate(log, ELECTION, code)
    choices = {"GM0001": ANNA, "GM0002": BERT, "GM0003": "abstain", "GM0004": ANNA}
    close_secret(log, ELECTION, choices, {
        "round": "first", "outcome": "elected",
        "candidates": [{"id": ANNA, "votes": 6, "members": None, "percent": "66.67"},
                       {"id": BERT, "votes": 3, "members": None, "percent": "33.33"}],
        "abstain": 2, "abstain_members": None, "cast": 9, "members_voted": 4, "elected": ANNA,
        "next_round": None, "next_candidates": [], "seeded": [], "places": 0, "drawn": [],
    }, chunk=4)  # fmt: skip
    log.add("ballot_released", ballot=ELECTION, operator=OPERATOR)
    end(log)
    return log


@pytest.fixture
def log() -> Log:
    return secret_meeting()


def own(member: str, ballot: int = ELECTION) -> str:
    return f"VH1:{ballot}:{member}:{secret_of(member, ballot)}"


def units_of(entries: list[dict[str, Any]], ballot: int) -> list[tuple[int, int]]:
    """(entry index, unit index) of every unit of the ballot, in log order."""
    return [
        (i, n)
        for i, e in enumerate(entries)
        if e["type"] == "ballot_units" and e["data"]["ballot"] == ballot
        for n in range(len(e["data"]["units"]))
    ]


def find_unit(entries: list[dict[str, Any]], receipt: str) -> tuple[int, int]:
    return next(
        (i, n)
        for i, e in enumerate(entries)
        if e["type"] == "ballot_units"
        for n, unit in enumerate(e["data"]["units"])
        if unit[0] == receipt
    )


# The clean case


def test_a_clean_secret_meeting_verifies_and_says_what_it_can(log: Log, tmp_path: Path) -> None:
    code, output = run(log.text(), tmp_path)
    assert code == 0, output
    assert "secret: 3 members voted, 10 units" in output
    assert "secret: 4 members voted, 11 units" in output
    assert "for 5, against 3, abstain 2, cast 8, 3 members voted; 62.50% for: adopted" in output
    assert "Anna Alfa 6, Bert Beta 3; abstain 2, cast 9, 4 members voted" in output
    assert "elected: Anna Alfa with 66.67% of the votes" in output
    code, output = run(log.text(), tmp_path, "--lang", "nl")
    assert code == 0, output
    assert "geheim: 4 leden stemden, 11 stemeenheden" in output
    assert "gekozen: Anna Alfa met 66,67% van de stemmen" in output


def test_the_units_are_logged_in_parts_sorted_and_the_replay_keeps_them(log: Log) -> None:
    state = replay(parse_log(log.text(), VerifyReport())[0])
    assert state.problems == []
    ballot = state.ballots[ELECTION]
    assert (ballot.unit_parts, len(ballot.units), ballot.participants) == (3, 11, WEIGHTS)
    receipts = [receipt for receipt, _ in ballot.units]
    assert receipts == sorted(receipts) and len(set(receipts)) == 11
    assert state.ballots[MOTION].participants == {
        "GM0001": 5,
        "GM0002": 3,
        "GM0003": 2,
    }  # a change counts once


# Tampering with the units


def problems(text: str, tmp_path: Path, *args: str) -> str:
    code, output = run(text, tmp_path, *args)
    assert code == 1, output
    return output


def test_a_dropped_unit_is_caught(log: Log, tmp_path: Path) -> None:
    i, n = units_of(log.entries, ELECTION)[5]
    output = problems(edited(log.entries, i, lambda d: d["units"].pop(n)), tmp_path)
    assert "closes ballot 2 with 10 unit ballots, but the 4 members who voted weigh 11 together" in output


def test_an_added_unit_is_caught(log: Log, tmp_path: Path) -> None:
    i, _ = units_of(log.entries, ELECTION)[-1]
    output = problems(edited(log.entries, i, lambda d: d["units"].append(["f" * 64, ANNA])), tmp_path)
    assert "closes ballot 2 with 12 unit ballots, but the 4 members who voted weigh 11 together" in output


def test_a_units_choice_changed_is_caught_by_the_result_and_by_its_member(log: Log, tmp_path: Path) -> None:
    receipt = unit_receipts(secret_of("GM0001", ELECTION), ELECTION, 5)[2]
    i, n = find_unit(log.entries, receipt)

    def change(data: dict[str, Any]) -> None:
        data["units"][n][1] = BERT

    text = edited(log.entries, i, change)
    output = problems(text, tmp_path)
    assert "states a result of ballot 2 that its votes do not give" in output
    output = problems(text, tmp_path, "--secret", own("GM0001"))
    assert "secret of GM0001 on ballot 2: its units carry different choices" in output
    assert "5 of its 5 units found, carrying Anna Alfa (4); Bert Beta (1)" in output


def test_a_duplicated_receipt_is_caught(log: Log, tmp_path: Path) -> None:
    i, n = units_of(log.entries, ELECTION)[1]

    def duplicate(data: dict[str, Any]) -> None:
        data["units"][n][0] = data["units"][n - 1][0]

    output = problems(edited(log.entries, i, duplicate), tmp_path)
    assert "closes ballot 2, whose unit ballots repeat 1 receipts" in output


def test_units_out_of_order_are_caught(log: Log, tmp_path: Path) -> None:
    i, _ = units_of(log.entries, ELECTION)[0]

    def swap(data: dict[str, Any]) -> None:
        data["units"][0], data["units"][1] = data["units"][1], data["units"][0]

    output = problems(edited(log.entries, i, swap), tmp_path)
    assert "closes ballot 2, whose unit ballots are not sorted by receipt (unit 2 is out of order)" in output


def test_a_missing_or_repeated_part_is_caught(log: Log, tmp_path: Path) -> None:
    i, _ = units_of(log.entries, ELECTION)[4]  # in part 2
    output = problems(edited(log.entries, i, lambda d: d.update(part=3)), tmp_path)
    assert "is part 3 of the unit ballots of ballot 2, where part 2 was due" in output


def test_a_removed_participation_is_caught_by_the_count(log: Log, tmp_path: Path) -> None:
    entries = copy.deepcopy(log.entries)
    del entries[where(entries, "participation", ballot=ELECTION, member="GM0004")]
    output = problems(forged(entries), tmp_path)
    assert "closes ballot 2 with 11 unit ballots, but the 3 members who voted weigh 10 together" in output


def test_a_vote_entry_on_a_secret_ballot_is_caught(log: Log, tmp_path: Path) -> None:
    entries = copy.deepcopy(log.entries)
    i = where(entries, "participation", ballot=ELECTION, member="GM0004")
    entries[i] = {**entries[i], "type": "vote", "data": {**entries[i]["data"], "choice": ANNA}}
    output = problems(forged(entries), tmp_path)
    assert "is a vote entry on the secret ballot 2, whose votes are logged as participations only" in output


def test_a_participation_on_a_public_ballot_is_caught(tmp_path: Path) -> None:
    log = meeting(WEIGHTS)
    create(log, MOTION, secret=False)
    open_(log, MOTION, secret=False)
    participate(log, MOTION, "GM0001")
    output = problems(log.text(), tmp_path)
    assert "is a participation on the public ballot 1, whose votes are logged openly" in output


def test_a_result_that_does_not_follow_from_the_units_is_caught(log: Log, tmp_path: Path) -> None:
    i = where(log.entries, "ballot_closed", ballot=MOTION)

    def change(data: dict[str, Any]) -> None:
        data["result"].update({"for": 6, "cast": 9, "percent_for": "66.67"})

    output = problems(edited(log.entries, i, change), tmp_path)
    assert "states a result of ballot 1 that its votes do not give: for 6 where the votes give 5" in output
    i = where(log.entries, "ballot_closed", ballot=ELECTION)
    output = problems(edited(log.entries, i, lambda d: d["result"].update(members_voted=3)), tmp_path)
    assert "members_voted 3 where the votes give 4" in output


def test_a_member_count_per_candidate_in_a_secret_result_is_caught(log: Log, tmp_path: Path) -> None:
    i = where(log.entries, "ballot_closed", ballot=ELECTION)
    output = problems(edited(log.entries, i, lambda d: d["result"].update(abstain_members=1)), tmp_path)
    assert "abstain_members 1 where the votes give None" in output


def test_a_release_before_the_close_is_caught(log: Log, tmp_path: Path) -> None:
    entries = copy.deepcopy(log.entries)
    released = entries.pop(where(entries, "ballot_released", ballot=ELECTION))
    entries.insert(where(entries, "ballot_closed", ballot=ELECTION), released)
    output = problems(forged(entries), tmp_path)
    assert "releases the result of ballot 2, which is not a closed secret ballot" in output


def test_a_secret_ballot_without_a_committee_key_is_caught(log: Log, tmp_path: Path) -> None:
    entries = [e for e in log.entries if e["type"] != "committee_key"]
    output = problems(forged(entries), tmp_path)
    assert "opens the secret ballot 1 without a committee key in the log" in output


def test_a_committee_key_after_a_secret_ballot_opened_is_caught(log: Log, tmp_path: Path) -> None:
    entries = copy.deepcopy(log.entries)
    key = entries.pop(where(entries, "committee_key"))
    entries.insert(where(entries, "ballot_opened", ballot=ELECTION), key)
    output = problems(forged(entries), tmp_path)
    assert "logs a committee key after the secret ballot 1 opened" in output


def test_a_fingerprint_that_does_not_match_the_key_is_caught(log: Log, tmp_path: Path) -> None:
    i = where(log.entries, "committee_key")
    output = problems(edited(log.entries, i, lambda d: d.update(fingerprint="0" * 64)), tmp_path)
    assert (
        f"logs the committee key with the fingerprint {'0' * 64}, but the key's is {COMMITTEE_FINGERPRINT}"
        in output
    )


def test_a_secret_ballot_without_its_sealing_key_is_caught(log: Log, tmp_path: Path) -> None:
    i = where(log.entries, "ballot_opened", ballot=ELECTION)
    output = problems(edited(log.entries, i, lambda d: d.update(sealing_key="c2hvcnQ=")), tmp_path)
    assert "opens the secret ballot 2 without a sealing key of 32 bytes in base64" in output


# --committee-key


def test_the_committee_key_given_as_file_or_fingerprint_is_compared(log: Log, tmp_path: Path) -> None:
    pub = tmp_path / "committee.pub"
    pub.write_text(f"votehall-committee-pub-v1 {COMMITTEE_PUB}\n", encoding="utf-8")
    code, output = run(log.text(), tmp_path, "--committee-key", str(pub))
    assert code == 0, output
    assert f"committee key: the log's is the one given ({COMMITTEE_FINGERPRINT})" in output
    grouped = " ".join(COMMITTEE_FINGERPRINT[i : i + 4] for i in range(0, 64, 4)).upper()
    assert run(log.text(), tmp_path, "--committee-key", grouped)[0] == 0
    other = "ab" * 32
    output = problems(log.text(), tmp_path, "--committee-key", other)
    assert f"the log's committee key has the fingerprint {COMMITTEE_FINGERPRINT}, not {other}" in output
    output = problems(log.text(), tmp_path, "--committee-key", "3f2a 9c01")
    assert "is neither a committee.pub file nor a fingerprint of 64 hex digits" in output
    pub.write_text("votehall-committee-key-v1 AAAA\n", encoding="utf-8")
    output = problems(log.text(), tmp_path, "--committee-key", str(pub))
    assert "is not a committee.pub file" in output


# --secret


def test_a_member_finds_all_units_of_their_vote(log: Log, tmp_path: Path) -> None:
    code, output = run(log.text(), tmp_path, "--secret", own("GM0001"), "--secret", own("GM0003"))
    assert code == 0, output
    assert "secret of GM0001 on ballot 2: 5 of its 5 units found, carrying Anna Alfa (5)" in output
    assert "secret of GM0003 on ballot 2: 2 of its 2 units found, carrying abstain (2)" in output
    code, output = run(log.text(), tmp_path, "--secret", own("GM0002", MOTION), "--lang", "nl")
    assert code == 0, output
    assert (
        "geheim van GM0002 bij stemming 1: 3 van de 3 stemeenheden gevonden, met de keuze tegen (3)" in output
    )
    assert secret_of("GM0002", MOTION) not in output  # the secret itself is never printed


def test_a_missing_unit_of_ones_own_vote_fails(log: Log, tmp_path: Path) -> None:
    receipt = unit_receipts(secret_of("GM0001", ELECTION), ELECTION, 5)[4]
    i, n = find_unit(log.entries, receipt)
    text = edited(log.entries, i, lambda d: d["units"].pop(n))
    output = problems(text, tmp_path, "--secret", own("GM0001"))
    assert "secret of GM0001 on ballot 2: 1 of its 5 units are missing" in output


def test_a_receipt_swapped_for_another_is_caught_by_its_member(log: Log, tmp_path: Path) -> None:
    """A unit whose receipt was replaced by a new one in its sorted place keeps every count: only
    the member who holds the secret can see that their unit is gone."""
    receipt = unit_receipts(secret_of("GM0004", ELECTION), ELECTION, 1)[0]
    i, n = find_unit(log.entries, receipt)
    text = edited(
        log.entries,
        i,
        lambda d: d["units"][n].__setitem__(0, receipt[:-1] + ("0" if receipt[-1] != "0" else "1")),
    )
    code, output = run(text, tmp_path)
    assert code == 0, output  # the log alone cannot tell
    output = problems(text, tmp_path, "--secret", own("GM0004"))
    assert "secret of GM0004 on ballot 2: 1 of its 1 units are missing" in output


def test_a_member_without_participation_or_a_short_secret_fails(log: Log, tmp_path: Path) -> None:
    output = problems(log.text(), tmp_path, "--secret", own("GM0004", MOTION))
    assert "secret of GM0004 on ballot 1: the member has no participation on it" in output
    output = problems(log.text(), tmp_path, "--secret", own("GM0001")[:-8])
    assert "secret of GM0001 on ballot 2: it has 56 characters; all 64 hex digits are needed" in output
    output = problems(log.text(), tmp_path, "--secret", "3fa9c1d2e0")
    assert "secret: write it as VH1:<ballot>:<member code>:<secret>, as the handheld shows it" in output
    output = problems(log.text(), tmp_path, "--secret", own("GM0001", 9))
    assert "secret of GM0001 on ballot 9: the log has no such ballot or member" in output


# A property: random secret elections verify clean, and any single unit change is caught


@st.composite
def elections(draw: st.DrawFn) -> tuple[Log, dict[str, int | str]]:
    weights = draw(st.lists(st.integers(1, 40), min_size=2, max_size=6, unique=True))
    members = {f"GM{n:04d}": w for n, w in enumerate(weights, start=1)}
    ids = list(range(201, 201 + draw(st.integers(2, 4))))
    options: list[int | str] = [*ids, "abstain"]
    choices = {
        code: draw(st.sampled_from(options)) for code in members if draw(st.booleans()) or code == "GM0001"
    }
    log = meeting(members)
    create(log, ELECTION, [(c, f"Kandidaat {c}") for c in ids], secret=True)
    open_(log, ELECTION, secret=True)
    for code in choices:
        participate(log, ELECTION, code)
    tally = ElectionTally.empty(ids)
    for code, choice in choices.items():
        tally = tally.add(choice, members[code])
    zeros = ElectionTally({c: tally.votes[c] for c in ids}, dict.fromkeys(ids, 0), tally.abstain, 0)
    result = secret_result_data(decide_election(RoundKind.FIRST, ids, zeros), len(choices))
    close_secret(log, ELECTION, choices, result, chunk=draw(st.integers(1, 7)))
    end(log)
    return log, choices


def _verify(text: str, *secrets: str) -> VerifyReport:
    import io

    return verify(text, secrets=secrets, lang="en", out=io.StringIO())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(), st.data())
def test_random_secret_elections_verify_and_any_unit_change_is_caught(
    election: tuple[Log, dict[str, int | str]], data: st.DataObject
) -> None:
    log, choices = election
    secrets = [own(code) for code in choices]
    assert _verify(log.text(), *secrets).problems == []
    units = units_of(log.entries, ELECTION)
    i, n = data.draw(st.sampled_from(units))
    unit = log.entries[i]["data"]["units"][n]
    options = [
        c["id"] for c in log.entries[where(log.entries, "ballot_created")]["data"]["ballot"]["candidates"]
    ]
    other = data.draw(st.sampled_from([c for c in [*options, "abstain"] if c != unit[1]]))
    change = data.draw(st.sampled_from(["choice", "drop", "receipt", "duplicate"]))

    def mutate(d: dict[str, Any]) -> None:
        if change == "choice":
            d["units"][n][1] = other
        elif change == "drop":
            d["units"].pop(n)
        elif change == "receipt":
            d["units"][n][0] = ("0" if unit[0][0] != "0" else "1") + unit[0][1:]
        else:
            d["units"].insert(n, list(unit))

    assert _verify(edited(log.entries, i, mutate), *secrets).problems != []


# Where units and participations may stand


def test_a_participation_after_the_units_were_listed_is_caught(log: Log, tmp_path: Path) -> None:
    entries = copy.deepcopy(log.entries)
    late = entries.pop(where(entries, "participation", ballot=ELECTION, member="GM0004"))
    entries.insert(where(entries, "ballot_closed", ballot=ELECTION), late)
    output = problems(forged(entries), tmp_path)
    assert "is a participation on ballot 2 after its unit ballots were listed" in output


def test_units_of_a_public_or_closed_ballot_are_caught(log: Log, tmp_path: Path) -> None:
    entries = copy.deepcopy(log.entries)
    part = copy.deepcopy(entries[where(entries, "ballot_units", ballot=ELECTION)])
    entries.append({**part, "data": {**part["data"], "part": 4}})
    output = problems(forged(entries), tmp_path)
    assert "lists unit ballots of ballot 2, which is closed, not open" in output
    public = meeting(WEIGHTS)
    create(public, 3, secret=False)
    open_(public, 3, secret=False)
    public.add("ballot_units", ballot=3, part=1, units=[["a" * 64, "for"]])
    output = problems(public.text(), tmp_path)
    assert "lists unit ballots of the public ballot 3" in output


def test_a_voided_secret_ballot_has_no_units_and_no_result(tmp_path: Path) -> None:
    log = meeting(WEIGHTS)
    create(log, MOTION, secret=True)
    open_(log, MOTION, secret=True)
    participate(log, MOTION, "GM0001")
    log.add("ballot_voided", ballot=MOTION, reason="de commissie kon niet komen", operator=OPERATOR)
    end(log)
    code, output = run(log.text(), tmp_path)
    assert code == 0, output
    assert "secret:" not in output


def test_a_secret_single_candidate_vote_says_no_member_counts(tmp_path: Path) -> None:
    log = meeting(WEIGHTS)
    create(log, ELECTION, [(ANNA, "Anna Alfa")], secret=True)
    open_(log, ELECTION, secret=True)
    for code in ("GM0001", "GM0002", "GM0004"):
        participate(log, ELECTION, code)
    close_secret(log, ELECTION, {"GM0001": "against", "GM0002": "for", "GM0004": "for"}, {
        "round": "single", "outcome": "rejected",
        "candidates": [{"id": ANNA, "votes": 4, "members": None, "percent": "44.44"}],
        "abstain": 0, "abstain_members": None, "cast": 9, "members_voted": 3, "elected": None,
        "next_round": None, "next_candidates": [], "seeded": [], "places": 0, "drawn": [],
        "against": 5, "against_members": None,
    })  # fmt: skip
    end(log)
    code, output = run(log.text(), tmp_path)
    assert code == 0, output
    assert "Anna Alfa: for 4, against 5, abstain 0, cast 9, 3 members voted" in output
    assert "secret: 3 members voted, 9 units" in output
    i = where(log.entries, "ballot_units", ballot=ELECTION)

    def choose_a_candidate(data: dict[str, Any]) -> None:
        data["units"][0][1] = ANNA  # a single-candidate vote is yes/no: a unit says for or against

    output = problems(edited(log.entries, i, choose_a_candidate), tmp_path)
    assert (
        "lists 1 unit ballots that are not a receipt of 64 lowercase hex digits with a choice of ballot 2"
        in output
    )


# The published record against the log


def published_record(log: Log, votes: dict[str, dict[str, str | None]]) -> dict[str, Any]:
    """A record as the server publishes it: the ballots' figures from the replay (so that only the
    members' votes are under test) and `votes` per member."""
    state = replay(parse_log(log.text(), VerifyReport())[0])
    ballots = [{"id": b.id, **(b.result() or {"outcome": b.outcome})} for b in state.ballots.values()]
    members = [{"code": code, "weight": weight, "votes": votes[code]} for code, weight in WEIGHTS.items()]
    return {"ballots": ballots, "members": members}


def compared(log: Log, record: dict[str, Any]) -> list[str]:
    report = VerifyReport()
    compare_record(replay(parse_log(log.text(), report)[0]), record, report)
    return [problem.text("en") for problem in report.problems]


def test_a_record_that_says_who_voted_on_the_secret_ballots_agrees_with_the_log(log: Log) -> None:
    """The record says 'voted' on a secret ballot (a yes/no vote and an election alike) for each
    member that took part, and nothing for the others: verify compares that with the
    participations (a newcomer's `votehall verify <url>` once failed on every such member)."""
    votes: dict[str, dict[str, str | None]] = {
        "GM0001": {"1": "voted", "2": "voted"},
        "GM0002": {"1": "voted", "2": "voted"},
        "GM0003": {"1": "voted", "2": "voted"},
        "GM0004": {"1": None, "2": "voted"},
    }
    assert compared(log, published_record(log, votes)) == []
    wrong = copy.deepcopy(votes)
    wrong["GM0004"]["1"] = "voted"  # did not take part
    wrong["GM0001"]["2"] = None  # did
    wrong["GM0002"]["1"] = "against"  # a secret ballot's record never gives the choice
    assert sorted(compared(log, published_record(log, wrong))) == [
        "member GM0001, ballot 2: the record says None, the log gives 'voted'",
        "member GM0002, ballot 1: the record says 'against', the log gives 'voted'",
        "member GM0004, ballot 1: the record says 'voted', the log gives None",
    ]
