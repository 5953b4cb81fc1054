"""`votehall committee keygen DIR [--force]` (docs/SECRET_BALLOTS.md, "Keys")."""

from __future__ import annotations

import base64
import hashlib
import stat
from pathlib import Path

from typer.testing import CliRunner

from server.cli import app
from server.secret.keys import read_committee_private, read_committee_public
from tests.test_cli import votehall


def _fingerprint_of(public_file: Path) -> str:
    raw = base64.b64decode(public_file.read_text(encoding="ascii").split(" ")[1])
    fp = hashlib.sha256(raw).hexdigest()
    return " ".join(fp[i : i + 4] for i in range(0, 64, 4))


def test_keygen_writes_both_files_and_says_where_and_the_fingerprint(tmp_path: Path) -> None:
    directory = tmp_path / "committee"
    result = CliRunner().invoke(app, ["committee", "keygen", str(directory)])
    assert result.exit_code == 0, result.output
    private, public = directory / "committee.key", directory / "committee.pub"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert read_committee_private(private).public == read_committee_public(public.read_text())
    assert str(private) in result.output and str(public) in result.output
    assert f"fingerprint: {_fingerprint_of(public)}" in result.output
    assert "off the server" in result.output and "destroy" in result.output
    assert private.read_text().split(" ")[1].strip() not in result.output  # never the private key


def test_keygen_refuses_to_overwrite_a_key_unless_forced(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["committee", "keygen", str(tmp_path)]).exit_code == 0
    before = (tmp_path / "committee.key").read_bytes()
    refused = runner.invoke(app, ["committee", "keygen", str(tmp_path)])
    assert refused.exit_code == 1 and "--force" in refused.output
    assert (tmp_path / "committee.key").read_bytes() == before
    forced = runner.invoke(app, ["committee", "keygen", str(tmp_path), "--force"])
    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "committee.key").read_bytes() != before
    assert f"fingerprint: {_fingerprint_of(tmp_path / 'committee.pub')}" in forced.output


def test_keygen_as_a_real_command(tmp_path: Path) -> None:
    assert "committee" in votehall("--help").stdout
    assert "keygen" in votehall("committee", "--help").stdout
    result = votehall("committee", "keygen", str(tmp_path / "keys"))
    assert f"fingerprint: {_fingerprint_of(tmp_path / 'keys' / 'committee.pub')}" in result.stdout
    assert stat.S_IMODE((tmp_path / "keys" / "committee.key").stat().st_mode) == 0o600
    again = votehall("committee", "keygen", str(tmp_path / "keys"), check=False)
    assert again.returncode == 1 and "exists" in again.stderr
