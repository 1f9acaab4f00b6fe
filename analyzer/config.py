"""Settings with sane defaults, overridable from the environment (SCOPELENS_*)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

SUPPORTED_SUFFIXES: tuple[str, ...] = (".pdf", ".docx", ".txt", ".md", ".markdown")

CONVERTIBLE_SUFFIXES: tuple[str, ...] = (".doc", ".rtf")
"""Formats ScopeLens refuses but a user can convert (legacy Word, RTF): a folder scan should
report them ("save it as .docx and try again") rather than skip them silently."""

SCANNED_SUFFIXES: tuple[str, ...] = SUPPORTED_SUFFIXES + CONVERTIBLE_SUFFIXES
"""What a folder walk should pick up: the supported formats plus the convertible ones."""


def _env_int(name: str, default: int) -> int:
    """A positive integer from the environment; unset, malformed or non-positive → default."""
    value = os.environ.get(name)
    try:
        number = int(value) if value else default
    except ValueError:
        return default
    return number if number > 0 else default


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-file limits, enforced before the expensive work is done.

    Each is checked as early as the format allows: the file size before reading, the page
    count before any page is parsed, a DOCX's expanded size and zip directory from the zip's
    declared sizes before anything is decompressed, and the text length while pages and
    paragraphs are read. A file over a limit is reported as `LimitExceededError`.

    Environment (read when a `Limits()` is created; an unset, malformed or non-positive value
    keeps the default):

    | variable | field | default |
    |---|---|---|
    | `SCOPELENS_MAX_FILE_MB` | `max_file_bytes` | 200 MB |
    | `SCOPELENS_MAX_PAGES` | `max_pages` | 5000 |
    | `SCOPELENS_MAX_XML_MB` | `max_xml_bytes` (DOCX unzipped, all parts) | 256 MB |
    | `SCOPELENS_MAX_TEXT_MB` | `max_text_chars` (millions of characters, 2**20) | 50 |
    | `SCOPELENS_MAX_ZIP_ENTRIES` | `max_zip_entries` (parts in a DOCX) | 10000 |
    | `SCOPELENS_TIMEOUT_S` | `timeout_s` (per file, enforced by the batch runner) | 300 |
    """

    max_file_bytes: int = field(
        default_factory=lambda: _env_int("SCOPELENS_MAX_FILE_MB", 200) * 1024 * 1024
    )
    max_pages: int = field(default_factory=lambda: _env_int("SCOPELENS_MAX_PAGES", 5000))
    max_xml_bytes: int = field(
        default_factory=lambda: _env_int("SCOPELENS_MAX_XML_MB", 256) * 1024 * 1024
    )
    max_text_chars: int = field(
        default_factory=lambda: _env_int("SCOPELENS_MAX_TEXT_MB", 50) * 1024 * 1024
    )
    timeout_s: int = field(default_factory=lambda: _env_int("SCOPELENS_TIMEOUT_S", 300))
    max_zip_entries: int = field(
        default_factory=lambda: _env_int("SCOPELENS_MAX_ZIP_ENTRIES", 10_000)
    )


SHIPPED_MODEL = "scopelens-clf"
"""Folder name of the shipped linear classifier (fast mode) inside the package's `models/`."""

SHIPPED_ENCODER = "scopelens-encoder"
"""Folder name of the shipped fine-tuned encoder (accurate mode) inside `models/`."""

ENV_CORPUS = "SCOPELENS_CORPUS"
CORPUS_HINT = "pass --corpus DIR (the corpus/labelled folder of a ScopeLens checkout)"


def models_root() -> Path:
    """The package's `models/` folder, wherever the package is installed (wheel or checkout)."""
    return Path(str(files("analyzer") / "models"))


def read_model_meta(folder: Path) -> dict[str, Any]:
    """A model folder's `meta.json`; an empty dict when it is absent, unreadable or no object."""
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def default_model_dir() -> Path:
    """Where the model in use lives: `SCOPELENS_MODEL`, else the shipped one in the package."""
    override = os.environ.get("SCOPELENS_MODEL")
    if override:
        return Path(override)
    return models_root() / SHIPPED_MODEL


def default_encoder_dir() -> Path:
    """Where the accurate-mode encoder lives: `SCOPELENS_ENCODER`, else the shipped one."""
    override = os.environ.get("SCOPELENS_ENCODER")
    if override:
        return Path(override)
    return models_root() / SHIPPED_ENCODER


def default_corpus_dir() -> Path | None:
    """The labelled corpus: `SCOPELENS_CORPUS`, else `corpus/labelled` under the working folder.

    The corpus is not part of the wheel: `train` and `evaluate` run from a checkout, or are
    given `--corpus DIR`. None when neither is there.
    """
    override = os.environ.get(ENV_CORPUS)
    if override:
        return Path(override)
    candidate = Path.cwd() / "corpus" / "labelled"
    return candidate if candidate.is_dir() else None


def is_loopback(address: str) -> bool:
    """The address only this machine can reach (127.0.0.0/8, ::1, localhost): where ScopeLens
    may serve the review app with no user accounts."""
    import ipaddress

    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip()).is_loopback
    except ValueError:
        return False
