"""Minutes wording: SPEC 2.6, 2.7, 2.10 / statutes art. 11."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date

from server.rules.decision import Outcome
from server.rules.election import ElectionOutcome, ElectionResult, RoundKind

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
        "elected": "gekozen: {name} met {p} van de stemmen",
        "elected_single": "gekozen: {name} met {p} van de stemmen vóór",
        "rejected_single": "niet gekozen: {name} met {p} van de stemmen vóór",
        "rejected_single_no_votes": "niet gekozen: {name}; er zijn geen stemmen uitgebracht",
        "elected_by_lot": "gekozen bij loting: {name}",
        "no_majority": "geen kandidaat heeft de volstrekte meerderheid; ",
        "none_cast": "er zijn geen stemmen uitgebracht; ",
        "second": "tweede vrije stemming",
        "runoff": "herstemming tussen {names}",
        "tied_intermediate": "de stemmen staken tussen {names}; tussenstemming",
        "none_cast_intermediate": "tussenstemming tussen {names}",
        "lot": "de stemmen staken; het lot beslist",
        "none_cast_lot": "het lot beslist",
        "drawn": "bij loting naar de herstemming: {names}; ",
        "lot_again": "het lot beslist opnieuw",
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
        "elected": "elected: {name} with {p} of the votes",
        "elected_single": "elected: {name} with {p} of the votes in favour",
        "rejected_single": "not elected: {name} with {p} of the votes in favour",
        "rejected_single_no_votes": "not elected: {name}; no votes were cast",
        "elected_by_lot": "elected by lot: {name}",
        "no_majority": "no candidate has an absolute majority; ",
        "none_cast": "no votes were cast; ",
        "second": "second free vote",
        "runoff": "run-off between {names}",
        "tied_intermediate": "the votes are tied between {names}; intermediate vote",
        "none_cast_intermediate": "intermediate vote between {names}",
        "lot": "the votes are tied; the lot decides",
        "none_cast_lot": "the lot decides",
        "drawn": "drawn by lot for the run-off: {names}; ",
        "lot_again": "the lot decides again",
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


def _joined(names: Sequence[str], sentences: Mapping[str, str]) -> str:
    """ "Anna Alfa", "Anna Alfa en Bert Beta", "Anna Alfa, Bert Beta en Cees Gamma"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + sentences["and"] + names[-1]


def election_sentence(
    result: ElectionResult, names: Mapping[int, str], lang: str = "nl", *, by_hand: bool = False
) -> str:
    """The minutes of an election round (SPEC 2.10), with the candidates' `names` by id; a round
    counted by hand (SPEC 2.7) ends in " (met de hand geteld)".

    "gekozen: Bert Beta met 53,57% van de stemmen"; "geen kandidaat heeft de volstrekte
    meerderheid; tweede vrije stemming" (or "...; herstemming tussen Anna Alfa en Bert Beta");
    "de stemmen staken tussen Bert Beta en Cees Gamma; tussenstemming"; "de stemmen staken; het
    lot beslist" and, once drawn, "gekozen bij loting: Bert Beta" (after a run-off) or "bij
    loting naar de herstemming: Bert Beta; herstemming tussen Anna Alfa en Bert Beta" (after an
    intermediate vote). A single-candidate vote: "gekozen: Bert Beta met 80,00% van de stemmen
    vóór" or "niet gekozen: ...". A round without cast votes says so instead of naming a tie.
    A candidate missing from `names` raises KeyError.
    """
    sentence = _election_sentence(result, names, lang)
    return sentence + _sentences(lang)["by_hand"] if by_hand else sentence


def _election_sentence(result: ElectionResult, names: Mapping[int, str], lang: str) -> str:
    s = _sentences(lang)

    def named(ids: Sequence[int]) -> str:
        return _joined([names[c] for c in ids], s)

    outcome, none_cast = result.outcome, result.cast == 0
    if result.round is RoundKind.SINGLE:
        (only,) = result.candidates
        if only.percent is None:
            return s["rejected_single_no_votes"].format(name=names[only.id])
        key = "elected_single" if outcome is ElectionOutcome.ELECTED else "rejected_single"
        return s[key].format(name=names[only.id], p=format_percent(only.percent, lang))
    if outcome is ElectionOutcome.ELECTED:
        assert result.elected is not None  # ElectionResult checks that they go together
        if result.drawn:
            return s["elected_by_lot"].format(name=names[result.elected])
        percent = next(c.percent for c in result.candidates if c.id == result.elected)
        assert percent is not None  # elected with a majority: cast > 0
        return s["elected"].format(name=names[result.elected], p=format_percent(percent, lang))
    drawn = s["drawn"].format(names=named(result.drawn)) if result.drawn else ""
    if outcome is ElectionOutcome.LOT:
        if drawn:
            return drawn + s["lot_again"]
        return s["none_cast"] + s["none_cast_lot"] if none_cast else s["lot"]
    nxt, who = result.next_round, result.next_candidates
    if nxt is RoundKind.INTERMEDIATE:
        if none_cast:
            return s["none_cast"] + s["none_cast_intermediate"].format(names=named(who))
        return s["tied_intermediate"].format(names=named(who))
    step = s["second"] if nxt is RoundKind.SECOND else s["runoff"].format(names=named(who))
    if result.round is RoundKind.INTERMEDIATE:
        return drawn + step  # an intermediate vote needs no majority: it names the run-off
    return (s["none_cast"] if none_cast else s["no_majority"]) + step


MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def dutch_date(day: date) -> str:
    """The date as Dutch readers write it: "18 juni 2025"."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
