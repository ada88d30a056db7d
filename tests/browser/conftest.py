"""A real browser for the tests: Debian's Chromium driven by Playwright, and JupyterLab.

The browser is ``/usr/bin/chromium`` (or ``$AIGC_KIT_CHROMIUM``), never a downloaded one.
Where it or Playwright is missing, the browser tests are skipped with the reason; with
``AIGC_KIT_REQUIRE_BROWSER=1`` (set by ``.ci/run``, which installs Chromium) they fail
instead, so CI never passes them silently.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("AIGC_KIT_CHROMIUM", "/usr/bin/chromium")


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Playwright package is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set AIGC_KIT_CHROMIUM)"
    return None


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (session-wide); skips, or fails in CI, when there is none."""
    reason = _missing()
    if reason:
        if os.environ.get("AIGC_KIT_REQUIRE_BROWSER"):
            pytest.fail(f"browser tests required (AIGC_KIT_REQUIRE_BROWSER) but {reason}")
        pytest.skip(f"browser tests not run: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
        )
        yield chromium
        chromium.close()


def _poll(read, until, timeout_s: float = 20.0):
    """Call ``read()`` until ``until(value)`` or the timeout; return the last value."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = read()
        if until(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


@pytest.fixture(scope="session")
def poll():
    """``poll(read, until, timeout_s=20)``: wait for what the kernel or the page does."""
    return _poll


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    """A JupyterLab server the tests started: its folder, URL and token."""

    def __init__(self, root: Path, port: int, token: str) -> None:
        self.root, self.port, self.token = root, port, token

    def url(self, notebook: str) -> str:
        # a fresh workspace each time, so no tab or dialog of an earlier test comes back
        return (f"http://127.0.0.1:{self.port}/lab/workspaces/{secrets.token_hex(4)}/tree/"
                f"{notebook}?reset&token={self.token}")


@pytest.fixture(scope="session")
def lab(browser, tmp_path_factory):
    """JupyterLab on a free local port, serving a fresh folder (``--allow-root`` as root)."""
    root = tmp_path_factory.mktemp("lab")
    port, token = _free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
               "--ip=127.0.0.1", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", "--LabApp.news_url=",
               "--ServerApp.disable_check_xsrf=True"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    # Render every cell (JupyterLab 4 otherwise leaves cells far off screen out of the
    # page, where no click can reach them), and no news pop-up.
    settings = root / ".jupyter" / "lab" / "user-settings"
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false"}))
    log = (root / "lab.log").open("w")
    server = subprocess.Popen(command, cwd=root, stdout=log, stderr=subprocess.STDOUT,
                              env={**os.environ, "JUPYTER_CONFIG_DIR": str(root / ".jupyter"),
                                   "JUPYTERLAB_SETTINGS_DIR": str(settings)})
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}",
                                   timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start: {(root / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
    yield Lab(root, port, token)
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()
    shutil.rmtree(root / ".jupyter", ignore_errors=True)


@pytest.fixture(scope="session")
def open_and_run_all(browser, lab):
    """``open_and_run_all(notebook, ready)``: open ``notebook`` (in ``lab.root``) in
    JupyterLab, run all its cells and wait for ``ready`` (a CSS selector); the page."""

    def run(notebook: str, ready: str, timeout_s: float = 300):
        return _open_and_run_all(browser, lab, notebook, ready, timeout_s)

    return run


def _select_kernel(page) -> bool:
    """Answer JupyterLab's "Select Kernel" dialog with the notebook's kernel, if it is up."""
    button = page.locator(".jp-Dialog button", has_text="Select")
    if button.count():
        button.first.click()
        return True
    return False


def _run_all(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


def _open_and_run_all(browser, lab: Lab, notebook: str, ready: str, timeout_s: float):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(lab.url(notebook))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_timeout(1000)
    _select_kernel(page)
    news = page.locator(".jp-Notification-Toast button", has_text="No")
    if news.count():  # "Would you like to get notified about official Jupyter news?"
        news.first.click()
    _run_all(page)
    deadline = time.monotonic() + timeout_s
    while not page.locator(ready).count():
        if _select_kernel(page):  # asked on the first run: choose, then run all again
            page.wait_for_timeout(2000)
            _run_all(page)
        if time.monotonic() > deadline:
            shot = lab.root / f"{notebook}.failure.png"
            page.screenshot(path=str(shot), full_page=True)
            outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
            pytest.fail(f"{notebook}: {ready!r} did not appear in JupyterLab within "
                        f"{timeout_s:.0f} s; screenshot {shot}; outputs: "
                        f"{[o[-300:] for o in outputs]}")
        page.wait_for_timeout(250)
    return page


def _offline_context(browser, requested: list[str], width: int = 1400):
    """A browser context in which only the site's own files (and data: URLs) load; every
    other request is recorded in ``requested`` and refused."""
    context = browser.new_context(viewport={"width": width, "height": 900})

    def offline(route) -> None:
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            requested.append(route.request.url)
            route.abort()

    context.route("**/*", offline)
    return context


@pytest.fixture(scope="session")
def offline_context(browser):
    """``offline_context(requested, width=1400)``: a context that loads nothing from a
    network (the URLs it refused are appended to ``requested``)."""
    return lambda requested, width=1400: _offline_context(browser, requested, width)


# What a page of the course site must satisfy, read in the page itself.
_AUDIT_JS = """() => {
  const problems = [];
  for (const box of document.querySelectorAll('.jp-Mermaid')) {
    const drawn = box.classList.contains('jp-RenderedMermaid')
      && !box.classList.contains('jp-mod-warning') && box.querySelector('figure svg');
    if (!drawn) problems.push('diagram not drawn: ' + box.textContent.trim().slice(0, 60));
  }
  for (const el of document.querySelectorAll('.jp-InputArea-editor, .jp-OutputArea-output')) {
    const overflowing = el.scrollWidth > el.clientWidth + 1;
    const start = el.scrollLeft;
    el.scrollLeft = start + 40;  // only a scroll container moves (a table row does not)
    const moves = el.scrollLeft > start;
    el.scrollLeft = start;
    const scrolls = moves && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    if (overflowing && !scrolls) {
      problems.push('cut off, cannot scroll: ' + el.textContent.trim().slice(0, 60));
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    problems.push('page wider than the window: ' + document.documentElement.scrollWidth);
  }
  const outputs = Array.from(document.querySelectorAll('.jp-OutputArea-output'))
    .map(el => el.innerText).join('\\n');
  const repr = outputs.match(/<?[\\w.]+(\\(\\w*\\))? at 0x[0-9a-f]{6,}>?/);
  if (repr) problems.push('an object repr in an output: ' + repr[0]);
  return problems;
}"""


def _page_problems(offline_context, page_file: Path, width: int, settle_ms: int) -> list[str]:
    requested: list[str] = []
    events: list[str] = []
    context = offline_context(requested, width)
    page = context.new_page()
    page.on("pageerror", lambda error: events.append(f"page error: {error}"))
    page.on("console", lambda message: events.append(f"console: {message.text}")
            if message.type == "error" else None)
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(settle_ms)  # widgets, MathJax and diagrams draw after load
    found = events + page.evaluate(_AUDIT_JS) + [f"requested {url}" for url in requested]
    context.close()
    return [f"{page_file.name} at {width}px: {problem}" for problem in found]


def audit_page(offline_context, page_file: Path, widths=(1400, 390),
               settle_ms: int = 2500) -> list[str]:
    """Everything wrong with one page of the course site, opened offline at each width:
    page errors, console errors, requests that left the site, diagrams not drawn, code or
    outputs cut off with no way to scroll, the page wider than the window, an object's
    default repr (``<... at 0x...>``) shown as an output."""
    return [problem for width in widths
            for problem in _page_problems(offline_context, page_file, width, settle_ms)]


@pytest.fixture(scope="session")
def audit(offline_context):
    """``audit(page_file, widths=(1400, 390))``: the problems of one site page (see
    :func:`audit_page`); an empty list when there are none."""
    return lambda page_file, **kwargs: audit_page(offline_context, page_file, **kwargs)
