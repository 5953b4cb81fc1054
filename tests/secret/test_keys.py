"""The committee's key files, its fingerprint, and the ballot key (docs/SECRET_BALLOTS.md, "Keys")."""

from __future__ import annotations

import base64
import hashlib
import stat
from pathlib import Path

import pytest
from nacl.public import PrivateKey

from server.errors import InvalidInput
from server.secret.keys import (
    WRAPPED_BYTES,
    BallotKey,
    CommitteePrivateKey,
    CommitteePublicKey,
    fingerprint,
    fingerprint_display,
    generate_committee_key,
    read_committee_private,
    read_committee_public,
    write_committee_key,
)
from server.secret.unlock import unwrap_for_unlock


def test_the_files_have_the_documented_format_and_the_private_one_mode_0600(tmp_path: Path) -> None:
    files = write_committee_key(tmp_path / "keys")
    private_text = files.private_path.read_text(encoding="ascii")
    public_text = files.public_path.read_text(encoding="ascii")
    assert files.private_path.name == "committee.key" and files.public_path.name == "committee.pub"
    header, private_b64 = private_text.removesuffix("\n").split(" ")
    assert header == "votehall-committee-key-v1" and private_text.endswith("\n")
    header, public_b64 = public_text.removesuffix("\n").split(" ")
    assert header == "votehall-committee-pub-v1" and public_text.endswith("\n")
    private_raw, public_raw = base64.b64decode(private_b64), base64.b64decode(public_b64)
    assert len(private_raw) == 32 and len(public_raw) == 32
    # The public key is the private key's (libsodium's own derivation, not ours).
    assert bytes(PrivateKey(private_raw).public_key) == public_raw
    assert stat.S_IMODE(files.private_path.stat().st_mode) == 0o600
    assert files.fingerprint == hashlib.sha256(public_raw).hexdigest()


def test_the_private_file_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    import os

    old = os.umask(0)
    try:
        files = write_committee_key(tmp_path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(files.private_path.stat().st_mode) == 0o600


def test_an_existing_key_is_not_overwritten_unless_forced(tmp_path: Path) -> None:
    first = write_committee_key(tmp_path)
    before = first.private_path.read_bytes()
    with pytest.raises(FileExistsError, match="--force"):
        write_committee_key(tmp_path)
    assert first.private_path.read_bytes() == before
    first.private_path.unlink()  # the public file alone also blocks
    with pytest.raises(FileExistsError):
        write_committee_key(tmp_path)
    second = write_committee_key(tmp_path, force=True)
    assert second.private_path.read_bytes() != before
    assert stat.S_IMODE(second.private_path.stat().st_mode) == 0o600


def test_the_files_read_back_to_the_same_keys(tmp_path: Path) -> None:
    key = generate_committee_key()
    files = write_committee_key(tmp_path, key=key)
    assert read_committee_private(files.private_path) == key
    public = read_committee_public(files.public_path.read_text(encoding="ascii"))
    assert public == key.public == files.public
    # Pasted into a form: without its newline, with blanks around.
    assert read_committee_public("  " + public.text.strip() + " \r\n") == public


def test_fingerprint_is_sha256_of_the_raw_key_shown_in_sixteen_groups_of_four() -> None:
    public = generate_committee_key().public
    fp = fingerprint(public)
    assert fp == hashlib.sha256(public.raw).hexdigest()
    shown = fingerprint_display(fp)
    groups = shown.split(" ")
    assert len(groups) == 16 and all(len(group) == 4 for group in groups)
    assert "".join(groups) == fp
    for bad in (fp[:-1], fp.upper(), fp + "0", "g" * 64):
        with pytest.raises(ValueError):
            fingerprint_display(bad)


def _public_text(raw: bytes, header: str = "votehall-committee-pub-v1") -> str:
    return f"{header} {base64.b64encode(raw).decode()}\n"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (_public_text(b"\x01" * 32, "votehall-committee-key-v1"), "PRIVATE key"),
        (_public_text(b"\x01" * 32, "votehall-committee-pub-v2"), "must be one line"),
        (_public_text(b"\x01" * 32, "ssh-ed25519"), "must be one line"),
        ("votehall-committee-pub-v1 AAAA AAAA\n", "must be one line"),
        ("votehall-committee-pub-v1\n", "must be one line"),
        ("", "must be one line"),
        ("votehall-committee-pub-v1 not*base64!\n", "not valid base64"),
        (_public_text(b"\x01" * 31), "31 bytes"),
        (_public_text(b"\x01" * 33), "33 bytes"),
        ("votehall-committee-pub-v1 " + base64.b64encode(b"\x01" * 32).decode().rstrip("=") + "\n", "base64"),
    ],
)
def test_a_wrong_public_key_text_is_refused_with_a_clear_message(text: str, said: str) -> None:
    with pytest.raises(InvalidInput, match=said) as caught:
        read_committee_public(text)
    assert caught.value.status == 422
    parts = text.split(" ")
    if len(parts) > 1 and len(parts[-1].strip()) > 8:
        assert parts[-1].strip() not in caught.value.message  # a pasted private key is never echoed


def test_a_public_key_file_given_for_the_private_key_is_refused(tmp_path: Path) -> None:
    files = write_committee_key(tmp_path)
    with pytest.raises(InvalidInput, match=r"committee\.pub.*committee\.key"):
        read_committee_private(files.public_path)
    bad = tmp_path / "bad.key"
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(InvalidInput, match="not a committee key file"):
        read_committee_private(bad)


def test_no_private_key_in_a_repr() -> None:
    committee = generate_committee_key()
    assert base64.b64encode(committee.raw).decode() not in repr(committee)
    assert committee.raw.hex() not in repr(committee) and repr(committee.raw) not in repr(committee)
    ballot = BallotKey.generate()
    assert ballot.private_b64 not in repr(ballot) and ballot.public_b64 in repr(ballot)


def test_a_ballot_key_wrapped_to_the_committee_unwraps_with_its_private_key_only() -> None:
    committee = generate_committee_key()
    ballot = BallotKey.generate()
    wrapped = ballot.wrap(committee.public)
    assert len(wrapped) == WRAPPED_BYTES == 80
    assert base64.b64decode(ballot.private_b64) not in wrapped
    unwrapped = BallotKey.unwrap(wrapped, committee)
    assert unwrapped.private_b64 == ballot.private_b64 and unwrapped.public_b64 == ballot.public_b64
    assert ballot.wrap(committee.public) != wrapped  # an ephemeral key per wrap
    with pytest.raises(InvalidInput, match="does not open") as caught:
        BallotKey.unwrap(wrapped, generate_committee_key())
    assert caught.value.code == "wrong_committee_key"
    damaged = bytes([wrapped[0] ^ 1]) + wrapped[1:]
    with pytest.raises(InvalidInput):
        BallotKey.unwrap(damaged, committee)


def test_the_server_takes_the_ballot_key_back_only_if_it_matches_the_ballots_public_key() -> None:
    ballot, other = BallotKey.generate(), BallotKey.generate()
    assert BallotKey.from_private_b64(ballot.private_b64, ballot.public_b64).public_b64 == ballot.public_b64
    with pytest.raises(InvalidInput) as caught:
        BallotKey.from_private_b64(other.private_b64, ballot.public_b64)
    assert caught.value.code == "wrong_ballot_key"
    for bad in ("", "AAAA", ballot.private_b64[:-2], ballot.private_b64 + "=="):
        with pytest.raises(InvalidInput):
            BallotKey.from_private_b64(bad, ballot.public_b64)


def test_unlock_unwraps_on_the_committees_machine(tmp_path: Path) -> None:
    files = write_committee_key(tmp_path)
    ballot = BallotKey.generate()
    wrapped_b64 = base64.b64encode(ballot.wrap(files.public)).decode()
    assert unwrap_for_unlock(wrapped_b64, files.private_path) == ballot.private_b64
    with pytest.raises(InvalidInput, match="base64"):
        unwrap_for_unlock("not base64!", files.private_path)
    with pytest.raises(InvalidInput, match="79 bytes"):
        unwrap_for_unlock(base64.b64encode(ballot.wrap(files.public)[:-1]).decode(), files.private_path)
    other = write_committee_key(tmp_path / "other")
    with pytest.raises(InvalidInput, match="does not open"):
        unwrap_for_unlock(wrapped_b64, other.private_path)


def test_key_objects_refuse_a_wrong_length() -> None:
    with pytest.raises(ValueError):
        CommitteePublicKey(b"\x00" * 31)
    with pytest.raises(ValueError):
        CommitteePrivateKey(b"\x00" * 33)
