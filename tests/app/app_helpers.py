"""Untrusted test documents for the review-app tests (imported by the tests and conftest)."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from analyzer.app import MAIN_SCRIPT

ROOT = Path(__file__).resolve().parents[2]

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"

HOSTILE_TEXT = (
    "Statement of Work\n\n"
    "1 Scope\n\n"
    f"The vendor will deliver a user-friendly portal {XSS_SCRIPT} with reasonable "
    "performance, including but not limited to reporting.\n\n"
    f"The vendor will provide timely support {XSS_IMG} as needed.\n\n"
    "2 Price\n\n"
    "The price is TBD.\n"
)
"""A short proposal with vague phrases and two HTML payloads in its text."""

HOSTILE_NAME = "<b>bold proposal.txt"
"""A file name with markup (no "/", which the store treats as a folder separator)."""


def hostile_docx() -> bytes:
    """A DOCX whose paragraphs hold script/img payloads and vague phrases."""
    import docx

    document = docx.Document()
    document.add_heading("Statement of Work", level=1)
    document.add_paragraph(
        "The vendor will deliver a user-friendly portal <script>window.__pwned=1</script> "
        "with reasonable performance, including but not limited to reporting."
    )
    document.add_paragraph(f"The vendor will provide timely support {XSS_IMG} as needed.")
    document.add_paragraph("Delivery dates are TBD.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer on {url} within {timeout:.0f} s")


@contextmanager
def running_app(db_file: Path, log_file: Path, extra_args: Sequence[str] = ()) -> Iterator[str]:
    """Run the packaged app (`streamlit run` its main.py) on a free port with its own SQLite
    file; yield its URL.

    Args:
        db_file: The app's SQLite file.
        log_file: Where the server's output goes.
        extra_args: More `streamlit run` options, e.g. `("--theme.base", "dark")`.
    """
    port = _free_port()
    env = dict(os.environ, SCOPELENS_DB_URL=f"sqlite:///{db_file}")
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(MAIN_SCRIPT),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        # Other work in the checkout must not rerun the app under the test.
        "--server.fileWatcherType",
        "none",
        *extra_args,
    ]
    with log_file.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
