import itertools

import pytest

from server.errors import IllegalTransition, InvalidInput
from server.rules import (
    TERMINAL,
    BallotAction,
    BallotKind,
    BallotStatus,
    Outcome,
    Placed,
    Preadvies,
    check_out_of_order,
    kind_order,
    order_blockers,
    outcome_of_status,
    transition,
    validate_ballot_fields,
)

S, A, K = BallotStatus, BallotAction, BallotKind

LEGAL = {
    (S.DRAFT, A.OPEN): S.OPEN,
    (S.OPEN, A.CLOSE): S.CLOSED,
    (S.DRAFT, A.ACCLAMATION): S.ACCLAMATION,
    (S.DRAFT, A.WITHDRAW): S.WITHDRAWN,
    (S.DRAFT, A.HOLD): S.HELD,
    (S.OPEN, A.VOID): S.VOIDED,
    (S.CLOSED, A.VOID): S.VOIDED,
    (S.DRAFT, A.HAND_COUNT): S.CLOSED,
    (S.DRAFT, A.OUT_OF_ORDER): S.OUT_OF_ORDER,
    (S.DRAFT, A.NOT_DECIDED): S.NOT_DECIDED,
}
TEST_ACTIONS = (A.OPEN, A.CLOSE)
ALL_PAIRS = list(itertools.product(BallotStatus, BallotAction))


@pytest.mark.parametrize(("status", "action"), ALL_PAIRS)
def test_every_pair(status: BallotStatus, action: BallotAction) -> None:
    if (status, action) in LEGAL:
        assert transition(status, action) is LEGAL[status, action]
    else:
        with pytest.raises(IllegalTransition) as exc:
            transition(status, action)
        assert exc.value.code == "illegal_transition"
        assert exc.value.status == 409
        assert str(status) in exc.value.message


def test_message_names_status_and_action() -> None:
    with pytest.raises(IllegalTransition, match="cannot close a ballot that is draft"):
        transition(S.DRAFT, A.CLOSE)
    with pytest.raises(IllegalTransition, match="cannot open a ballot that is held"):
        transition(S.HELD, A.OPEN)


@pytest.mark.parametrize(("status", "action"), ALL_PAIRS)
def test_test_ballot(status: BallotStatus, action: BallotAction) -> None:
    if action in TEST_ACTIONS:
        if (status, action) in LEGAL:
            assert transition(status, action, test=True) is LEGAL[status, action]
        else:
            with pytest.raises(IllegalTransition) as exc:
                transition(status, action, test=True)
            assert exc.value.code == "illegal_transition"
    else:
        with pytest.raises(IllegalTransition) as exc:
            transition(status, action, test=True)
        assert exc.value.code == "test_ballot"
        assert exc.value.status == 409


def test_terminal_states_have_no_way_out_but_a_void() -> None:
    assert {S.CLOSED, S.ACCLAMATION, S.WITHDRAWN, S.HELD, S.VOIDED, S.OUT_OF_ORDER, S.NOT_DECIDED} == TERMINAL
    for status in TERMINAL:
        ways_out = {action for action in BallotAction if (status, action) in LEGAL}
        assert ways_out == ({A.VOID} if status is S.CLOSED else set())


def test_outcome_of_status() -> None:
    assert outcome_of_status(S.ACCLAMATION) is Outcome.ACCLAMATION
    assert outcome_of_status(S.WITHDRAWN) is Outcome.WITHDRAWN
    assert outcome_of_status(S.HELD) is Outcome.HELD
    assert outcome_of_status(S.VOIDED) is Outcome.VOIDED
    assert outcome_of_status(S.OUT_OF_ORDER) is Outcome.OUT_OF_ORDER
    assert outcome_of_status(S.NOT_DECIDED) is Outcome.NOT_DECIDED
    for status in (S.DRAFT, S.OPEN, S.CLOSED):
        assert outcome_of_status(status) is None


def test_kind_order() -> None:
    kinds = [K.MOTIE, K.VOORSTEL, K.AMENDEMENT, K.MOTIE, K.AMENDEMENT]
    assert sorted(kinds, key=kind_order) == [K.AMENDEMENT, K.AMENDEMENT, K.VOORSTEL, K.MOTIE, K.MOTIE]
    assert kind_order(K.RESOLUTIE) == kind_order(K.BENOEMING) == kind_order(K.VOORSTEL) == 1


@pytest.mark.parametrize(
    ("kind", "amends", "submitters", "preadvies"),
    [
        (K.AMENDEMENT, K.VOORSTEL, ["GM0014"], None),
        (K.AMENDEMENT, K.RESOLUTIE, [], None),
        (K.MOTIE, None, ["GM0014", "GM0034"], Preadvies.ONTRADEN),
        (K.MOTIE, None, [], None),
        (K.MOTIE, None, [], Preadvies.OORDEEL_VERGADERING),
        (K.AMENDEMENT, K.VOORSTEL, [], Preadvies.BUITEN_DE_ORDE),
        (K.VOORSTEL, None, [], None),
        (K.RESOLUTIE, None, (), None),
        (K.BENOEMING, None, [], None),
    ],
)
def test_valid_fields(
    kind: BallotKind, amends: BallotKind | None, submitters: list[str], preadvies: Preadvies | None
) -> None:
    assert (
        validate_ballot_fields(kind, amends_kind=amends, submitters=submitters, preadvies=preadvies) is None
    )


@pytest.mark.parametrize(
    ("kind", "amends", "submitters", "preadvies"),
    [
        (K.AMENDEMENT, None, [], None),
        (K.AMENDEMENT, K.MOTIE, [], None),
        (K.AMENDEMENT, K.AMENDEMENT, [], None),
        (K.AMENDEMENT, K.BENOEMING, [], None),
        (K.VOORSTEL, K.VOORSTEL, [], None),
        (K.MOTIE, K.RESOLUTIE, [], None),
        (K.VOORSTEL, None, [], Preadvies.OVERNEMEN),
        (K.RESOLUTIE, None, [], Preadvies.OORDEEL_VERGADERING),
        (K.VOORSTEL, None, ["GM0014"], None),
        (K.BENOEMING, None, ["GM0014"], None),
        (K.MOTIE, None, ["GM0014", "GM0014"], None),
    ],
)
def test_invalid_fields(
    kind: BallotKind, amends: BallotKind | None, submitters: list[str], preadvies: Preadvies | None
) -> None:
    with pytest.raises(InvalidInput) as exc:
        validate_ballot_fields(kind, amends_kind=amends, submitters=submitters, preadvies=preadvies)
    assert exc.value.code == "invalid_ballot"


def test_only_a_motie_is_off_the_agenda() -> None:
    assert (
        validate_ballot_fields(K.MOTIE, amends_kind=None, submitters=[], preadvies=None, off_agenda=True)
        is None
    )
    with pytest.raises(InvalidInput):
        validate_ballot_fields(K.VOORSTEL, amends_kind=None, submitters=[], preadvies=None, off_agenda=True)


@pytest.mark.parametrize(("kind", "allowed"), [(K.MOTIE, True), (K.AMENDEMENT, True), (K.VOORSTEL, False),
                                               (K.RESOLUTIE, False), (K.BENOEMING, False)])  # fmt: skip
def test_out_of_order_is_for_what_members_move(kind: BallotKind, allowed: bool) -> None:
    if allowed:
        check_out_of_order(kind)
    else:
        with pytest.raises(InvalidInput):
            check_out_of_order(kind)


def placed(id_: int, agenda: str, kind: BallotKind, status: BallotStatus = S.DRAFT, **flags: bool) -> Placed:
    return Placed(id=id_, agenda=agenda, kind=kind, status=status, **flags)


def test_order_blockers_within_an_agenda_item() -> None:
    amendment = placed(1, "7", K.AMENDEMENT)
    proposal = placed(2, "7", K.VOORSTEL)
    motion = placed(3, "7", K.MOTIE)
    other_item = placed(4, "8", K.AMENDEMENT)
    decided = placed(5, "7", K.AMENDEMENT, S.CLOSED)
    test = placed(6, "7", K.AMENDEMENT, test=True)
    stray = placed(7, "7", K.VOORSTEL, off_agenda=True)
    everything = [amendment, proposal, motion, other_item, decided, test, stray]
    assert order_blockers(amendment, everything) == []
    assert order_blockers(proposal, everything) == [amendment]
    assert order_blockers(motion, everything) == [amendment, proposal]
    # A test ballot and a motion not on the agenda stand outside the order, both ways.
    assert order_blockers(test, everything) == []
    assert order_blockers(placed(8, "7", K.MOTIE, off_agenda=True), everything) == []
