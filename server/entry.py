"""The `votehall` command's entry point.

`votehall verify` must not load the server's database code (issue 5: the committee's check
imports only the pure rules), so it is dispatched before `server.cli`, which imports the app.
"""

from __future__ import annotations

import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "verify":
        from server.audit.verify import main as verify

        sys.exit(verify(sys.argv[2:]))
    from server.cli import main as cli

    cli()
