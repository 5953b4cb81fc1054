"""Pictures of the demo meeting's published record for docs/screenshots/ (issue 15's acceptance):
record.html in Chromium at 1280 px and at 390 px (a phone), /uitslagen, and the first pages of
results.pdf through pdftoppm.

The meeting is the one `make demo-simulate` plays (server/demo.py: 342 members, 271 present, the
agenda of 18 June 2025), on a fresh SQLite database in a temporary folder, served by a real
`votehall serve` and voted by the simulated hall (server/simulate.py) at a quicker pace; the chair
then closes and publishes it. `make record-screenshots` runs this (a few minutes); look at the
pictures afterwards.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from playwright.async_api import Page, ViewportSize, async_playwright
from pypdf import PdfReader

from server.auth.roles import Role
from server.db import Database
from server.demo import set_up_demo
from server.migrate import upgrade
from server.secret.keys import write_committee_key
from server.simulate import Pace, simulate_hall
from tests.live.docs_screenshots import DOCS, save_image
from tests.live.pages_browser import CHROMIUM, CHROMIUM_ARGS
from tests.servers import LOAD_CLIENT, ServerProcess

LAPTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


async def play_and_publish(folder: Path) -> tuple[ServerProcess, int]:
    """The demo meeting played to its end, closed and published; answers its server (running)."""
    url = f"sqlite+aiosqlite:///{folder / 'demo.db'}"
    await asyncio.to_thread(upgrade, url)  # Alembic runs an event loop of its own
    keys = write_committee_key(folder / "committee", force=True)
    database = Database(url)
    try:
        setup = await set_up_demo(database, keys.public)
    finally:
        await database.dispose()
    server = ServerProcess(url, env=LOAD_CLIENT)
    server.start()
    chair = setup.tokens[Role.CHAIR]
    await simulate_hall(
        server.base, chair, setup.meeting_id, setup.passes, Pace(voting=4.0, result=0.2, between=0.0)
    )
    async with httpx.AsyncClient(
        base_url=server.base, headers={"Authorization": f"Bearer {chair}"}
    ) as client:
        meeting = f"/api/meetings/{setup.meeting_id}"
        for step, body in (("close", {"confirm": True}), ("publish", None)):
            response = await client.post(f"{meeting}/{step}", json=body, timeout=60)
            response.raise_for_status()
        pdf = await client.get(f"{meeting}/results.pdf", timeout=60)
        pdf.raise_for_status()
        (folder / "results.pdf").write_bytes(pdf.content)
    return server, setup.meeting_id


async def shoot(base: str, meeting_id: int, folder: Path) -> dict[str, Path]:
    """Chromium's pictures: the record's top and its per-member table (scrolled sideways on the
    phone, to show the member column staying put), at both widths, and /uitslagen."""
    record = f"{base}/api/meetings/{meeting_id}/record.html"
    shots: dict[str, Path] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for name, viewport, top in (("record-1280", LAPTOP, 1800), ("record-390", PHONE, 1700)):
                context = await browser.new_context(viewport=viewport, locale="nl-NL")
                page = await context.new_page()
                await page.goto(record)
                shots[name] = await _clip(page, folder / f"{name}.png", 0, top)
                await page.locator("#stemgedrag").scroll_into_view_if_needed()
                if viewport is PHONE:
                    await page.locator(".scroll").evaluate("box => { box.scrollLeft = 260; }")
                table = await page.evaluate(
                    "document.querySelector('#stemgedrag').getBoundingClientRect().top + scrollY"
                )
                shots[f"{name}-table"] = await _clip(
                    page, folder / f"{name}-table.png", table, viewport["height"]
                )
                await context.close()
            context = await browser.new_context(viewport=LAPTOP, locale="nl-NL")
            page = await context.new_page()
            await page.goto(f"{base}/uitslagen")
            shots["uitslagen-1280"] = await _clip(page, folder / "uitslagen-1280.png", 0, LAPTOP["height"])
            await context.close()
        finally:
            await browser.close()
    return shots


async def _clip(page: Page, path: Path, top: float, height: int) -> Path:
    width = page.viewport_size["width"] if page.viewport_size else 1280
    await page.screenshot(
        path=str(path), full_page=True, clip={"x": 0, "y": top, "width": width, "height": height}
    )
    return path


def pdf_pages(folder: Path) -> dict[str, Path]:
    """At 60 dpi (pdftoppm, poppler-utils), by what they show: the first page (the cover and the
    first decisions), the page with the signature block, and the first page of the presentielijst
    that follows it."""
    pdf = folder / "results.pdf"
    texts = [page.extract_text() for page in PdfReader(pdf).pages]
    signed = next((n for n, text in enumerate(texts, 1) if "Voor akkoord" in text), len(texts))
    listed = next((n for n, text in enumerate(texts, 1) if n > signed and "Presentielijst" in text), None)
    wanted = {"results-pdf-1": 1, "results-pdf-signatures": signed}
    if listed is not None:
        wanted["results-pdf-presentielijst"] = listed
    for stale in folder.glob("results-pdf-*.png"):
        stale.unlink()
    pictures: dict[str, Path] = {}
    for name, number in wanted.items():
        prefix = folder / name
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                str(number),
                "-l",
                str(number),
                "-singlefile",
                str(pdf),
                str(prefix),
            ],
            check=True,
        )
        pictures[name] = prefix.with_suffix(".png")
    return pictures


async def main() -> int:
    with tempfile.TemporaryDirectory(prefix="votehall-record-") as temporary:
        folder = Path(temporary)
        server, meeting_id = await play_and_publish(folder)
        try:
            pictures = await shoot(server.base, meeting_id, folder)
        finally:
            server.stop()
        pictures |= pdf_pages(folder)
        DOCS.mkdir(parents=True, exist_ok=True)
        for name, path in pictures.items():
            save_image(name, path)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
