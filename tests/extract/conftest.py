"""Fixtures for extraction tests: invariant checks and tiny documents built on the fly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture()
def write_file(tmp_path: Path) -> Callable[[str, bytes], Path]:
    """Write bytes to a file named `name` in a temporary folder and return its path."""

    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write
