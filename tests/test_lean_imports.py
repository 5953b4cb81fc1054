"""A server on SQLite without Redis does not import what it does not use (issue 16).

alembic (+10.6 MB), redis (+5.8 MB) and asyncpg (+2.8 MB) would stay in the serving process's
memory all day. Each check runs in a fresh interpreter: the test process has imported them all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from server.migrate import upgrade

UNNEEDED = ["alembic", "asyncpg", "redis"]


def _imported_after(code: str) -> list[str]:
    """Which of UNNEEDED a fresh interpreter has imported after running `code`."""
    report = f"import json, sys; print(json.dumps([m for m in {UNNEEDED!r} if m in sys.modules]))"
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\n{report}"],
        capture_output=True,
        text=True,
        env={**os.environ, "VOTEHALL_REDIS_URL": ""},
        timeout=60,
        check=True,
    )
    imported: list[str] = json.loads(result.stdout.splitlines()[-1])
    return imported


def test_the_app_and_the_serve_command_import_none_of_them() -> None:
    assert _imported_after("import server.app\nfrom server.cli import serve") == []


def test_serve_on_an_up_to_date_sqlite_database_does_not_import_alembic(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hall.db'}"
    upgrade(url)
    # `serve` itself, as far as the server run (replaced: the check is what is under test).
    code = (
        "from server.cli import serve\n"
        "served = []\n"
        "serve.run_server = lambda settings, workers=1: served.append(settings)\n"
        f"serve.serve(database_url={url!r}, port=0)\n"
        "assert served, 'serve did not reach the server run'"
    )
    assert _imported_after(code) == []
