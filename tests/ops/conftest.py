"""The real server with a seeded meeting and kiosks, as the live tests use it."""

from tests.live.conftest import hall

__all__ = ["hall"]
