"""A Firedrill server (``python -m firedrill.server``) in a subprocess on a
free port of 127.0.0.1, for the server's tests: started, waited for
(``/health``), stopped."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from typing import Any, Iterator, Optional

import pytest

#: How long a server may take to answer /health.
START_TIMEOUT_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running server: its base ``url`` and small HTTP helpers."""

    def __init__(self, url: str, process: subprocess.Popen):
        self.url = url
        self.process = process

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        session: Optional[str] = None,
        raw: Optional[bytes] = None,
        content_type: str = "application/json",
    ) -> tuple[int, Any, bytes]:
        """``(status, headers, body)`` of one request; never raises on 4xx."""
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if session:
            request.add_header("X-Session-Id", session)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def json(self, method: str, path: str, body: Any = None, session: Optional[str] = None, **kw: Any) -> tuple[int, Any]:
        status, _, payload = self.request(method, path, body, session, **kw)
        return status, json.loads(payload)


@contextmanager
def running_server(*arguments: str) -> Iterator[Server]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "firedrill.server", "--port", str(port), *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                raise RuntimeError(f"the server exited with {process.returncode}:\n{output}")
            try:
                status, _ = server.json("GET", "/health")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer /health in {START_TIMEOUT_SECONDS} s")
            time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """One server with the default limits, shared by the test modules that
    load this file as a plugin (``pytest_plugins = ["serving"]``): starting
    one takes seconds (openenv-core imports Gradio)."""
    with running_server() as server:
        yield server


@pytest.fixture(scope="session")
def start_server():
    """:func:`running_server`, for tests that need a server of their own."""
    return running_server
