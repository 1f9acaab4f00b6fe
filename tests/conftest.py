"""Global test fixtures: paths to real documents and the shared spaCy pipeline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from needs import skip_or_fail

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """`../shared/data`; skips when it is not beside the checkout (fails under CI=true)."""
    if not SHARED_DATA.is_dir():
        skip_or_fail("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    """The committed example documents."""
    return EXAMPLES


@pytest.fixture(autouse=True, scope="session")
def _isolated_scan_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the tests' scan cache out of the user's cache folder."""
    os.environ["SCOPELENS_CACHE_DIR"] = str(tmp_path_factory.mktemp("scan-cache"))
