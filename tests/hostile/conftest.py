"""Fixtures of the hostile-input tests: the corpus, built once per session by `builders`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from builders import Corpus, Expect, build_corpus, build_legacy_doc, build_rtf


@pytest.fixture(scope="session")
def hostile_corpus(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> Corpus:
    """Every hostile file plus a good SOW (slow ones included), built once for the session."""
    base = tmp_path_factory.mktemp("hostile")
    root = base / "corpus"
    root.mkdir()
    expected = build_corpus(root)
    shutil.copy(examples_dir / "data-migration-sow.pdf", root / "good-sow.pdf")
    expected["good-sow.pdf"] = Expect("ok")
    outside = base / "named"
    outside.mkdir()
    explicit = (build_legacy_doc(outside, "named-legacy.doc"), build_rtf(outside, "named.rtf"))
    return Corpus(root=root, expected=expected, explicit=explicit)
