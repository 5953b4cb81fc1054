"""Ballot lifecycle, kinds and order: SPEC 2.7, 2.8 / statutes art. 11."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
    VOIDED = "voided"
    OUT_OF_ORDER = "out_of_order"
    NOT_DECIDED = "not_decided"


class BallotAction(StrEnum):
    OPEN = "open"
    CLOSE = "close"
    ACCLAMATION = "acclamation"
    WITHDRAW = "withdraw"
    HOLD = "hold"
    VOID = "void"
    OUT_OF_ORDER = "out_of_order"
    HAND_COUNT = "hand_count"
    NOT_DECIDED = "not_decided"


class BallotKind(StrEnum):
    """SPEC 2.8: proposal, resolution, amendment, motion, appointment."""

    VOORSTEL = "voorstel"
    RESOLUTIE = "resolutie"
    AMENDEMENT = "amendement"
    MOTIE = "motie"
    BENOEMING = "benoeming"


class Preadvies(StrEnum):
    """SPEC 2.8: the board's advice on a motion or an amendment."""

    OVERNEMEN = "overnemen"
    AANHOUDEN = "aanhouden"
    ONTRADEN = "ontraden"
    OORDEEL_VERGADERING = "oordeel_vergadering"  # "oordeel aan de vergadering": neutral
    BUITEN_DE_ORDE = "buiten_de_orde"  # "buiten de orde verklaren"


_S, _A = BallotStatus, BallotAction
_TRANSITIONS: dict[tuple[BallotStatus, BallotAction], BallotStatus] = {
    (_S.DRAFT, _A.OPEN): _S.OPEN,
    (_S.OPEN, _A.CLOSE): _S.CLOSED,
    (_S.DRAFT, _A.ACCLAMATION): _S.ACCLAMATION,
    (_S.DRAFT, _A.WITHDRAW): _S.WITHDRAWN,
    (_S.DRAFT, _A.HOLD): _S.HELD,
    # SPEC 2.7 correction: a ballot opened by mistake, or a vote that went wrong, is voided (its
    # votes stay in the log); a result counted by hand replaces the electronic vote of a draft.
    (_S.OPEN, _A.VOID): _S.VOIDED,
    (_S.CLOSED, _A.VOID): _S.VOIDED,
    (_S.DRAFT, _A.HAND_COUNT): _S.CLOSED,
    (_S.DRAFT, _A.OUT_OF_ORDER): _S.OUT_OF_ORDER,
    # SPEC 2.11: a draft left when the meeting closes is recorded as not decided.
    (_S.DRAFT, _A.NOT_DECIDED): _S.NOT_DECIDED,
}
_VERBS = {
    _A.OPEN: "open",
    _A.CLOSE: "close",
    _A.ACCLAMATION: "record acclamation for",
    _A.WITHDRAW: "withdraw",
    _A.HOLD: "hold over",
    _A.VOID: "void",
    _A.OUT_OF_ORDER: "declare out of order",
    _A.HAND_COUNT: "enter a count by hand for",
    _A.NOT_DECIDED: "record as not decided",
}
# What a test ballot (proefstemming) allows: it runs as a vote and never enters the decisions.
_TEST_ACTIONS = frozenset({_A.OPEN, _A.CLOSE})

TERMINAL: frozenset[BallotStatus] = frozenset(
    {_S.CLOSED, _S.ACCLAMATION, _S.WITHDRAWN, _S.HELD, _S.VOIDED, _S.OUT_OF_ORDER, _S.NOT_DECIDED}
)


def transition(status: BallotStatus, action: BallotAction, *, test: bool = False) -> BallotStatus:
    """The status after `action`, or IllegalTransition (HTTP 409) (SPEC 2.7 / statutes art. 11).

    draft --open--> open --close--> closed. A draft may instead be decided without an electronic
    vote: by acclamation, withdrawn or held over, declared out of order, or counted by hand
    (closed, with a result the chair enters). If a representative asks for a vote instead of
    acclamation, the chair opens the draft ballot. An open or closed ballot can be voided (the
    void window is the service's to check). Every end state is final: a held-over motion comes
    back as a new ballot, a voided one as a re-vote; neither is reopened. A test ballot
    (proefstemming) only runs as a vote, so the other actions raise IllegalTransition with code
    "test_ballot".
    """
    status, action = BallotStatus(status), BallotAction(action)
    extra = {"ballot_status": status.value, "action": action.value}
    if test and action not in _TEST_ACTIONS:
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
        _S.VOIDED: Outcome.VOIDED,
        _S.OUT_OF_ORDER: Outcome.OUT_OF_ORDER,
        _S.NOT_DECIDED: Outcome.NOT_DECIDED,
    }.get(BallotStatus(status))


_MOVED_BY_MEMBERS = frozenset({BallotKind.MOTIE, BallotKind.AMENDEMENT})


def check_out_of_order(kind: BallotKind) -> None:
    """Only what members move (a motion, an amendment) can be declared out of order (SPEC 2.8)."""
    if BallotKind(kind) not in _MOVED_BY_MEMBERS:
        raise InvalidInput(
            f"only a motie or amendement can be declared out of order, not a {kind}", code="invalid_ballot"
        )


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a ballot stands in the meeting's order (SPEC 2.8), for `order_blockers`."""

    id: int
    agenda: str
    kind: BallotKind
    status: BallotStatus
    test: bool = False
    off_agenda: bool = False


def order_blockers(ballot: Placed, others: Iterable[Placed]) -> list[Placed]:
    """The undecided ballots that come before `ballot` within its agenda item (SPEC 2.8).

    Within an item the order is amendments, then the (amended) proposal, then motions; a ballot
    opened before the drafts ahead of it breaks that order, which the chair may do only by an
    explicit override. Test ballots stand outside the order, and so do motions on matters not
    on the agenda (they come at the end of the meeting).
    """
    if ballot.test or ballot.off_agenda:
        return []
    rank = kind_order(ballot.kind)
    return sorted(
        (
            other
            for other in others
            if other.id != ballot.id
            and other.agenda == ballot.agenda
            and other.status is BallotStatus.DRAFT
            and not other.test
            and not other.off_agenda
            and kind_order(other.kind) < rank
        ),
        key=lambda other: (kind_order(other.kind), other.id),
    )


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
    off_agenda: bool = False,
) -> None:
    """Check the kind-specific fields of a ballot (SPEC 2.8); InvalidInput "invalid_ballot" if wrong.

    An amendment amends one proposal or resolution; only motions and amendments have submitting
    members (listed once each) and carry the board's preadvies; only a motion can be on a matter
    not on the agenda (vreemd aan de orde van de dag).
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
    if problem is None and preadvies is not None and kind not in _MOVED_BY_MEMBERS:
        problem = f"only a motie or amendement has a preadvies, not a {kind}"
    if problem is None and off_agenda and kind is not BallotKind.MOTIE:
        problem = f"only a motie can be vreemd aan de orde van de dag, not a {kind}"
    if problem is None and submitters:
        if kind not in _MOVED_BY_MEMBERS:
            problem = f"only a motie or amendement has submitters, not a {kind}"
        elif len(set(submitters)) != len(submitters):
            problem = "a member is listed more than once as submitter"
    if problem is not None:
        raise InvalidInput(problem, code="invalid_ballot")
