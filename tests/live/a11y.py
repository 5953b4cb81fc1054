"""Accessibility and legibility checks for the browser tests (issue 7 part 2): axe-core run inside a
page, the contrast of computed colours, and a walk over a laid-out page for anything that sticks
out of the viewport or is cut off.

axe-core comes from the npm registry (package.json, fetched into node_modules/ by `make install`).
It is handed to the page with `page.evaluate` of its source rather than a `<script>` tag or a
context with `bypass_csp=True`: DevTools evaluation is not subject to the page's
Content-Security-Policy, so the page under test keeps the exact policy it ships with, and a style
or script the policy blocks still shows up in the PageWatch of the test. (axe rebuilds a
stylesheet that another pulls in with @import as an inline style, which that policy blocks: the
pages link their stylesheets instead.)
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, async_playwright

from tests.live.pages_browser import CHROMIUM, CHROMIUM_ARGS, PageWatch, require_chromium

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# What a test fails on. axe's "moderate" and "minor" findings (best practices such as landmarks)
# are printed for a person to weigh, not enforced.
BLOCKING = ("serious", "critical")


@cache
def axe_source() -> str:
    """The source of axe-core; fails in CI when it is missing, else skips with how to get it."""
    if AXE.is_file():
        return AXE.read_text(encoding="utf-8")
    reason = f"{AXE} is missing (run `make install`, which runs `npm ci`); the accessibility tests need it"
    if os.environ.get("CI"):
        pytest.fail(reason)
    print(reason)
    pytest.skip(reason)


RUN_AXE = """async () => {
    const results = await axe.run(document, { resultTypes: ["violations"] });
    return results.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
    }));
}"""


async def axe_violations(page: Page, state: str, blocking: tuple[str, ...] = BLOCKING) -> list[str]:
    """axe's violations of the `blocking` impacts (serious and critical unless told) on the page
    as it is now, one line each; the lesser ones are printed (run pytest with -s to see them)."""
    if not await page.evaluate("typeof window.axe === 'object'"):
        await page.evaluate(axe_source())
    found: list[dict[str, Any]] = await page.evaluate(RUN_AXE)
    for violation in found:
        if violation["impact"] not in blocking:
            print(f"axe {violation['impact']} on {state}: {violation['id']} ({violation['help']})")
    return [
        f"{state}: {v['id']} ({v['impact']}): {v['help']}: {'; '.join(v['nodes'])}"
        for v in found
        if v["impact"] in blocking
    ]


# Contrast as WCAG 2 defines it (relative luminance of sRGB colours).

RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+))?\s*\)")


def parse_colour(css: str) -> tuple[float, float, float, float]:
    """A computed colour ("rgb(27, 122, 58)" or "rgba(0, 0, 0, 0)") as (r, g, b, alpha)."""
    match = RGB.fullmatch(css.strip())
    assert match, f"not a computed colour: {css!r}"
    r, g, b, alpha = match.groups()
    return float(r), float(g), float(b), float(alpha) if alpha is not None else 1.0


def luminance(css: str) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b, alpha = parse_colour(css)
    assert alpha == 1.0, f"contrast needs an opaque colour, not {css}"
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# Layout: what a person would see as broken. Every visible element is checked for sticking out of
# the viewport, and for content wider or taller than its own box (a label running out of its
# button, a title cut off by overflow or a line clamp). `whole_screen` adds the bottom edge: a
# hall screen never scrolls, so anything below it is simply not seen.

LAYOUT_PROBLEMS = """([selector, wholeScreen, screenWidth, byDesign]) => {
    const problems = [];
    const root = document.scrollingElement;
    // A phone lays a page that is too wide out wider than its screen and zooms it out to fit:
    // then everything looks in place, only small. The screen's own width is the measure.
    const width = screenWidth;
    const height = root.clientHeight;
    if (innerWidth !== screenWidth) problems.push(`the page is laid out ${innerWidth} px wide on a ${screenWidth} px screen`);
    const name = (el) =>
        el.tagName.toLowerCase() + (el.id ? `#${el.id}` : "") +
        [...el.classList].map((c) => `.${c}`).join("") +
        ` "${(el.textContent || "").trim().slice(0, 40)}"`;
    if (root.scrollWidth > width) problems.push(`the page scrolls sideways: ${root.scrollWidth} > ${width}`);
    if (wholeScreen && root.scrollHeight > height) {
        problems.push(`the page is taller than the screen: ${root.scrollHeight} > ${height}`);
    }
    if (wholeScreen && document.body.scrollHeight > document.body.clientHeight) {
        problems.push(`the body's content is taller than the screen: ${document.body.scrollHeight}`);
    }
    const elements = [document.body, ...document.body.querySelectorAll(selector)];
    for (const el of elements) {
        if (!el.checkVisibility({ visibilityProperty: true })) continue;
        // Text only for screen readers (base.css .visually-hidden) is clipped on purpose.
        if (el.closest(".visually-hidden")) continue;
        // A box that shortens its contents on purpose: it must fit, what is inside may be cut.
        const shortens = byDesign ? el.closest(byDesign) : null;
        if (shortens && shortens !== el) continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        const scrolled = { x: window.scrollX, y: window.scrollY };
        const left = box.left + scrolled.x;
        const right = box.right + scrolled.x;
        if (left < -0.5 || right > width + 0.5) {
            problems.push(`${name(el)} sticks out sideways: ${Math.round(left)} to ${Math.round(right)} of ${width}`);
        }
        if (wholeScreen && (box.top < -0.5 || box.bottom > height + 0.5)) {
            problems.push(`${name(el)} sticks out of the screen: ${Math.round(box.top)} to ${Math.round(box.bottom)} of ${height}`);
        }
        // Inline boxes have no client size; their text is checked through the block around them.
        if (shortens || getComputedStyle(el).display === "inline") continue;
        if (el.scrollWidth > el.clientWidth + 1) {
            problems.push(`${name(el)} is cut off or runs out sideways: ${el.scrollWidth} > ${el.clientWidth}`);
        }
        if (el.scrollHeight > el.clientHeight + 1) {
            problems.push(`${name(el)} is cut off or runs out below: ${el.scrollHeight} > ${el.clientHeight}`);
        }
    }
    return problems;
}"""


async def layout_problems(
    page: Page, state: str, selector: str = "*", *, whole_screen: bool = False, by_design: str = ""
) -> list[str]:
    """Everything in `selector` (visible) that sticks out of the viewport or is cut off, one line
    each, starting with `state`. Boxes matching `by_design` must fit, but may cut their contents:
    a list that shows as much as there is room for."""
    viewport = page.viewport_size
    assert viewport is not None
    found: list[str] = await page.evaluate(
        LAYOUT_PROBLEMS, [selector, whole_screen, viewport["width"], by_design]
    )
    return [f"{state}: {problem}" for problem in found]


# Large text as a person with poor sight sets it: the browser's text size at 200% (Chromium's
# default font size 16 px raised to 32 px, and the fixed-width font with it). It is a setting of
# the browser profile, so the page gets it exactly as on a real phone; DevTools' Page.setFontSizes
# was tried first and is undone by the browser as soon as the page is tapped.
LARGE_TEXT = {"default_font_size": 32, "default_fixed_font_size": 26}


@asynccontextmanager
async def large_text_page(base_url: str, watch: PageWatch, **options: Any) -> AsyncIterator[Page]:
    """A page in a browser of its own whose profile sets 200% text (a profile needs its own browser)."""
    require_chromium()
    with tempfile.TemporaryDirectory(prefix="votehall-large-text-") as profile:
        (Path(profile) / "Default").mkdir()
        preferences = {"webkit": {"webprefs": LARGE_TEXT}}
        (Path(profile) / "Default" / "Preferences").write_text(json.dumps(preferences), encoding="utf-8")
        async with async_playwright() as playwright:
            context = await playwright.chromium.launch_persistent_context(
                profile,
                executable_path=str(CHROMIUM),
                args=CHROMIUM_ARGS,
                headless=True,
                base_url=base_url,
                locale="nl-NL",
                **options,
            )
            try:
                page = context.pages[0] if context.pages else await context.new_page()
                yield watch.attach(page)
            finally:
                await context.close()
