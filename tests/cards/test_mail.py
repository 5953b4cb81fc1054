"""Mailing the voting cards, against a real SMTP server (aiosmtpd) on a free local port."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from typer.testing import CliRunner

from server.app import create_app
from server.auth.roles import Role
from server.cards import codes
from server.cards.mail import MailNotConfigured, MailStatus, MailUnavailable, send_cards
from server.cards.models import Card
from server.cards.service import issue_missing
from server.cli import app as cli_app
from server.config import Settings
from server.db import Database
from server.errors import NotFound
from server.meetings.schemas import MeetingCreate
from server.meetings.service import create_meeting
from server.register.emails import import_emails
from server.register.models import Member
from server.register.service import import_register
from tests.cards.test_pdf import pdf_pages
from tests.factories import REGISTER_CSV, bearer

SENDER = "VNG ALV <alv@vng.nl>"
ADDRESSES = {
    "GM0001": "secretaris@grootstad.nl",
    "GM0002": "nobody@middenburg.nl",  # the server refuses it
    "GM0004": "griffie@randmeer.nl",
}  # GM0003 Kleindorp has no address
REFUSED = ADDRESSES["GM0002"]
HANG_UP = "hang-up@example.nl"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Mailbox:
    """An aiosmtpd handler: refuses one recipient, hangs up on another, keeps the rest."""

    refuse: str = REFUSED
    received: list[EmailMessage] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == HANG_UP:
            server.transport.close()
            return "421 4.3.0 going away"
        if address == self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        return "250 2.0.0 queued"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield box, controller.port
    finally:
        controller.stop()


@pytest.fixture
def settings(database: Database, mailbox: tuple[Mailbox, int]) -> Settings:
    """The app's settings (also for the `client` fixture), pointing at the local SMTP server."""
    return Settings(
        database_url=database.url,
        env="development",
        smtp_host="127.0.0.1",
        smtp_port=mailbox[1],
        smtp_from=SENDER,
    )


@pytest.fixture
async def meeting_id(database: Database) -> AsyncIterator[int]:
    """A small register with secretary addresses for three of its four members, and their cards."""
    async with database.transaction() as session:
        await import_register(session, REGISTER_CSV, allow_new_codes=True)
        data = MeetingCreate(title="Algemene Ledenvergadering", date=date(2025, 6, 18), place="Eindhoven")
        meeting = await create_meeting(session, data)
        csv = "cbs_code,email\n" + "".join(f"{code},{address}\n" for code, address in ADDRESSES.items())
        await import_emails(session, csv)
        await issue_missing(session, meeting.id)
    yield meeting.id


async def cards_by_member(database: Database, meeting_id: int) -> dict[str, Card]:
    async with database.transaction(readonly=True) as session:
        rows = await session.execute(
            select(Member.cbs_code, Card)
            .join(Card, Card.member_id == Member.id)
            .where(Card.meeting_id == meeting_id)
        )
        return {code: card for code, card in rows.all()}


def attachment(message: EmailMessage) -> tuple[str | None, bytes]:
    [part] = list(message.iter_attachments())
    assert part.get_content_type() == "application/pdf"
    content = part.get_content()
    assert isinstance(content, bytes)
    return part.get_filename(), content


def check_message(message: EmailMessage, recipient: str, name: str, card: Card) -> None:
    assert message["To"] == recipient
    assert message["From"] == SENDER
    assert message["Subject"] == f"Stemkaart ALV 18 juni 2025 – {name}"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = " ".join(body.get_content().split())
    assert "stembalie" in text and f"gemeente {name}" in text and codes.grouped(card.code) in text
    filename, pdf = attachment(message)
    assert filename == f"stemkaart-{card.code}.pdf"
    [page] = pdf_pages(pdf)
    assert name in page and codes.grouped(card.code) in page


async def test_send_reports_sent_refused_and_no_address(
    database: Database, meeting_id: int, settings: Settings, mailbox: tuple[Mailbox, int]
) -> None:
    box, _ = mailbox
    report = await send_cards(database, meeting_id, settings)

    assert not report.dry_run
    outcomes = {o.member: o for o in report.outcomes}
    assert [o.member for o in report.outcomes] == ["GM0001", "GM0003", "GM0002", "GM0004"]  # by name
    assert {code: o.status for code, o in outcomes.items()} == {
        "GM0001": MailStatus.SENT,
        "GM0002": MailStatus.REFUSED,
        "GM0003": MailStatus.NO_ADDRESS,
        "GM0004": MailStatus.SENT,
    }
    assert outcomes["GM0002"].recipient == REFUSED
    assert outcomes["GM0002"].detail == "550 5.1.1 no such user"
    assert outcomes["GM0003"].recipient is None
    assert "queued" in str(outcomes["GM0001"].detail)

    cards = await cards_by_member(database, meeting_id)
    received = {message["To"]: message for message in box.received}
    assert sorted(received) == sorted([ADDRESSES["GM0001"], ADDRESSES["GM0004"]])
    check_message(received[ADDRESSES["GM0001"]], ADDRESSES["GM0001"], "Grootstad", cards["GM0001"])
    check_message(received[ADDRESSES["GM0004"]], ADDRESSES["GM0004"], "Randmeer", cards["GM0004"])
    assert {code for code, card in cards.items() if card.mailed_at is not None} == {"GM0001", "GM0004"}


async def test_only_some_members(
    database: Database, meeting_id: int, settings: Settings, mailbox: tuple[Mailbox, int]
) -> None:
    report = await send_cards(database, meeting_id, settings, only=["gm0004 "])
    assert [(o.member, o.status) for o in report.outcomes] == [("GM0004", MailStatus.SENT)]
    assert [m["To"] for m in mailbox[0].received] == [ADDRESSES["GM0004"]]
    with pytest.raises(NotFound, match="GM9999"):
        await send_cards(database, meeting_id, settings, only=["GM9999"])


async def test_dry_run_writes_eml_files_and_sends_nothing(
    database: Database, meeting_id: int, mailbox: tuple[Mailbox, int], tmp_path: Path
) -> None:
    settings = Settings(database_url=database.url, env="development", smtp_from=SENDER)  # no SMTP host
    folder = tmp_path / "out"
    report = await send_cards(database, meeting_id, settings, dry_run_dir=folder)

    assert report.dry_run
    assert {o.member: o.status for o in report.outcomes} == {
        "GM0001": MailStatus.DRY_RUN,
        "GM0002": MailStatus.DRY_RUN,
        "GM0003": MailStatus.NO_ADDRESS,
        "GM0004": MailStatus.DRY_RUN,
    }
    files = sorted(path.name for path in folder.iterdir())
    assert files == ["stemkaart-GM0001.eml", "stemkaart-GM0002.eml", "stemkaart-GM0004.eml"]
    cards = await cards_by_member(database, meeting_id)
    names = {"GM0001": "Grootstad", "GM0002": "Middenburg", "GM0004": "Randmeer"}
    for code, name in names.items():
        message = email.message_from_bytes(
            (folder / f"stemkaart-{code}.eml").read_bytes(), policy=email.policy.default
        )
        assert isinstance(message, EmailMessage)
        check_message(message, ADDRESSES[code], name, cards[code])
    assert mailbox[0].received == []
    assert all(card.mailed_at is None for card in cards.values())


async def test_a_server_that_cannot_be_reached_is_a_clear_error(database: Database, meeting_id: int) -> None:
    port = free_port()  # nothing listens here
    settings = Settings(
        database_url=database.url, env="development", smtp_host="127.0.0.1", smtp_port=port, smtp_from=SENDER
    )
    with pytest.raises(MailUnavailable, match=f"cannot reach the mail server 127.0.0.1:{port}"):
        await send_cards(database, meeting_id, settings)
    assert all(card.mailed_at is None for card in (await cards_by_member(database, meeting_id)).values())

    with pytest.raises(MailNotConfigured, match="VOTEHALL_SMTP_HOST"):
        await send_cards(database, meeting_id, Settings(database_url=database.url, env="development"))


async def test_a_connection_lost_midway_keeps_what_was_sent(
    database: Database, meeting_id: int, settings: Settings, mailbox: tuple[Mailbox, int]
) -> None:
    async with database.transaction() as session:
        await import_emails(session, f"cbs_code,email\nGM0002,{HANG_UP}\n")  # Middenburg, between the others
    report = await send_cards(database, meeting_id, settings)
    assert {o.member: o.status for o in report.outcomes} == {
        "GM0001": MailStatus.SENT,
        "GM0002": MailStatus.FAILED,
        "GM0003": MailStatus.NO_ADDRESS,
        "GM0004": MailStatus.FAILED,
    }
    cards = await cards_by_member(database, meeting_id)
    assert {code for code, card in cards.items() if card.mailed_at is not None} == {"GM0001"}


async def test_send_over_the_api(
    client: httpx.AsyncClient, tokens: dict[Role, str], meeting_id: int, mailbox: tuple[Mailbox, int]
) -> None:
    url, admin = f"/api/meetings/{meeting_id}/cards/send", bearer(tokens[Role.ADMIN])
    dry = await client.post(url, json={"dry_run": True}, headers=admin)
    assert dry.status_code == 200, dry.text
    answer = dry.json()
    assert (answer["dry_run"], answer["sent"], answer["no_address"]) == (True, 0, 1)
    by_member = {r["member"]: r for r in answer["results"]}
    assert by_member["GM0001"] == {
        "member": "GM0001",
        "name": "Grootstad",
        "status": "dry_run",
        "recipient": ADDRESSES["GM0001"],
        "subject": "Stemkaart ALV 18 juni 2025 – Grootstad",
        "detail": None,
    }
    assert mailbox[0].received == []

    sent = await client.post(url, json={"members": ["GM0001", "GM0002", "GM0003"]}, headers=admin)
    assert sent.status_code == 200, sent.text
    answer = sent.json()
    assert (answer["sent"], answer["refused"], answer["no_address"], answer["failed"]) == (1, 1, 1, 0)
    assert [m["To"] for m in mailbox[0].received] == [ADDRESSES["GM0001"]]

    unknown = await client.post(url, json={"members": ["GM9999"]}, headers=admin)
    assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown_member")


async def test_send_over_the_api_without_a_server(
    database: Database, tokens: dict[Role, str], meeting_id: int
) -> None:
    settings = Settings(
        database_url=database.url,
        env="development",
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        smtp_from=SENDER,
    )
    app = create_app(settings, database)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        response = await client.post(
            f"/api/meetings/{meeting_id}/cards/send", json={}, headers=bearer(tokens[Role.ADMIN])
        )
    assert (response.status_code, response.json()["error"]) == (502, "mail_unavailable")


def test_the_command_line(tmp_path: Path, mailbox: tuple[Mailbox, int]) -> None:
    """`votehall members emails`, `cards issue`, `cards pdf` and `cards send` as an operator runs them."""
    runner = CliRunner()
    url = ["--database-url", f"sqlite+aiosqlite:///{tmp_path / 'hall.db'}"]
    env = {
        "VOTEHALL_SMTP_HOST": "127.0.0.1",
        "VOTEHALL_SMTP_PORT": str(mailbox[1]),
        "VOTEHALL_SMTP_FROM": SENDER,
    }

    def run(*args: str) -> str:
        result = runner.invoke(cli_app, [*args, *url], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    (tmp_path / "register.csv").write_text(REGISTER_CSV)
    run("members", "import", str(tmp_path / "register.csv"), "--allow-new-codes")
    (tmp_path / "emails.csv").write_text("\ufeffcbs_code;e-mail\nGM0001;secretaris@grootstad.nl\n")
    assert "set the secretary address of 1 members" in run("members", "emails", str(tmp_path / "emails.csv"))
    agenda = Path(__file__).parents[2] / "server" / "data" / "alv_2025-06-18_agenda.json"
    run("meetings", "create", str(agenda))
    assert "issued 4 new cards; 4 members have a valid card" in run("cards", "issue", "1")
    assert "issued 0 new cards" in run("cards", "issue", "1")

    assert "wrote 4 cards" in run("cards", "pdf", "1", str(tmp_path / "cards.pdf"))
    assert len(pdf_pages((tmp_path / "cards.pdf").read_bytes())) == 4

    output = run("cards", "send", "1", "--dry-run", str(tmp_path / "eml"))
    assert "3 no_address, 1 dry_run" in output
    # Issue 15 item 8: one line for the members without an address, not a row each.
    assert "3 members have no address: GM0002, GM0003, GM0004" in output
    assert output.count("no_address") == 1
    assert [p.name for p in (tmp_path / "eml").iterdir()] == ["stemkaart-GM0001.eml"]
    assert mailbox[0].received == []

    output = run("cards", "send", "1", "--member", "GM0001")
    assert "1 sent" in output and "secretaris@grootstad.nl" in output
    assert [m["To"] for m in mailbox[0].received] == ["secretaris@grootstad.nl"]

    result = runner.invoke(
        cli_app, ["cards", "send", "1", *url], env=env | {"VOTEHALL_SMTP_PORT": str(free_port())}
    )
    assert result.exit_code == 1
    assert "error: cannot reach the mail server" in result.output


def test_members_without_an_address_are_summed_up_in_one_line() -> None:
    from server.cli.cards import no_address_line

    assert no_address_line(["GM0002"]) == "1 member has no address: GM0002 (votehall members emails FILE)"
    codes = [f"GM{n:04d}" for n in range(12, 0, -1)]
    assert no_address_line(codes) == (
        "12 members have no address: GM0001, GM0002, GM0003, GM0004, GM0005, GM0006, GM0007, GM0008, "
        "GM0009, GM0010, … (votehall members emails FILE)"
    )
