"""`record.html`: the published record as a page for people, in Dutch, to read and to print.

Pure: a Record in, bytes out. Jinja2 escapes every value (titles and names come from people); the
template lives here rather than in a file so that an installed wheel needs no package data. The
page loads nothing and runs no script; its one inline style block is allowed by its hash in the
Content-Security-Policy, so the policy stays as strict as that of the other pages.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from server.record.content import CHOICE_NL, MAJORITY_NL, Record, nl_number
from server.rules.minutes import dutch_date

STYLE = """
:root { color-scheme: light; --ink: #1a1a1a; --muted: #5a5a5a; --accent: #1d3f72; --rule: #c9d1dc;
  --panel: #eef2f7; --for: #1e6b3a; --against: #9b1c1c; --abstain: #5a5a5a; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem; font: 16px/1.5 system-ui, sans-serif;
  color: var(--ink); background: #fff; }
h1 { margin: 0 0 .25rem; font-size: 1.9rem; line-height: 1.2; }
h2 { margin: 2.5rem 0 .75rem; font-size: 1.35rem; border-bottom: 2px solid var(--accent); }
h3 { margin: 0 0 .25rem; font-size: 1.1rem; }
.kicker { margin: 0; color: var(--accent); font-weight: 700; letter-spacing: .04em; text-transform: uppercase; }
.muted, .meta, .when { color: var(--muted); margin: 0; }
.status { margin: .75rem 0 0; }
.draft { padding: .5rem .75rem; background: #fff4d6; border-left: 4px solid #b7791f; }
code { font: .85em/1.4 ui-monospace, monospace; overflow-wrap: anywhere; }
ol.ballots { list-style: none; margin: 0; padding: 0; }
ol.ballots > li { margin: 0 0 1rem; padding: .9rem 1rem; background: var(--panel); border-radius: .4rem;
  break-inside: avoid; }
.minutes { margin: .4rem 0; font-weight: 700; }
.adopted, .acclamation { color: var(--for); }
.rejected { color: var(--against); }
.totals { border-collapse: collapse; margin: .4rem 0; }
.totals th, .totals td { padding: .1rem .9rem .1rem 0; text-align: left; font-weight: normal; }
.totals td { font-variant-numeric: tabular-nums; font-weight: 600; }
.hash { margin: .4rem 0 0; font-size: .85rem; color: var(--muted); }
.candidates { border-collapse: collapse; margin: .4rem 0; }
.candidates th, .candidates td { padding: .1rem 1.2rem .1rem 0; text-align: left; }
.candidates th { font-weight: normal; color: var(--muted); }
.candidates td.num { text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; }
.candidates tr.abstain td { color: var(--muted); font-weight: normal; }
.rounds { margin: .4rem 0; padding-left: 1.4rem; }
.scroll { overflow-x: auto; }
table.members { border-collapse: collapse; font-size: .85rem; }
.members th, .members td { padding: .2rem .45rem; border-bottom: 1px solid var(--rule); text-align: left;
  white-space: nowrap; }
.members thead th { position: sticky; top: 0; background: #fff; vertical-align: bottom; }
.members .num { text-align: right; font-variant-numeric: tabular-nums; }
.members td.for { color: var(--for); }
.members td.against { color: var(--against); }
.members td.abstain { color: var(--abstain); }
.members td.none { color: var(--muted); }
footer { margin: 2.5rem 0 0; padding-top: .75rem; border-top: 1px solid var(--rule); font-size: .9rem;
  color: var(--muted); }
a { color: var(--accent); }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; }
  ol.ballots > li { background: none; border: 1px solid var(--rule); }
  .scroll { overflow: visible; }
  table.members { font-size: 7.5pt; }
  .members thead th { position: static; }
  .members tr { break-inside: avoid; }
  .downloads { display: none; }
}
"""

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; "
    f"style-src 'sha256-{base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()}'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

TEMPLATE = """\
<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Stemverantwoording {{ r.title }} {{ date }}</title>
<style>{{ style }}</style>
</head>
<body>
<header>
  <p class="kicker">Stemverantwoording</p>
  <h1>{{ r.title }}</h1>
  <p class="when">{{ date }}{% if r.place %} · {{ r.place }}{% endif %}</p>
  {% if r.published_at %}
  <p class="status">Gepubliceerd op {{ published }}.</p>
  {% else %}
  <p class="status draft">Concept: nog niet gepubliceerd. Alleen de voorzitter en de beheerder
    zien deze pagina tot de voorzitter de uitslagen na de vergadering publiceert.</p>
  {% endif %}
  <p class="downloads muted">Ook als <a href="record.csv">CSV</a>, <a href="record.json">JSON</a>
    en <a href="results.pdf">PDF voor de notulen</a>{% if r.published_at %}; het logboek:
    <a href="audit">audit</a>{% endif %}.</p>
</header>
<main>
<section>
  <h2>Besluiten</h2>
  {% if not r.ballots %}<p>Er zijn geen besluiten genomen.</p>{% endif %}
  <ol class="ballots">
  {% for b in r.ballots %}
    <li id="stemming-{{ b.id }}">
      <h3>Agendapunt {{ b.agenda }}: {{ b.title }}</h3>
      {% if b.election is not none %}
      <p class="meta">{{ b.kind }} · {{ b.round_name }}{% if b.first_round is not none %} van
        <a href="#stemming-{{ b.first_round }}">stemming #{{ b.first_round }}</a>{% endif %}
        {%- if b.secret %} · geheime stemming{% endif %} · stemming #{{ b.id }}</p>
      {% else %}
      <p class="meta">{{ b.kind }} · {{ majority.get(b.majority, b.majority) }}
        {%- if b.secret %} · geheime stemming{% endif %} · stemming #{{ b.id }}</p>
      {% endif %}
      <p class="minutes {{ b.outcome.value }}">Besluit: {{ b.minutes() }}</p>
      {% if b.election is not none and b.status == "closed" %}
      <table class="candidates">
        <tr><th>kandidaat</th><th class="num">stemmen</th><th class="num">van de uitgebrachte</th></tr>
        {%- for name, votes, share in b.candidate_rows() %}
        <tr{% if loop.last %} class="abstain"{% endif %}><td>{{ name }}</td><td class="num">{{ votes | nl }}</td>
          <td class="num">{{ share }}</td></tr>
        {%- endfor %}
      </table>
      {% if b.counted_by_hand %}
      <p class="muted">Uitgebracht {{ b.election.cast | nl }} stemmen, met de hand geteld.</p>
      {% else %}
      <p class="muted">Uitgebracht {{ b.election.cast | nl }} stemmen door {{ b.election.members_voted | nl }}
        leden{% if b.secret %}; per lid staat alleen vast dat het gestemd heeft{% endif %}.</p>
      {% endif %}
      {% elif b.electronic %}
      <table class="totals">
        <tr><th>voor</th><th>tegen</th><th>onthouding</th><th>uitgebracht</th><th>leden gestemd</th>
          <th>percentage voor</th></tr>
        <tr><td>{{ b.for_ | nl }}</td><td>{{ b.against | nl }}</td><td>{{ b.abstain | nl }}</td>
          <td>{{ b.cast | nl }}</td><td>{{ b.members_voted | nl }}</td>
          <td>{{ (b.percent_nl ~ "%") if b.percent_for else "—" }}</td></tr>
      </table>
      {% else %}
      <p class="muted">Besloten zonder elektronische stemming.</p>
      {% endif %}
      {% set rounds = r.rounds_of(b) %}
      {% if rounds %}
      <p class="meta">Stemronden van deze verkiezing:</p>
      <ol class="rounds">
        {%- for round in rounds %}
        <li><a href="#stemming-{{ round.id }}">{{ round.round_name }} (stemming #{{ round.id }})</a>:
          {{ round.minutes() }}</li>
        {%- endfor %}
      </ol>
      {% endif %}
      {% if b.log_hash %}
      <p class="hash">Vastgelegd in regel {{ b.log_seq }} van het logboek, hash <code>{{ b.log_hash }}</code></p>
      {% endif %}
    </li>
  {% endfor %}
  </ol>
</section>
<section>
  <h2>Stemgedrag per lid</h2>
  {% if voted %}
  <p class="muted">Per lid de keuze bij elke elektronische stemming (bij een gewijzigde stem telt de
    laatste); — betekent niet gestemd. Het stemgewicht is vastgesteld bij de opening van de
    vergadering; de rol is die van de laatste vertegenwoordiger van het lid.</p>
  <div class="scroll">
  <table class="members">
    <thead><tr><th>Code</th><th>Lid</th><th class="num">Stem&shy;gewicht</th><th>Rol</th>
    {%- for b in voted %}
      <th><a href="#stemming-{{ b.id }}" title="{{ b.title }}">{{ b.agenda }}</a><br>#{{ b.id }}</th>
    {%- endfor %}</tr></thead>
    <tbody>
    {%- for m in r.members %}
      <tr><td>{{ m.code }}</td><td>{{ m.name }}</td><td class="num">{{ m.weight }}</td><td>{{ m.role or "—" }}</td>
      {%- for b in voted %}{% set c = m.votes.get(b.id) %}
        <td class="{{ (c.value if c.value is defined else ('voted' if c == 'voted' else 'candidate')) if c else 'none' }}">{{ b.cell(c) if c else "—" }}</td>
      {%- endfor %}</tr>
    {%- endfor %}
    </tbody>
  </table>
  </div>
  {% else %}
  <p>Er is geen elektronische stemming gehouden.</p>
  {% endif %}
</section>
</main>
<footer>
  {% if r.log_head %}
  <p>Het logboek van deze vergadering telt {{ r.log_head[0] }} regels; de laatste heeft de hash
    <code>{{ r.log_head[1] }}</code>. Iedereen kan het logboek met <code>votehall verify</code>
    controleren en de uitslagen daaruit opnieuw laten berekenen.</p>
  {% endif %}
  <p>VoteHall · vergadering #{{ r.meeting_id }}</p>
</footer>
</body>
</html>
"""


def _moment(value: datetime) -> str:
    utc = value.astimezone(UTC)
    return f"{dutch_date(utc.date())}, {utc:%H:%M} UTC"


_environment = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_environment.filters["nl"] = nl_number
_template = _environment.from_string(TEMPLATE)


def record_html(record: Record) -> bytes:
    html = _template.render(
        r=record,
        voted=record.voted,
        date=dutch_date(record.date),
        published=_moment(record.published_at) if record.published_at else None,
        style=Markup(STYLE),
        majority=MAJORITY_NL,
        choices=CHOICE_NL,
    )
    return html.encode("utf-8")
