"""Files parsed in worker processes, each under a wall-clock time limit and a memory limit.

A hostile file (a decompression bomb, a PDF whose objects refer to each other in a loop, a parser's
pathological case) can hang or exhaust a parser. Each worker parses one file at a time with its
address space capped (``RLIMIT_AS``); one past its time is killed and replaced, and that file is
reported as failed with the limit it passed. The batch goes on. Workers start from a fork server
(never forked from a writer holding the lock) and end when the process that started them ends.
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import threading
import time
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Callable, Iterator

from indexer.options import ParseOptions

OWNER_CHECK_SECONDS = 0.5  # how often a worker looks whether the ingest that started it still runs
LARGE_SHARE = 0.5  # a file holding more than this share of one worker's even part of the bytes is started first


class Worker:
    """One worker process and the file it is parsing (None when idle)."""

    def __init__(self, parse: Callable, options: ParseOptions):
        self.conn, child = multiprocessing.get_context("forkserver").Pipe()
        self.process = multiprocessing.get_context("forkserver").Process(
            target=_serve, args=(child, parse, options, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.task: tuple[int, Path] | None = None
        self.started = 0.0

    def give(self, number: int, path: Path) -> None:
        """Start parsing one file."""
        self.task, self.started = (number, path), time.monotonic()
        self.conn.send(path)

    def stop(self) -> None:
        """End the process at once."""
        self.process.kill()
        self.process.join()
        self.conn.close()


def start_fork_server() -> None:
    """Start the workers' fork server without waiting for it: it loads the parsers (about a second)
    while the ingest finds its files and opens the store."""
    import multiprocessing.forkserver

    multiprocessing.forkserver.ensure_running()  # the context's fork server: indexer.index sets its preload


def parse_limited(files: list[Path], options: ParseOptions, workers: int,
                  parse: Callable[[Path, ParseOptions], object]) -> Iterator[tuple[Path, object]]:
    """Each file with ``parse``'s result (a Document or an error line), in order, parsed by ``workers``
    worker processes under the options' time and memory limits.
    """
    pool = [Worker(parse, options) for _ in range(min(workers, len(files)) or 1)]
    pending, done, next_out = dispatch_order(files, _sizes(files), len(pool)), {}, 0
    try:
        while next_out < len(files):
            for worker in pool:
                if worker.task is None and pending:
                    worker.give(*pending.pop(0))
            busy = [w for w in pool if w.task is not None]
            ready = wait([w.conn for w in busy], timeout=_time_left(busy, options.seconds))
            for at, worker in enumerate(pool):
                if worker.task is None:
                    continue
                outcome = _outcome(worker, worker.conn in ready, options)
                if outcome is not None:
                    number, _ = worker.task
                    done[number], worker.task = outcome, None
                    if not worker.process.is_alive() or outcome.__class__ is _Failed:
                        worker.stop()
                        pool[at] = Worker(parse, options)
            while next_out in done:
                result = done.pop(next_out)
                yield files[next_out], str(result) if result.__class__ is _Failed else result
                next_out += 1
    finally:
        for worker in pool:
            worker.stop()


def dispatch_order(files: list[Path], sizes: list[int], workers: int) -> list[tuple[int, Path]]:
    """(number, path) of each file in the order to start them: the large ones first, largest first,
    then the rest in order.

    Results are taken in order, so small files stay in order and flow to the index as they are read;
    a large file started last would leave the other workers idle while it alone is read.

    >>> names = [Path(n) for n in ("a.html", "b.html", "report.pdf", "c.html", "manual.pdf")]
    >>> [path.name for _, path in dispatch_order(names, [10, 10, 900, 10, 1000], 2)]
    ['manual.pdf', 'report.pdf', 'a.html', 'b.html', 'c.html']
    >>> [path.name for _, path in dispatch_order(names, [10, 10, 10, 10, 10], 2)]
    ['a.html', 'b.html', 'report.pdf', 'c.html', 'manual.pdf']
    """
    large = LARGE_SHARE * sum(sizes) / workers
    numbered = list(enumerate(files))
    first = sorted((item for item in numbered if sizes[item[0]] > large), key=lambda item: -sizes[item[0]])
    return first + [item for item in numbered if sizes[item[0]] <= large]


def _sizes(files: list[Path]) -> list[int]:
    """Each file's size in bytes (0 for one that cannot be read: its parser reports why)."""
    sizes = []
    for path in files:
        try:
            sizes.append(path.stat().st_size)
        except OSError:
            sizes.append(0)
    return sizes


class _Failed(str):
    """An error line about a worker that had to be replaced (killed, or it died)."""


def _outcome(worker: Worker, ready: bool, options: ParseOptions):
    """The worker's result if it has one, a _Failed line if it passed its time or died, else None."""
    if ready:
        try:
            return worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(1)
            return _Failed(_death(worker.process.exitcode, options))
    if time.monotonic() - worker.started > options.seconds:
        return _Failed(f"took longer than {options.seconds:g} s to read (the limit is ARCHIVE_PARSE_SECONDS)")
    return None


def _death(code: int | None, options: ParseOptions) -> str:
    """Why a worker ended while parsing."""
    if code is not None and code < 0 and -code == signal.SIGKILL:
        return _past_memory(options)
    return f"the reader stopped while reading it (exit status {code})"


def _past_memory(options: ParseOptions) -> str:
    """The line of a file whose reading passed the memory limit."""
    return f"used more than {options.memory_mb} MB to read (the limit is ARCHIVE_PARSE_MEMORY_MB)"


def _time_left(busy: list[Worker], seconds: float) -> float | None:
    """Seconds until the first busy worker passes its limit (None: nobody is busy)."""
    if not busy:
        return None
    return max(0.0, min(w.started for w in busy) + seconds - time.monotonic()) + 0.01


def _serve(conn: Connection, parse: Callable, options: ParseOptions, owner: int) -> None:
    """A worker's loop: parse each path sent, send back the result; end when the ingest (``owner``) goes."""
    threading.Thread(target=_exit_without, args=(owner,), daemon=True).start()
    limit = options.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = parse(path, options)
        except MemoryError:
            result = _past_memory(options)
        conn.send(result)


def _exit_without(owner: int) -> None:
    """End this worker, even mid-parse, once the ingest that started it is gone (killed with -9, say).

    The worker's parent is the fork server, which outlives a killed ingest, so Linux's parent-death
    signal would never come: the ingest is watched instead.
    """
    while _running(owner):
        time.sleep(OWNER_CHECK_SECONDS)
    os._exit(1)


def _running(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b") ", 1)[1][:1] != b"Z"
    except (OSError, IndexError):
        return False
