"""The live hall of tests/live (a real server process over a seeded meeting), for the kiosk tests."""

from __future__ import annotations

from tests.live.conftest import hall as hall
