"""The Jinja2 templates of `record.html` and `/uitslagen` (rendered by server/record/page.py).

They live in Python rather than in files so that an installed wheel needs no package data. Every
value is escaped (titles and names come from people); nothing is loaded and no script runs.
"""

from __future__ import annotations

RECORD = """\
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
<header class="cover">
  <p class="kicker">Stemverantwoording</p>
  <h1>{{ r.title }}</h1>
  <p class="when">{{ date }}{% if r.place %} · {{ r.place }}{% endif %}
    {%- if opened %} · geopend {{ opened }}{% endif %}{% if closed %}, gesloten {{ closed }}{% endif %}
    {%- if opened or closed %} (Nederlandse tijd){% endif %}</p>
  {% if r.population_date_nl() %}<p class="muted">Stemgewichten naar {{ r.population_date_nl() }}.</p>{% endif %}
  {% if r.members %}<p class="attendance">{{ r.attendance_nl() }}</p>{% endif %}
  {% if r.published_at %}
  <p class="status">Gepubliceerd op {{ published }}.</p>
  {% else %}
  <p class="status draft">Concept: nog niet gepubliceerd. Alleen de voorzitter en de beheerder
    zien deze pagina tot de voorzitter de uitslagen na de vergadering publiceert.</p>
  {% endif %}
  <p class="downloads muted">Ook als <a href="record.csv">CSV</a>, <a href="record.json">JSON</a>,
    <a href="results.pdf">PDF voor de notulen</a> en <a href="results.docx">Word</a>
    {%- if r.published_at %}; het logboek: <a href="audit">audit</a>{% endif %}.</p>
  <p class="toc"><a href="#besluiten">Besluiten</a> · <a href="#stemgedrag">Stemgedrag per lid</a> ·
    <a href="#aanwezig">Presentielijst</a></p>
</header>
<main>
<section id="besluiten">
  <h2>Besluiten</h2>
  {% if not r.ballots %}<p>Er zijn geen besluiten genomen.</p>{% endif %}
  <ol class="ballots">
  {% for b in r.ballots %}
    <li id="stemming-{{ b.id }}" class="status-{{ b.status }}">
      <h3>Agendapunt {{ b.agenda }}: {{ b.title }}</h3>
      <p class="meta">{{ b.kind }}
        {%- if b.round_name %} · {{ b.round_name }}{% if b.first_round is not none %} van
        <a href="#stemming-{{ b.first_round }}">stemming #{{ b.first_round }}</a>{% endif %}{% endif %}
        · {{ b.majority_nl }}{% if b.secret %} · geheime stemming{% endif %} · stemming #{{ b.id }}</p>
      <p class="minutes {{ b.outcome.value }}">Besluit: {{ b.minutes() }}</p>
      <dl class="facts">
        {% if b.submitters %}<dt>Ingediend door</dt><dd>{{ b.submitters | join(", ") }}</dd>{% endif %}
        {% if b.preadvies_nl %}<dt>Preadvies</dt><dd>{{ b.preadvies_nl }}</dd>{% endif %}
        {% if b.off_agenda %}<dt>Motie</dt><dd>vreemd aan de orde van de dag</dd>{% endif %}
        {% for ref, sentence in b.amended_by %}<dt>Amendement hierop</dt><dd><a href="#stemming-{{ ref.id }}">stemming #{{ ref.id }} {{ ref.title }}</a>: {{ sentence }}</dd>{% endfor %}
        {% if b.amends %}<dt>Amendement op</dt><dd><a href="#stemming-{{ b.amends.id }}">{{ b.amends.label() }}</a></dd>{% endif %}
        {% if b.revote_of %}<dt>Herstemming van</dt><dd><a href="#stemming-{{ b.revote_of.id }}">{{ b.revote_of.label() }}</a>
          (stemming #{{ b.revote_of.id }})</dd>{% endif %}
        {% if b.status == "voided" %}<dt>Ongeldig verklaard</dt><dd>{{ b.void_reason or "zonder opgegeven reden" }}
          {%- if b.revoted_by %}; opnieuw in stemming gebracht als
          <a href="#stemming-{{ b.revoted_by }}">stemming #{{ b.revoted_by }}</a>{% endif %}</dd>
        {% elif b.revoted_by %}<dt>Opnieuw gestemd</dt><dd><a href="#stemming-{{ b.revoted_by }}">stemming #{{ b.revoted_by }}</a></dd>{% endif %}
        {% if b.counted_by_hand %}<dt>Met de hand geteld</dt><dd>{% if b.confirmed_by %}bevestigd door {{ b.confirmed_by }}{% else %}door de stemcommissie{% endif %}</dd>{% endif %}
        {% if b.lot %}<dt>Lot</dt><dd>getrokken: {{ b.lot.candidate }}{% if b.lot.drawn_by %} (door {{ b.lot.drawn_by }}){% endif %}</dd>{% endif %}
        {% if b.present_members is not none %}<dt>Aanwezig</dt><dd>{{ b.present_members | nl }} leden,
          {{ b.present_weight | nl }} stemmen</dd>{% endif %}
        {% if b.closed_at %}<dt>Besloten om</dt><dd>{{ b.closed_at | hall }}</dd>{% endif %}
      </dl>
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
      {# A secret round's stored result has no member counts: the ballot keeps its participants. #}
      <p class="muted">Uitgebracht {{ b.election.cast | nl }} stemmen door
        {{ (b.members_voted if b.members_voted is not none else b.election.members_voted) | nl }} leden{% if b.secret %}; per lid staat alleen vast dat het gestemd heeft{% endif %}.</p>
      {% endif %}
      {% elif b.for_ is not none and b.status != "voided" %}
      <dl class="totals">
        <div><dt>voor</dt><dd>{{ b.for_ | nl }}</dd></div>
        <div><dt>tegen</dt><dd>{{ b.against | nl }}</dd></div>
        <div><dt>onthouding</dt><dd>{{ b.abstain | nl }}</dd></div>
        <div><dt>uitgebracht</dt><dd>{{ b.cast | nl }}</dd></div>
        <div><dt>leden gestemd</dt><dd>{{ b.members_voted | nl }}</dd></div>
        <div><dt>percentage voor</dt><dd>{{ (b.percent_nl ~ "%") if b.percent_for else "—" }}</dd></div>
      </dl>
      {% elif b.status not in ("voided", "not_decided") %}
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
<section id="stemgedrag">
  <h2>Stemgedrag per lid</h2>
  {% if voted %}
  <p class="muted">Per lid de keuze bij elke elektronische stemming (bij een gewijzigde stem telt de
    laatste); de kolommen zijn de agendapunten met het nummer van de stemming. Het stemgewicht is vastgesteld bij de opening van de vergadering. Schuif de tabel
    opzij voor de volgende stemmingen; de kolom met de leden blijft staan.</p>
  <ul class="legend">
    <li><span class="chip for">voor</span><span class="chip against">tegen</span><span class="chip abstain">onthouding</span>
      of de gekozen kandidaat: de stem van het lid</li>
    <li><span class="chip voted">gestemd</span> geheime stemming: alleen dát het lid stemde</li>
    <li><span class="chip not_voted">niet gestemd</span> aanwezig, maar geen stem</li>
    <li><span class="chip absent">afwezig</span> niet aanwezig bij de stemming</li>
  </ul>
  <div class="scroll" tabindex="0" role="region" aria-label="Stemgedrag per lid, schuif opzij">
  <table class="members">
    <thead><tr><th class="member" scope="col">Lid</th><th class="num" scope="col">Stem&shy;gewicht</th>
    {%- for b in voted %}
      <th scope="col"><a href="#stemming-{{ b.id }}" title="{{ b.title }}">{{ b.agenda }}</a><br>#{{ b.id }}</th>
    {%- endfor %}
      <th scope="col">{% if r.show_names %}Vertegenwoordiger{% else %}Rol{% endif %}</th></tr></thead>
    <tbody>
    {%- for m in r.members %}
      <tr><th class="member" scope="row">{{ m.name }}<small>{{ m.code }}</small></th>
        <td class="num">{{ m.weight | nl }}</td>
      {%- for b in voted %}{% set c = m.votes.get(b.id) %}
        <td class="{{ c | cell_class }}">{{ b.cell(c) if c is not none else "—" }}</td>
      {%- endfor %}
        <td class="role">{{ represented(m) or "—" }}</td></tr>
    {%- endfor %}
    </tbody>
  </table>
  </div>
  {% else %}
  <p>Er is geen elektronische stemming gehouden.</p>
  {% endif %}
</section>
<section id="aanwezig">
  <h2>Presentielijst</h2>
  {% set present = r.present %}
  {% if r.members %}<p class="attendance">{{ r.attendance_nl() }}</p>{% endif %}
  <p class="muted">Aanwezig is een lid dat tijdens de vergadering een actieve stempas had;
    {% if r.show_names %}met de naam en rol van zijn vertegenwoordiger{% else %}met de rol van zijn
    vertegenwoordiger (namen van vertegenwoordigers staan in de notulen){% endif %}.</p>
  {% if present %}
  <ul class="present-list">
  {%- for m in present %}
    <li>{{ m.name }} <span class="muted">({{ m.code }})</span> · <span class="weight">{{ m.weight | nl }}</span>
      {%- set who = represented(m) %}{% if who %} · {{ who }}{% endif %}</li>
  {%- endfor %}
  </ul>
  {% endif %}
  {% set absent = r.members | rejectattr("present") | list %}
  {% if absent %}
  <p class="absent-list"><strong>Afwezig ({{ absent | length }}):</strong>
    {% for m in absent %}{{ m.name }} ({{ m.code }}, {{ m.weight | nl }}){{ ", " if not loop.last else "." }}{% endfor %}</p>
  {% endif %}
</section>
</main>
<footer>
  {% if r.close_hash %}
  <p>De vergadering is gesloten in regel {{ r.close_seq }} van het logboek, hash <code>{{ r.close_hash }}</code>.</p>
  {% endif %}
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

LISTING = """\
<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Uitslagen van de vergaderingen</title>
<style>{{ style }}</style>
</head>
<body>
<header>
  <p class="kicker">Uitslagen</p>
  <h1>Uitslagen van de vergaderingen</h1>
  <p class="muted">Elke gepubliceerde vergadering, de nieuwste eerst: de besluiten en per vergadering
    hoe elk lid heeft gestemd. Ook als <a href="/api/records" target="_top">JSON</a>.</p>
</header>
<main>
  {% if not meetings %}<p>Er zijn nog geen uitslagen gepubliceerd.</p>{% endif %}
  <ol class="meetings">
  {% for m in meetings %}
    <li id="vergadering-{{ m.id }}">
      <h2>{{ m.title }}</h2>
      <p class="when">{{ m.date | day }}{% if m.place %} · {{ m.place }}{% endif %} · gepubliceerd op
        {{ m.published_at | moment }}</p>
      <ul class="links">
        <li><a href="{{ m.links.html }}" target="_top">Stemverantwoording</a></li>
        <li><a href="{{ m.links.pdf }}" target="_top">PDF voor de notulen</a></li>
        <li><a href="{{ m.links.docx }}" target="_top">Word</a></li>
        <li><a href="{{ m.links.csv }}" target="_top">CSV</a></li>
        <li><a href="{{ m.links.json }}" target="_top">JSON</a></li>
        <li><a href="{{ m.links.audit }}" target="_top">logboek</a></li>
      </ul>
      {% if m.decisions %}
      <ul class="decisions">
      {% for d in m.decisions %}
        <li>Agendapunt {{ d.agenda }}: {{ d.title }} <span class="muted">({{ d.kind }})</span>:
          <strong class="{{ d.outcome }}">{{ d.minutes }}</strong></li>
      {% endfor %}
      </ul>
      {% else %}
      <p class="muted">Geen besluiten.</p>
      {% endif %}
    </li>
  {% endfor %}
  </ol>
</main>
<footer><p>VoteHall</p></footer>
</body>
</html>
"""
