"""Sealed votes (docs/SECRET_BALLOTS.md, "A vote on a secret ballot"): one length, fresh bytes,
and nothing but the exact canonical plaintext opens."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from nacl.public import PrivateKey, PublicKey, SealedBox

from server.rules import Choice
from server.secret.keys import BallotKey
from server.secret.sealing import (
    BOX_BYTES,
    SecretChoice,
    UnsealError,
    new_secret,
    plaintext,
    seal,
    secret_tag,
    unseal,
    validate_secret,
)

SECRET = new_secret()


@pytest.fixture
def key() -> BallotKey:
    return BallotKey.generate()


@pytest.mark.parametrize("choice", ["for", "against", "abstain", 1, 7, 2**40])
def test_a_sealed_vote_opens_to_its_choice_and_secret(key: BallotKey, choice: SecretChoice) -> None:
    box = seal(key.public_b64, choice, SECRET)
    assert len(box) == BOX_BYTES == 176
    assert unseal(key, box) == (choice, SECRET)


def test_a_choice_enum_member_seals_as_its_word(key: BallotKey) -> None:
    choice, _ = unseal(key, seal(key.public_b64, Choice.AGAINST, SECRET))
    assert choice == "against" and type(choice) is str


def test_the_plaintext_is_canonical_json_padded_with_spaces_to_128_bytes() -> None:
    text = plaintext("abstain", SECRET)
    expected = ('{"c":"abstain","s":"' + SECRET + '"}').encode()
    assert text == expected + b" " * (128 - len(expected))
    assert plaintext(12, SECRET).rstrip(b" ") == ('{"c":12,"s":"' + SECRET + '"}').encode()


def test_the_padding_limit_is_128_bytes(key: BallotKey) -> None:
    def length(choice: int) -> int:
        return len(json.dumps({"c": choice, "s": SECRET}, separators=(",", ":")))

    fits = next(10**n for n in range(100) if length(10 ** (n + 1)) > 128)
    assert length(fits) == 128
    assert plaintext(fits, SECRET).endswith(b"}")  # no padding left
    assert unseal(key, seal(key.public_b64, fits, SECRET)) == (fits, SECRET)
    with pytest.raises(ValueError, match="128"):
        plaintext(fits * 10, SECRET)
    with pytest.raises(ValueError, match="128"):
        seal(key.public_b64, fits * 10, SECRET)


def test_every_box_has_one_length_and_no_byte_position_repeats_across_seals(key: BallotKey) -> None:
    """An ephemeral key per box: seals of one plaintext look independent at every position.

    Two boxes share a byte by chance at 1 position in 256, so one pair proves little; across 64
    seals a position that carried anything fixed would show one value, random bytes show ~57."""
    boxes = [seal(key.public_b64, "for", SECRET) for _ in range(64)]
    others = [seal(key.public_b64, choice, new_secret()) for choice in ("against", "abstain", 1, 10**40)]
    assert {len(box) for box in boxes + others} == {BOX_BYTES}
    assert len(set(boxes)) == len(boxes)
    for position in range(BOX_BYTES):
        distinct = len({box[position] for box in boxes})
        assert distinct >= 32, f"byte {position} takes only {distinct} values in 64 seals"
    assert all(SECRET.encode() not in box and bytes.fromhex(SECRET) not in box for box in boxes)


@pytest.mark.parametrize("position", [0, 31, 32, 47, 48, 100, 175])
def test_a_tampered_box_is_refused(key: BallotKey, position: int) -> None:
    box = bytearray(seal(key.public_b64, "for", SECRET))
    box[position] ^= 0x01
    with pytest.raises(UnsealError, match="does not open"):
        unseal(key, bytes(box))


def test_a_short_or_long_box_is_refused(key: BallotKey) -> None:
    box = seal(key.public_b64, "for", SECRET)
    for wrong in (box[:-1], box + b"\x00", b"", box[:48]):
        with pytest.raises(UnsealError, match="176 bytes"):
            unseal(key, wrong)
    # A box of another plaintext length, well sealed to this key, is refused too.
    sealer = SealedBox(PublicKey(base64.b64decode(key.public_b64)))
    for size in (127, 129):
        with pytest.raises(UnsealError, match="176 bytes"):
            unseal(key, sealer.encrypt(plaintext("for", SECRET)[:size].ljust(size, b" ")))


def test_a_box_sealed_to_another_ballot_is_refused(key: BallotKey) -> None:
    other = BallotKey.generate()
    with pytest.raises(UnsealError, match="does not open"):
        unseal(key, seal(other.public_b64, "for", SECRET))


def _raw_seal(key: BallotKey, text: bytes) -> bytes:
    return SealedBox(PublicKey(base64.b64decode(key.public_b64))).encrypt(text)


@pytest.mark.parametrize(
    "json_text",
    [
        '{"c": "for", "s": "SECRET"}',  # blanks inside
        '{"s":"SECRET","c":"for"}',  # another key order
        ' {"c":"for","s":"SECRET"}',  # a leading blank
        '{"c":"for","s":"SECRET","x":1}',
        '{"c":"FOR","s":"SECRET"}',
        '{"c":"yes","s":"SECRET"}',
        '{"c":true,"s":"SECRET"}',
        '{"c":0,"s":"SECRET"}',
        '{"c":-3,"s":"SECRET"}',
        '{"c":1.0,"s":"SECRET"}',
        '{"c":"1","s":"SECRET"}',
        '{"c":"for","s":"UPPER"}',
        '{"c":"for","s":"SHORT"}',
        '{"c":"for"}',
        '["for","SECRET"]',
        "not json at all",
        '{"c":"\\u0066or","s":"SECRET"}',  # an escape that reads as "for"
    ],
)
def test_a_box_whose_plaintext_is_not_exactly_canonical_is_refused(key: BallotKey, json_text: str) -> None:
    text = (
        json_text.replace("UPPER", "AB" * 32).replace("SHORT", SECRET[:63]).replace("SECRET", SECRET).encode()
    )
    with pytest.raises(UnsealError):
        unseal(key, _raw_seal(key, text.ljust(128, b" ")))


@pytest.mark.parametrize("padding", [b"\x00", b"\t", b"\n"])
def test_padding_other_than_spaces_is_refused(key: BallotKey, padding: bytes) -> None:
    canonical = plaintext("for", SECRET).rstrip(b" ")
    with pytest.raises(UnsealError):
        unseal(key, _raw_seal(key, canonical.ljust(128, padding)))
    assert unseal(key, _raw_seal(key, canonical.ljust(128, b" "))) == ("for", SECRET)


def test_non_utf8_plaintext_is_refused(key: BallotKey) -> None:
    with pytest.raises(UnsealError):
        unseal(key, _raw_seal(key, b"\xff" * 128))


def test_no_refusal_repeats_the_choice_or_the_secret(key: BallotKey) -> None:
    canonical = plaintext("against", SECRET).rstrip(b" ")
    with pytest.raises(UnsealError) as caught:
        unseal(key, _raw_seal(key, canonical.ljust(128, b"\x00")))
    assert SECRET not in str(caught.value) and "against" not in str(caught.value)


def test_the_tag_is_sha256_of_the_prefix_and_the_secrets_bytes() -> None:
    assert secret_tag(SECRET) == hashlib.sha256(b"votehall-tag|" + bytes.fromhex(SECRET)).hexdigest()
    assert secret_tag(SECRET) != secret_tag(new_secret())


def test_secrets_are_64_lowercase_hex() -> None:
    fresh = {new_secret() for _ in range(100)}
    assert len(fresh) == 100 and all(validate_secret(secret) == secret for secret in fresh)
    for bad in (SECRET[:63], SECRET + "0", "g" * 64, "AB" * 32, " " + SECRET[1:], SECRET + "\n", 1, None):
        with pytest.raises(ValueError, match="64 lowercase hex"):
            validate_secret(bad)
    with pytest.raises(ValueError):
        secret_tag(SECRET[:32])
    with pytest.raises(ValueError):
        seal(BallotKey.generate().public_b64, "for", SECRET[:32])


@pytest.mark.parametrize("choice", ["yes", "", 0, -1, True, 1.5, None])
def test_seal_refuses_what_is_no_choice(key: BallotKey, choice: object) -> None:
    with pytest.raises(ValueError, match="choice"):
        seal(key.public_b64, choice, SECRET)  # type: ignore[arg-type]


def test_seal_refuses_a_key_that_is_not_one() -> None:
    from server.errors import InvalidInput

    with pytest.raises(InvalidInput):
        seal("AAAA", "for", SECRET)
    assert len(seal(base64.b64encode(bytes(PrivateKey.generate().public_key)).decode(), "for", SECRET)) == 176
