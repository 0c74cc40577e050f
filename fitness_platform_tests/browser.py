"""A real headless Chromium driven over the Chrome DevTools Protocol, for the site's tests.

The browser is the distribution's package (``/usr/bin/chromium``; ``.ci/run`` installs it when it is
missing). Its flags are those this sandbox needs: no sandbox as root, no GPU, and none of the
background connections a closed network refuses."""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from websockets.sync.client import connect

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = (
    "headless Chromium not found: install it with `apt-get install chromium` (Debian/Ubuntu; "
    "`.ci/run` does this) or set FITNESS_CHROMIUM to its path"
)
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)


def chromium_path() -> str | None:
    explicit = os.environ.get("FITNESS_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


class Page:
    """One tab, attached in flat mode; every event it raises is kept for the test to read."""

    def __init__(self, browser: Browser, session_id: str):
        self.browser, self.session_id = browser, session_id
        self.events: list[dict] = []

    def send(self, method: str, **params):
        return self.browser.send(method, session_id=self.session_id, **params)

    def goto(self, url: str, timeout: float = 30) -> None:
        self.events.clear()
        self.send("Page.navigate", url=url)
        self.browser.wait(lambda e: e.get("method") == "Page.loadEventFired", self, timeout)

    def evaluate(self, expression: str):
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in reply:
            raise AssertionError(f"{expression!r} raised {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def requests(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def console_errors(self) -> list[str]:
        errors = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
                errors.append(" ".join(str(a.get("value", a)) for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                errors.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                errors.append(params["entry"].get("text", ""))
        return errors

    def viewport(self, width: int, height: int, mobile: bool = False) -> None:
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )

    def media(self, media: str = "", color_scheme: str = "light") -> None:
        self.send(
            "Emulation.setEmulatedMedia",
            media=media,
            features=[{"name": "prefers-color-scheme", "value": color_scheme}],
        )

    def screenshot(self, path: Path, full_page: bool = True) -> Path:
        reply = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=full_page)
        path.write_bytes(base64.b64decode(reply["data"]))
        return path


class Browser:
    def __init__(self, executable: str):
        self.profile = tempfile.TemporaryDirectory(
            prefix="fitness-chromium-", ignore_cleanup_errors=True
        )
        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self.profile.name}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._connection = connect(self._endpoint(), max_size=None, open_timeout=20)
        self.ws = self._connection.__enter__()
        self._ids = itertools.count(1)
        self._pages: dict[str, Page] = {}

    def _endpoint(self, timeout: float = 30) -> str:
        port_file = Path(self.profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if port_file.exists():
                lines = port_file.read_text().split()
                if len(lines) >= 2:
                    return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
            if self.process.poll() is not None:
                raise RuntimeError(f"Chromium exited with {self.process.returncode}")
            time.sleep(0.05)
        raise RuntimeError("Chromium did not open its DevTools port")

    def _dispatch(self, message: dict, pages: dict[str, Page]) -> None:
        page = pages.get(message.get("sessionId"))
        if page is not None:
            page.events.append(message)

    def send(self, method: str, session_id: str | None = None, **params):
        call_id = next(self._ids)
        message = {"id": call_id, "method": method, "params": params}
        if session_id:
            message["sessionId"] = session_id
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv(timeout=30))
            if reply.get("id") == call_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._dispatch(reply, self._pages)

    def wait(self, predicate, page: Page, timeout: float) -> None:
        if any(predicate(e) for e in page.events):
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            self._dispatch(reply, self._pages)
            if reply.get("sessionId") == page.session_id and predicate(reply):
                return
        raise TimeoutError("the page did not finish loading")

    def new_page(self) -> Page:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        page = Page(self, session)
        self._pages = {**self._pages, session: page}
        for domain in ("Page", "Network", "Runtime", "Log"):
            page.send(f"{domain}.enable")
        return page

    def close(self) -> None:
        try:
            self._connection.__exit__(None, None, None)
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.profile.cleanup()
