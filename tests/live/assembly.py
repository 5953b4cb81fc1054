"""The meeting of the end-to-end test (test_meeting_e2e.py): the register, the representatives
at the door, the secretariat's agenda, and the test's own ledger of votes, from which it works out
every result the screens must show. Also what a handheld's camera does with the desk's QR code."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import zxingcpp
from PIL import Image, ImageOps

from server.auth.roles import Role
from server.secret.keys import generate_committee_key
from server.seed import SeedMember
from tests.live.conftest import Hall

REGISTER = [
    SeedMember("GM0001", "Grootstad", 150_500),
    SeedMember("GM0002", "Middenburg", 42_999),
    SeedMember("GM0003", "Kleindorp", 640),
    SeedMember("GM0004", "Randmeer", 75_000),
    SeedMember("GM0005", "Zeedorp", 23_456),
    SeedMember("GM0006", "Afwezig", 12_000),  # stays away: no pass, no vote
]
NAMES = {member.code: member.name for member in REGISTER}
PHONES = [{"width": 390, "height": 844}, {"width": 360, "height": 740}]


@dataclass(frozen=True)
class Representative:
    member: str
    name: str
    role: str


# In the order they reach the desk.
ARRIVALS = [
    Representative("GM0003", "Kees de Wit", "wethouder"),
    Representative("GM0001", "Anna de Vries", "burgemeester"),
    Representative("GM0005", "Sanne Bakker", "raadslid"),
    Representative("GM0002", "Pieter Jansen", "griffier"),
    Representative("GM0004", "Fatima el Amrani", "secretaris"),
]
OFFLINE = "GM0001"  # its handheld loses the network before it votes on the motion
LOST_ACK = "GM0004"  # the ack of its motion vote is lost with the connection

CHOICES = {"for": "Voor", "against": "Tegen", "abstain": "Onthouding"}


def weight_of(population: int) -> int:
    """SPEC 2.1 with the default rule: a vote per full 1,000 inhabitants, at least 1, at most 75."""
    return min(75, max(1, population // 1000))


WEIGHTS = {member.code: weight_of(member.population) for member in REGISTER}


def dutch(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def dutch_weight(weight: int) -> str:
    return "1 stem" if weight == 1 else f"{dutch(weight)} stemmen"


@dataclass
class Ledger:
    """The test's own count: each member's last choice per ballot (SPEC 2.4), weighed by SPEC 2.1
    and decided by SPEC 2.5 (simple majority, abstentions not cast), worded by SPEC 2.6."""

    votes: dict[int, dict[str, str]] = field(default_factory=dict)
    present: int = len(ARRIVALS)  # every representative stays in the hall

    def vote(self, ballot: int, member: str, choice: str) -> None:
        self.votes.setdefault(ballot, {})[member] = choice

    def weight(self, ballot: int, choice: str) -> int:
        return sum(WEIGHTS[m] for m, c in self.votes.get(ballot, {}).items() if c == choice)

    def tally(self, ballot: int) -> dict[str, Any]:
        in_favour, against = self.weight(ballot, "for"), self.weight(ballot, "against")
        return {
            "for": in_favour,
            "against": against,
            "abstain": self.weight(ballot, "abstain"),
            "cast": in_favour + against,
            "members_voted": len(self.votes.get(ballot, {})),
            "weight_voted": sum(WEIGHTS[m] for m in self.votes.get(ballot, {})),
        }

    def percent_for(self, ballot: int) -> str:
        tally = self.tally(ballot)
        share = Decimal(tally["for"] * 100) / Decimal(tally["cast"])
        return str(share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))

    def adopted(self, ballot: int) -> bool:
        tally = self.tally(ballot)
        return 2 * tally["for"] > tally["cast"]

    def minutes(self, ballot: int) -> str:
        shown = self.percent_for(ballot).replace(".", ",") + "%"
        if self.adopted(ballot):
            return f"aangenomen met {shown} van de stemmen"
        return f"verworpen met {shown} van de stemmen vóór"

    def progress(self, ballot: int) -> str:
        """The hall screen's progress line: how many of the members present have voted."""
        members, present = self.tally(ballot)["members_voted"], dutch(self.present)
        if members == 1:
            return f"1 van {present} leden heeft gestemd"
        return f"{dutch(members)} van {present} leden hebben gestemd"


@dataclass
class Agenda:
    """The ballots as the secretariat made them (ids)."""

    proposal: int
    amendment: int
    motion: int
    acclaimed: int
    withdrawn: int
    appointment: int  # a `benoeming` created without saying secret: secret (SPEC 2.9)
    committee_fingerprint: str  # of the vote-counting committee's key the meeting got


def admin(hall: Hall) -> dict[str, str]:
    return {"Authorization": f"Bearer {hall.seeded.tokens[Role.ADMIN]}"}


APPOINTMENT = "Benoeming kascommissie: Anouk de Graaf en Ruud Kamphuis"


async def prepare_agenda(hall: Hall) -> Agenda:
    """The secretariat's agenda, through the API: item 4 with a proposal, an amendment on it and
    a motion; item 5 to be adopted by acclamation; item 6 a motion its submitter withdraws; item
    7 an appointment (a slate), which is secret as a `benoeming` is unless its creator says
    otherwise. The meeting gets the vote-counting committee's public key, which a secret ballot
    needs to open (the committee keeps the private key: made here and dropped)."""
    ids: dict[str, int] = {}

    async def ballot(key: str, **body: Any) -> None:
        async with httpx.AsyncClient(base_url=hall.server.base) as client:
            response = await client.post(
                f"/api/meetings/{hall.seeded.meeting_id}/ballots", json=body, headers=admin(hall)
            )
        assert response.status_code == 201, response.text
        ids[key] = response.json()["id"]

    await ballot("proposal", agenda="4", title="Begroting 2026", kind="voorstel")
    await ballot(
        "amendment", agenda="4", title="Amendement contributie bevriezen", kind="amendement",
        amends=ids["proposal"], submitters=["GM0003", "GM0005"],
    )  # fmt: skip
    await ballot(
        "motion", agenda="4", title="Motie digitale toegankelijkheid", kind="motie",
        submitters=["GM0002", "GM0005"], preadvies="ontraden",
    )  # fmt: skip
    await ballot("acclaimed", agenda="5", title="Jaarverslag 2024", kind="voorstel")
    await ballot(
        "withdrawn", agenda="6", title="Motie vreemd aan de orde van de dag", kind="motie",
        submitters=["GM0003"], preadvies="aanhouden",
    )  # fmt: skip
    await ballot("appointment", agenda="7", title=APPOINTMENT, kind="benoeming")
    committee = generate_committee_key().public
    async with httpx.AsyncClient(base_url=hall.server.base) as client:
        response = await client.post(
            f"/api/meetings/{hall.seeded.meeting_id}/committee-key",
            json={"public_key": committee.text},
            headers=admin(hall),
        )
    assert response.status_code == 200, response.text
    return Agenda(**ids, committee_fingerprint=committee.fingerprint)


def read_qr(png: bytes) -> str:
    """What a handheld's camera reads off the desk's screen: the QR code's text."""
    image = ImageOps.expand(Image.open(io.BytesIO(png)).convert("L"), border=32, fill=255)
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, f"expected one QR code on the desk's screen, found {len(found)}"
    text: str = found[0].text
    return text
