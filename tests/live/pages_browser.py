"""Helpers for the browser tests of the pages: Debian's Chromium driven by Playwright, screenshots
for a human to look at, and a watch on every page for script errors and CSP violations."""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    WebSocketRoute,
    async_playwright,
)
from websockets.asyncio.client import ClientConnection

from tests.live.conftest import Hall

CHROMIUM = Path("/usr/bin/chromium")
# Playwright's own browser download is never used (it would need the internet): Debian's Chromium.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PHONE = {"width": 390, "height": 844}
HALL_SCREEN = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1440, "height": 900}


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing (apt-get install chromium); the browser tests need it"
    if os.environ.get("CI"):
        pytest.fail(reason)
    print(reason)
    pytest.skip(reason)


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    require_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()


class PageWatch:
    """Collects what a page reports as broken: uncaught exceptions and console errors (a blocked
    inline script or style under the Content-Security-Policy shows up there too)."""

    def __init__(self, *expected: str) -> None:
        self.problems: list[str] = []
        self.expected = expected  # console errors a test causes on purpose, e.g. an API's 404

    def attach(self, page: Page) -> Page:
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("console", self._console)
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not any(text in message.text for text in self.expected):
            self.problems.append(f"console: {message.text}")


@asynccontextmanager
async def open_page(
    browser: Browser, base_url: str, watch: PageWatch, **options: Any
) -> AsyncIterator[tuple[BrowserContext, Page]]:
    context = await browser.new_context(base_url=base_url, locale="nl-NL", **options)
    try:
        page = watch.attach(await context.new_page())
        yield context, page
    finally:
        await context.close()


async def screenshot(page: Page, request: pytest.FixtureRequest, step: str, **options: Any) -> Path:
    """Saved as screenshots/<test>-<step>.png (git-ignored), for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{request.node.name}-{step}").strip("-")
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), **options)
    return path


@asynccontextmanager
async def protocol_kiosks(hall: Hall, *codes: str) -> AsyncIterator[list[ClientConnection]]:
    """Welcomed protocol-level kiosks (no browser) of the members `codes`, closed afterwards."""
    connections: list[ClientConnection] = []
    try:
        for code in codes:
            connections.append((await hall.kiosk(code))[0])
        yield connections
    finally:
        for connection in connections:
            await connection.close()


async def kiosk_vote(connection: ClientConnection, ballot: int, choice: str, vote_id: str) -> dict[str, Any]:
    """A vote from a protocol-level kiosk (not a browser), returning its ack."""
    await connection.send(
        json.dumps({"type": "vote", "ballot": ballot, "choice": choice, "vote_id": vote_id})
    )
    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(connection.recv(), 15))
        if message["type"] in ("ack", "error") and message.get("vote_id") == vote_id:
            assert message["type"] == "ack", message
            return message


class FlakyNetwork:
    """Puts itself between a page and `/ws/...`, to drop connections the way a hall's wifi does.

    While `down`, new connections are refused; `drop()` cuts every live one; `lose_next_ack`
    lets the next ack leave the server but not reach the page, so the page must resend. `sent`
    and `delivered` are the JSON messages as the page sent and received them.
    """

    def __init__(self) -> None:
        self.down = False
        self.lose_next_ack = False
        self.sent: list[dict[str, Any]] = []
        self.delivered: list[dict[str, Any]] = []
        self._live: list[tuple[WebSocketRoute, WebSocketRoute]] = []

    async def attach(self, page: Page, pattern: str) -> None:
        await page.route_web_socket(pattern, self._handle)

    async def _handle(self, page_side: WebSocketRoute) -> None:
        if self.down:
            await page_side.close(code=1011, reason="network down")
            return
        server_side = page_side.connect_to_server()
        link = (page_side, server_side)
        self._live.append(link)

        def from_page(message: str | bytes) -> None:
            if isinstance(message, str):
                self.sent.append(json.loads(message))
            server_side.send(message)

        async def from_server(message: str | bytes) -> None:
            data = json.loads(message) if isinstance(message, str) else {}
            if self.lose_next_ack and data.get("type") == "ack":
                self.lose_next_ack = False
                await self._cut(link)
                return
            self.delivered.append(data)
            page_side.send(message)

        page_side.on_message(from_page)
        server_side.on_message(from_server)

    async def _cut(self, link: tuple[WebSocketRoute, WebSocketRoute]) -> None:
        if link in self._live:
            self._live.remove(link)
        page_side, server_side = link
        await page_side.close(code=1011, reason="connection lost")
        await server_side.close()

    async def drop(self) -> None:
        for link in list(self._live):
            await self._cut(link)
