"""What docs/PROTOCOL.md promises a client writer: its example client works against a real demo."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.test_cli import demo_running, free_port

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "kiosk_client.py"


def test_the_protocol_page_shows_the_example_client_as_it_is() -> None:
    page = (ROOT / "docs" / "PROTOCOL.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, re.DOTALL)
    assert EXAMPLE.read_text(encoding="utf-8") in blocks


def test_the_example_client_pairs_waits_for_a_ballot_votes_and_gets_its_receipt(tmp_path: Path) -> None:
    with demo_running(tmp_path, free_port()) as (base, printed):
        code = re.search(r"/kiosk#pair=(\S+)", printed)
        chair = re.search(r"^  chair +(vht_\S+)$", printed, re.MULTILINE)
        assert code and chair, printed
        mistyped = subprocess.run(  # a choice it does not know: refused before the code is spent
            [sys.executable, str(EXAMPLE), base, code[1], "maybe"], capture_output=True, text=True, timeout=30
        )
        assert mistyped.returncode != 0 and "usage" in mistyped.stderr
        client = subprocess.Popen(
            [sys.executable, str(EXAMPLE), base, code[1].lower(), "against"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        time.sleep(1.0)  # no ballot is open yet: the client waits for one
        headers = {"Authorization": f"Bearer {chair[1]}"}
        assert httpx.post(f"{base}/api/ballots/1/open", headers=headers).status_code == 200
        out, _ = client.communicate(timeout=30)
        assert client.returncode == 0, out
        receipt = re.search(r"^ack: against, receipt ([0-9a-f]{64})$", out, re.MULTILINE)
        assert receipt, out
        feed = httpx.get(f"{base}/api/feed").json()
        assert feed["ballot"]["voted"] == {"members": 1, "weight": 75}  # Groningen, once
        ballot = httpx.get(f"{base}/api/ballots/1", headers=headers).json()
        assert ballot["tally"]["against"] == 75

        again = subprocess.run(  # the code worked once
            [sys.executable, str(EXAMPLE), base, code[1], "for"], capture_output=True, text=True, timeout=30
        )
        assert again.returncode == 1 and "unknown_pairing_code" in again.stdout

        # The next ballot with the pass token the pairing printed, and a Dutch choice.
        token = re.search(r"pass token for the next ballots: (vhp_\S+)$", out, re.MULTILINE)
        assert token, out
        assert httpx.post(f"{base}/api/ballots/1/close", headers=headers).status_code == 200
        assert httpx.post(f"{base}/api/ballots/2/open", headers=headers).status_code == 200
        second = subprocess.run(
            [sys.executable, str(EXAMPLE), base, token[1], "tegen"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert second.returncode == 0, second.stdout
        assert re.search(r"^ack: against, receipt [0-9a-f]{64}$", second.stdout, re.MULTILINE)
