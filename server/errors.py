"""Domain errors.

Services raise these; one handler maps them to HTTP (`server.app`), and later one maps them to
WebSocket error frames. Services never raise `HTTPException`.
"""

from __future__ import annotations

from typing import Any


class VoteHallError(Exception):
    """Base of every error the product reports to a client."""

    code: str = "error"
    status: int = 400

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra = extra or {}

    def to_body(self) -> dict[str, Any]:
        return {"error": self.code, "detail": self.message, **self.extra}


class InvalidInput(VoteHallError):
    code = "invalid_input"
    status = 422


class NotFound(VoteHallError):
    code = "not_found"
    status = 404


class Conflict(VoteHallError):
    code = "conflict"
    status = 409


class IllegalTransition(Conflict):
    code = "illegal_transition"


class Unauthorized(VoteHallError):
    code = "unauthorized"
    status = 401


class Forbidden(VoteHallError):
    code = "forbidden"
    status = 403


class BadMessage(VoteHallError):
    code = "bad_message"
    status = 422


class UnknownBallot(NotFound):
    code = "unknown_ballot"


class BallotNotOpen(Conflict):
    code = "ballot_not_open"


class NotEligible(Forbidden):
    code = "not_eligible"


class ChangeNotAllowed(Conflict):
    code = "change_not_allowed"


class VoteIdReused(Conflict):
    """A vote_id already stored for another ballot or choice (SPEC 4.2 item 5): not a resend."""

    code = "vote_id_reused"


class RateLimited(VoteHallError):
    code = "rate_limited"
    status = 429


class Unavailable(VoteHallError):
    """The database could not take the write; nothing was stored, the client may resend."""

    code = "unavailable"
    status = 503
