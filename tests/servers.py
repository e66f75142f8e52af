"""Real servers for tests that go over HTTP: gunicorn serving the project on a free port."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    base_url: str
    process: subprocess.Popen
    log_path: Path


def _wait_until_serving(url: str, process: subprocess.Popen, *, failure) -> None:
    """Return once ``url`` answers 200; raise RuntimeError(``failure()``) if the server exits or takes over 30 s."""
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:  # refused, not yet 200 (HTTPError is an OSError) or too slow
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(failure()) from None
            time.sleep(0.2)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@contextmanager
def gunicorn_server(*, env: dict[str, str], ready_path: str = "/healthz", log_dir: Path | None = None):
    """Serve the project with gunicorn (test settings unless ``env`` says otherwise) until the block ends.

    Waits until ``ready_path`` answers 200. The server's output goes to a file: an
    unread pipe would fill up and freeze it.
    """
    port = free_port()
    log_path = Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log", dir=log_dir)[1])
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "claims_api.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "2",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "claims_api.settings.test", **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(base_url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    try:
        _wait_until_serving(
            f"{server.base_url}{ready_path}",
            process,
            failure=lambda: f"gunicorn did not start:\n{log_path.read_text()}",
        )
        yield server
    finally:
        _stop(process)
        if log_dir is None:
            log_path.unlink(missing_ok=True)


@contextmanager
def runserver(*, env: dict[str, str], log_path: Path | None = None):
    """What `make run` starts: Django's development server (manage.py's default settings unless ``env``
    names others), on a free port, until the block ends; yields its base URL.

    With ``log_path``, the server's output goes there: one line per request, with its status."""
    port = free_port()
    log = log_path.open("w") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    if log_path:
        log.close()
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(f"{base_url}/healthz", process, failure=lambda: "runserver did not start")
        yield base_url
    finally:
        _stop(process)
