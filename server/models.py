"""Every table, imported in one place so that Alembic and the tests see the whole schema."""

from server.audit.models import LogEntry, LogHead
from server.auth.models import OperatorToken
from server.ballots.models import Ballot, BallotKey, Candidate, SealedVote, UnitBallot, Vote, VoteEvent
from server.cards.models import Card
from server.db import Base
from server.desk.models import DeskLogEntry, Pass
from server.meetings.models import AgendaItem, Meeting, MeetingMember
from server.register.models import Member

__all__ = [
    "AgendaItem",
    "Ballot",
    "BallotKey",
    "Base",
    "Candidate",
    "Card",
    "DeskLogEntry",
    "LogEntry",
    "LogHead",
    "Meeting",
    "MeetingMember",
    "Member",
    "OperatorToken",
    "Pass",
    "SealedVote",
    "UnitBallot",
    "Vote",
    "VoteEvent",
]
