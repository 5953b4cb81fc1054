"""The demo meeting: the shipped register, the agenda of 18 June 2025, and its ballots."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from server.auth.roles import Role
from server.auth.service import Operator, create_token
from server.ballots.drafts import create_ballot
from server.ballots.schemas import BallotCreate
from server.ballots.vacancies import create_vacancy_ballots
from server.cards.service import issue_missing
from server.db import Database
from server.meetings.committee import set_committee_key
from server.meetings.schemas import MeetingCreate
from server.meetings.service import create_meeting, open_meeting
from server.register.names import NameIndex
from server.register.reference import reference_names, shipped_register_text
from server.register.service import import_register
from server.secret.keys import PRIVATE_FILE, CommitteePublicKey, fingerprint_display
from server.seed import issue_passes

DEMO_AGENDA = "alv_2025-06-18_agenda.json"
DEMO_ATTENDANCE = "alv_2024-11-29_present.txt"
# Who set the committee's key, as the event log names it.
DEMO_OPERATOR = Operator(role=Role.ADMIN, token_id=None, label="votehall demo")


@dataclass(frozen=True, slots=True)
class DemoSetup:
    meeting_id: int
    members: int
    ballots: int
    tokens: dict[Role, str]
    passes: dict[str, str]  # member code -> pass token, for the simulated handhelds
    pairing_codes: dict[str, str]  # member code -> pairing code, for a person with a phone
    names: dict[str, str]
    absent_cards: dict[str, str]  # member code -> voting card, for members not checked in: try the desk
    committee_fingerprint: str  # of the vote-counting committee's key the meeting's secret ballots use


def attendance_codes() -> list[str]:
    """The 271 members present at the assembly of 29 November 2024, placed by name (with aliases)."""
    text = files("server.data").joinpath(DEMO_ATTENDANCE).read_text(encoding="utf-8")
    index = NameIndex(reference_names())
    codes: list[str] = []
    for name in filter(None, (line.strip() for line in text.splitlines())):
        code = index.lookup(name)
        if code is None:
            raise ValueError(f"the attendance list names {name!r}, which is not in the register")
        codes.append(code)
    return codes


def demo_agenda() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        files("server.data").joinpath(DEMO_AGENDA).read_text(encoding="utf-8")
    )
    return loaded


def meeting_from_agenda(agenda: dict[str, Any]) -> MeetingCreate:
    """The meeting of an agenda file: its `meeting` block (title, date, place, weight_rule,
    population_reference_date, chair, committee, publish_representatives) and its `items`;
    pydantic's ValidationError names what is wrong, where."""
    meta = agenda.get("meeting")
    if not isinstance(meta, dict):
        meta = {}
    fields = {
        "title": meta.get("title"),
        "date": meta.get("date"),
        "place": meta.get("place"),
        "weight_rule": meta.get("weight_rule"),
        "population_date": meta.get("population_reference_date"),
        "chair_name": meta.get("chair"),
        "committee_members": meta.get("committee"),
        "publish_representatives": meta.get("publish_representatives", False),
        "agenda": agenda.get("items", []),
    }
    return MeetingCreate.model_validate(fields)


# The steps of `set_up_demo`, in order, as its `step` callback names them (for a progress bar).
SETUP_STEPS = (
    "the register: 342 municipalities",
    "the meeting of 18 June 2025 and its ballots",
    "voting cards",
    "check-in of the 271 members present",
    "admin, desk and chair tokens",
)


async def set_up_demo(
    database: Database, committee: CommitteePublicKey, step: Callable[[str], None] = lambda _: None
) -> DemoSetup:
    """Load the register, create and open the demo meeting with the vote-counting committee's
    public key and its ballots (one per decision item, one per vacancy of an item that has
    vacancies, in agenda order), issue every member's voting card and check in the members of the
    real attendance list. `step(name)` is called as each of SETUP_STEPS begins. One transaction:
    all or nothing."""
    data = meeting_from_agenda(demo_agenda())
    # The vacancies' ballots are made below, in their item's place among the others, so that the
    # ballot ids follow the agenda (create_meeting would make them first).
    bare = [item.model_copy(update={"vacancies": []}) for item in data.agenda]
    async with database.transaction() as session:
        step(SETUP_STEPS[0])
        report = await import_register(session, shipped_register_text())
        step(SETUP_STEPS[1])
        meeting = await create_meeting(session, data.model_copy(update={"agenda": bare}))
        await set_committee_key(session, meeting.id, committee.text, DEMO_OPERATOR)
        ballots = 0
        for item in data.agenda:
            if item.vacancies:
                ballots += len(await create_vacancy_ballots(session, meeting.id, [item]))
            elif item.decision and item.kind is not None:
                ballot = BallotCreate(agenda=item.number, title=item.title, kind=item.kind)
                await create_ballot(session, meeting.id, ballot)
                ballots += 1
        await open_meeting(session, meeting.id)
        step(SETUP_STEPS[2])
        cards = {view.member.cbs_code: view.card.code for view in await issue_missing(session, meeting.id)}
        step(SETUP_STEPS[3])
        issued = await issue_passes(session, meeting.id, attendance_codes())
        step(SETUP_STEPS[4])
        tokens = {role: await create_token(session, role, label="demo") for role in Role}
    names = reference_names()
    return DemoSetup(
        meeting_id=meeting.id,
        members=report.imported,
        ballots=ballots,
        tokens=tokens,
        passes={code: token for code, (_, token, _) in issued.items()},
        pairing_codes={code: pairing for code, (_, _, pairing) in issued.items()},
        names=names,
        absent_cards={code: card for code, card in sorted(cards.items()) if code not in issued},
        committee_fingerprint=committee.fingerprint,
    )


# What the terminal shows: the setup's progress, the addresses and tokens, and the simulated hall.


def lan_address() -> str:
    """This machine's address on the local network, for URLs a phone can open (no packet is sent)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed, only picks the interface
            address: str = probe.getsockname()[0]
        except OSError:
            address = "127.0.0.1"
    return address


def public_base(host: str, port: int) -> str:
    """The base URL to print: a wildcard address is replaced by one a browser can open."""
    if host in ("0.0.0.0", "::", ""):
        host = lan_address()
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def describe(
    setup: DemoSetup, base: str, yours: str, *, simulate: bool, database: str, committee: str
) -> str:
    """The text `votehall demo` prints once the meeting is set up (rich markup). `committee` is
    the directory that holds the vote-counting committee's key pair."""
    pairing = setup.pairing_codes[yours]
    key = f"{committee.rstrip('/')}/{PRIVATE_FILE}"
    absent, card = next(iter(setup.absent_cards.items()))
    lines = [
        "",
        f"[bold]VoteHall demo[/]: meeting {setup.meeting_id}, the general assembly of 18 June 2025, is open.",
        f"{setup.members} members, {len(setup.passes)} checked in, {setup.ballots} ballots on the agenda.",
        "",
        "[bold]Pages[/] (English: the toggle on each page; ?lang=en on the hall screen and overlay):",
        f"  start page      {base}/   (links to all of them)",
        f"  hall screen     {base}/display",
        f"  stream overlay  {base}/display/overlay",
        f"  chair           {base}/chair   (chair token)",
        f"  desk            {base}/desk    (desk token)",
        f"  handheld        {base}/kiosk#pair={pairing}",
        f"  feed            {base}/api/feed   {base}/api/feed/stream",
        f"  API             {base}/docs",
        "",
        "[bold]Tokens[/] (paste into the page, or send as 'Authorization: Bearer <token>'):",
        *(f"  {role.value:<6} {secret}" for role, secret in setup.tokens.items()),
        "",
        "[bold]Secret ballots[/] (the appointments of item 12) are sealed to the vote-counting committee's",
        f"  key, made for the demo in {committee}/; the chair page shows its fingerprint",
        f"  {fingerprint_display(setup.committee_fingerprint)}.",
        f"  The private key, [bold]{key}[/], stays with the committee. Should the server",
        "  restart while a secret ballot is open, the committee unlocks that ballot so that it can close:",
        f"  votehall committee unlock --ballot <id> --key {key} --url {base} --token <chair token>",
        "",
        "[bold]Try it[/]:",
        f"  - The handheld link votes for {setup.names[yours]}: open it, or open {base}/kiosk",
        f"    and type the pairing code [bold]{pairing}[/] (once, within 30 minutes).",
        f"  - At the desk, check in {setup.names[absent]} (not present yet) with its voting card",
        f"    [bold]{card}[/].",
    ]
    if simulate:
        lines += [
            f"  - Simulated handhelds vote for the other {len(setup.passes) - 1} members present and the",
            "    chair's part plays itself (it releases each secret result and runs the election's",
            "    rounds): watch the hall screen.",
        ]
    else:
        lines += [
            "  - Open a ballot on the chair page, vote on the handheld, close the ballot.",
            "    A hall that votes by itself: [bold]make demo-simulate[/] (votehall demo --simulate).",
        ]
    lines += [
        "  - A phone on your network: make demo DEMO_ARGS='--host 0.0.0.0'.",
        "",
        f"Ctrl-C stops the server; the next `make demo` starts over with a fresh {database}.",
        "",
    ]
    return "\n".join(lines)


class HallProgress:
    """The simulated hall on the terminal (server.simulate.Observer): one bar for the handhelds
    connecting, one per open ballot filling up with acknowledged votes, and a line per result."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        self.progress = Progress(*columns, console=Console(highlight=False))
        self._tasks: dict[int, Any] = {}
        self._connecting: Any = None

    def connecting(self, connected: int, total: int) -> None:
        if self._connecting is None:
            self.progress.start()
            self._connecting = self.progress.add_task("simulated handhelds connecting", total=total)
        self.progress.update(self._connecting, completed=connected)
        if connected == total:
            self.progress.remove_task(self._connecting)

    def opened(self, ballot: dict[str, Any], number: int, total: int, voters: int) -> None:
        title = ballot["title"] if len(ballot["title"]) <= 40 else ballot["title"][:39] + "…"
        label = f"{number:>2}/{total} {ballot['agenda']:<4} {title}"
        self._tasks[ballot["id"]] = self.progress.add_task(label, total=voters)

    def acked(self, ballot_id: int) -> None:
        task = self._tasks.get(ballot_id)
        if task is not None:
            self.progress.advance(task)

    def closed(self, ballot: dict[str, Any]) -> None:
        task = self._tasks.pop(ballot["id"], None)
        if task is not None:
            self.progress.remove_task(task)
        result = ballot.get("result") or {}
        voted = result.get("members_voted")
        self.progress.console.print(
            f"  {ballot['agenda']:<4} {ballot['kind']:<10} {ballot['title'][:60]}\n"
            f"       [bold]{result.get('minutes', ballot['status'])}[/]"
            + (f" ({voted} members voted)" if voted is not None else "")
        )

    def done(self) -> None:
        self.stop()
        self.progress.console.print(
            "\nThe simulated hall has played the whole agenda; the server keeps running (Ctrl-C stops it)."
        )

    def meeting_closed(self) -> None:
        self.stop()
        self.progress.console.print(
            "\nThe chair closed the meeting: the simulated hall stops; the server keeps running (Ctrl-C stops it)."
        )

    def stop(self) -> None:
        self.progress.stop()
