"""Who may represent a member (SPEC 2.2, statutes art. 11)."""

from __future__ import annotations

from enum import StrEnum


class RepresentativeRole(StrEnum):
    """SPEC 2.2: the representative holds one of these roles at the member they represent."""

    BURGEMEESTER = "burgemeester"
    WETHOUDER = "wethouder"
    RAADSLID = "raadslid"
    SECRETARIS = "secretaris"
    GRIFFIER = "griffier"


class PassStatus(StrEnum):
    """SPEC 2.3: a member votes only while its pass is active."""

    ACTIVE = "active"
    CHECKED_OUT = "checked_out"
    REVOKED = "revoked"
    MEETING_CLOSED = "meeting_closed"  # SPEC 2.11: every pass ends with its meeting
