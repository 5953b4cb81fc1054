"""record.html as a pure function of a Record (issue 15 items 1 and 6): the cover, each ballot as the
minutes word it, the per-member table's three kinds of cell and the attendance list."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace

from server.record.content import Record
from server.record.page import CONTENT_SECURITY_POLICY, LISTING_CONTENT_SECURITY_POLICY, record_html
from tests.record.samples import LONG_TITLE, REPRESENTATIVE, sample_record


def _flat(record: Record) -> str:
    return " ".join(record_html(record).decode().split())


def _cells(html: str) -> list[tuple[str, str]]:
    table = html.split('<table class="members">')[1].split("</table>")[0]
    cells = re.findall(r'<td class="([a-z_]+)">([^<]*)</td>', table)
    return [(kind, text) for kind, text in cells if kind not in ("num", "role")]


def test_the_cover_gives_the_hall_clock_the_reference_date_and_the_attendance() -> None:
    html = _flat(sample_record(14))
    # 08:02 and 15:01 UTC are 10:02 and 17:01 in Utrecht in June: the hall's clock, never UTC.
    assert "18 juni 2025 · Utrecht · geopend 10:02, gesloten 17:01 (Nederlandse tijd)" in html
    assert "UTC" not in html
    assert "Gepubliceerd op 19 juni 2025, 11:00." in html
    assert "Stemgewichten naar inwonertallen CBS per 1 januari 2024." in html
    # Members 7 and 14 (every seventh) are absent: 12 of 14 present.
    assert html.count('<p class="attendance">12 van 14 leden aanwezig, 257 van 296 stemmen</p>') == 2
    assert 'href="results.docx"' in html and 'href="audit"' in html
    assert "De vergadering is gesloten in regel 240 van het logboek" in html


def test_each_ballot_as_the_minutes_word_it() -> None:
    html = _flat(sample_record(14))
    amendment = html.split('id="stemming-2"')[1].split('id="stemming-3"')[0]
    assert "amendement · gewone meerderheid · stemming #2" in amendment
    assert "<dt>Ingediend door</dt><dd>Grootstad, Middenburg</dd>" in amendment
    assert "<dt>Preadvies</dt><dd>ontraden</dd>" in amendment
    assert f'<dt>Amendement op</dt><dd><a href="#stemming-3">agendapunt 4 {LONG_TITLE}</a></dd>' in amendment
    assert "<dt>Aanwezig</dt><dd>265 leden, 11.002 stemmen</dd>" in amendment
    assert "<dt>Besloten om</dt><dd>16:32</dd>" in amendment
    assert "twee derde meerderheid" in html.split('id="stemming-3"')[1].split('id="stemming-4"')[0]

    voided = html.split('id="stemming-4"')[1].split('id="stemming-5"')[0]
    assert "Besluit: ongeldig verklaard: storing in de zaal" in voided
    assert "<dt>Preadvies</dt><dd>oordeel aan de vergadering</dd>" in voided
    assert (
        "<dt>Ongeldig verklaard</dt><dd>storing in de zaal; opnieuw in stemming gebracht als "
        '<a href="#stemming-5">stemming #5</a></dd>'
    ) in voided
    assert '<dl class="totals">' not in voided  # its votes do not count
    revote = html.split('id="stemming-5"')[1].split('id="stemming-6"')[0]
    assert (
        '<dt>Herstemming van</dt><dd><a href="#stemming-4">agendapunt 5 Motie over de contributie</a>'
        in revote
    )

    by_hand = html.split('id="stemming-6"')[1].split('id="stemming-7"')[0]
    assert "<dt>Met de hand geteld</dt><dd>bevestigd door P. de Teller</dd>" in by_hand
    election = html.split('id="stemming-7"')[1].split('id="stemming-20"')[0]
    assert "benoeming · eerste vrije stemming · volstrekte meerderheid" in election
    assert "<dt>Lot</dt><dd>getrokken: Anna Alfa (door de voorzitter)</dd>" in election
    undecided = html.split('id="stemming-9"')[1]
    assert "Besluit: niet in stemming gebracht" in undecided


def test_a_vote_niet_gestemd_and_afwezig_are_three_different_cells_with_a_legend() -> None:
    html = record_html(sample_record(14)).decode()
    cells = _cells(html)
    assert {"for", "against", "abstain", "candidate", "not_voted", "absent"} <= {kind for kind, _ in cells}
    texts = {kind: {text for k, text in cells if k == kind} for kind, _ in cells}
    assert texts["not_voted"] == {"niet gestemd"}
    assert texts["absent"] == {"afwezig"}
    assert texts["for"] == {"voor"} and texts["candidate"] == {"Anna Alfa"}
    assert "—" not in {text for _, text in cells}  # never an empty cell that could mean either
    # An absent member's row is "afwezig" on every ballot; the columns are the electronic ballots.
    row = html.split("Gemeente 7<small>GM0007</small></th>")[1].split("</tr>")[0]
    voted = re.findall(r"<th scope=\"col\"><a href=\"#stemming-(\d+)\"", html)
    assert voted == ["2", "3", "5", "7", *(str(n) for n in range(20, 28))]  # not 4 (void), 6 (by hand)
    assert re.findall(r'<td class="([a-z_]+)">', row)[1:-1] == ["absent"] * len(voted)
    legend = " ".join(html.split('<ul class="legend">')[1].split("</ul>")[0].split())
    for kind, text in (("not_voted", "niet gestemd"), ("absent", "afwezig"), ("voted", "gestemd")):
        assert f'<span class="chip {kind}">{text}</span>' in legend
    # The style gives each kind of cell its own look, and keeps the member column in place.
    style = html.split("<style>")[1].split("</style>")[0]
    for kind in ("for", "against", "abstain", "not_voted", "absent"):
        assert f".members td.{kind}" in style
    assert re.search(r"\.members \.member \{ position: sticky; left: 0;", style)


def test_representatives_are_named_only_where_the_rendering_may() -> None:
    public = _flat(sample_record(14))
    assert REPRESENTATIVE not in public and "Vertegenwoordiger 3" not in public
    assert "burgemeester" in public  # the role is always there
    assert "namen van vertegenwoordigers staan in de notulen" in public
    named = _flat(sample_record(14, show_names=True))
    assert f"{REPRESENTATIVE} (burgemeester)" in named
    assert '<th scope="col">Vertegenwoordiger</th>' in named
    present = named.split('<ul class="present-list">')[1].split("</ul>")[0]
    assert (
        f'Súdwest-Fryslân-Oost <span class="muted">(GM0001)</span> · <span class="weight">75</span> · {REPRESENTATIVE}'
        in present
    )
    assert present.count("<li>") == 12
    absent = named.split('<p class="absent-list">')[1].split("</p>")[0]
    assert "<strong>Afwezig (2):</strong> Gemeente 7 (GM0007, 16), Gemeente 14 (GM0014, 23)." in absent


def test_the_page_is_escaped_and_its_style_allowed_by_hash() -> None:
    record = sample_record(3)
    hostile = replace(record, title="<script>alert(1)</script>", members=(
        replace(record.members[0], name="<img src=x onerror=alert(1)>"), *record.members[1:]
    ))  # fmt: skip
    html = record_html(hostile).decode()
    assert "<script>" not in html and "<img" not in html
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    for policy in (CONTENT_SECURITY_POLICY, LISTING_CONTENT_SECURITY_POLICY):
        assert f"style-src 'sha256-{digest}'" in policy and "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors *" in LISTING_CONTENT_SECURITY_POLICY


def test_a_draft_record_says_so() -> None:
    html = _flat(sample_record(3, published=False))
    assert "Concept: nog niet gepubliceerd." in html and 'href="audit"' not in html


def test_a_secret_round_gives_its_participants_from_the_ballot() -> None:
    """A secret round's stored result reads with member counts zero (rules.secret_result_from_data):
    how many members voted is the ballot's own count, never "door 0 leden"."""
    from server.rules import (
        ElectionTally,
        RoundKind,
        decide_election,
        secret_result_data,
        secret_result_from_data,
    )

    ids = [61, 62]
    counted = decide_election(RoundKind.FIRST, ids, ElectionTally.empty(ids).add(61, 75).add(62, 42))
    stored, participants = secret_result_from_data(secret_result_data(counted, 2))
    assert (stored.members_voted, participants) == (0, 2)
    record = sample_record(3)
    election = next(b for b in record.ballots if b.id == 7)
    secret = replace(election, election=stored, secret=True, members_voted=participants)
    html = _flat(replace(record, ballots=(secret,)))
    assert "Uitgebracht 117 stemmen door 2 leden; per lid staat alleen vast dat het gestemd heeft." in html
