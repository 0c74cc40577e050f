"""The site in a real headless Chromium: the athlete index, a weekly report and the coach's roster,
served over HTTP on 127.0.0.1 the way the README says to serve it. Each page is screenshotted (into
the test's temporary folder), shows every chart, fetches nothing but itself, logs no console error,
fits a phone's width, and reads in the dark theme and in print."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from fitness_platform_tests.browser import INSTALL_HINT, Browser, chromium_path

PHONE = 390  # CSS pixels: an iPhone 12-15's portrait width
CHART_IDS = ["chart-main-lifts", "chart-volume", "chart-hard-sets", "chart-body"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(sample_run):
    _, out = sample_run
    handler = functools.partial(_Quiet, directory=str(out / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip(INSTALL_HINT)
    chromium = Browser(path)
    yield chromium
    chromium.close()


def open_page(browser, url: str, width: int = 1100, scheme: str = "light", media: str = ""):
    page = browser.new_page()
    page.viewport(width, 900, mobile=width < 600)
    page.media(media, scheme)
    page.goto(url)
    return page


@pytest.mark.parametrize(
    "path, charts",
    [
        ("athlete=demo/index.html", 0),
        ("athlete=demo/latest.html", 4),
        ("athlete=demo/weeks/2024-05-13.html", 4),
        ("coach/roster.html", 0),
    ],
)
def test_each_page_renders_offline_with_its_charts(browser, served, tmp_path, path, charts):
    url = f"{served}/{path}"
    page = open_page(browser, url)
    shot = page.screenshot(tmp_path / (path.replace("/", "_") + ".png"))
    assert shot.stat().st_size > 10_000  # a real picture, not a blank page
    assert page.requests() == [url], "the page fetched something besides itself"
    assert page.console_errors() == []
    found = page.evaluate("[...document.querySelectorAll('figure.chart')].map(f => f.id)")
    if charts:
        assert found == CHART_IDS
        # Each chart is drawn: an SVG of real size with its plotted shapes in it.
        sizes = page.evaluate(
            "[...document.querySelectorAll('figure.chart svg')].map(s => "
            "[s.getBoundingClientRect().width, s.getBoundingClientRect().height, "
            "s.querySelectorAll('path').length])"
        )
        assert all(w > 300 and h > 100 and shapes > 10 for w, h, shapes in sizes), sizes
    else:
        assert found == []
    assert page.evaluate("document.querySelectorAll('a[href^=\"http\"]').length") == 0


@pytest.mark.parametrize("path", ["athlete=demo/latest.html", "coach/roster.html"])
def test_pages_fit_a_phone_and_read_in_dark_and_print(browser, served, tmp_path, path):
    url = f"{served}/{path}"
    phone = open_page(browser, url, width=PHONE)
    phone.screenshot(tmp_path / "phone.png")
    # Nothing wider than the screen: wide tables scroll inside their own box.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE
    dark = open_page(browser, url, scheme="dark")
    dark.screenshot(tmp_path / "dark.png")
    background = dark.evaluate("getComputedStyle(document.body).backgroundColor")
    text = dark.evaluate("getComputedStyle(document.body).color")
    assert _luminance(background) < 0.1 < 0.7 < _luminance(text), (background, text)
    if "latest" in path:  # chart text follows the theme (currentColor), so it is light here
        tick = dark.evaluate(
            "getComputedStyle(document.querySelector('figure.chart svg text')).fill"
        )
        assert _luminance(tick) > 0.7, tick
    printed = open_page(browser, url, media="print")
    assert printed.evaluate("getComputedStyle(document.body).backgroundColor") in {
        "rgb(255, 255, 255)",
        "rgba(0, 0, 0, 0)",
    }
    if "latest" in path:
        assert (
            printed.evaluate("getComputedStyle(document.querySelector('nav.crumbs')).display")
            == "none"
        )


def _luminance(css: str) -> float:
    r, g, b = (int(v) for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255
