"""One error hierarchy for ScopeLens.

Library exceptions (pdfminer, pypdfium2, python-docx, zipfile, lxml …) are translated into these
at the extraction boundary. Every message is one line a person can act on; `str(error)` is what
the report's `error` field and the CLI show.
"""

from __future__ import annotations


class AnalyzerError(Exception):
    """Base class of every error ScopeLens reports to a user."""

    code = "E000"
    hint = ""

    def __init__(self, message: str, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)

    def one_line(self) -> str:
        """The message on one line, with the hint appended when there is one, ≤ 300 chars."""
        text = " ".join(str(self).split())
        if self.hint and self.hint not in text:
            text = f"{text}: {self.hint}"
        return text if len(text) <= 300 else text[:297] + "..."


class UnsupportedFormatError(AnalyzerError):
    """The file type is not one ScopeLens reads (PDF, DOCX, TXT, Markdown)."""

    code = "E001"


class EncryptedDocumentError(AnalyzerError):
    """The document is password-protected."""

    code = "E002"
    hint = "remove the password and try again"


class CorruptDocumentError(AnalyzerError):
    """The file is damaged or is not what its extension says."""

    code = "E003"


class EmptyDocumentError(AnalyzerError):
    """The file holds no text at all."""

    code = "E004"


class NoTextLayerError(AnalyzerError):
    """A PDF whose pages are images (a scan): there is no text to analyse."""

    code = "E005"
    hint = "this looks like a scan, run OCR first (OCR is not supported)"


class LimitExceededError(AnalyzerError):
    """The file exceeds a configured limit (size, pages, expanded XML, time)."""

    code = "E006"


class FileAccessError(AnalyzerError):
    """The file cannot be read (missing, permission denied, a directory loop)."""

    code = "E007"


class ModelError(AnalyzerError):
    """A trained model could not be loaded or does not match this version."""

    code = "E010"


class StoreError(AnalyzerError):
    """The annotation database could not be reached or written."""

    code = "E020"


class UsageError(AnalyzerError):
    """The command itself was misused (bad option, nothing to scan)."""

    code = "E030"
