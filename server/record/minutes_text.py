"""What the documents for the minutes say (issue 15): the words of `results.pdf` and
`results.docx`, in one place. Pure: a Record in, plain Dutch text in sections out.

Both renderers draw these sections and add no words of their own (beyond page numbers), so that
the PDF the chair signs and the Word file the secretariat pastes into the minutes say the same.
Every time is on the hall's clock (Europe/Amsterdam, `hall_time`), never UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from server.record.content import HALL_TIME, Record, RecordBallot, RecordMember, hall_time, nl_number
from server.rules import BallotStatus
from server.rules.minutes import dutch_date

Figures = tuple[tuple[str, ...], ...]  # a header row, then the rows


@dataclass(frozen=True, slots=True)
class Cover:
    kicker: str
    title: str
    when: str  # "18 juni 2025 · Utrecht"
    lines: tuple[str, ...]  # times, reference date, attendance, draft notice


@dataclass(frozen=True, slots=True)
class Attendance:
    heading: str
    summary: str
    header: tuple[str, str, str]
    rows: tuple[tuple[str, str, str], ...]  # member, weight, its representatives (name, role)
    absent: str | None  # the absent members in one paragraph


@dataclass(frozen=True, slots=True)
class BallotText:
    heading: str  # "Agendapunt 1: Jaarverslag 2024"
    meta: str  # kind, round, secrecy, number
    before: tuple[str, ...]  # majority, submitters, preadvies, amended proposal, re-vote of
    decision: str  # "Besluit: …"
    figures: Figures  # () when there is nothing to count
    figures_kind: Literal["totals", "candidates", "none"]
    after: tuple[str, ...]  # notes, attendance at the vote, lot, re-voted by, time
    rounds: tuple[str, ...]  # on an election's first round: every round with its result
    log: str | None  # "logregel 12 · <hash>"


@dataclass(frozen=True, slots=True)
class Signatures:
    heading: str
    intro: str
    signers: tuple[tuple[str, str], ...]  # (function, name); an empty name is written by hand
    place_date: tuple[str, ...]
    close: str | None  # what the closing entry is
    close_hash: str | None
    check: str | None  # how to check it


@dataclass(frozen=True, slots=True)
class LogHead:
    heading: str
    text: str
    hash: str
    published: str | None


@dataclass(frozen=True, slots=True)
class Minutes:
    document_title: str
    footer: str
    cover: Cover
    attendance: Attendance
    ballots: tuple[BallotText, ...]
    no_ballots: str | None
    rounds_intro: str
    log_head: LogHead | None
    signatures: Signatures


ROUNDS_INTRO = "Stemronden van deze verkiezing:"
BLANK = "…………………………………"  # a line to write on


def minutes(record: Record) -> Minutes:
    return Minutes(
        document_title=f"Uitslagen {record.title} {dutch_date(record.date)}",
        footer=f"{record.title} · {dutch_date(record.date)}",
        cover=_cover(record),
        attendance=_attendance(record),
        ballots=tuple(_ballot(record, ballot) for ballot in record.ballots),
        no_ballots=None if record.ballots else "Er zijn geen besluiten genomen.",
        rounds_intro=ROUNDS_INTRO,
        log_head=_log_head(record),
        signatures=_signatures(record),
    )


def _cover(record: Record) -> Cover:
    lines = []
    if record.opened_at is not None or record.closed_at is not None:
        times = [f"geopend om {hall_time(record.opened_at)} uur"] if record.opened_at else []
        times += [f"gesloten om {hall_time(record.closed_at)} uur"] if record.closed_at else []
        lines.append(f"Vergadering {' en '.join(times)} (Nederlandse tijd).")
    if (population := record.population_date_nl()) is not None:
        lines.append(f"Stemgewichten naar {population}.")
    lines.append(f"Presentie: {record.attendance_nl()}.")
    if record.published_at is None:
        lines.append("Concept: nog niet gepubliceerd.")
    when = dutch_date(record.date) + (f" · {record.place}" if record.place else "")
    return Cover("UITSLAGEN VAN DE STEMMINGEN", record.title, when, tuple(lines))


def _members(count: int) -> str:
    return "1 lid" if count == 1 else f"{nl_number(count)} leden"


def representatives(member: RecordMember) -> str:
    """Who held the member's passes, in pass order: "A. Jansen (burgemeester); B. de Vries (wethouder)"."""
    if member.representatives:
        return "; ".join(f"{r.name} ({r.role})" if r.role else r.name for r in member.representatives)
    return member.role or ""


def _attendance(record: Record) -> Attendance:
    present = record.present
    absent = [m for m in record.members if not m.present]
    absent_line = None
    if absent:
        weight = sum(m.weight for m in absent)
        names = ", ".join(m.name for m in absent)
        absent_line = f"Afwezig ({_members(len(absent))}, {nl_number(weight)} stemmen): {names}."
    return Attendance(
        heading="Presentielijst",
        summary=(
            f"{record.attendance_nl()}. Aanwezig is een lid met een actieve stempas op enig moment "
            "van de vergadering."
        ),
        header=("lid", "stemmen", "vertegenwoordigd door"),
        rows=tuple((m.name, nl_number(m.weight), representatives(m)) for m in present),
        absent=absent_line,
    )


def _meta(ballot: RecordBallot) -> str:
    """Kind, an election's round (and the round it follows), secrecy and number."""
    words = [ballot.kind]
    if ballot.round_name is not None:
        words.append(ballot.round_name)
        if ballot.first_round is not None:
            words[-1] += f" van stemming #{ballot.first_round}"
    if ballot.secret:
        words.append("geheime stemming")
    return " · ".join([*words, f"stemming #{ballot.id}"])


def _before(ballot: RecordBallot) -> list[str]:
    lines = [f"Vereiste meerderheid: {ballot.majority_nl}."]
    if ballot.submitters:
        lines.append(f"Ingediend door: {', '.join(ballot.submitters)}.")
    if ballot.preadvies_nl is not None:
        lines.append(f"Preadvies: {ballot.preadvies_nl}.")
    if ballot.off_agenda:
        lines.append("Motie vreemd aan de orde van de dag.")
    if ballot.amends is not None:
        lines.append(f"Amendement op: {ballot.amends.label()} (stemming #{ballot.amends.id}).")
    for amendment in ballot.amended_by_nl:
        lines.append(f"Amendement hierop: {amendment}.")
    if ballot.revote_of is not None:
        lines.append(
            f"Herstemming van: {ballot.revote_of.label()} (stemming #{ballot.revote_of.id}), "
            "ongeldig verklaard."
        )
    return lines


def _figures(ballot: RecordBallot) -> tuple[Figures, Literal["totals", "candidates", "none"]]:
    if ballot.election is not None and ballot.status == BallotStatus.CLOSED:
        rows = tuple((name, nl_number(votes), share) for name, votes, share in ballot.candidate_rows())
        return (("kandidaat", "stemmen", "van de uitgebrachte"), *rows), "candidates"
    if ballot.status == BallotStatus.CLOSED and ballot.for_ is not None:
        percent = f"{ballot.percent_nl}%" if ballot.percent_for is not None else "—"
        header = ("voor", "tegen", "onthouding", "uitgebracht", "leden gestemd", "percentage voor")
        row: tuple[str, ...] = (nl_number(ballot.for_), nl_number(ballot.against), nl_number(ballot.abstain),
               nl_number(ballot.cast), nl_number(ballot.members_voted), percent)  # fmt: skip
        return (header, row), "totals"
    return (), "none"


def _after(ballot: RecordBallot) -> list[str]:
    lines = []
    if ballot.election is not None and ballot.status == BallotStatus.CLOSED:
        note = f"Uitgebracht {nl_number(ballot.election.cast)} stemmen"
        if ballot.counted_by_hand:
            note += ", met de hand geteld"
        else:
            note += f" door {nl_number(ballot.members_voted)} leden"
            if ballot.secret:
                note += "; per lid staat alleen vast dat het gestemd heeft"
        lines.append(note + ".")
    elif ballot.status in (BallotStatus.ACCLAMATION, BallotStatus.OUT_OF_ORDER):
        lines.append("Besloten zonder elektronische stemming.")
    if ballot.counted_by_hand and ballot.election is None:
        lines.append("Met de hand geteld.")
    if ballot.counted_by_hand and ballot.confirmed_by:
        lines.append(f"Telling bevestigd door: {ballot.confirmed_by} (commissie van stemopneming).")
    if ballot.lot is not None:
        by = f", getrokken door {ballot.lot.drawn_by}" if ballot.lot.drawn_by else ""
        lines.append(f"Loting in de zaal{by}: het lot viel op {ballot.lot.candidate}.")
    if ballot.present_members is not None:
        where = "de stemming" if ballot.status == BallotStatus.CLOSED else "het besluit"
        weight = nl_number(ballot.present_weight) if ballot.present_weight is not None else "—"
        lines.append(f"Aanwezig bij {where}: {_members(ballot.present_members)}, {weight} stemmen.")
    if ballot.revoted_by is not None:
        lines.append(f"Opnieuw in stemming gebracht als stemming #{ballot.revoted_by}.")
    if ballot.closed_at is not None:
        lines.append(f"Tijdstip: {hall_time(ballot.closed_at)} uur.")
    return lines


def _ballot(record: Record, ballot: RecordBallot) -> BallotText:
    figures, kind = _figures(ballot)
    rounds = tuple(f"{r.round_name} (stemming #{r.id}): {r.minutes('nl')}" for r in record.rounds_of(ballot))
    return BallotText(
        heading=f"Agendapunt {ballot.agenda}: {ballot.title}",
        meta=_meta(ballot),
        before=tuple(_before(ballot)),
        decision=f"Besluit: {ballot.minutes('nl')}",
        figures=figures,
        figures_kind=kind,
        after=tuple(_after(ballot)),
        rounds=rounds,
        log=f"logregel {ballot.log_seq} · {ballot.log_hash}" if ballot.log_hash is not None else None,
    )


def _log_head(record: Record) -> LogHead | None:
    if record.log_head is None:
        return None
    seq, digest = record.log_head
    published = None
    if record.published_at is not None:
        moment = record.published_at.astimezone(HALL_TIME)
        published = f"Gepubliceerd op {dutch_date(moment.date())} om {hall_time(moment)} uur."
    return LogHead(
        "Logboek",
        f"Het logboek van deze vergadering telt {seq} regels. De laatste regel heeft de hash:",
        digest,
        published,
    )


def _signatures(record: Record) -> Signatures:
    signers = [("Voorzitter", record.chair_name or "")]
    committee = record.committee_members or ("", "")
    signers += [("Lid van de commissie van stemopneming", name) for name in committee]
    close = close_hash = check = None
    if record.close_seq is not None and record.close_hash is not None:
        close = (
            f"Deze uitslagen horen bij het logboek tot en met regel {record.close_seq}, de sluiting "
            "van de vergadering; de publicatie voegt daarna regels toe. De hash van die regel:"
        )
        close_hash = record.close_hash
        check = (
            f"Controleer met: votehall verify {(record.public_url or 'https://<server>').rstrip('/')}"
            f"/api/meetings/{record.meeting_id}/audit "
            f"--head {record.close_hash} (deze hash moet in het gepubliceerde logboek staan, als regel "
            f"{record.close_seq})."
        )
    return Signatures(
        heading="Voor akkoord",
        intro=(
            "De voorzitter en de commissie van stemopneming verklaren dat deze uitslagen de besluiten "
            "van de vergadering juist weergeven."
        ),
        signers=tuple(signers),
        place_date=(f"Plaats: {record.place or BLANK}", f"Datum: {BLANK}"),
        close=close,
        close_hash=close_hash,
        check=check,
    )
