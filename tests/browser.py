"""A live waitress server and Debian's chromium driven by Playwright, for the browser tests."""
from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager

import waitress

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]


def chromium_path() -> str:
    """Debian's chromium; the README's test command installs it."""
    path = shutil.which("chromium")
    assert path, "chromium is not installed: run the README's test command (make test) to install it"
    return path


@contextmanager
def live_server(app):
    """The app on waitress at a free loopback port, for as long as the block runs."""
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    closing = threading.Event()

    def serve() -> None:
        try:
            server.run()
        except OSError:  # the loop's select on the socket closed under it: "Bad file descriptor"
            if not closing.is_set():
                raise

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        closing.set()
        server.close()
        thread.join(timeout=5)
