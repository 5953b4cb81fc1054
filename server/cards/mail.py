"""Mailing the voting cards to the municipal secretaries (SPEC 2.2).

Three steps, so that no database transaction is held while talking to the mail server:
read the cards and render one message per member (`prepare`), hand them to the SMTP server over
one connection (`deliver`), then record `Card.mailed_at` for the accepted ones. A dry run writes
the messages as `.eml` files instead, or (over the API) only reports what would be sent.
"""

from __future__ import annotations

import asyncio
import email.policy
import textwrap
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from enum import StrEnum
from pathlib import Path

import aiosmtplib
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from server.cards import codes, service
from server.cards.codes import votes_label
from server.cards.models import Card
from server.config import Settings
from server.db import Database
from server.errors import NotFound, VoteHallError
from server.meetings.models import Meeting
from server.meetings.service import get_meeting
from server.rules.minutes import dutch_date

DRY_RUN_SENDER = "VoteHall <stemkaart@votehall.invalid>"


class MailUnavailable(VoteHallError):
    """The mail server could not be reached, or refused the connection or the login."""

    code = "mail_unavailable"
    status = 502


class MailNotConfigured(VoteHallError):
    code = "mail_not_configured"
    status = 503


class MailStatus(StrEnum):
    SENT = "sent"  # the SMTP server accepted the message
    REFUSED = "refused"  # the SMTP server refused the recipient or the message (4xx/5xx)
    NO_ADDRESS = "no_address"  # the register has no secretary address for the member
    FAILED = "failed"  # not sent: the connection broke off before this message
    DRY_RUN = "dry_run"  # rendered, not sent


@dataclass(frozen=True, slots=True)
class MailOutcome:
    member: str
    name: str
    status: MailStatus
    recipient: str | None = None
    subject: str | None = None
    detail: str | None = None  # the server's reply, the reason, or the .eml file written


@dataclass(frozen=True, slots=True)
class MailReport:
    meeting_id: int
    dry_run: bool
    outcomes: tuple[MailOutcome, ...]

    def count(self, status: MailStatus) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)


@dataclass(frozen=True, slots=True)
class Letter:
    """One rendered message, with what the report and `mailed_at` need to know about it."""

    card_id: int
    outcome: MailOutcome  # member, name, recipient and subject; the status is set on delivery
    message: EmailMessage = field(repr=False)


@dataclass(frozen=True, slots=True)
class Batch:
    meeting_id: int
    letters: tuple[Letter, ...]
    no_address: tuple[MailOutcome, ...]

    def report(self, outcomes: Sequence[MailOutcome], *, dry_run: bool) -> MailReport:
        ordered = sorted([*outcomes, *self.no_address], key=lambda o: (o.name, o.member))
        return MailReport(self.meeting_id, dry_run, tuple(ordered))


async def send_cards(
    database: Database,
    meeting_id: int,
    settings: Settings,
    *,
    dry_run_dir: Path | None = None,
    only: Collection[str] | None = None,
) -> MailReport:
    """Mail every valid card whose member has a secretary address (or only the members `only`).

    With `dry_run_dir`, write one `.eml` file per message there and send nothing. Otherwise one
    SMTP connection carries all messages; `Card.mailed_at` is set, in a transaction of its own
    after sending, for the messages the server accepted.
    """
    sender = _sender(settings, dry_run=dry_run_dir is not None)
    async with database.transaction(readonly=True) as session:
        batch = await prepare(session, meeting_id, sender, only=only)
    if dry_run_dir is not None:
        written = await asyncio.to_thread(write_eml, batch.letters, dry_run_dir)
        return batch.report(written, dry_run=True)
    outcomes = await deliver(batch.letters, settings)
    async with database.transaction() as session:
        await record_mailed(session, batch, outcomes)
    return batch.report(outcomes, dry_run=False)


async def preview_cards(
    database: Database, meeting_id: int, settings: Settings, *, only: Collection[str] | None = None
) -> MailReport:
    """A dry run for the API: render the messages and report their recipients; write nothing."""
    async with database.transaction(readonly=True) as session:
        batch = await prepare(session, meeting_id, _sender(settings, dry_run=True), only=only)
    return batch.report([letter.outcome for letter in batch.letters], dry_run=True)


async def prepare(
    session: AsyncSession, meeting_id: int, sender: str, *, only: Collection[str] | None = None
) -> Batch:
    """Render a message for every valid card (of `only`, CBS codes); no I/O beyond the reads."""
    meeting = await get_meeting(session, meeting_id)
    views = await service.list_cards(session, meeting_id)
    if only is not None:
        wanted = {code.strip().upper() for code in only}
        missing = wanted - {view.member.cbs_code for view in views}
        if missing:
            raise NotFound(
                f"no valid card in meeting {meeting_id} for {', '.join(sorted(missing))} "
                "(issue the cards first: `votehall cards issue`)",
                code="unknown_member",
            )
        views = [view for view in views if view.member.cbs_code in wanted]
    with_address = [view for view in views if view.member.secretary_email]
    no_address = tuple(
        MailOutcome(view.member.cbs_code, view.member.name, MailStatus.NO_ADDRESS)
        for view in views
        if not view.member.secretary_email
    )
    # Rendering a few hundred PDFs takes seconds of CPU: keep it off the event loop.
    letters = await asyncio.to_thread(_letters, meeting, with_address, sender)
    return Batch(meeting_id, tuple(letters), no_address)


def _letters(meeting: Meeting, views: Sequence[service.CardView], sender: str) -> list[Letter]:
    return [Letter(view.card.id, *_message(meeting, view, sender)) for view in views]


def _message(meeting: Meeting, view: service.CardView, sender: str) -> tuple[MailOutcome, EmailMessage]:
    recipient = view.member.secretary_email or ""
    subject = f"Stemkaart ALV {dutch_date(meeting.date)} – {view.member.name}"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "votehall.invalid")
    message.set_content(_body(meeting, view))
    from server.cards.pdf import cards_pdf  # reportlab only when cards are made (server memory)

    message.add_attachment(
        cards_pdf(meeting, [view]),
        maintype="application",
        subtype="pdf",
        filename=f"stemkaart-{view.card.code}.pdf",
    )
    outcome = MailOutcome(
        view.member.cbs_code, view.member.name, MailStatus.DRY_RUN, recipient=recipient, subject=subject
    )
    return outcome, message


def _body(meeting: Meeting, view: service.CardView) -> str:
    name, place = view.member.name, f" in {meeting.place}" if meeting.place else ""
    paragraphs = [
        "Geachte secretaris,",
        f"Op {dutch_date(meeting.date)} is de {meeting.title}{place}. In de bijlage vindt u de "
        f"stemkaart van de gemeente {name}. Met deze kaart brengt de vertegenwoordiger van uw "
        f"gemeente {votes_label(view.weight)} uit.",
        "Wat moet u doen?",
        "1. Geef de stemkaart (geprint of op een telefoon) aan wie uw gemeente in de vergadering "
        "vertegenwoordigt. Dat kan alleen de burgemeester, een wethouder, een raadslid, de "
        "secretaris of de griffier van uw gemeente zijn.",
        "2. De vertegenwoordiger neemt de kaart mee naar de stembalie bij de ingang van de zaal. "
        "Daar wordt de kaart gescand en krijgt de vertegenwoordiger een persoonlijke stempas "
        "voor het stemkastje.",
        "3. Geef de kaart niet verder door dan nodig: wie de kaart heeft, kan zich bij de "
        "stembalie melden namens uw gemeente.",
        "Is de kaart kwijt of bij de verkeerde persoon terechtgekomen? Beantwoord dan dit bericht. "
        "U krijgt een nieuwe kaart; de oude werkt daarna niet meer.",
        f"Lukt het scannen niet, dan typt de stembalie deze kaartcode over:\n    {codes.grouped(view.card.code)}",
        "Met vriendelijke groet,\nhet secretariaat van de vergadering",
    ]
    return "\n\n".join(_wrap(paragraph) for paragraph in paragraphs) + "\n"


def _wrap(paragraph: str) -> str:
    """Plain text at 76 columns; the steps of a numbered list hang under their number."""
    indent = "   " if paragraph[:1].isdigit() else ""
    return "\n".join(
        textwrap.fill(line, 76, subsequent_indent=indent, break_on_hyphens=False)
        for line in paragraph.splitlines()
    )


def write_eml(letters: Sequence[Letter], folder: Path) -> list[MailOutcome]:
    """The dry run: one `stemkaart-<member>.eml` per message, as it would go over the wire."""
    folder.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for letter in letters:
        path = folder / f"stemkaart-{letter.outcome.member}.eml"
        path.write_bytes(letter.message.as_bytes(policy=email.policy.SMTP))
        outcomes.append(replace(letter.outcome, detail=str(path)))
    return outcomes


async def deliver(letters: Sequence[Letter], settings: Settings) -> list[MailOutcome]:
    """Hand every letter to the SMTP server over one connection; one outcome per letter.

    A refusal (of the recipient, the sender or the message) is that letter's outcome and the
    next letter goes on; a broken connection marks the rest as failed. Only a connection that
    cannot be opened at all is an error.
    """
    if not letters:
        return []
    smtp = aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        use_tls=settings.smtp_ssl,
        start_tls=settings.smtp_starttls,
        timeout=settings.smtp_timeout,
    )
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        await smtp.connect()
    except aiosmtplib.SMTPResponseException as error:
        smtp.close()
        raise MailUnavailable(f"the mail server {where} refused the connection: {_reply(error)}") from None
    except (aiosmtplib.SMTPException, OSError) as error:
        smtp.close()
        raise MailUnavailable(f"cannot reach the mail server {where}: {error}") from None
    try:
        return await _send_all(smtp, letters)
    finally:
        try:
            await smtp.quit()
        except (aiosmtplib.SMTPException, OSError):
            smtp.close()


async def _send_all(smtp: aiosmtplib.SMTP, letters: Sequence[Letter]) -> list[MailOutcome]:
    outcomes: list[MailOutcome] = []
    for position, letter in enumerate(letters):
        try:
            _, reply = await smtp.send_message(letter.message)
        except aiosmtplib.SMTPRecipientsRefused as error:
            detail = "; ".join(_reply(refusal) for refusal in error.recipients)
            outcomes.append(replace(letter.outcome, status=MailStatus.REFUSED, detail=detail))
        except aiosmtplib.SMTPResponseException as error:
            outcomes.append(replace(letter.outcome, status=MailStatus.REFUSED, detail=_reply(error)))
        except (aiosmtplib.SMTPException, OSError) as error:
            detail = f"not sent: the connection to the mail server broke off ({error})"
            return outcomes + [
                replace(rest.outcome, status=MailStatus.FAILED, detail=detail) for rest in letters[position:]
            ]
        else:
            outcomes.append(replace(letter.outcome, status=MailStatus.SENT, detail=reply))
    return outcomes


def _reply(error: aiosmtplib.SMTPResponseException) -> str:
    return f"{error.code} {error.message}"


async def record_mailed(session: AsyncSession, batch: Batch, outcomes: Sequence[MailOutcome]) -> None:
    """Set `Card.mailed_at` for the cards whose message the server accepted."""
    sent = {outcome.member for outcome in outcomes if outcome.status == MailStatus.SENT}
    ids = [letter.card_id for letter in batch.letters if letter.outcome.member in sent]
    if ids:
        await session.execute(update(Card).where(Card.id.in_(ids)).values(mailed_at=datetime.now(UTC)))


def _sender(settings: Settings, *, dry_run: bool) -> str:
    """The From address; sending for real also needs a mail server, and one kind of TLS."""
    if dry_run:
        return settings.smtp_from or DRY_RUN_SENDER
    missing = [name for name in ("smtp_host", "smtp_from") if not getattr(settings, name)]
    if missing:
        names = " and ".join(f"VOTEHALL_{name.upper()}" for name in missing)
        raise MailNotConfigured(f"mail is not configured: set {names}")
    if settings.smtp_ssl and settings.smtp_starttls:
        raise MailNotConfigured("set VOTEHALL_SMTP_SSL (port 465) or VOTEHALL_SMTP_STARTTLS (587), not both")
    return str(settings.smtp_from)
