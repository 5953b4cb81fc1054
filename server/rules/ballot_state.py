"""Ballot lifecycle, kinds and order: SPEC 2.7, 2.8 / statutes art. 11."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from server.errors import IllegalTransition, InvalidInput
from server.rules.decision import Outcome


class BallotStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    ACCLAMATION = "acclamation"
    WITHDRAWN = "withdrawn"
    HELD = "held"


class BallotAction(StrEnum):
    OPEN = "open"
    CLOSE = "close"
    ACCLAMATION = "acclamation"
    WITHDRAW = "withdraw"
    HOLD = "hold"


class BallotKind(StrEnum):
    """SPEC 2.8: proposal, resolution, amendment, motion, appointment."""

    VOORSTEL = "voorstel"
    RESOLUTIE = "resolutie"
    AMENDEMENT = "amendement"
    MOTIE = "motie"
    BENOEMING = "benoeming"


class Preadvies(StrEnum):
    """SPEC 2.8: the board's advice on a motion."""

    OVERNEMEN = "overnemen"
    AANHOUDEN = "aanhouden"
    ONTRADEN = "ontraden"


_S, _A = BallotStatus, BallotAction
_TRANSITIONS: dict[tuple[BallotStatus, BallotAction], BallotStatus] = {
    (_S.DRAFT, _A.OPEN): _S.OPEN,
    (_S.OPEN, _A.CLOSE): _S.CLOSED,
    (_S.DRAFT, _A.ACCLAMATION): _S.ACCLAMATION,
    (_S.DRAFT, _A.WITHDRAW): _S.WITHDRAWN,
    (_S.DRAFT, _A.HOLD): _S.HELD,
}
_VERBS = {
    _A.OPEN: "open",
    _A.CLOSE: "close",
    _A.ACCLAMATION: "record acclamation for",
    _A.WITHDRAW: "withdraw",
    _A.HOLD: "hold over",
}

TERMINAL: frozenset[BallotStatus] = frozenset({_S.CLOSED, _S.ACCLAMATION, _S.WITHDRAWN, _S.HELD})


def transition(status: BallotStatus, action: BallotAction, *, test: bool = False) -> BallotStatus:
    """The status after `action`, or IllegalTransition (HTTP 409) (SPEC 2.7 / statutes art. 11).

    draft --open--> open --close--> closed. A draft may instead be decided without an electronic
    vote: by acclamation, withdrawn or held over. If a representative asks for a vote instead of
    acclamation, the chair opens the draft ballot. Every end state is final: a held-over motion
    comes back as a new ballot, it is not reopened. A test ballot (proefstemming) only runs as a
    vote, so acclamation, withdrawal and hold raise IllegalTransition with code "test_ballot".
    """
    status, action = BallotStatus(status), BallotAction(action)
    extra = {"ballot_status": status.value, "action": action.value}
    if test and action not in (_A.OPEN, _A.CLOSE):
        raise IllegalTransition(
            f"cannot {_VERBS[action]} a test ballot (proefstemming); it can only be opened and closed",
            code="test_ballot",
            extra=extra,
        )
    try:
        return _TRANSITIONS[status, action]
    except KeyError:
        raise IllegalTransition(f"cannot {_VERBS[action]} a ballot that is {status}", extra=extra) from None


def outcome_of_status(status: BallotStatus) -> Outcome | None:
    """The outcome of a ballot decided without a vote (SPEC 2.7); None otherwise.

    A closed ballot's outcome comes from its tally (`decide`), not from its status.
    """
    return {
        _S.ACCLAMATION: Outcome.ACCLAMATION,
        _S.WITHDRAWN: Outcome.WITHDRAWN,
        _S.HELD: Outcome.HELD,
    }.get(BallotStatus(status))


def kind_order(kind: BallotKind) -> int:
    """Sort key within one agenda item (SPEC 2.8): amendments, then the amended proposal, then motions."""
    kind = BallotKind(kind)
    if kind is BallotKind.AMENDEMENT:
        return 0
    if kind is BallotKind.MOTIE:
        return 2
    return 1


def validate_ballot_fields(
    kind: BallotKind,
    *,
    amends_kind: BallotKind | None,
    submitters: Sequence[str],
    preadvies: Preadvies | None,
) -> None:
    """Check the kind-specific fields of a ballot (SPEC 2.8); InvalidInput "invalid_ballot" if wrong.

    An amendment amends one proposal or resolution; only motions and amendments have submitting
    members (listed once each); only a motion carries the board's preadvies.
    """
    kind = BallotKind(kind)
    problem: str | None = None
    if kind is BallotKind.AMENDEMENT:
        if amends_kind is None:
            problem = "an amendement must name the voorstel or resolutie it amends"
        elif BallotKind(amends_kind) not in (BallotKind.VOORSTEL, BallotKind.RESOLUTIE):
            problem = f"an amendement can only amend a voorstel or resolutie, not a {amends_kind}"
    elif amends_kind is not None:
        problem = f"only an amendement amends another ballot, not a {kind}"
    if problem is None and preadvies is not None and kind is not BallotKind.MOTIE:
        problem = f"only a motie has a preadvies, not a {kind}"
    if problem is None and submitters:
        if kind not in (BallotKind.MOTIE, BallotKind.AMENDEMENT):
            problem = f"only a motie or amendement has submitters, not a {kind}"
        elif len(set(submitters)) != len(submitters):
            problem = "a member is listed more than once as submitter"
    if problem is not None:
        raise InvalidInput(problem, code="invalid_ballot")
