import pytest

from server.rules import Outcome, format_percent, minutes_sentence


def test_format_percent() -> None:
    assert format_percent("93.40") == "93,40%"
    assert format_percent("93.40", "nl") == "93,40%"
    assert format_percent("93.40", "en") == "93.40%"
    assert format_percent("100.00", "nl") == "100,00%"


@pytest.mark.parametrize("bad", ["93,40", "93.4", "", "1e2", "-1.00"])
def test_format_percent_rejects_malformed(bad: str) -> None:
    with pytest.raises(ValueError):
        format_percent(bad)


@pytest.mark.parametrize(
    ("outcome", "percent", "nl", "en"),
    [
        (
            Outcome.ADOPTED,
            "93.40",
            "aangenomen met 93,40% van de stemmen",
            "adopted with 93.40% of the votes",
        ),
        (
            Outcome.REJECTED,
            "12.40",
            "verworpen met 12,40% van de stemmen vóór",
            "rejected with 12.40% of the votes in favour",
        ),
        (
            Outcome.REJECTED,
            None,
            "verworpen; er zijn geen stemmen uitgebracht",
            "rejected; no votes were cast",
        ),
        (Outcome.ACCLAMATION, None, "bij acclamatie aangenomen", "adopted by acclamation"),
        (Outcome.WITHDRAWN, None, "ingetrokken", "withdrawn"),
        (Outcome.HELD, None, "aangehouden", "held over"),
    ],
)
def test_minutes_sentence(outcome: Outcome, percent: str | None, nl: str, en: str) -> None:
    assert minutes_sentence(outcome, percent) == nl
    assert minutes_sentence(outcome, percent, "nl") == nl
    assert minutes_sentence(outcome, percent, "en") == en


def test_unknown_language() -> None:
    with pytest.raises(ValueError):
        minutes_sentence(Outcome.ADOPTED, "93.40", "de")
    with pytest.raises(ValueError):
        format_percent("93.40", "fr")


def test_adopted_needs_a_percentage() -> None:
    with pytest.raises(ValueError):
        minutes_sentence(Outcome.ADOPTED, None)
