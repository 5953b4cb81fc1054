"""`votehall meetings export ID FILE` and `votehall meetings import FILE`, as an operator runs them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from server.db import Database
from tests.archive.conftest import Original, comparable, exported, log_bytes
from tests.test_cli import votehall


async def test_export_and_import_on_the_command_line(
    original: Original, target: Database, tmp_path: Path
) -> None:
    file = tmp_path / "alv.json"
    result = await asyncio.to_thread(
        votehall,
        "meetings",
        "export",
        str(original.meeting_id),
        str(file),
        "--database-url",
        original.database.url,
    )
    assert f"meeting {original.meeting_id} written to {file}" in result.stdout
    document = json.loads(file.read_text(encoding="utf-8"))
    assert document == {**await original.export(), "exported_at": document["exported_at"]}

    result = await asyncio.to_thread(votehall, "meetings", "import", str(file), "--database-url", target.url)
    assert result.stdout.startswith(f"meeting {original.meeting_id} imported as meeting ")
    new_id = int(result.stdout.split("as meeting ")[1].split()[0])
    assert comparable(await exported(target, new_id)) == comparable(document)
    assert await log_bytes(target, new_id) == await original.log()

    document["log"][0]["data"]["meeting"]["title"] += "!"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document), encoding="utf-8")
    result = await asyncio.to_thread(
        votehall, "meetings", "import", str(tampered), "--database-url", target.url, check=False
    )
    assert result.returncode == 1
    assert "the log's hash chain is broken: log[0]: entry 1 was altered" in result.stderr

    result = await asyncio.to_thread(
        votehall,
        "meetings",
        "export",
        "999",
        str(tmp_path / "none.json"),
        "--database-url",
        target.url,
        check=False,
    )
    assert result.returncode == 1 and "there is no meeting 999" in result.stderr
