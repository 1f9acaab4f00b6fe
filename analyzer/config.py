"""Settings with sane defaults, overridable from the environment (SCOPELENS_*)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED_SUFFIXES: tuple[str, ...] = (".pdf", ".docx", ".txt", ".md", ".markdown")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    try:
        return int(value) if value else default
    except ValueError:
        return default


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-file limits, enforced before the expensive work is done."""

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


def project_root() -> Path:
    """The checkout root (parent of the `analyzer` package)."""
    return Path(__file__).resolve().parent.parent


def default_model_dir() -> Path:
    """Where the shipped model lives (models/<name>)."""
    override = os.environ.get("SCOPELENS_MODEL")
    if override:
        return Path(override)
    return project_root() / "models" / "scopelens-clf"
