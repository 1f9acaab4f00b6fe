"""The DESIGN.md contract, spelled out once for the tests (independently of the code under test)."""

from __future__ import annotations

FINDING_KEYS = {
    "id",
    "category",
    "type",
    "severity",
    "start",
    "end",
    "text",
    "sentence",
    "page",
    "section",
    "explanation",
    "suggestion",
    "source",
    "confidence",
}
"""Keys every finding of the JSON report carries."""

DOCUMENT_KEYS = {
    "path",
    "sha256",
    "kind",
    "pages",
    "status",
    "error",
    "text_chars",
    "findings",
    "summary",
}
"""Keys every document of the JSON report carries."""

ANNOTATION_KEYS = [
    "document_sha256",
    "document_name",
    "start",
    "end",
    "text",
    "sentence",
    "finding_id",
    "category",
    "type",
    "decision",
    "new_category",
    "new_type",
    "new_severity",
    "reason",
    "comment",
    "reviewer",
    "created_at",
    "tool_version",
    "model",
]
"""The annotation record, in the DESIGN.md order."""
