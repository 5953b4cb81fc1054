"""The words of `votehall verify` in Dutch and English: one language per run. Pure: no I/O.

A message is made once, in English, with its values apart (`say("opens ballot {ballot}",
ballot=7)`), and is written out in the run's language by `Said.text`. The Dutch wording of every
English template is in `DUTCH`; a template missing there is a bug that
`tests/audit/test_verify_language.py` finds. Status words (`closed`, `revoked`, ...) given as a
value named `status` or ending in `_status` are translated too, so that no Dutch sentence says
"closed".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("nl", "en")

STATUS_NL: Mapping[str, str] = {
    "draft": "concept",
    "open": "open",
    "closed": "gesloten",
    "voided": "ongeldig verklaard",
    "not_decided": "niet besloten",
    "acclamation": "bij acclamatie besloten",
    "withdrawn": "ingetrokken",
    "held": "aangehouden",
    "out_of_order": "buiten de orde verklaard",
    "active": "actief",
    "revoked": "ingetrokken",
    "checked_out": "uitgecheckt",
    "meeting_closed": "beëindigd met de vergadering",
}

# The fields of a result (`ballot_closed`, the record), named in a Dutch message.
RESULT_FIELD_NL: Mapping[str, str] = {
    "for": "voor",
    "against": "tegen",
    "abstain": "onthouding",
    "cast": "uitgebracht",
    "members_voted": "aantal leden dat stemde",
    "percent_for": "percentage voor",
    "outcome": "uitslag",
}
CHOICE_NL: Mapping[str, str] = {"for": "voor", "against": "tegen", "abstain": "onthouding"}


@dataclass(frozen=True, slots=True)
class Said:
    """A message in the words of `template` (English), its values in `args`."""

    template: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        values = {name: _value(name, value, lang) for name, value in self.args.items()}
        return (DUTCH[self.template] if lang == "nl" else self.template).format(**values)

    def __str__(self) -> str:
        return self.text("en")


class Number(int):
    """A count of people: 150,500 in English, 150.500 in Dutch."""


class Joined(list[Said]):
    """Several parts of one message, joined with "; "."""


def _value(name: str, value: Any, lang: str) -> Any:
    if isinstance(value, Said):
        return value.text(lang)
    if isinstance(value, Joined):
        return "; ".join(part.text(lang) for part in value)
    if isinstance(value, Number):
        return number(value, lang)
    if lang == "nl" and (name == "status" or name.endswith("_status")) and isinstance(value, str):
        return STATUS_NL.get(value, value)
    if lang == "nl" and name == "name" and isinstance(value, str):
        return RESULT_FIELD_NL.get(value, value)
    if lang == "nl" and name == "choice" and isinstance(value, str):
        return CHOICE_NL.get(value, value)
    return value


def say(template: str, **args: Any) -> Said:
    return Said(template, args)


def number(value: int, lang: str) -> str:
    """150500 -> "150.500" in Dutch, "150,500" in English."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "nl" else text


# English template -> Dutch template. The values are the same in both.
DUTCH: dict[str, str] = {
    # server/audit/chain.py: the chain and the form of a line
    "entry {seq} does not follow the entry before it (its previous hash is {got}…, expected {expected}…)": (
        "gebeurtenis {seq} volgt niet op de gebeurtenis ervoor (de vorige hash is {got}…, verwacht {expected}…)"
    ),
    "entry {seq} where {due} was due: missing entries before it": (
        "gebeurtenis {seq} waar {due} aan de beurt was: er ontbreken gebeurtenissen ervoor"
    ),
    "entry {seq} where {due} was due: out of order": "gebeurtenis {seq} waar {due} aan de beurt was: buiten volgorde",
    "entry {seq} was altered: its content does not match its hash": (
        "gebeurtenis {seq} is gewijzigd: de inhoud past niet bij de hash"
    ),
    "the line is not JSON (from character {column} on)": "de regel is geen JSON (vanaf teken {column})",
    "the key {key!r} appears twice in one object": "de sleutel {key!r} staat twee keer in één object",
    "{constant} is not a JSON value": "{constant} is geen JSON-waarde",
    "a log line must be a JSON object": "een logregel moet een JSON-object zijn",
    "a log line needs the strings prev_hash and hash": "een logregel heeft de teksten prev_hash en hash nodig",
    "it has text that is not valid Unicode (a lone surrogate), so it cannot be hashed": (
        "de regel bevat tekst die geen geldige Unicode is (een losse surrogaat) en niet te hashen is"
    ),
    "it is not in canonical form (the bytes the server writes for this entry: keys sorted, prev_hash "
    "and hash last, no spaces, characters unescaped; see docs/AUDIT.md); it differs from character "
    "{column} on": (
        "de regel staat niet in de canonieke vorm (de bytes die de server voor deze gebeurtenis schrijft: "
        "sleutels gesorteerd, prev_hash en hash achteraan, geen spaties, tekens niet ge-escapet; zie "
        "docs/AUDIT.md); hij wijkt af vanaf teken {column}"
    ),
    # server/audit/replay.py: the rules
    "entry {seq}: {message}": "gebeurtenis {seq}: {message}",
    "has no type or no data": "heeft geen type of geen data",
    "has an unknown type {kind!r}": "heeft een onbekend type {kind!r}",
    "({kind}) is malformed: {error}": "({kind}) is misvormd: {error}",
    "creates the meeting a second time": "maakt de vergadering een tweede keer aan",
    "opens the meeting a second time": "opent de vergadering een tweede keer",
    "opens with the population date {frozen}, but the meeting was given {given}": (
        "opent met de peildatum {frozen}, maar de vergadering kreeg {given}"
    ),
    "changes an unknown setting {name!r}": "wijzigt een onbekende instelling {name!r}",
    "changes the meeting's settings after its record was published": (
        "wijzigt de instellingen van de vergadering nadat het stemverslag is gepubliceerd"
    ),
    "changes the population date after the meeting opened": (
        "wijzigt de peildatum nadat de vergadering is geopend"
    ),
    "opens with another weight rule than the meeting was created with": (
        "opent met een andere stemgewichtregel dan waarmee de vergadering werd aangemaakt"
    ),
    "the frozen register gives {code} the weight {weight}, but a population of {population} makes "
    "{expected} (SPEC 2.1)": (
        "het bevroren register geeft {code} het stemgewicht {weight}, maar {population} inwoners geven "
        "{expected} (SPEC 2.1)"
    ),
    "lists member {code} twice": "noemt lid {code} twee keer",
    "names member {code!r}, who is not in the frozen register": (
        "noemt lid {code!r}, dat niet in het bevroren register staat"
    ),
    "issues pass {pass_id} a second time": "geeft stempas {pass_id} een tweede keer uit",
    "replaces pass {replaces}, which is not a pass of {member}": (
        "vervangt stempas {replaces}, die geen stempas van {member} is"
    ),
    "issues a second active pass to {member} (SPEC 2.3: one at a time)": (
        "geeft {member} een tweede actieve stempas (SPEC 2.3: één tegelijk)"
    ),
    "names pass {pass_id}, which was never issued": "noemt stempas {pass_id}, die nooit is uitgegeven",
    "says pass {pass_id} is of {stated}, but it was issued to {member}": (
        "zegt dat stempas {pass_id} van {stated} is, maar hij is aan {member} uitgegeven"
    ),
    "ends pass {pass_id}, which is {status}": "beëindigt stempas {pass_id}, die {status} is",
    "ends pass {pass_id} with the unknown status {ended!r}": (
        "beëindigt stempas {pass_id} met de onbekende status {ended!r}"
    ),
    "returns pass {pass_id}, which is {status}, not checked out": (
        "geeft stempas {pass_id} terug, die {status} is, niet uitgecheckt"
    ),
    "returns pass {pass_id} while {member} has another active pass": (
        "geeft stempas {pass_id} terug terwijl {member} een andere actieve stempas heeft"
    ),
    "pairs pass {pass_id}, which is {status}": "koppelt stempas {pass_id}, die {status} is",
    "creates ballot {ballot} a second time": "maakt stemming {ballot} een tweede keer aan",
    "creates ballot {ballot} as a re-vote of ballot {redone}, which is not voided": (
        "maakt stemming {ballot} aan als herstemming van stemming {redone}, die niet ongeldig is verklaard"
    ),
    "creates ballot {ballot} as a second re-vote of ballot {redone}": (
        "maakt stemming {ballot} aan als tweede herstemming van stemming {redone}"
    ),
    "edits ballot {ballot}, which is {status}; only a draft can be edited": (
        "wijzigt stemming {ballot}, die {status} is; alleen een concept kan worden gewijzigd"
    ),
    "deletes ballot {ballot}, which is {status}; only a draft can be deleted": (
        "verwijdert stemming {ballot}, die {status} is; alleen een concept kan worden verwijderd"
    ),
    "deletes ballot {ballot}, which ballot {amending} amends": (
        "verwijdert stemming {ballot}, die stemming {amending} amendeert"
    ),
    "withdraws a candidate of ballot {ballot}, which is {status}; only a draft can change": (
        "trekt een kandidaat van stemming {ballot} terug, die {status} is; alleen een concept kan veranderen"
    ),
    "withdraws candidate {candidate!r}, which is not on ballot {ballot}": (
        "trekt kandidaat {candidate!r} terug, die niet op stemming {ballot} staat"
    ),
    "withdraws the only candidate of ballot {ballot}": "trekt de enige kandidaat van stemming {ballot} terug",
    "names ballot {ballot!r}, which was never created": "noemt stemming {ballot!r}, die nooit is aangemaakt",
    "opens ballot {ballot} before the meeting opened": "opent stemming {ballot} voordat de vergadering open was",
    "opens ballot {ballot}, which is {status}": "opent stemming {ballot}, die {status} is",
    "opens ballot {ballot} while ballot {other} is open (SPEC 4.1: one at a time)": (
        "opent stemming {ballot} terwijl stemming {other} open is (SPEC 4.1: één tegelijk)"
    ),
    "is a vote on ballot {ballot}, which is {status}, not open": (
        "is een stem op stemming {ballot}, die {status} is, niet open"
    ),
    "is a vote of {member} with pass {pass_id}, which is not an active pass of it": (
        "is een stem van {member} met stempas {pass_id}, die geen actieve stempas van dat lid is"
    ),
    "changes the vote of {member} on ballot {ballot}, which allows no change": (
        "wijzigt de stem van {member} op stemming {ballot}, die geen wijziging toestaat"
    ),
    "closes ballot {ballot}, which is {status}": "sluit stemming {ballot}, die {status} is",
    "{name} {stated!r} where the votes give {value!r}": "{name} {stated!r} waar de stemmen {value!r} geven",
    "states a result of ballot {ballot} that its votes do not give: {differences}": (
        "noemt een uitslag van stemming {ballot} die de stemmen niet geven: {differences}"
    ),
    "records ballot {ballot} as {outcome_status}, but it is {status}": (
        "legt stemming {ballot} vast als {outcome_status}, maar die is {status}"
    ),
    "records the test ballot {ballot} as {outcome_status} (SPEC 2.7)": (
        "legt de proefstemming {ballot} vast als {outcome_status} (SPEC 2.7)"
    ),
    "declares the {kind} {ballot} out of order; only a motie or amendement can be": (
        "verklaart de {kind} {ballot} buiten de orde; dat kan alleen een motie of amendement"
    ),
    "voids ballot {ballot} without a reason (SPEC 2.7)": "verklaart stemming {ballot} ongeldig zonder reden (SPEC 2.7)",
    "voids ballot {ballot} after ballot {later} was opened or decided (SPEC 2.7)": (
        "verklaart stemming {ballot} ongeldig nadat stemming {later} werd geopend of besloten (SPEC 2.7)"
    ),
    "voids ballot {ballot}, which is {status}; only an open or closed one can be": (
        "verklaart stemming {ballot} ongeldig, die {status} is; dat kan alleen een open of gesloten stemming"
    ),
    "voids ballot {ballot} after the meeting closed": (
        "verklaart stemming {ballot} ongeldig nadat de vergadering was gesloten"
    ),
    "records a count by hand of ballot {ballot}, which is {status}": (
        "legt een handmatige telling vast van stemming {ballot}, die {status} is"
    ),
    "records a count by hand of the test ballot {ballot} (SPEC 2.7)": (
        "legt een handmatige telling vast van de proefstemming {ballot} (SPEC 2.7)"
    ),
    "records a count by hand of ballot {ballot} that nobody of the committee confirmed": (
        "legt een handmatige telling vast van stemming {ballot} die niemand van de commissie bevestigde"
    ),
    "records a count by hand of ballot {ballot} with the outcome {outcome}": (
        "legt een handmatige telling vast van stemming {ballot} met de uitslag {outcome}"
    ),
    "counts {counted} votes by hand on ballot {ballot}, but those present hold {present}": (
        "telt met de hand {counted} stemmen op stemming {ballot}, maar de aanwezigen hebben er {present}"
    ),
    "{name} {stated!r} where the count gives {value!r}": "{name} {stated!r} waar de telling {value!r} geeft",
    "states a count by hand of ballot {ballot} that does not add up: {differences}": (
        "noemt een handmatige telling van stemming {ballot} die niet klopt: {differences}"
    ),
    "notes dissent on ballot {ballot}, which is {status}, not an acclamation": (
        "noteert een afwijkende mening bij stemming {ballot}, die {status} is, geen acclamatie"
    ),
    "notes the dissent of {code}, which has no active pass (not present)": (
        "noteert de afwijkende mening van {code}, dat geen actieve stempas heeft (niet aanwezig)"
    ),
    "puts a countdown on ballot {ballot}, which is {status}, not open": (
        "zet een aftelling op stemming {ballot}, die {status} is, niet open"
    ),
    "puts a countdown of a negative number of seconds": "zet een aftelling van een negatief aantal seconden",
    "puts an agenda item up after the meeting closed": "toont een agendapunt nadat de vergadering was gesloten",
    "closes the meeting while ballot {ballot} is open": "sluit de vergadering terwijl stemming {ballot} open is",
    "closes the meeting naming {listed} as not decided, but the undecided ballots are {drafts}": (
        "sluit de vergadering met {listed} als niet besloten, maar de onbesliste stemmingen zijn {drafts}"
    ),
    # server/audit/verify.py: the command
    "line {line}: {message}": "regel {line}: {message}",
    "line {line} is not a log entry ({error}); it was left out": (
        "regel {line} is geen gebeurtenis van het log ({error}); hij is overgeslagen"
    ),
    "line {line} is not in canonical form ({error})": "regel {line} staat niet in de canonieke vorm ({error})",
    "the log has no entries": "het log heeft geen gebeurtenissen",
    "the log ends at entry {seq}, before the meeting was closed: it may be cut short (a truncated "
    "log); the results below are only those up to that entry": (
        "het log eindigt bij gebeurtenis {seq}, voordat de vergadering werd gesloten: het kan zijn afgekapt; "
        "de uitslagen hieronder gelden alleen tot die gebeurtenis"
    ),
    "the meeting was published, but the log ends at entry {seq} without its publication entry "
    "(a truncated log?)": (
        "de vergadering is gepubliceerd, maar het log eindigt bij gebeurtenis {seq} zonder de gebeurtenis van de "
        "publicatie (een afgekapt log?)"
    ),
    "the written-down hash {hash} has {length} characters; give all {full} (the chair's screen shows "
    "them in blocks of eight)": (
        "de opgeschreven hash {hash} heeft {length} tekens; geef alle {full} (het scherm van de voorzitter "
        "toont ze in blokken van acht)"
    ),
    "the written-down hash {hash}… is not in this log": "de opgeschreven hash {hash}… staat niet in dit log",
    "written-down hash {hash}…: entry {seq}": "opgeschreven hash {hash}…: gebeurtenis {seq}",
    "receipt {receipt}: give at least {minimum} characters": "bewijs {receipt}: geef minstens {minimum} tekens",
    "receipt {receipt}: only the characters 0-9 and a-f, as the handheld shows them": (
        "bewijs {receipt}: alleen de tekens 0-9 en a-f, zoals het stemkastje ze toont"
    ),
    "receipt {receipt}: no entry matches": "bewijs {receipt}: geen gebeurtenis past erbij",
    "receipt {receipt}: {count} entries match ({seqs}); give more characters": (
        "bewijs {receipt}: {count} gebeurtenissen passen erbij ({seqs}); geef meer tekens"
    ),
    "receipt {receipt}: entry {seq} is a {kind} entry, not a vote": (
        "bewijs {receipt}: gebeurtenis {seq} is een {kind}-gebeurtenis, geen stem"
    ),
    "receipt {receipt}: entry {seq}, a vote of {member} on ballot {ballot}: {choice}": (
        "bewijs {receipt}: gebeurtenis {seq}, een stem van {member} op stemming {ballot}: {choice}"
    ),
    "  this vote counts: it is the member's last vote on the ballot": (
        "  deze stem telt: het is de laatste stem van het lid op deze stemming"
    ),
    "  this vote was later replaced by entry {seq} (line {line}): {choice}": (
        "  deze stem is later vervangen door gebeurtenis {seq} (regel {line}): {choice}"
    ),
    "  the vote that counts is entry {seq} (line {line}): {choice}": (
        "  de stem die telt is gebeurtenis {seq} (regel {line}): {choice}"
    ),
    "  the ballot was voided: this vote counts nowhere": (
        "  de stemming is ongeldig verklaard: deze stem telt nergens mee"
    ),
    "  a test ballot: this vote counts nowhere": "  een proefstemming: deze stem telt nergens mee",
    "ballot {ballot} was decided in the log but is missing from the record": (
        "stemming {ballot} is in het log besloten maar ontbreekt in het stemverslag"
    ),
    "the record lists ballot {ballot}, which the log did not decide": (
        "het stemverslag noemt stemming {ballot}, die het log niet besliste"
    ),
    "ballot {ballot}: the record says {name} {stated!r}, the log gives {value!r}": (
        "stemming {ballot}: het stemverslag zegt {name} {stated!r}, het log geeft {value!r}"
    ),
    "the record lists member {code!r}, who is not in the frozen register": (
        "het stemverslag noemt lid {code!r}, dat niet in het bevroren register staat"
    ),
    "member {code}: the record says present {stated!r}, the log {value!r}": (
        "lid {code}: het stemverslag zegt aanwezig {stated!r}, het log {value!r}"
    ),
    "the record says attendance {stated!r}, the log gives {value!r}": (
        "het stemverslag zegt aanwezigheid {stated!r}, het log geeft {value!r}"
    ),
    "ballot {ballot}: the record says present {stated!r}, the log gives {value!r}": (
        "stemming {ballot}: het stemverslag zegt aanwezig {stated!r}, het log geeft {value!r}"
    ),
    "member {code}: the record says weight {stated!r}, the log {value}": (
        "lid {code}: het stemverslag zegt stemgewicht {stated!r}, het log {value}"
    ),
    "member {code}, ballot {ballot}: the record says {stated!r}, the log gives {value!r}": (
        "lid {code}, stemming {ballot}: het stemverslag zegt {stated!r}, het log geeft {value!r}"
    ),
    "member {code} of the frozen register is missing from the record": (
        "lid {code} van het bevroren register ontbreekt in het stemverslag"
    ),
    "meeting {id}: {title} ({date}), {count} entries, head {seq} {hash}": (
        "vergadering {id}: {title} ({date}), {count} gebeurtenissen, laatste gebeurtenis {seq} {hash}"
    ),
    "ballot {ballot} ({agenda}, {kind})": "stemming {ballot} ({agenda}, {kind})",
    "ballot {ballot} ({agenda}, {kind}, test ballot)": "stemming {ballot} ({agenda}, {kind}, proefstemming)",
    "  re-vote of ballot {redone}": "  herstemming van stemming {redone}",
    "  counted by hand, the outcome only": "  met de hand geteld, alleen de uitslag",
    "  counted by hand, per candidate": "  met de hand geteld, per kandidaat",
    "  counted by hand: for {for_}, against {against}, abstain {abstain}, cast {cast}": (
        "  met de hand geteld: voor {for_}, tegen {against}, onthouding {abstain}, uitgebracht {cast}"
    ),
    "  confirmed by {who}": "  bevestigd door {who}",
    "  for {for_}, against {against}, abstain {abstain}, cast {cast}, {voted}; {percent} for: {outcome}": (
        "  voor {for_}, tegen {against}, onthouding {abstain}, uitgebracht {cast}, {voted}; {percent} voor: "
        "{outcome}"
    ),
    "1 member voted": "1 lid stemde",
    "{count} members voted": "{count} leden stemden",
    "adopted": "aangenomen",
    "rejected": "verworpen",
    "  {status}, not decided in this log": "  {status}, niet besloten in dit log",
    "  {minutes} (without a vote)": "  {minutes} (zonder stemming)",
    "  decided in entry {seq}, hash {hash}": "  besloten in gebeurtenis {seq}, hash {hash}",
    "  equals the server's result: yes": "  gelijk aan de uitslag van de server: ja",
    "  equals the server's result: NO": "  gelijk aan de uitslag van de server: NEE",
    "published record compared with the log": "gepubliceerd stemverslag vergeleken met het log",
    "warning: {message}": "waarschuwing: {message}",
    "FAILED: {count} problem(s)": "AFGEKEURD, aantal problemen: {count}",
    "OK: the chain is intact and every result follows from the votes": (
        "OK: de keten is intact en elke uitslag volgt uit de stemmen"
    ),
    "error: {message}": "fout: {message}",
    "note: no published record to compare ({error})": "let op: geen gepubliceerd stemverslag om te vergelijken ({error})",
    "could not read {source}: {error}": "kon {source} niet lezen: {error}",
    "there is no such file": "dat bestand bestaat niet",
    "no permission to read it": "geen toestemming om het te lezen",
    "it is a folder": "het is een map",
    "it is not UTF-8 text (byte {position})": "het is geen UTF-8-tekst (byte {position})",
    "could not fetch {url}: {error}": "kon {url} niet ophalen: {error}",
    "{url} answered {status_code}: {detail}": "{url} antwoordde {status_code}: {detail}",
    "{source} is not JSON: {error}": "{source} is geen JSON: {error}",
    "{source} is not UTF-8 text: {error}": "{source} is geen UTF-8-tekst: {error}",
    # server/audit/replay.py, replay_secret.py, replay_elections.py: secret ballots and elections
    "is a participation on ballot {ballot} after its unit ballots were listed": (
        "is een deelname aan stemming {ballot} nadat de stemeenheden ervan zijn vermeld"
    ),
    "is a participation on the public ballot {ballot}, whose votes are logged openly": (
        "is een deelname aan de openbare stemming {ballot}, waarvan de stemmen openlijk worden gelogd"
    ),
    "is a vote entry on the secret ballot {ballot}, whose votes are logged as participations only": (
        "is een stem op de geheime stemming {ballot}, waarvan alleen deelnames worden gelogd"
    ),
    "unlocks ballot {ballot}, which is not an open secret ballot": (
        "ontgrendelt stemming {ballot}, die geen open geheime stemming is"
    ),
    "releases the result of ballot {ballot} a second time": (
        "geeft de uitslag van stemming {ballot} een tweede keer vrij"
    ),
    "releases the result of ballot {ballot}, which is not a closed secret ballot": (
        "geeft de uitslag van stemming {ballot} vrij, die geen gesloten geheime stemming is"
    ),
    "  secret: {members} members voted, {units} units": "  geheim: {members} leden stemden, {units} stemeenheden",
    "closes ballot {ballot} with {units} unit ballots, but the {members} members who voted weigh {weight} "
    "together": (
        "sluit stemming {ballot} met {units} stemeenheden, maar de {members} leden die stemden hebben samen "
        "stemgewicht {weight}"
    ),
    "closes ballot {ballot}, whose unit ballots are not sorted by receipt (unit {unit} is out of order)": (
        "sluit stemming {ballot}, waarvan de stemeenheden niet op bewijs gesorteerd zijn (eenheid {unit} staat "
        "niet op zijn plaats)"
    ),
    "closes ballot {ballot}, whose unit ballots repeat {count} receipts (the first: {receipt})": (
        "sluit stemming {ballot}, waarvan de stemeenheden {count} bewijzen herhalen (het eerste: {receipt})"
    ),
    "is part {part} of the unit ballots of ballot {ballot}, where part {due} was due": (
        "is deel {part} van de stemeenheden van stemming {ballot}, waar deel {due} aan de beurt was"
    ),
    "lists no unit ballots": "vermeldt geen stemeenheden",
    "lists unit ballots of ballot {ballot}, which is {status}, not open": (
        "vermeldt stemeenheden van stemming {ballot}, die {status} is, niet open"
    ),
    "lists unit ballots of the public ballot {ballot}": "vermeldt stemeenheden van de openbare stemming {ballot}",
    "lists {count} unit ballots that are not a receipt of 64 lowercase hex digits with a choice of ballot "
    "{ballot} (the first is unit {first} of this part)": (
        "vermeldt {count} stemeenheden die geen bewijs van 64 hexadecimale tekens met een keuze van stemming "
        "{ballot} zijn (de eerste is eenheid {first} van dit deel)"
    ),
    "logs a committee key after the secret ballot {ballot} opened": (
        "logt een commissiesleutel nadat de geheime stemming {ballot} geopend is"
    ),
    "logs a committee key that is not 32 bytes in base64": "logt een commissiesleutel die geen 32 bytes in base64 is",
    "logs the committee key with the fingerprint {stated}, but the key's is {actual}": (
        "logt de commissiesleutel met de vingerafdruk {stated}, maar die van de sleutel is {actual}"
    ),
    "opens the public ballot {ballot} with a sealing key": "opent de openbare stemming {ballot} met een verzegelsleutel",
    "opens the secret ballot {ballot} without a committee key in the log": (
        "opent de geheime stemming {ballot} zonder commissiesleutel in het log"
    ),
    "opens the secret ballot {ballot} without a sealing key of 32 bytes in base64": (
        "opent de geheime stemming {ballot} zonder verzegelsleutel van 32 bytes in base64"
    ),
    "closes ballot {ballot}, which the election rules cannot decide: {error}": (
        "sluit stemming {ballot}, die de regels voor verkiezingen niet kunnen beslissen: {error}"
    ),
    "states a count by hand of ballot {ballot} that the election rules cannot read: {error}": (
        "noemt een handmatige telling van stemming {ballot} die de regels voor verkiezingen niet kunnen lezen: {error}"
    ),
    "draws a lot on ballot {ballot}, whose outcome is {outcome}, not a lot": (
        "trekt een lot bij stemming {ballot}, waarvan de uitslag {outcome} is, geen loting"
    ),
    "draws {candidate!r} by lot on ballot {ballot}, who is not among the tied": (
        "trekt {candidate!r} bij loting in stemming {ballot}, die niet tot de gelijk geëindigden behoort"
    ),
    "is a vote for {value!r}, which is neither a candidate of ballot {ballot} nor abstain": (
        "is een stem op {value!r}, dat geen kandidaat van stemming {ballot} is en geen onthouding"
    ),
    "opens ballot {ballot} as a second round after ballot {before}": (
        "opent stemming {ballot} als tweede ronde na stemming {before}"
    ),
    "opens ballot {ballot} as a {round} round between {given}, but after ballot {before} the rules give a "
    "{expected_round} round between {expected}": (
        "opent stemming {ballot} als ronde {round} tussen {given}, maar na stemming {before} geven de regels "
        "een ronde {expected_round} tussen {expected}"
    ),
    "opens ballot {ballot} as a {round} round, but a ballot that follows no round is the {expected} round": (
        "opent stemming {ballot} als ronde {round}, maar een stemming die op geen ronde volgt is de ronde "
        "{expected}"
    ),
    "opens ballot {ballot} as the round after ballot {before}, which did not end in another round": (
        "opent stemming {ballot} als de ronde na stemming {before}, die niet in een volgende ronde eindigde"
    ),
    "states a result of the lot on ballot {ballot} that the lot does not give: {differences}": (
        "geeft een uitslag van de loting bij stemming {ballot} die de loting niet geeft: {differences}"
    ),
    # server/audit/own_vote.py: --secret and --committee-key
    "{choice} ({count})": "{choice} ({count})",
    "committee key: the log's is the one given ({expected})": (
        "commissiesleutel: die in het log is de opgegeven sleutel ({expected})"
    ),
    "secret of {member} on ballot {ballot}: it has {length} characters; all 64 hex digits are needed to find "
    "every unit of the vote": (
        "geheim van {member} bij stemming {ballot}: het heeft {length} tekens; alle 64 hexadecimale tekens zijn "
        "nodig om elke stemeenheid van de stem te vinden"
    ),
    "secret of {member} on ballot {ballot}: its units carry different choices": (
        "geheim van {member} bij stemming {ballot}: de stemeenheden dragen verschillende keuzes"
    ),
    "secret of {member} on ballot {ballot}: the ballot is {status}; it has no unit ballots": (
        "geheim van {member} bij stemming {ballot}: de stemming is {status}; zij heeft geen stemeenheden"
    ),
    "secret of {member} on ballot {ballot}: the log has no such ballot or member": (
        "geheim van {member} bij stemming {ballot}: het log kent die stemming of dat lid niet"
    ),
    "secret of {member} on ballot {ballot}: the member has no participation on it": (
        "geheim van {member} bij stemming {ballot}: het lid heeft er geen deelname aan"
    ),
    "secret of {member} on ballot {ballot}: {found} of its {weight} units found, carrying {choices}": (
        "geheim van {member} bij stemming {ballot}: {found} van de {weight} stemeenheden gevonden, met de keuze "
        "{choices}"
    ),
    "secret of {member} on ballot {ballot}: {missing} of its {weight} units are missing": (
        "geheim van {member} bij stemming {ballot}: {missing} van de {weight} stemeenheden ontbreken"
    ),
    "secret: write it as VH1:<ballot>:<member code>:<secret>, as the handheld shows it": (
        "geheim: schrijf het als VH1:<stemming>:<lidcode>:<geheim>, zoals het stemkastje het toont"
    ),
    "the committee key {path} is not a committee.pub file ({header} <base64 of 32 bytes>)": (
        "de commissiesleutel {path} is geen committee.pub-bestand ({header} <base64 van 32 bytes>)"
    ),
    "the log has no committee key to compare with {expected}": (
        "het log heeft geen commissiesleutel om met {expected} te vergelijken"
    ),
    "the log's committee key has the fingerprint {logged}, not {expected}": (
        "de commissiesleutel in het log heeft de vingerafdruk {logged}, niet {expected}"
    ),
    "{given} is neither a committee.pub file nor a fingerprint of 64 hex digits": (
        "{given} is geen committee.pub-bestand en geen vingerafdruk van 64 hexadecimale tekens"
    ),
    "  {candidate}: for {for_}, against {against}, abstain {abstain}, cast {cast}, {voted}": (
        "  {candidate}: voor {for_}, tegen {against}, onthouding {abstain}, uitgebracht {cast}, {voted}"
    ),
    "  {votes}; abstain {abstain}, cast {cast}, {voted}": "  {votes}; onthouding {abstain}, uitgebracht {cast}, {voted}",
}
