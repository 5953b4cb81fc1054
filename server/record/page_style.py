"""The one style block of the public record pages (`record.html` and `/uitslagen`).

Both pages carry it inline and allow it by its hash in their Content-Security-Policy, so they load
nothing and run no script. It is written for a laptop at 1280 px and for a phone at 390 px: the page
never scrolls sideways; the wide per-member table scrolls inside its own container (at most 85%
of the window high), with the member column fixed (`position: sticky; left: 0`), the header row
fixed (`top: 0`: 342 rows down one still sees which column is which ballot) and a background so
the cells pass under them.
"""

from __future__ import annotations

import base64
import hashlib

STYLE = """
:root { color-scheme: light; --ink: #1a1a1a; --muted: #5a5a5a; --accent: #1d3f72; --rule: #c9d1dc;
  --panel: #eef2f7; --for: #1e6b3a; --for-bg: #e3f2e8; --against: #9b1c1c; --against-bg: #fbe6e6;
  --abstain: #4a4a4a; --abstain-bg: #eeeeee; --notvoted: #8a5a00; --notvoted-bg: #fff4d6;
  --absent: #666666; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem; font: 16px/1.5 system-ui, sans-serif;
  color: var(--ink); background: #fff; overflow-wrap: break-word; }
h1 { margin: 0 0 .25rem; font-size: 1.9rem; line-height: 1.2; }
h2 { margin: 2.5rem 0 .75rem; font-size: 1.35rem; border-bottom: 2px solid var(--accent); }
h3 { margin: 0 0 .25rem; font-size: 1.1rem; line-height: 1.3; }
p { margin: .3rem 0; }
.kicker { margin: 0; color: var(--accent); font-weight: 700; letter-spacing: .04em; text-transform: uppercase; }
.muted, .meta, .when { color: var(--muted); }
.cover p { margin: .2rem 0; }
.attendance { font-weight: 600; }
.status { margin-top: .75rem; }
.draft { padding: .5rem .75rem; background: #fff4d6; border-left: 4px solid #b7791f; }
.toc { margin-top: .75rem; }
code { font: .85em/1.4 ui-monospace, monospace; overflow-wrap: anywhere; }
ol.ballots { list-style: none; margin: 0; padding: 0; }
ol.ballots > li { margin: 0 0 1rem; padding: .9rem 1rem; background: var(--panel); border-radius: .4rem;
  break-inside: avoid; }
ol.ballots > li.status-voided, ol.ballots > li.status-not_decided { border-left: 4px solid var(--absent); }
.facts { margin: .4rem 0; display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .1rem .8rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.minutes { margin: .4rem 0; font-weight: 700; }
.adopted, .acclamation, .elected { color: var(--for); }
.rejected { color: var(--against); }
.minutes.voided, .minutes.not_decided, .minutes.withdrawn, .minutes.held { color: var(--muted); }
.totals { display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; margin: .4rem 0; padding: 0; }
.totals div { display: flex; flex-direction: column; }
.totals dt { color: var(--muted); font-size: .85rem; }
.totals dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
.hash { margin: .4rem 0 0; font-size: .85rem; color: var(--muted); }
.candidates { border-collapse: collapse; margin: .4rem 0; }
.candidates th, .candidates td { padding: .1rem 1.2rem .1rem 0; text-align: left; vertical-align: top; }
.candidates th { font-weight: normal; color: var(--muted); }
.candidates .num { text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; white-space: nowrap; }
.candidates tr.abstain td { color: var(--muted); font-weight: normal; }
.rounds { margin: .4rem 0; padding-left: 1.4rem; }
.legend { display: flex; flex-wrap: wrap; gap: .3rem .9rem; margin: .5rem 0; padding: 0; list-style: none;
  font-size: .9rem; }
.legend li { display: flex; flex-wrap: wrap; align-items: center; gap: .2rem .35rem; }
.chip { display: inline-block; padding: 0 .4rem; border-radius: .25rem; }
.scroll { overflow: auto; max-width: 100%; max-height: 85vh; border: 1px solid var(--rule);
  border-radius: .3rem; -webkit-overflow-scrolling: touch; }
table.members { border-collapse: separate; border-spacing: 0; font-size: .85rem; }
.members th, .members td { padding: .25rem .5rem; border-bottom: 1px solid var(--rule); text-align: left;
  white-space: nowrap; background: #fff; }
.members thead th { vertical-align: bottom; background: var(--panel); white-space: normal;
  position: sticky; top: 0; z-index: 1; }
.members .member { position: sticky; left: 0; z-index: 1; min-width: 9rem; max-width: 14rem;
  white-space: normal; border-right: 2px solid var(--rule); }
.members thead .member { z-index: 3; }
.members .member small { display: block; color: var(--muted); }
.members .num { text-align: right; font-variant-numeric: tabular-nums; }
.for, .members td.for { color: var(--for); background: var(--for-bg); }
.against, .members td.against { color: var(--against); background: var(--against-bg); }
.abstain, .members td.abstain { color: var(--abstain); background: var(--abstain-bg); }
.candidate, .voted, .members td.candidate, .members td.voted { color: var(--accent); }
.not_voted, .members td.not_voted { color: var(--notvoted); background: var(--notvoted-bg); font-style: italic; }
.absent, .members td.absent { color: var(--absent); }
.present-list { columns: 20rem; column-gap: 2rem; margin: .5rem 0; padding: 0; list-style: none; }
.present-list li { break-inside: avoid; padding: .1rem 0; border-bottom: 1px solid var(--rule); }
.present-list .weight { font-variant-numeric: tabular-nums; font-weight: 600; }
.absent-list { color: var(--muted); }
.downloads a, .links a { white-space: nowrap; }
.links { display: flex; flex-wrap: wrap; gap: .2rem 1rem; margin: .4rem 0; padding: 0; list-style: none; }
ol.meetings { list-style: none; margin: 0; padding: 0; }
ol.meetings > li { margin: 0 0 1.5rem; padding: 1rem; border: 1px solid var(--rule); border-radius: .4rem; }
ol.meetings h2 { margin-top: 0; }
ul.decisions { margin: .6rem 0 0; padding: 0; list-style: none; }
ul.decisions li { margin: 0; padding: .3rem 0; border-top: 1px solid var(--rule); }
footer { margin: 2.5rem 0 0; padding-top: .75rem; border-top: 1px solid var(--rule); font-size: .9rem;
  color: var(--muted); }
a { color: var(--accent); }
@media (max-width: 40rem) {
  body { padding: .9rem; font-size: 15px; }
  h1 { font-size: 1.45rem; }
  h2 { font-size: 1.2rem; margin-top: 1.8rem; }
  h3 { font-size: 1.02rem; }
  ol.ballots > li, ol.meetings > li { padding: .7rem .75rem; }
  .facts { gap: .15rem .6rem; font-size: .95rem; }
  table.members { font-size: .8rem; }
  .members th, .members td { padding: .25rem .4rem; }
  .members .member { min-width: 8.5rem; max-width: 9.5rem; }
  .candidates th, .candidates td { padding-right: .6rem; }
  .candidates { width: 100%; }
  .candidates th { white-space: normal; }
}
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; }
  ol.ballots > li { background: none; border: 1px solid var(--rule); }
  .scroll { overflow: visible; max-height: none; border: none; }
  table.members { font-size: 7.5pt; }
  .members .member { position: static; }
  .members tr { break-inside: avoid; }
  .downloads, .toc { display: none; }
}
"""

STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()


def content_security_policy(frame_ancestors: str) -> str:
    """Nothing loads and no script runs; the one style block is allowed by its hash."""
    return (
        f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {frame_ancestors}"
    )
