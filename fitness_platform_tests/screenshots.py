"""The README's screenshots, taken in headless Chromium from a site ``make run`` wrote.

    python -m fitness_platform_tests.screenshots [SITE_DIR] [OUT_DIR]

(``make screenshots``: from ``.fitness/out/site`` into ``docs/img``.) The tests take their own
screenshots into temporary folders; this is the only code that writes pictures into the checkout,
and only when asked to."""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

from fitness_platform_tests.browser import INSTALL_HINT, Browser, chromium_path

SHOTS = {  # picture → page of the site, viewport width, height kept (top of the page)
    "report.png": ("athlete=demo/weeks/2024-05-13.html", 1000, 1900),
    "roster.png": ("coach/roster.html", 1200, 600),
}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main(argv: list[str]) -> int:
    site = Path(argv[0] if argv else ".fitness/out/site").resolve()
    out = Path(argv[1] if len(argv) > 1 else "docs/img").resolve()
    path = chromium_path()
    if path is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    if not (site / "coach" / "roster.html").exists():
        print(f"no site under {site}: run `make run` first", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    browser = Browser(path)
    try:
        for name, (page_path, width, height) in SHOTS.items():
            page = browser.new_page()
            page.viewport(width, height)
            page.media("", "light")
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/{page_path}")
            page.screenshot(out / name, full_page=False)
            print(out / name)
    finally:
        browser.close()
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
