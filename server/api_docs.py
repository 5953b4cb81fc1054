"""`/docs`: Swagger UI for the HTTP API, served by VoteHall itself so that it works in a hall
without internet.

FastAPI's own `/docs` loads Swagger UI's script, stylesheet and icon from a CDN. Here the two files
come from the `fastapi-offline` package, whose wheel ships the swagger-ui-dist 5 files that FastAPI
would otherwise fetch (FastAPI's "Self-hosting JavaScript and CSS for docs"); the icon is VoteHall's
own. The page is FastAPI's `get_swagger_ui_html`, whose one inline script (the start of Swagger UI)
is allowed by its hash in the Content-Security-Policy, so the page loads nothing from elsewhere even
if Swagger UI ever tried to, and the policy is otherwise that of the other pages.

ReDoc (`/redoc`) is switched off in server/app.py: it would be a second rendering of the same schema
whose script injects inline styles and starts a worker from a blob, so that it would need a looser
policy; Swagger UI alone lets an integrator read the API and try it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from server import pages
from server.errors import NotFound

DOCS = "/docs"
ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
# Only Swagger UI's two files: the package also holds ReDoc and FastAPI's favicon, not served.
FILES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
}
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)

router = APIRouter(include_in_schema=False)


def policy(script: str) -> str:
    """The pages' policy, with the one inline `script` allowed by its SHA-256 (CSP level 2)."""
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    return (
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
        f"style-src 'self'; script-src 'self' 'sha256-{digest}'"
    )


@cache
def swagger_page(openapi_url: str, title: str) -> tuple[bytes, str]:
    """The page's HTML and its Content-Security-Policy."""
    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=title,
        swagger_js_url=f"{DOCS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS}/swagger-ui.css",
        swagger_favicon_url="/assets/lib/icon.svg",
        # Never ask swagger.io to validate the schema (it would send it the schema's address).
        swagger_ui_parameters={"validatorUrl": None},
    )
    html = bytes(page.body).decode().replace("<html>", '<html lang="en">', 1)
    scripts = INLINE_SCRIPT.findall(html)
    assert len(scripts) == 1, f"FastAPI's Swagger UI page changed: {len(scripts)} inline scripts"
    return html.encode(), policy(scripts[0])


@router.get(DOCS)
async def swagger_ui(request: Request) -> HTMLResponse:
    openapi_url = request.app.openapi_url
    html, csp = swagger_page(openapi_url, f"{request.app.title} – API")
    return HTMLResponse(html, headers={**pages.HEADERS, "Content-Security-Policy": csp})


@router.get(DOCS + "/{name}")
async def swagger_asset(name: str) -> FileResponse:
    media_type = FILES.get(name)
    if media_type is None:
        raise NotFound(f"there is no page or file at {name!r}")
    return FileResponse(ASSETS / name, media_type=media_type, headers=pages.HEADERS)
