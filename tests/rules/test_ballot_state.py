import itertools

import pytest

from server.errors import IllegalTransition, InvalidInput
from server.rules import (
    TERMINAL,
    BallotAction,
    BallotKind,
    BallotStatus,
    Outcome,
    Preadvies,
    kind_order,
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
}
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
    if action in (A.OPEN, A.CLOSE):
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


def test_terminal_states_have_no_way_out() -> None:
    assert {S.CLOSED, S.ACCLAMATION, S.WITHDRAWN, S.HELD} == TERMINAL
    for status in TERMINAL:
        assert all((status, action) not in LEGAL for action in BallotAction)


def test_outcome_of_status() -> None:
    assert outcome_of_status(S.ACCLAMATION) is Outcome.ACCLAMATION
    assert outcome_of_status(S.WITHDRAWN) is Outcome.WITHDRAWN
    assert outcome_of_status(S.HELD) is Outcome.HELD
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
        (K.AMENDEMENT, K.VOORSTEL, [], Preadvies.AANHOUDEN),
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
