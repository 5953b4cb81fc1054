"""The committee's key and the ballot key (docs/SECRET_BALLOTS.md, "Keys").

X25519 keys through PyNaCl (libsodium). The committee makes its key pair on its own machine
(`votehall committee keygen`) and gives the server only the public key; each secret ballot gets
a key pair of its own when it opens, whose private key is sealed to the committee's public key
for recovery after a restart (`votehall committee unlock`).

Key files are one line each, `<header> <base64 of the 32 raw key bytes>\\n`:

    committee.key (0600)   votehall-committee-key-v1 <base64>
    committee.pub          votehall-committee-pub-v1 <base64>

The fingerprint is the SHA-256 of the 32 raw public-key bytes in hex; people compare it in
groups of four (`3f2a 9c01 …`). No private key appears in a repr, a message or a log line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from nacl.bindings import crypto_box_SEALBYTES
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from server.errors import InvalidInput

PRIVATE_HEADER = "votehall-committee-key-v1"
PUBLIC_HEADER = "votehall-committee-pub-v1"
PRIVATE_FILE = "committee.key"
PUBLIC_FILE = "committee.pub"
KEY_BYTES = 32
SEAL_BYTES: int = crypto_box_SEALBYTES  # what a sealed box adds: an ephemeral public key and a MAC
# A ballot's private key sealed to the committee: the 32 key bytes plus the box's 48.
WRAPPED_BYTES = KEY_BYTES + SEAL_BYTES

_HEX64 = re.compile(r"[0-9a-f]{64}")


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def decode_key_b64(text: str, what: str) -> bytes:
    """The 32 bytes of a key in standard base64, or InvalidInput naming `what` was wrong.

    Strict: only the one canonical spelling of each key is accepted (no line breaks, no missing
    padding), so that one key has one text to compare."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"{what} is not valid base64", code="bad_key") from None
    if len(raw) != KEY_BYTES:
        raise InvalidInput(f"{what} has {len(raw)} bytes; an X25519 key has {KEY_BYTES}", code="bad_key")
    if b64(raw) != text:
        raise InvalidInput(f"{what} is not in canonical base64", code="bad_key")
    return raw


def fingerprint(public: CommitteePublicKey) -> str:
    """SHA-256 of the 32 raw public-key bytes, 64 lowercase hex."""
    return hashlib.sha256(public.raw).hexdigest()


def fingerprint_display(fp: str) -> str:
    """A fingerprint as people compare it: sixteen groups of four hex digits."""
    if not _HEX64.fullmatch(fp):
        raise ValueError("a fingerprint is 64 lowercase hex digits")
    return " ".join(fp[i : i + 4] for i in range(0, 64, 4))


@dataclass(frozen=True, slots=True)
class CommitteePublicKey:
    """The committee's public key: what the server holds, and what ballot keys are sealed to."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != KEY_BYTES:
            raise ValueError(f"an X25519 public key has {KEY_BYTES} bytes")

    @property
    def b64(self) -> str:
        return b64(self.raw)

    @property
    def text(self) -> str:
        """The content of committee.pub (and of the admin's `public_key` field)."""
        return f"{PUBLIC_HEADER} {self.b64}\n"

    @property
    def fingerprint(self) -> str:
        return fingerprint(self)


@dataclass(frozen=True, slots=True)
class CommitteePrivateKey:
    """The committee's private key: only ever on the committee's machine."""

    raw: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.raw) != KEY_BYTES:
            raise ValueError(f"an X25519 private key has {KEY_BYTES} bytes")

    @property
    def public(self) -> CommitteePublicKey:
        return CommitteePublicKey(bytes(PrivateKey(self.raw).public_key))

    @property
    def text(self) -> str:
        """The content of committee.key."""
        return f"{PRIVATE_HEADER} {b64(self.raw)}\n"


@dataclass(frozen=True, slots=True)
class CommitteeKeyFiles:
    """Where `write_committee_key` put the two files, and the public key they hold."""

    private_path: Path
    public_path: Path
    public: CommitteePublicKey

    @property
    def fingerprint(self) -> str:
        return self.public.fingerprint


def generate_committee_key() -> CommitteePrivateKey:
    return CommitteePrivateKey(bytes(PrivateKey.generate()))


def write_committee_key(
    directory: Path, *, force: bool = False, key: CommitteePrivateKey | None = None
) -> CommitteeKeyFiles:
    """Write DIR/committee.key (mode 0600 from its creation on) and DIR/committee.pub.

    Refuses (FileExistsError) when either file exists, unless `force`: overwriting the key of a
    meeting whose ballots are sealed to it would make them unrecoverable.
    """
    key = key or generate_committee_key()
    directory.mkdir(parents=True, exist_ok=True)
    private_path, public_path = directory / PRIVATE_FILE, directory / PUBLIC_FILE
    if not force:
        for path in (private_path, public_path):
            if path.exists():
                raise FileExistsError(f"{path} exists; a committee key is never overwritten without --force")
    private_path.unlink(missing_ok=True)  # a new file, so that it never has the old file's mode
    # O_EXCL: the private key is never, even for a moment, in a file others may read.
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key.text)
    os.chmod(private_path, 0o600)  # whatever the umask
    public = key.public
    public_path.write_text(public.text, encoding="ascii")
    return CommitteeKeyFiles(private_path, public_path, public)


def _key_line(text: str, header: str, what: str) -> str:
    """The base64 part of a one-line key text with `header`, or InvalidInput saying what is wrong."""
    line = text.strip()
    other = {PRIVATE_HEADER: PUBLIC_HEADER, PUBLIC_HEADER: PRIVATE_HEADER}[header]
    parts = line.split(" ")
    if parts[0] == PRIVATE_HEADER and header == PUBLIC_HEADER:
        raise InvalidInput(
            "this is the committee's PRIVATE key (committee.key): give committee.pub instead, "
            "and keep committee.key off the server; make a new key pair if it was sent anywhere",
            code="bad_key",
        )
    if parts[0] == other:
        raise InvalidInput(
            f"this is the committee's public key ({PUBLIC_FILE}); {what} is in {PRIVATE_FILE}",
            code="bad_key",
        )
    if parts[0] != header or len(parts) != 2 or "\n" in line:
        raise InvalidInput(f"{what} must be one line: '{header} <base64 key>'", code="bad_key")
    return parts[1]


def read_committee_public(text: str) -> CommitteePublicKey:
    """The committee's public key from the text of committee.pub (surrounding blanks allowed)."""
    what = "the committee's public key"
    return CommitteePublicKey(decode_key_b64(_key_line(text, PUBLIC_HEADER, what), what))


def parse_committee_private(text: str) -> CommitteePrivateKey:
    what = "the committee's private key"
    return CommitteePrivateKey(decode_key_b64(_key_line(text, PRIVATE_HEADER, what), what))


def read_committee_private(path: Path) -> CommitteePrivateKey:
    """The committee's private key from its file (committee.key)."""
    try:
        text = path.read_text(encoding="ascii")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not a committee key file", code="bad_key") from None
    return parse_committee_private(text)


class BallotKey:
    """A secret ballot's X25519 key pair (docs/SECRET_BALLOTS.md, "Keys").

    Made by the process that opens the ballot; its private key stays in that process's memory,
    and `wrap` seals a copy to the committee's public key for the `ballot_keys` table.
    """

    __slots__ = ("_box", "_private")

    def __init__(self, private: PrivateKey) -> None:
        self._private = private
        self._box = SealedBox(private)

    def __repr__(self) -> str:
        return f"BallotKey(public={self.public_b64!r})"

    @classmethod
    def generate(cls) -> BallotKey:
        return cls(PrivateKey.generate())

    @property
    def public_b64(self) -> str:
        """The public key as `ballot_opened` carries it (`sealing_key`)."""
        return b64(bytes(self._private.public_key))

    @property
    def private_b64(self) -> str:
        """The private key as `POST /api/ballots/{id}/unlock` carries it; never log it."""
        return b64(bytes(self._private))

    def wrap(self, committee: CommitteePublicKey) -> bytes:
        """The private key sealed to the committee's public key (WRAPPED_BYTES long)."""
        return SealedBox(PublicKey(committee.raw)).encrypt(bytes(self._private))

    @classmethod
    def unwrap(cls, wrapped: bytes, committee: CommitteePrivateKey) -> BallotKey:
        """The ballot key from `wrap`'s bytes, on the committee's machine."""
        try:
            raw = SealedBox(PrivateKey(committee.raw)).decrypt(wrapped)
        except CryptoError:
            raise InvalidInput(
                "the wrapped ballot key does not open with this committee key "
                "(another meeting's key, or damaged)",
                code="wrong_committee_key",
            ) from None
        if len(raw) != KEY_BYTES:
            raise InvalidInput("the wrapped ballot key is not a key", code="bad_key")
        return cls(PrivateKey(raw))

    @classmethod
    def from_private_b64(cls, text: str, expected_public_b64: str) -> BallotKey:
        """The ballot key the committee sent, refused unless it belongs to the ballot's public key."""
        key = cls(PrivateKey(decode_key_b64(text, "the ballot key")))
        if key.public_b64 != expected_public_b64:
            raise InvalidInput("this key is not the key of this ballot", code="wrong_ballot_key")
        return key

    def open(self, box: bytes) -> bytes:
        """The plaintext of a box sealed to this key; nacl's CryptoError when it does not open."""
        return self._box.decrypt(box)
