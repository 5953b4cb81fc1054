"""Minutes wording: SPEC 2.6, 2.7 / statutes art. 11."""

from __future__ import annotations

import re
from collections.abc import Sequence

from server.rules.decision import Outcome

_PERCENT = re.compile(r"\d{1,3}\.\d{2}")

_SENTENCES: dict[str, dict[str, str]] = {
    "nl": {
        "adopted": "aangenomen met {p} van de stemmen",
        "rejected": "verworpen met {p} van de stemmen vóór",
        "no_votes": "verworpen; er zijn geen stemmen uitgebracht",
        "acclamation": "bij acclamatie aangenomen",
        "withdrawn": "ingetrokken",
        "held": "aangehouden",
        "voided": "ongeldig verklaard: {reason}",
        "out_of_order": "buiten de orde verklaard",
        "not_decided": "niet in stemming gebracht",
        "adopted_by_hand": "aangenomen (met de hand geteld)",
        "rejected_by_hand": "verworpen (met de hand geteld)",
        "by_hand": " (met de hand geteld)",
        "dissent": "; {names} {verb} geacht te worden tegen te hebben gestemd",
        "dissent_one": "wenst",
        "dissent_many": "wensen",
        "and": " en ",
    },
    "en": {
        "adopted": "adopted with {p} of the votes",
        "rejected": "rejected with {p} of the votes in favour",
        "no_votes": "rejected; no votes were cast",
        "acclamation": "adopted by acclamation",
        "withdrawn": "withdrawn",
        "held": "held over",
        "voided": "declared void: {reason}",
        "out_of_order": "declared out of order",
        "not_decided": "not put to the vote",
        "adopted_by_hand": "adopted (counted by hand)",
        "rejected_by_hand": "rejected (counted by hand)",
        "by_hand": " (counted by hand)",
        "dissent": "; {names} {verb} to be recorded as having voted against",
        "dissent_one": "wishes",
        "dissent_many": "wish",
        "and": " and ",
    },
}


def _sentences(lang: str) -> dict[str, str]:
    try:
        return _SENTENCES[lang]
    except KeyError:
        raise ValueError(f"unknown language {lang!r}; expected one of {sorted(_SENTENCES)}") from None


def format_percent(percent: str, lang: str = "nl") -> str:
    """A percentage for people (SPEC 2.6): "93.40" -> "93,40%" on Dutch screens, "93.40%" in English."""
    _sentences(lang)
    if not _PERCENT.fullmatch(percent):
        raise ValueError(f"expected a percentage like '93.40', got {percent!r}")
    return (percent.replace(".", ",") if lang == "nl" else percent) + "%"


def minutes_sentence(
    outcome: Outcome,
    percent_for: str | None,
    lang: str = "nl",
    *,
    by_hand: bool = False,
    reason: str | None = None,
    dissent: Sequence[str] = (),
) -> str:
    """The sentence for the minutes (SPEC 2.6, 2.7, 2.11): the one wording every screen and record shows.

    "aangenomen met 93,40% van de stemmen", "verworpen met 12,40% van de stemmen vóór", or the
    wording for a decision without an electronic vote (acclamation, withdrawn, held over, out of
    order, not put to the vote), where `percent_for` is ignored. A rejection with no cast votes
    (percent None) says so. An adoption by electronic vote always has cast votes, so ADOPTED
    without a percentage raises ValueError. A result counted by hand says so: "aangenomen met
    60,00% van de stemmen (met de hand geteld)", or "aangenomen (met de hand geteld)" when the
    count gave only the outcome. A voided ballot gives its reason: "ongeldig verklaard: storing".
    An acclamation names the members whose dissent was noted (aantekening): "bij acclamatie
    aangenomen; Amsterdam en Utrecht wensen geacht te worden tegen te hebben gestemd".
    """
    sentences = _sentences(lang)
    outcome = Outcome(outcome)
    if outcome is Outcome.ADOPTED or outcome is Outcome.REJECTED:
        if percent_for is None:
            if by_hand:
                return sentences[f"{outcome.value}_by_hand"]
            if outcome is Outcome.ADOPTED:
                raise ValueError("an adopted ballot always has a percentage in favour")
            return sentences["no_votes"]
        sentence = sentences[outcome.value].format(p=format_percent(percent_for, lang))
        return sentence + sentences["by_hand"] if by_hand else sentence
    if outcome is Outcome.VOIDED:
        return sentences["voided"].format(reason=(reason or "").strip() or "?")
    if outcome is Outcome.ACCLAMATION and dissent:
        names = list(dissent)
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + sentences["and"] + names[-1]
        verb = sentences["dissent_one" if len(names) == 1 else "dissent_many"]
        return sentences["acclamation"] + sentences["dissent"].format(names=joined, verb=verb)
    return sentences[outcome.value]
