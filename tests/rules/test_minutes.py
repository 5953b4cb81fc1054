from typing import Any

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


@pytest.mark.parametrize(
    ("outcome", "percent", "extra", "nl", "en"),
    [
        (Outcome.ADOPTED, "60.00", {"by_hand": True},
         "aangenomen met 60,00% van de stemmen (met de hand geteld)",
         "adopted with 60.00% of the votes (counted by hand)"),
        (Outcome.REJECTED, None, {"by_hand": True},
         "verworpen (met de hand geteld)", "rejected (counted by hand)"),
        (Outcome.ADOPTED, None, {"by_hand": True},
         "aangenomen (met de hand geteld)", "adopted (counted by hand)"),
        (Outcome.VOIDED, "93.40", {"reason": " storing "},
         "ongeldig verklaard: storing", "declared void: storing"),
        (Outcome.OUT_OF_ORDER, None, {}, "buiten de orde verklaard", "declared out of order"),
        (Outcome.NOT_DECIDED, None, {}, "niet in stemming gebracht", "not put to the vote"),
        (Outcome.ACCLAMATION, None, {"dissent": ["Urk"]},
         "bij acclamatie aangenomen; Urk wenst geacht te worden tegen te hebben gestemd",
         "adopted by acclamation; Urk wishes to be recorded as having voted against"),
        (Outcome.ACCLAMATION, None, {"dissent": ["Urk", "Edam-Volendam", "Putten"]},
         "bij acclamatie aangenomen; Urk, Edam-Volendam en Putten wensen geacht te worden tegen te hebben gestemd",
         "adopted by acclamation; Urk, Edam-Volendam and Putten wish to be recorded as having voted against"),
    ],
)  # fmt: skip
def test_minutes_of_corrections(
    outcome: Outcome, percent: str | None, extra: dict[str, Any], nl: str, en: str
) -> None:
    assert minutes_sentence(outcome, percent, "nl", **extra) == nl
    assert minutes_sentence(outcome, percent, "en", **extra) == en
