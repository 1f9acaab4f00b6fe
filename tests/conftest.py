"""Global test fixtures: paths to real documents and the shared spaCy pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """`../shared/data`, or skip the test when it is not beside the checkout."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    """The committed example documents."""
    return EXAMPLES


@pytest.fixture(autouse=True, scope="session")
def _isolated_scan_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the tests' scan cache out of the user's cache folder."""
    import os

    os.environ["SCOPELENS_CACHE_DIR"] = str(tmp_path_factory.mktemp("scan-cache"))
