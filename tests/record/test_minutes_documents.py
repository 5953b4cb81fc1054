"""results.pdf and results.docx for the minutes (issue 15), as pure functions of a Record: both
say the attendance, the reference date, the submitters, the preadvies, a voided ballot's reason,
the signature block and the closing hash, in the same words, and no time in UTC."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import update

from server.auth.roles import Role
from server.db import Database
from server.meetings.models import Meeting
from server.record.content import (
    ABSENT,
    HALL_TIME,
    NOT_VOTED,
    BallotRef,
    Lot,
    Record,
    RecordBallot,
    RecordMember,
    Representative,
)
from server.record.docx import results_docx
from server.record.minutes_text import minutes
from server.record.pdf import results_pdf
from server.rules import Choice, ElectionOutcome, ElectionTally, Outcome, RoundKind, decide_election
from tests.record.conftest import Hall

CLOSE_HASH = "c1" * 32
# 18 June 2025 is summer time: 09:05 UTC is 11:05 in the hall.
OPENED = datetime(2025, 6, 18, 9, 5, tzinfo=UTC)
CLOSED = datetime(2025, 6, 18, 15, 47, tzinfo=UTC)


def _ballot(ballot_id: int, **fields: object) -> RecordBallot:
    base = RecordBallot(
        id=ballot_id, agenda="4", title=f"Stemming {ballot_id}", kind="motie", majority="simple",
        status="closed", outcome=Outcome.ADOPTED, for_=117, against=75, abstain=1, cast=192,
        members_voted=3, percent_for="60.94", log_seq=ballot_id * 10, log_hash=f"{ballot_id:02d}" * 32,
        closed_at=datetime(2025, 6, 18, 12, ballot_id, tzinfo=UTC), present_members=3, present_weight=193,
    )  # fmt: skip
    return replace(base, **fields)  # type: ignore[arg-type]


def _record(**fields: object) -> Record:
    annual = _ballot(3, kind="voorstel", title="Begroting 2026", agenda="3")
    amendment = _ballot(
        4, kind="amendement", agenda="3", title="Amendement ledenbijdrage", submitters=("Grootstad",),
        preadvies="oordeel_vergadering", amends=BallotRef(3, "3", "Begroting 2026"),
    )  # fmt: skip
    motion = _ballot(
        5, title="Motie stemkastjes", submitters=("Grootstad", "Middenburg"), preadvies="ontraden",
        outcome=Outcome.REJECTED, for_=42, against=150, percent_for="21.88",
    )  # fmt: skip
    voided = _ballot(
        6, status="voided", outcome=Outcome.VOIDED, void_reason="storing in het stemsysteem", revoted_by=7
    )
    revote = _ballot(7, revote_of=BallotRef(6, "4", "Stemming 6"))
    undecided = _ballot(
        8, title="Motie die niet aan bod kwam", status="not_decided", outcome=Outcome.NOT_DECIDED,
        for_=None, against=None, abstain=None, cast=None, members_voted=None, percent_for=None,
        closed_at=None, present_members=None, present_weight=None,
    )  # fmt: skip
    ids = [21, 22]
    tied = decide_election(RoundKind.RUNOFF, ids, ElectionTally.empty(ids).add(21, 75).add(22, 75))
    assert tied.outcome is ElectionOutcome.LOT
    election = _ballot(
        9, kind="benoeming", title="Penningmeester", agenda="5", outcome=tied.outcome, election=tied,
        candidates=((21, "Anna Alfa"), (22, "Bert Beta")), round=RoundKind.RUNOFF, for_=None,
        against=None, lot=Lot("Bert Beta", "mr. C. Notaris"),
    )  # fmt: skip
    by_hand = _ballot(10, counted_by_hand=True, members_voted=None, confirmed_by="D. Teller")
    members = (
        RecordMember("GM0001", "Grootstad", 75, "burgemeester", {3: Choice.FOR}, True,
                     (Representative("Anne de Burg", "burgemeester"), Representative("Wim Wet", "wethouder"))),
        RecordMember("GM0002", "Middenburg", 42, "wethouder", {3: NOT_VOTED}, True,
                     (Representative("Jan Jansen", "wethouder"),)),
        RecordMember("GM0003", "Kleindorp", 1, "burgemeester", {3: Choice.AGAINST}, True,
                     (Representative("Kees Klein", "burgemeester"),)),
        RecordMember("GM0005", "Afwezig", 12, None, {3: ABSENT}),
    )  # fmt: skip
    record = Record(
        meeting_id=7, title="Algemene Ledenvergadering", date=date(2025, 6, 18), place="Utrecht",
        published_at=datetime(2025, 6, 18, 16, 30, tzinfo=UTC), log_head=(120, "ef" * 32),
        ballots=(annual, amendment, motion, voided, revote, undecided, election, by_hand),
        members=members, population_date=date(2024, 1, 1), opened_at=OPENED, closed_at=CLOSED,
        close_seq=118, close_hash=CLOSE_HASH, chair_name="Mr. P. Voorzitter",
        committee_members=("A. Commissielid", "B. Telling"), show_names=True,
    )  # fmt: skip
    return replace(record, **fields)  # type: ignore[arg-type]


def pdf_text(body: bytes, tmp_path: Path) -> str:
    """The PDF's text as pdftotext lays it out, whitespace folded."""
    assert shutil.which("pdftotext"), "poppler-utils is needed to read the PDF"
    path = tmp_path / "uitslagen.pdf"
    path.write_bytes(body)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True)
    return out.stdout


def docx_text(body: bytes) -> str:
    """The DOCX's text from word/document.xml, one paragraph a line."""
    xml = zipfile.ZipFile(BytesIO(body)).read("word/document.xml").decode()
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, re.S)
    return "\n".join(
        html.unescape("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p))) for p in paragraphs
    )


def _fold(text: str) -> str:
    return " ".join(text.split())


EXPECTED = (
    "3 van 4 leden aanwezig, 118 van 130 stemmen",
    "Stemgewichten naar inwonertallen CBS per 1 januari 2024.",
    "Vergadering geopend om 11:05 uur en gesloten om 17:47 uur (Nederlandse tijd).",
    "Anne de Burg (burgemeester); Wim Wet (wethouder)",
    "Afwezig (1 lid, 12 stemmen): Afwezig.",
    "Ingediend door: Grootstad, Middenburg.",
    "Preadvies: ontraden.",
    "Preadvies: oordeel aan de vergadering.",
    "Amendement op: agendapunt 3 Begroting 2026 (stemming #3).",
    "Besluit: ongeldig verklaard: storing in het stemsysteem",
    "Herstemming van: agendapunt 4 Stemming 6 (stemming #6), ongeldig verklaard.",
    "Opnieuw in stemming gebracht als stemming #7.",
    "Besluit: niet in stemming gebracht",
    "Vereiste meerderheid: volstrekte meerderheid.",
    "Loting in de zaal, getrokken door mr. C. Notaris: het lot viel op Bert Beta.",
    "Telling bevestigd door: D. Teller (commissie van stemopneming).",
    "Aanwezig bij de stemming: 3 leden, 193 stemmen.",
    "Tijdstip: 14:05 uur.",
    "Gepubliceerd op 18 juni 2025 om 18:30 uur.",
    "Voor akkoord",
    "Mr. P. Voorzitter",
    "A. Commissielid",
    "B. Telling",
    "Lid van de commissie van stemopneming",
    "Plaats: Utrecht",
    CLOSE_HASH,
    f"Controleer met: votehall verify https://<server>/api/meetings/7/audit --head {CLOSE_HASH}",
)
# Times that only the UTC clock gives: the meeting's opening and close, a ballot's close, the
# publication.
UTC_ONLY = ("09:05", "15:47", "12:05", "16:30", "UTC")


def test_the_pdf_says_what_the_minutes_need(tmp_path: Path) -> None:
    text = _fold(pdf_text(results_pdf(_record()), tmp_path))
    for expected in EXPECTED:
        assert expected in text, expected
    for utc in UTC_ONLY:
        assert utc not in text, utc
    assert "Stemming 8" not in text  # its title is another
    assert "Proefstemming" not in text


def test_the_check_command_names_the_configured_address(tmp_path: Path) -> None:
    """With VOTEHALL_PUBLIC_URL the documents' check command is one to type as printed; without,
    a placeholder (the request's Host header is the client's to choose, and is never used)."""
    record = _record(public_url="https://stemmen.example.nl/")
    for text in (_fold(pdf_text(results_pdf(record), tmp_path)), _fold(docx_text(results_docx(record)))):
        assert (
            f"votehall verify https://stemmen.example.nl/api/meetings/{record.meeting_id}/audit --head"
            in text
        )
    assert "https://<server>/api/meetings/" in _fold(docx_text(results_docx(_record())))


def test_the_docx_says_the_same(tmp_path: Path) -> None:
    body = results_docx(_record())
    text = docx_text(body)
    for expected in EXPECTED:
        assert expected in text, expected
    for utc in UTC_ONLY:
        assert utc not in text, utc
    # Paragraph by paragraph the words are the PDF's: every line of the text module is in both.
    pdf = _fold(pdf_text(results_pdf(_record()), tmp_path))
    said = minutes(_record())
    for ballot in said.ballots:
        for line in (ballot.heading, ballot.meta, *ballot.before, ballot.decision, *ballot.after):
            assert line in text.splitlines(), line
            assert _fold(line) in pdf, line
    # A4 and the same bytes for the same record (fixed timestamps in the package).
    xml = zipfile.ZipFile(BytesIO(body)).read("word/document.xml").decode()
    assert '<w:pgSz w:w="11906" w:h="16838"/>' in xml or 'w:w="11906"' in xml
    assert results_docx(_record()) == body


def test_without_names_the_signature_lines_stay_to_be_filled_in(tmp_path: Path) -> None:
    record = _record(chair_name=None, committee_members=(), close_seq=None, close_hash=None, place=None)
    block = minutes(record).signatures
    assert block.signers == (
        ("Voorzitter", ""),
        ("Lid van de commissie van stemopneming", ""),
        ("Lid van de commissie van stemopneming", ""),
    )
    assert block.check is None
    text = _fold(pdf_text(results_pdf(record), tmp_path))
    assert "Voor akkoord" in text and "Voorzitter" in text and "Controleer met" not in text
    assert "Plaats: …" in docx_text(results_docx(record))


@pytest.mark.parametrize("render", [results_pdf, results_docx])
def test_271_members_present_stay_readable(render: object, tmp_path: Path) -> None:
    """A full hall: 271 of 342 members present, each with a representative; every present
    member in the list, the absent ones named in one paragraph."""
    members = tuple(
        RecordMember(
            f"GM{n:04d}", f"Gemeente {n}", 30 + n % 50, "burgemeester", {}, n <= 271,
            (Representative(f"Vertegenwoordiger Nummer {n}", "burgemeester"),) if n <= 271 else (),
        )
        for n in range(1, 343)
    )  # fmt: skip
    record = _record(members=members)
    assert record.attendance_nl().startswith("271 van 342 leden aanwezig")
    body = render(record)  # type: ignore[operator]
    if render is results_pdf:
        text = pdf_text(body, tmp_path)
        pages = text.count("\f")
        assert pages <= 16, pages  # two columns of small type: 271 rows take a few pages
    else:
        text = docx_text(body)
    folded = _fold(text)
    assert "271 van 342 leden aanwezig" in folded
    for n in (1, 136, 137, 271):
        assert f"Vertegenwoordiger Nummer {n} (burgemeester)" in folded, n
    assert "Afwezig (71 leden," in folded and "Gemeente 342." in folded


async def test_a_played_meeting_gives_the_minutes_their_documents(
    played: Hall, database: Database, tmp_path: Path
) -> None:
    """End to end: a meeting with a motion by two members with a preadvies, a voided ballot, a
    hand-over to a wethouder and an absent member, closed and published; the PDF and the Word
    document say the same and print no UTC time."""
    hall = played
    # The hall's clock during the run (it played a moment ago): the only times the documents may
    # print. The UTC clock is an hour or two away from it.
    start = datetime.now(HALL_TIME) - timedelta(minutes=3)
    digital = hall.ballots["digital"]
    await hall.call("POST", f"/api/ballots/{digital}/void", Role.CHAIR, json={"reason": "storing in de zaal"})
    await hall.call(
        "PATCH", f"/api/ballots/{hall.ballots['draft']}", Role.CHAIR,
        json={"submitters": ["GM0001", "GM0004"], "preadvies": "ontraden"},
    )  # fmt: skip
    async with database.transaction() as session:
        await session.execute(
            update(Meeting)
            .where(Meeting.id == hall.meeting)
            .values(
                population_date=date(2024, 1, 1),
                chair_name="Mr. P. Voorzitter",
                committee_members=["A. Commissielid", "B. Telling"],
            )
        )
    await hall.close_and_publish()
    meeting = await hall.call("GET", f"/api/meetings/{hall.meeting}", Role.CHAIR)
    close_hash = meeting["close_hash"]
    assert isinstance(close_hash, str) and len(close_hash) == 64

    end = datetime.now(HALL_TIME) + timedelta(minutes=1)
    hall_times = {
        f"{start + timedelta(minutes=m):%H:%M}" for m in range(int((end - start).total_seconds() // 60) + 1)
    }
    # The chair's copies, which name the representatives (personal data: the public's name them
    # only by the meeting's setting).
    chair = hall.auth(Role.CHAIR)
    pdf = await hall.client.get(f"/api/meetings/{hall.meeting}/results.pdf", headers=chair)
    word = await hall.client.get(f"/api/meetings/{hall.meeting}/results.docx", headers=chair)
    assert pdf.status_code == word.status_code == 200
    public = await hall.client.get(f"/api/meetings/{hall.meeting}/results.docx")
    assert public.status_code == 200
    assert "W. Ethouder" not in docx_text(public.content) and "wethouder" in docx_text(public.content)
    texts = {"pdf": _fold(pdf_text(pdf.content, tmp_path)), "docx": _fold(docx_text(word.content))}
    for name, text in texts.items():
        for expected in (
            "Presentie: 4 van 5 leden aanwezig, 193 van 205 stemmen.",
            "Stemgewichten naar inwonertallen CBS per 1 januari 2024.",
            "W. Ethouder (wethouder)",
            "Afwezig (1 lid, 12 stemmen): Afwezig.",
            "Ingediend door: Grootstad, Randmeer.",
            "Preadvies: ontraden.",
            "Besluit: ongeldig verklaard: storing in de zaal",
            "Voor akkoord",
            "Mr. P. Voorzitter",
            "A. Commissielid",
            "B. Telling",
            close_hash,
            f"--head {close_hash}",
        ):
            assert expected in text, (name, expected)
        assert "UTC" not in text, name
        # Every time printed is one on the hall's clock (summer time: UTC + 2).
        printed = re.findall(r"\d\d:\d\d(?= uur)", text)
        assert printed, name  # the meeting's opening and close at least
        assert set(printed) <= hall_times, (name, printed, hall_times)
