"""The headless browser the tests use: Debian's chromium driven by playwright (never
`playwright install`). Without chromium the browser tests skip, except under CI=true."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"no chromium at {CHROMIUM} (apt-get install chromium, or set KG_CHROMIUM)"
    return None


class Page:
    """A page opened from a file, with its console errors and any outside requests recorded."""

    def __init__(self, browser, path: Path | str, *, bypass_csp: bool = True, allow: str = "file://",
                 wait_settled: bool = True):
        # bypass_csp lets playwright evaluate scripts; the page's own CSP is tested apart
        self.context = browser.new_context(viewport={"width": 1200, "height": 800}, bypass_csp=bypass_csp)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.allow = allow
        self.page.route("**/*", self._route)
        self.page.goto(path.resolve().as_uri() if isinstance(path, Path) else path)
        if wait_settled:
            self.page.wait_for_selector("body[data-settled=true]", state="attached", timeout=60_000)

    def _route(self, route) -> None:
        if route.request.url.startswith(self.allow):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def eval(self, script: str, arg=None):
        return self.page.evaluate(script, arg)

    def close(self) -> None:
        self.context.close()


