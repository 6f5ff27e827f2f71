"""The HTML report in a real browser: headless Chromium, 400 and 1400 pixels wide.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: JSON
messages ending in a NUL byte on file descriptors 3 and 4), so nothing but the standard
library is needed.  The screenshots go to the folder ``SAFEGUARD_TIME_ARTEFACTS`` names
(``.ci/run`` creates one and prints it), or to the test's temporary folder.

Run as a script, this file regenerates the docs' screenshot of the bundled example's report::

    python tests/test_report_browser.py docs/_static/report.png
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from safeguard_time.io.report import render_report
from safeguard_time.io.scan import Check, ScanOptions, ScanSummary, scan

# Not from tests/conftest.py: this file also runs as a script (``python
# tests/test_report_browser.py docs/_static/report.png``), where ``tests`` is not importable.
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src" / "safeguard_time" / "_data" / "example_caseload.csv"
# The README's scan of the bundled example.
CHECKS = (
    Check("initial_assessment", "referral_date", "initial_assessment_completed"),
    Check("core_assessment", "core_assessment_started", "core_assessment_completed"),
    Check("assessment", "referral_date", "assessment_completed"),
    Check("initial_cp_conference", "strategy_discussion", "icpc_date"),
)
INSTALL = "apt-get install -y chromium"

# What the page looks like from inside: overflow, and every SVG label's box (screen pixels)
# against its chart's box and against the other labels of the same chart.
_MEASURE = """
(() => {
  const doc = document.documentElement;
  const problems = [];
  document.querySelectorAll('svg').forEach((svg, k) => {
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')]
      .map(t => [t.textContent, t.getBoundingClientRect()]);
    for (const [words, r] of texts) {
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 ||
          r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
        problems.push(`chart ${k}: "${words}" is clipped`);
    }
    for (let i = 0; i < texts.length; i++)
      for (let j = i + 1; j < texts.length; j++) {
        const [a, ra] = texts[i], [b, rb] = texts[j];
        const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
        const y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
        if (x > 0.5 && y > 0.5) problems.push(`chart ${k}: "${a}" overlaps "${b}"`);
      }
  });
  const small = [...document.querySelectorAll('svg text')]
    .map(t => t.getBoundingClientRect().height).filter(h => h > 0);
  return JSON.stringify({scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth,
                         height: doc.scrollHeight, problems: problems,
                         smallestText: Math.min(...small), charts: small.length});
})()
"""


class Chromium:
    """One headless Chromium, driven over the DevTools protocol on a pipe."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="safeguard-time-chromium-")
        to_child, self._out = os.pipe()
        self._in, from_child = os.pipe()

        def on_fds_3_and_4() -> None:  # the pipe the browser reads (3) and writes (4)
            high_in, high_out = os.dup(to_child), os.dup(from_child)
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        self.proc = subprocess.Popen(
            [
                executable,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={self.profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=on_fds_3_and_4,  # noqa: PLW1509 - no threads are started here
        )
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]

    def _message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._in, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed its DevTools pipe")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer (keeping the events met meanwhile)."""
        self._next += 1
        command: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            command["sessionId"] = session
        os.write(self._out, json.dumps(command).encode() + b"\0")
        while True:
            message = self._message()
            if message.get("id") == self._next:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message["result"]
                return result
            self.events.append(message)

    def wait_for(self, method: str) -> dict[str, Any]:
        """Wait for an event of the page's session."""
        for i, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(i)
        while True:
            message = self._message()
            if message.get("method") == method:
                return message
            self.events.append(message)

    def _open(self, url: str, width: int, height: int, domains: tuple[str, ...]) -> str:
        """Load ``url`` in a ``width`` x ``height`` window, ``domains`` enabled; the session."""
        s: str = self.session
        for domain in domains:
            self.send(f"{domain}.enable", s)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            s,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.send("Page.navigate", s, url=url)
        self.wait_for("Page.loadEventFired")
        return s

    def render(self, url: str, width: int, height: int = 900) -> tuple[dict[str, Any], bytes]:
        """Open ``url`` at ``width`` pixels: the page's measures and a full-page PNG."""
        s = self._open(url, width, height, ("Page", "Runtime", "Log"))
        answer = self.send("Runtime.evaluate", s, expression=_MEASURE, returnByValue=True)
        measures: dict[str, Any] = json.loads(answer["result"]["value"])
        shot = self.send(
            "Page.captureScreenshot",
            s,
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": width, "height": measures["height"], "scale": 1},
        )
        return measures, base64.b64decode(shot["data"])

    def top(self, url: str, width: int, height: int) -> bytes:
        """A PNG of the top ``height`` pixels of ``url`` at ``width`` pixels."""
        s = self._open(url, width, height, ("Page",))
        return base64.b64decode(self.send("Page.captureScreenshot", s, format="png")["data"])

    def console_errors(self) -> list[str]:
        """Errors the page logged, threw or met loading something."""
        out = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
                out.append(json.dumps(params.get("args")))
            elif method == "Runtime.exceptionThrown":
                out.append(json.dumps(params.get("exceptionDetails")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                out.append(str(params["entry"].get("text")))
        return out

    def close(self) -> None:
        """Stop the browser and remove its profile."""
        with contextlib.suppress(RuntimeError, OSError):  # it may be gone already
            self.send("Browser.close")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._in)
        os.close(self._out)
        shutil.rmtree(self.profile, ignore_errors=True)


def chromium_executable() -> str:
    """The Chromium to run (``chromium``, or ``chromium-browser``), or fail with how to get it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(f"Chromium is not installed; install it with: {INSTALL}")
    return found


def example_report(folder: Path) -> tuple[ScanSummary, Path]:
    """The README's scan of the bundled example, run in ``folder`` with the README's names."""
    shutil.copyfile(EXAMPLE, folder / "caseload.csv")
    with contextlib.chdir(folder):
        summary = scan(
            ScanOptions(
                input="caseload.csv",
                output="scanned.csv",
                errors="errors.csv",
                checks=CHECKS,
                as_of=dt.date(2025, 3, 31),
            )
        )
    path = folder / "report.html"
    path.write_text(render_report(summary), "utf-8")
    return summary, path


@pytest.fixture(scope="module")
def browser() -> Any:
    b = Chromium(chromium_executable())
    yield b
    b.close()


def _artefacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SAFEGUARD_TIME_ARTEFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.external
@pytest.mark.parametrize("width", [400, 1400])
def test_the_report_fits_the_window(browser: Chromium, tmp_path: Path, width: int) -> None:
    _, report = example_report(tmp_path)
    browser.events.clear()
    measures, png = browser.render(report.as_uri(), width)
    shot = _artefacts(tmp_path) / f"report-{width}px.png"
    shot.write_bytes(png)
    print(f"screenshot: {shot}")
    assert png.startswith(b"\x89PNG"), shot
    # No horizontal overflow: wide tables scroll inside their own box, charts scale.
    assert measures["scrollWidth"] <= measures["clientWidth"] == width, measures
    assert browser.console_errors() == []
    # Every chart label inside its chart, none over another; and none too small to read.
    assert measures["problems"] == [], measures["problems"]
    assert measures["charts"] > 0
    assert measures["smallestText"] >= 7, measures


def main(argv: list[str]) -> int:
    """Write the docs' screenshot: the top of the example's report, 1000 pixels wide."""
    (out,) = argv
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        print(f"Chromium is not installed; install it with: {INSTALL}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        _, report = example_report(Path(folder))
        b = Chromium(executable)
        try:
            Path(out).write_bytes(b.top(report.as_uri(), 1000, 1500))
        finally:
            b.close()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
