"""Small helpers shared by the report writers (labels and locations)."""

from __future__ import annotations

from analyzer.types import CATEGORIES, Finding

SEVERITY_ORDER: dict[str, int] = {"high": 0, "medium": 1, "low": 2, "info": 3}


def check_label(check_id: str) -> str:
    """Human name of a check id: "missing_change_control" -> "Change control"."""
    return check_id.removeprefix("missing_").replace("_", " ").capitalize()


def category_label(category: str) -> str:
    """Human name of a category: "ambiguity" -> "Ambiguity"."""
    return category.capitalize()


def finding_sort_key(finding: Finding) -> tuple[int, int, int, str]:
    """Document order; document-level findings (no offsets) first, then by severity."""
    return (
        0 if finding.start is None else 1,
        finding.start or 0,
        SEVERITY_ORDER.get(finding.severity, 9),
        finding.id,
    )


def category_order(categories: set[str]) -> list[str]:
    """Categories in taxonomy order, unknown ones last (sorted)."""
    known = [c for c in CATEGORIES if c in categories]
    return known + sorted(categories - set(CATEGORIES))


def location(finding: Finding) -> str:
    """Plain-text location: "page 3, section 2 Scope", "section 2 Scope", "document" ..."""
    parts = []
    if finding.page is not None:
        parts.append(f"page {finding.page}")
    if finding.section:
        parts.append(f"section {finding.section}")
    if not parts:
        return "whole document" if finding.start is None else f"offset {finding.start}"
    return ", ".join(parts)
