"""What the event log says: the entry types and their `data`, for anyone writing a verifier.

Pure: no I/O. Every meeting has a chain of its own (its entries are numbered from 1); changes
that belong to no meeting form chain 0. Members are named by CBS code, passes and ballots by
their id. Secrets (card codes, pass tokens, pairing codes) and representatives' names are never
logged. Weights are integers, percentages strings with two decimals (SPEC 2.6).

Meeting chain:

| type | data |
| --- | --- |
| `meeting_created` | `meeting` {id, title, date, place}, `weight_rule` {inhabitants_per_vote, min_votes, max_votes} |
| `agenda_items_added` | `items` [{number, title, decision, kind}] |
| `meeting_settings` | `settings` {the changed ones of `population_date` (ISO date or null), `chair_name`, `committee_members` [names] (null for none), `publish_representatives`}, `operator` (absent when given with `meeting_created` from the command line): what the record needs beyond the agenda (issue 15); the population date only before the meeting opens |
| `meeting_opened` | `weight_rule`, `register` [{member, name, population, weight}]: the frozen register; `population_date` (ISO): the reference date of its figures, absent when unknown and in logs written before 2026-12 |
| `card_issued` | `member`, `replaces` (true when an earlier card stops working) |
| `pass_issued` | `pass`, `member`, `role`, `replaces` (the pass a hand-over revoked, or null), `operator` (the desk's token; its pairing code goes with it) |
| `pass_pairing_code` | `pass`, `operator` (a new pairing code was made, by that token) |
| `pass_paired` | `pass`, `code_by` (a handheld paired: the only way to a pass token; it replaced any earlier one, and `code_by` is the `operator` that made the code it used, null for passes seeded in bulk) |
| `pass_ended` | `pass`, `member`, `status` ("revoked" or "checked_out") |
| `pass_returned` | `pass`, `member` (a checked-out pass is active again) |
| `ballot_created` | `ballot` {id, agenda, title, kind, majority, abstain_is_cast, allow_change, test, show_live_tally, amends, submitters, preadvies, off_agenda, revote_of, secret, candidates [{id, name, note}], round_of, round} (off_agenda, revote_of, secret, candidates, round_of and round absent in logs written before 2026-12; read as false, null, false, [], null, null) |
| `committee_key` | `public_key` (base64 of the committee's 32-byte X25519 public key), `fingerprint` (SHA-256 of those bytes, hex), `operator`: logged before the meeting's first secret ballot opens |
| `ballot_opened` | `ballot`; `override_order` [ids of ballots passed over] and `operator` when the chair broke the order of SPEC 2.8; `sealing_key` (base64 of the ballot's 32-byte public key) on a secret ballot |
| `vote` | `ballot`, `member`, `choice` ("for", "against", "abstain"; in an election a candidate's id or "abstain"), `vote_id`, `pass`: public ballots only |
| `participation` | `ballot`, `member`, `vote_id`, `pass`: a vote on a secret ballot, without its choice (a change logs another; the member counts once) |
| `ballot_units` | `ballot`, `part` (1, 2, …), `units` [[receipt, choice], …]: a closed secret ballot's unit ballots, at most 1,000 an entry, sorted by receipt across the parts, logged just before its `ballot_closed` |
| `ballot_closed` | `ballot`, `result` {for, against, abstain, cast, members_voted, percent_for, outcome}; for an election or single-candidate vote the shape of `server.rules.election_data` (a secret one without member counts per choice) |
| `ballot_lot` | `ballot`, `candidate` (the id the lot drew), `drawn_by`, `operator`, `result` (the election's result after the lot) |
| `ballot_released` | `ballot`, `operator`: a closed secret ballot's result may go on the public screens |
| `ballot_unlocked` | `ballot`, `operator`: the committee gave the server an open secret ballot's key again (after a restart), so that it can be closed |
| `ballot_acclamation`, `ballot_withdrawn`, `ballot_held` | `ballot` |
| `ballot_edited` | `ballot` {as in `ballot_created`}, `changed` [field names], `operator` |
| `ballot_deleted` | `ballot` (id), `operator` |
| `candidate_withdrawn` | `ballot`, `candidate` (its id), `operator`: the candidate is off the draft ballot; with one left its `round` is `single` |
| `ballot_voided` | `ballot`, `reason`, `operator` |
| `ballot_counted_by_hand` | `ballot`, `result` {as in `ballot_closed`; figures null when only the outcome was counted; an election round's in the election shape with no member counts at all, `members_voted` null too}, `confirmed_by` (the committee member), `operator` |
| `ballot_out_of_order` | `ballot`, `operator` |
| `ballot_dissent` | `ballot`, `members` [codes whose dissent from an acclamation is noted], `operator` |
| `ballot_countdown` | `ballot`, `seconds` (0: the countdown was stopped) |
| `current_item` | `agenda` (the item the chair put up; null for none) |
| `meeting_closed` | `not_decided` [ballot ids recorded as not decided], `operator` (both absent in logs written before 2026-12) |
| `meeting_published` | {} |

Chain 0:

| type | data |
| --- | --- |
| `members_imported` | `members` [{member, name, population, reference_date}] (`reference_date`, the ISO day the population was counted, only when the file gave one) |
| `token_created` | `token`, `role` |
| `meeting_imported` | `meeting` (the new id), `original` (the id in the export), `head` (the hash of the log's last entry, copied verbatim into the new meeting's chain) |

`operator` is {`token`: the operator token's id, `label`: its label} (token null and label
"VOTEHALL_ADMIN_TOKEN" for the environment's admin token): which token made a correction, never
a person's name. The `operator` of `pass_issued` and `pass_pairing_code` and the `code_by` of
`pass_paired` are absent in logs written before 2026-12, where the check-in answer itself
carried a pass token.

A vote's receipt, shown on the handheld, is the hash of its `vote` (or `participation`) entry.
docs/SECRET_BALLOTS.md fixes the formats of secret ballots and elections.
"""

from __future__ import annotations

from typing import Final

MEETING_CREATED: Final = "meeting_created"
AGENDA_ITEMS_ADDED: Final = "agenda_items_added"
MEETING_OPENED: Final = "meeting_opened"
MEETING_SETTINGS: Final = "meeting_settings"
CARD_ISSUED: Final = "card_issued"
PASS_ISSUED: Final = "pass_issued"
PASS_PAIRING_CODE: Final = "pass_pairing_code"
PASS_PAIRED: Final = "pass_paired"
PASS_ENDED: Final = "pass_ended"
PASS_RETURNED: Final = "pass_returned"
BALLOT_CREATED: Final = "ballot_created"
BALLOT_OPENED: Final = "ballot_opened"
VOTE: Final = "vote"
PARTICIPATION: Final = "participation"
BALLOT_UNITS: Final = "ballot_units"
BALLOT_LOT: Final = "ballot_lot"
BALLOT_RELEASED: Final = "ballot_released"
BALLOT_UNLOCKED: Final = "ballot_unlocked"
COMMITTEE_KEY: Final = "committee_key"
BALLOT_CLOSED: Final = "ballot_closed"
BALLOT_ACCLAMATION: Final = "ballot_acclamation"
BALLOT_WITHDRAWN: Final = "ballot_withdrawn"
BALLOT_HELD: Final = "ballot_held"
BALLOT_EDITED: Final = "ballot_edited"
BALLOT_DELETED: Final = "ballot_deleted"
CANDIDATE_WITHDRAWN: Final = "candidate_withdrawn"
BALLOT_VOIDED: Final = "ballot_voided"
BALLOT_COUNTED_BY_HAND: Final = "ballot_counted_by_hand"
BALLOT_OUT_OF_ORDER: Final = "ballot_out_of_order"
BALLOT_DISSENT: Final = "ballot_dissent"
BALLOT_COUNTDOWN: Final = "ballot_countdown"
CURRENT_ITEM: Final = "current_item"
MEETING_CLOSED: Final = "meeting_closed"
MEETING_PUBLISHED: Final = "meeting_published"
MEMBERS_IMPORTED: Final = "members_imported"
TOKEN_CREATED: Final = "token_created"
MEETING_IMPORTED: Final = "meeting_imported"

# The outcome a decision without a vote records, by its entry type (SPEC 2.7).
DECIDED_WITHOUT_VOTE: Final = {
    BALLOT_ACCLAMATION: "acclamation",
    BALLOT_WITHDRAWN: "withdrawn",
    BALLOT_HELD: "held",
    BALLOT_OUT_OF_ORDER: "out_of_order",
}
