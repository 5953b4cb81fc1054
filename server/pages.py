"""The browser pages of SPEC 4.4: the handheld (`/kiosk`), the hall screen (`/display`), the stream
overlay (`/display/overlay`), the chair's page (`/chair`) and the registration desk (`/desk`); and
`/`, a page that links them all (and the API's `/docs`, server/api_docs.py).

They are plain files in the repository's top-level `kiosk/` and `display/` folders, with no build
step; the modules both use live in `display/lib/` and are served at `/assets/lib/`. Files are
served with FileResponse behind a path check rather than a StaticFiles mount, so that the router
stays one `include_router` in the app and every answer carries the same security headers. An
installed wheel has no such folders: then these routes answer 404 in the usual error shape.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from server.errors import NotFound

ROOT = Path(__file__).resolve().parents[1]
KIOSK = ROOT / "kiosk"
DISPLAY = ROOT / "display"
LIB = DISPLAY / "lib"

# The pages load nothing from elsewhere, run no inline script or style, and talk only to this host.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'"
)
HEADERS = {
    # Revalidate every time: after an upgrade during a meeting, a reload must get the new files.
    "Cache-Control": "no-cache",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# Only what the pages are made of; anything else in the folders (notes, dotfiles) stays private.
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".json": "application/json",
    ".woff2": "font/woff2",
}

router = APIRouter(include_in_schema=False)


def _file(folder: Path, relative: str) -> FileResponse:
    """The file at `relative` inside `folder`, or NotFound; `..`, symlinks out and dotfiles fail."""
    missing = NotFound(f"there is no page or file at {relative!r}")
    if "\x00" in relative or any(part.startswith(".") for part in Path(relative).parts):
        raise missing
    base = folder.resolve()
    candidate = (base / relative).resolve()
    media_type = MEDIA_TYPES.get(candidate.suffix.lower())
    if media_type is None or not candidate.is_relative_to(base) or not candidate.is_file():
        raise missing
    return FileResponse(candidate, media_type=media_type, headers=HEADERS)


@router.get("/")
async def home_page() -> FileResponse:
    return _file(DISPLAY, "home.html")


@router.get("/kiosk")
async def kiosk_page() -> FileResponse:
    return _file(KIOSK, "index.html")


@router.get("/display")
async def display_page() -> FileResponse:
    return _file(DISPLAY, "index.html")


@router.get("/display/overlay")
async def overlay_page() -> FileResponse:
    return _file(DISPLAY, "overlay.html")


@router.get("/chair")
async def chair_page() -> FileResponse:
    return _file(DISPLAY, "chair.html")


@router.get("/desk")
async def desk_page() -> FileResponse:
    return _file(DISPLAY, "desk.html")


@router.get("/kiosk/{path:path}")
async def kiosk_asset(path: str) -> FileResponse:
    return _file(KIOSK, path)


@router.get("/display/{path:path}")
async def display_asset(path: str) -> FileResponse:
    return _file(DISPLAY, path)


@router.get("/assets/lib/{path:path}")
async def shared_asset(path: str) -> FileResponse:
    return _file(LIB, path)
