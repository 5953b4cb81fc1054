"""Driving the chair's page (`/chair`) in the browser tests: signing in, and answering its dialogs.

The page asks its questions in a `<dialog>` of its own (display/chair-dialog.js), not with the
browser's confirm(): a test reads what it asks and clicks one of its buttons, as the chair would.
"""

from __future__ import annotations

from playwright.async_api import Locator, Page, expect

from server.auth.roles import Role
from tests.live.conftest import Hall

TOKEN_LABEL = "Operatortoken (voorzitter of beheerder)"


async def sign_in(page: Page, hall: Hall) -> None:
    await page.goto("/chair")
    await page.get_by_label(TOKEN_LABEL).fill(hall.seeded.tokens[Role.CHAIR])
    await page.get_by_role("button", name="Aanmelden").click()
    await expect(page.locator("#meeting-title")).to_have_text("ALV")


def dialog(page: Page) -> Locator:
    """The chair's dialog on screen (one at a time)."""
    return page.locator("dialog.chair-dialog[open]")


async def asked(page: Page) -> str:
    """What the dialog on screen says (title and body), in one line."""
    box = dialog(page)
    await expect(box).to_be_visible()
    title = await box.locator(".dialog-title").inner_text()
    body = await box.locator(".dialog-body").inner_text()
    return " ".join(f"{title} {body}".split())


async def answer(page: Page, button: str | None = None) -> str:
    """Waits for the dialog, returns what it asks, and clicks `button` (by its words), or the
    button that does what it asks when None."""
    text = await asked(page)
    box = dialog(page)
    if button is None:
        await box.locator("[data-confirm]").click()
    else:
        await box.get_by_role("button", name=button, exact=True).click()
    return text
