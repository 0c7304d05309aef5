"""The production WSGI server: gunicorn, with worker processes so a search uses every core.

Search is pure-Python work under the GIL: in one process, threads take turns on one core. Each
worker process opens the index itself after the fork (never sharing a file position with another).
"""
from __future__ import annotations

import json
import os
from typing import Callable

from gunicorn.app.base import BaseApplication
from gunicorn.http import message
from gunicorn.http.errors import LimitRequestLine
from gunicorn.workers.gthread import ThreadWorker

from webapp.errors import error_body

# A pasted question of MAX_QUERY_CHARS in any script fits, percent-encoded, in 64 kB. gunicorn caps
# its request line at 8190 bytes, and with no cap (0) it reads a line in time growing with the
# square of its length (16 MB took 41 s): its cap is raised to this, which bounds that time.
MAX_REQUEST_LINE = 64 * 1024
message.MAX_REQUEST_LINE = MAX_REQUEST_LINE + 1


def default_workers() -> int:
    """Two worker processes per core: each has its own GIL, so a long search holds up only its own."""
    return 2 * (os.cpu_count() or 1)


class Server(BaseApplication):
    """gunicorn run from Python: ``make_app`` builds the WSGI app in each worker process."""

    def __init__(self, make_app: Callable, host: str, port: int, workers: int, threads: int):
        self.make_app = make_app
        self.options = {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                        "worker_class": "webapp.server.ArchiveWorker", "accesslog": None, "errorlog": "-", "loglevel": "warning",
                        "timeout": 120, "graceful_timeout": 10, "proc_name": "longform-archive",
                        # a query up to 64 kB reaches the app, which answers one over MAX_QUERY_CHARS with
                        # its own error (JSON on /api/); a longer line gets ArchiveWorker's JSON 414
                        "limit_request_line": MAX_REQUEST_LINE}
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.make_app()


class ArchiveWorker(ThreadWorker):
    """gunicorn's threaded worker, answering a request line past the cap with the API's JSON error shape.

    The line is refused before its path is read, so the answer cannot tell an /api/ path from a page.
    """

    def handle_error(self, req, client, addr, exc):
        if not isinstance(exc, LimitRequestLine):
            return super().handle_error(req, client, addr, exc)
        self.log.warning("refused a request line longer than %d bytes", MAX_REQUEST_LINE)
        message = f"the request line is longer than {MAX_REQUEST_LINE // 1024} kB: shorten the query"
        body = json.dumps(error_body(414, message, "q")).encode()
        head = (f"HTTP/1.1 414 URI Too Long\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        try:
            client.sendall(head + body)
        except OSError:
            self.log.debug("could not send the 414 answer")


def serve(make_app: Callable, host: str, port: int, workers: int, threads: int) -> None:
    """Serve until stopped (Ctrl-C or SIGTERM)."""
    Server(make_app, host, port, workers, threads).run()
