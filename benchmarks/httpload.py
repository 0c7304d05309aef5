"""A bounded load generator: N client threads with keep-alive connections, for a fixed time."""
from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from benchmarks.common import percentile


@dataclass
class LoadResult:
    """Latencies (ms) and errors of one run."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def figures(self) -> dict:
        """Requests, throughput, p50/p95/p99 in ms and the error count."""
        done = len(self.latencies)
        return {"requests": done, "per_second": round(done / self.seconds, 1),
                "p50_ms": round(percentile(self.latencies, 0.50), 1),
                "p95_ms": round(percentile(self.latencies, 0.95), 1),
                "p99_ms": round(percentile(self.latencies, 0.99), 1),
                "errors": len(self.errors), "first_errors": self.errors[:5]}


def run_load(port: int, paths: Callable[[int, int], str], clients: int, seconds: float) -> LoadResult:
    """Each client requests paths(client, n) in turn until the time is up; returns every latency."""
    result = LoadResult(seconds)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while time.monotonic() < deadline:
            path = paths(number, n)
            n += 1
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                error = None if response.status == 200 else f"{response.status} {path}"
            except (OSError, http.client.HTTPException) as err:
                error = f"{type(err).__name__} {path}"
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                (result.errors.append(error) if error else result.latencies.append(elapsed))
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(command: list[str], port: int, cwd: Path) -> subprocess.Popen:
    """Start a server process and wait until it answers /healthz."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
        if process.poll() is not None:
            raise SystemExit(f"{' '.join(command)} exited: {process.stderr.read().decode()[-2000:]}")
    process.kill()
    raise SystemExit(f"{' '.join(command)} did not answer /healthz within 60 s")


def python_command(*args: str) -> list[str]:
    """This interpreter running a module or script."""
    return [sys.executable, *args]
