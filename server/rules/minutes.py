"""Minutes wording: SPEC 2.6, 2.7 / statutes art. 11."""

from __future__ import annotations

import re

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
    },
    "en": {
        "adopted": "adopted with {p} of the votes",
        "rejected": "rejected with {p} of the votes in favour",
        "no_votes": "rejected; no votes were cast",
        "acclamation": "adopted by acclamation",
        "withdrawn": "withdrawn",
        "held": "held over",
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


def minutes_sentence(outcome: Outcome, percent_for: str | None, lang: str = "nl") -> str:
    """The sentence for the minutes (SPEC 2.6, 2.7).

    "aangenomen met 93,40% van de stemmen", "verworpen met 12,40% van de stemmen vóór", or the
    wording for a decision without an electronic vote (acclamation, withdrawn, held over), where
    `percent_for` is ignored. A rejection with no cast votes (percent None) says so. An adoption
    always has cast votes, so ADOPTED without a percentage raises ValueError.
    """
    sentences = _sentences(lang)
    outcome = Outcome(outcome)
    if outcome is Outcome.ADOPTED or outcome is Outcome.REJECTED:
        if percent_for is None:
            if outcome is Outcome.ADOPTED:
                raise ValueError("an adopted ballot always has a percentage in favour")
            return sentences["no_votes"]
        return sentences[outcome.value].format(p=format_percent(percent_for, lang))
    return sentences[outcome.value]
