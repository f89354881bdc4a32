"""A real headless browser for the web app: Debian's chromium driven by Playwright's sync API.

Playwright never downloads a browser here (`playwright install` is never run): `executable_path`
points at the chromium that scripts/install.sh installs with apt. Fixtures:

    browser                 session: one chromium for the whole run
    page                    function: a fresh context (1366x768, vi-VN) whose page records
                            page.console_errors, page.page_errors and page.dialogs (dialogs are dismissed)
    serve                   function: serve(demo) -> URL of a Gradio Blocks on a free loopback port
    served_url(demo)        the same as a context manager, for module- or session-scoped fixtures
"""
from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import urlsplit

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",             # CI runs as root, where chromium's sandbox refuses to start
    "--disable-dev-shm-usage",  # a small /dev/shm in containers crashes tabs
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
]
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
IGNORED_CONSOLE = ("favicon.ico",)


@pytest.fixture(scope="session")
def browser():
    """Headless chromium for the session. A missing chromium fails (CI installs it), never skips."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed: run `apt-get install chromium` "
                    "(scripts/install.sh does it) for the browser tests", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: run `pip install -r requirements.txt`", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A page in a fresh context. Requests leave the machine never: any non-loopback request is
    answered empty and listed in page.external_requests. Console messages of type "error"
    (favicon misses left out) go to page.console_errors, uncaught script errors to
    page.page_errors, and every alert/confirm/prompt to page.dialogs as (type, message)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    context.set_default_timeout(60_000)
    pg = context.new_page()
    pg.console_errors = []
    pg.page_errors = []
    pg.dialogs = []
    pg.external_requests = []

    def on_console(message) -> None:
        if message.type == "error" and not any(s in message.text or s in (message.location or {}).get("url", "")
                                               for s in IGNORED_CONSOLE):
            pg.console_errors.append(message.text)

    def on_dialog(dialog) -> None:
        pg.dialogs.append((dialog.type, dialog.message))
        dialog.dismiss()

    def keep_local(route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if host in LOOPBACK:
            route.continue_()
        else:
            pg.external_requests.append(route.request.url)
            route.fulfill(status=204, body="")

    pg.on("console", on_console)
    pg.on("pageerror", lambda error: pg.page_errors.append(str(error)))
    pg.on("dialog", on_dialog)
    context.route("**/*", keep_local)
    try:
        yield pg
    finally:
        context.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served_url(demo) -> Iterator[str]:
    """Launch a Gradio Blocks on a free loopback port (in Gradio's own threads) and yield its URL;
    the server is closed on exit."""
    from ui.web import launch

    port = _free_port()
    launch(demo, "127.0.0.1", port, prevent_thread_lock=True, quiet=True)  # with the page's styles and script
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


@pytest.fixture
def serve():
    """serve(demo) -> URL: each Blocks served for this test and closed after it."""
    with ExitStack() as stack:
        yield lambda demo: stack.enter_context(served_url(demo))

