"""One error hierarchy for ScopeLens.

Library exceptions (pdfminer, pypdfium2, python-docx, zipfile, lxml …) are translated into these
at the extraction boundary. Every message is one line a person can act on; `str(error)` is what
the report's `error` field and the CLI show.
"""

from __future__ import annotations

import unicodedata

# Escaped: controls (C0, C1, DEL), format characters (bidi overrides that disguise a name as in
# "invoice\u202etxt.exe", zero-width marks), line/paragraph separators, private-use and
# unassigned code points, and lone surrogates (undecodable bytes of a POSIX file name).
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        # os.fsdecode's surrogateescape: show the original byte of the file name.
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: str) -> str:
    """`text` made safe for one line of a terminal or log: invisible characters escaped.

    Newlines, tabs, terminal escape sequences, bidi overrides, zero-width and unassigned
    characters and undecodable file-name bytes are shown as `\\n`, `\\t`, `\\x1b`,
    `\\u202e`, `\\xff`; every visible character (any script, any punctuation, spaces) is
    kept as it is. Use it wherever a file name or document text is echoed on one line.

    Args:
        text: A file path, an error message or any other text from outside.

    Returns:
        The text with every such character escaped (it never contains a line break).
    """
    if text.isprintable():
        return text
    return "".join(
        _escape(char) if unicodedata.category(char) in _ESCAPED_CATEGORIES else char
        for char in text
    )


class AnalyzerError(Exception):
    """Base class of every error ScopeLens reports to a user."""

    code = "E000"
    hint = ""
    """What to do about it, appended to the message by `one_line`."""

    def __init_subclass__(cls, code: str = "", hint: str = "", **kwargs: object) -> None:
        # Subclasses declare their code and hint in the class line: `class X(AnalyzerError,
        # code="E002", hint="…")`, one line per error instead of a block of attributes each.
        super().__init_subclass__(**kwargs)
        if code:
            cls.code = code
        if hint:
            cls.hint = hint

    def __init__(self, message: str, path: str | None = None, *, hint: str | None = None) -> None:
        self.path = path
        if hint is not None:
            self.hint = hint  # what to do, when it depends on the case (which limit, …)
        super().__init__(message)

    def __reduce__(self) -> tuple[object, ...]:
        # Keep `path` and a per-error `hint` when the error crosses a process boundary.
        return (type(self), (str(self), self.path), self.__dict__)

    def one_line(self) -> str:
        """The message on one line, with the hint appended when there is one, ≤ 300 chars.

        Control characters (a newline in a file name, terminal escapes) are escaped, so the
        result is always exactly one printable line.
        """
        text = " ".join(printable(str(self)).split())
        hint = f": {self.hint}" if self.hint and self.hint not in text else ""
        if len(text) + len(hint) > 300:
            # Shorten the reason, never the advice: what to do is the useful part.
            text = text[: max(0, 297 - len(hint))] + "..."
        return (text + hint)[:300]


class UnsupportedFormatError(AnalyzerError, code="E001"):
    """The file type is not one ScopeLens reads (PDF, DOCX, TXT, Markdown)."""


class EncryptedDocumentError(AnalyzerError, code="E002", hint="remove the password and try again"):
    """The document is password-protected."""


class CorruptDocumentError(
    AnalyzerError,
    code="E003",
    hint="open it in its own application, save or export it again and retry",
):
    """The file is damaged or is not what its extension says."""


class EmptyDocumentError(AnalyzerError, code="E004", hint="check that this is the right file"):
    """The file holds no text at all."""


class NoTextLayerError(
    AnalyzerError,
    code="E005",
    hint="this looks like a scan, run OCR first (OCR is not supported)",
):
    """A PDF whose pages are images (a scan): there is no text to analyse."""


class LimitExceededError(
    AnalyzerError,
    code="E006",
    hint="split the document, or raise the limit (SCOPELENS_MAX_* settings)",
):
    """The file exceeds a configured limit (size, pages, expanded XML, time)."""


class FileAccessError(AnalyzerError, code="E007", hint="check the path and the file's permissions"):
    """The file cannot be read (missing, permission denied, a directory loop)."""


class ModelError(AnalyzerError, code="E010"):
    """A trained model could not be loaded or does not match this version."""


class StoreError(AnalyzerError, code="E020"):
    """The annotation database could not be reached or written."""


class UsageError(AnalyzerError, code="E030"):
    """The command itself was misused (bad option, nothing to scan)."""


class AccessDenied(AnalyzerError, code="E040"):
    """The signed-in user may not do this (role), or may not see that document (project)."""
