"""Around the pages (issue 12, item 8): `/` links every page, Dutch first, and `/docs` works in a
hall without internet (Swagger UI served by VoteHall itself, server/api_docs.py).

The browser tests cut the page off from every host but the test server, the way a hall without
internet would, and leave screenshots in screenshots/ for a person to look at. Nothing here
depends on the database, so it runs on SQLite only.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import httpx
import pytest
from playwright.async_api import Browser, Page, Route, expect

import server.pages
from tests.live.a11y import layout_problems
from tests.live.conftest import Hall
from tests.live.pages_browser import PageWatch, open_page, screenshot
from tests.live.test_pages import PHONE_OPTIONS

pytestmark = pytest.mark.parametrize("database_template", ["sqlite"], indirect=True)

# Generous waits for a loaded CI machine; nothing here asserts how long anything takes.
expect.set_options(timeout=20_000)

# What `/` links to, in its order, with the Dutch name it shows first and the English one.
PAGES = [
    ("/kiosk", "Stemkastje", "Voting handheld"),
    ("/display", "Zaalscherm", "Hall screen"),
    ("/display/overlay", "Stream-overlay", "Stream overlay"),
    ("/desk", "Stembalie", "Registration desk"),
    ("/chair", "Voorzitter", "Chair"),
    ("/docs", "API-documentatie", "API documentation"),
]
LAPTOP_SMALL = {"width": 1366, "height": 768}


class Links(HTMLParser):
    """The href of every <a>, and the src and href of every script and stylesheet, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        elif tag == "script" and found.get("src"):
            self.resources.append(found["src"] or "")
        elif tag == "script":
            self._in_script = True
            self.inline_scripts.append("")
        elif tag == "link" and found.get("href"):
            self.resources.append(found["href"] or "")

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline_scripts[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def parse(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


# Over HTTP


async def test_the_start_page_links_every_page_and_each_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == server.pages.CONTENT_SECURITY_POLICY
    assert parse(response.text).links == [path for path, _, _ in PAGES]
    for _, dutch, _ in PAGES:  # the Dutch names are in the HTML itself, before any script runs
        assert f">{dutch}</a>" in response.text, dutch
    # Every page the server has is on it: one added later must be added to `/` too.
    served = {route.path for route in server.pages.router.routes if "{" not in route.path}
    assert served - {"/"} <= {path for path, _, _ in PAGES}
    for path, _, _ in PAGES:
        target = await client.get(path)
        assert target.status_code == 200, path
        assert target.headers["content-type"].startswith("text/html"), path
    for asset in parse(response.text).resources:
        assert (await client.get(asset)).status_code == 200, asset


async def test_docs_are_served_from_here_under_a_strict_policy(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    page = parse(response.text)
    # Swagger UI's script and stylesheet and the icon come from this server, none from a CDN.
    assert page.resources and all(src.startswith("/") and not src.startswith("//") for src in page.resources)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", response.text), response.text
    for resource in page.resources:
        asset = await client.get(resource)
        assert asset.status_code == 200, resource
        assert asset.headers["x-content-type-options"] == "nosniff"
    bundle = await client.get("/docs/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert b"SwaggerUIBundle" in bundle.content
    # The one inline script (Swagger UI's start) is allowed by its hash, and nothing else inline.
    policy = response.headers["content-security-policy"]
    assert len(page.inline_scripts) == 1
    digest = base64.b64encode(hashlib.sha256(page.inline_scripts[0].encode()).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}'" in policy
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    # ReDoc is switched off, and the package's other files are not served.
    for path in ("/redoc", "/docs/redoc.standalone.js", "/docs/favicon.png", "/docs/%2e%2e/core.py"):
        assert (await client.get(path)).status_code == 404, path


# In Chromium, cut off from everything but the server


class Offline:
    """Aborts every request to a host other than the server's, and remembers it."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/") + "/"
        self.blocked: list[str] = []

    async def attach(self, page: Page) -> None:
        await page.route("**/*", self._handle)

    async def _handle(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(self.base) or url.startswith("data:"):
            await route.continue_()
        else:
            self.blocked.append(url)
            await route.abort("internetdisconnected")


async def test_docs_render_and_try_the_api_without_internet(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    async with open_page(browser, hall.server.base, watch, viewport=LAPTOP_SMALL) as (_, page):
        offline = Offline(hall.server.base)
        await offline.attach(page)
        await page.goto("/docs")
        await expect(page.locator(".info .title")).to_contain_text("VoteHall")
        feed = page.locator(".opblock-get").filter(
            has=page.locator('.opblock-summary-path[data-path="/api/feed"]')
        )
        await expect(feed).to_have_count(1)
        await screenshot(page, request, "1-docs")

        # "Try it out" reaches the API from the page (the policy's connect-src lets it).
        await feed.locator(".opblock-summary").click()
        await feed.get_by_role("button", name="Try it out").click()
        await feed.get_by_role("button", name="Execute").click()
        answer = feed.locator(".live-responses-table tbody .response-col_status")
        await expect(answer).to_have_text("200")
        await answer.scroll_into_view_if_needed()
        await screenshot(page, request, "2-feed-tried")
    assert offline.blocked == []
    assert watch.problems == []


async def test_the_start_page_on_a_phone_and_a_laptop_without_internet(
    hall: Hall, browser: Browser, request: pytest.FixtureRequest
) -> None:
    watch = PageWatch()
    problems: list[str] = []
    for name, options in (("phone", PHONE_OPTIONS), ("laptop", {"viewport": LAPTOP_SMALL})):
        async with open_page(browser, hall.server.base, watch, **options) as (_, page):
            offline = Offline(hall.server.base)
            await offline.attach(page)
            await page.goto("/")
            links = page.get_by_role("navigation").get_by_role("link")
            await expect(links).to_have_text([dutch for _, dutch, _ in PAGES])
            for path, dutch, _ in PAGES:
                await expect(page.get_by_role("link", name=dutch, exact=True)).to_have_attribute("href", path)
            problems += await layout_problems(page, f"{name}, Dutch")
            await screenshot(page, request, f"{name}-1-nl", full_page=True)

            await page.get_by_role("button", name="Switch to English").click()
            await expect(links).to_have_text([english for _, _, english in PAGES])
            await expect(page.locator("html")).to_have_attribute("lang", "en")
            problems += await layout_problems(page, f"{name}, English")
            await screenshot(page, request, f"{name}-2-en", full_page=True)

            # The whole card takes the tap, not only the name: its far corner opens the page.
            card = page.locator(".card").filter(has=page.get_by_role("link", name="Hall screen"))
            box = await card.bounding_box()
            assert box is not None and box["height"] >= 44, box
            await page.mouse.click(box["x"] + box["width"] - 8, box["y"] + box["height"] - 8)
            await expect(page).to_have_url(f"{hall.server.base}/display")
            assert offline.blocked == []
    assert not problems, "\n".join(problems)
    assert watch.problems == []
