"""Every table, imported in one place so that Alembic and the tests see the whole schema."""

from server.auth.models import OperatorToken
from server.ballots.models import Ballot, Vote, VoteEvent
from server.db import Base
from server.desk.models import Pass
from server.meetings.models import AgendaItem, Meeting, MeetingMember
from server.register.models import Member

__all__ = [
    "AgendaItem",
    "Ballot",
    "Base",
    "Meeting",
    "MeetingMember",
    "Member",
    "OperatorToken",
    "Pass",
    "Vote",
    "VoteEvent",
]
