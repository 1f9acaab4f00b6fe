"""The portfolio view of a batch: which documents, teams and templates carry the risk.

`build_portfolio(report)` ranks the documents of a scan by risk score and gathers, across all
of them, the ambiguous phrases and the rules that fire most and which documents lack which
safeguards — also per folder, since folders usually follow teams, clients or templates. A PMO
reads it to see where a gap comes from, not only that it exists.

Two renderings: the portfolio section at the top of a batch HTML report (`html.portfolio_html`)
and the per-document table written by `scopelens scan … --portfolio FILE.csv`
(`to_portfolio_csv`; one row per document, columns in `PORTFOLIO_COLUMNS`).
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from analyzer.report.common import check_label
from analyzer.report.csv import csv_safe
from analyzer.types import (
    CATEGORIES,
    TYPES_BY_CATEGORY,
    DocumentReport,
    Finding,
    Report,
    ToolInfo,
)

TOP_N = 15
"""Rows in the "fire most" tables."""


@dataclass(frozen=True, slots=True)
class PortfolioRow:
    """One document of the batch.

    Attributes:
        rank: 1 = highest risk score; documents that failed come last.
        missing: The missing-safeguard types ("missing_exclusions", ...) of the document.
        top_driver: The first of the document's risk drivers, or "".
    """

    rank: int
    path: str
    folder: str
    status: str
    error: str | None
    risk_score: int | None
    findings: int
    by_category: tuple[tuple[str, int], ...]
    missing: tuple[str, ...]
    top_driver: str


@dataclass(frozen=True, slots=True)
class FiringStat:
    """An ambiguous phrase or a detection rule, and how often and where it fires."""

    key: str
    """The phrase (lower case, whitespace folded) or the rule (the finding's `source`)."""
    category: str
    type: str
    """The category and type it fires with most often."""
    findings: int
    documents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SafeguardGap:
    """A safeguard and the analysed documents that lack it."""

    check_id: str
    missing_in: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FolderStat:
    """The documents of one folder: count, mean risk and share lacking each safeguard."""

    folder: str
    documents: int
    mean_risk: int
    missing_share: dict[str, float]


@dataclass(frozen=True, slots=True)
class Portfolio:
    """The batch at a glance (see the module docstring)."""

    rows: tuple[PortfolioRow, ...]
    phrases: tuple[FiringStat, ...]
    rules: tuple[FiringStat, ...]
    gaps: tuple[SafeguardGap, ...]
    folders: tuple[FolderStat, ...]
    check_ids: tuple[str, ...] = TYPES_BY_CATEGORY["missing"]

    @property
    def documents_ok(self) -> int:
        """Documents analysed without error."""
        return sum(r.status == "ok" for r in self.rows)


def _folder(path: str) -> str:
    return str(PurePath(path).parent)


def _missing(doc: DocumentReport) -> tuple[str, ...]:
    found = {f.type for f in doc.findings if f.category == "missing"}
    found |= {s.check_id for s in doc.safeguards if not s.present}
    return tuple(t for t in TYPES_BY_CATEGORY["missing"] if t in found)


def _rank_key(doc: DocumentReport) -> tuple[int, int, str]:
    score = doc.summary.get("risk_score")
    if doc.status != "ok" or score is None:
        return (1, 0, doc.path)
    return (0, -int(score), doc.path)


def _rows(documents: list[DocumentReport]) -> list[PortfolioRow]:
    rows = []
    for rank, doc in enumerate(sorted(documents, key=_rank_key), start=1):
        counts = Counter(f.category for f in doc.findings)
        score = doc.summary.get("risk_score")
        drivers = doc.summary.get("risk_drivers") or []
        rows.append(
            PortfolioRow(
                rank=rank,
                path=doc.path,
                folder=_folder(doc.path),
                status=doc.status,
                error=doc.error,
                risk_score=int(score) if score is not None and doc.status == "ok" else None,
                findings=len(doc.findings),
                by_category=tuple((c, counts.get(c, 0)) for c in CATEGORIES),
                missing=_missing(doc) if doc.status == "ok" else (),
                top_driver=str(drivers[0]) if drivers else "",
            )
        )
    return rows


def _phrase_key(finding: Finding) -> str | None:
    if finding.category != "ambiguity" or not finding.text:
        return None
    return " ".join(finding.text.lower().split())


def _rule_key(finding: Finding) -> str | None:
    return None if finding.category == "missing" else finding.source  # safeguards: own table


def _tally(
    documents: list[DocumentReport],
    key_of: Callable[[Finding], str | None],
    top: int,
    *,
    spread_first: bool,
) -> list[FiringStat]:
    """The `top` keys by findings, or by documents first when `spread_first`."""
    findings: Counter[str] = Counter()
    labels: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    where: dict[str, dict[str, None]] = defaultdict(dict)
    for doc in documents:
        for f in doc.findings:
            key = key_of(f)
            if key is None:
                continue
            findings[key] += 1
            labels[key][f.category, f.type] += 1
            where[key][doc.path] = None

    def rank(key: str) -> tuple[int, int, str]:
        count, spread = findings[key], len(where[key])
        return (-spread, -count, key) if spread_first else (-count, -spread, key)

    return [
        FiringStat(k, *labels[k].most_common(1)[0][0], findings[k], tuple(where[k]))
        for k in sorted(findings, key=rank)[:top]
    ]


def _folders(rows: list[PortfolioRow]) -> list[FolderStat]:
    by_folder: dict[str, list[PortfolioRow]] = defaultdict(list)
    for row in rows:
        if row.status == "ok":
            by_folder[row.folder].append(row)
    stats = []
    for folder, members in by_folder.items():
        scores = [r.risk_score or 0 for r in members]
        share = {
            c: sum(c in r.missing for r in members) / len(members)
            for c in TYPES_BY_CATEGORY["missing"]
        }
        stats.append(
            FolderStat(
                folder=folder,
                documents=len(members),
                mean_risk=round(sum(scores) / len(scores)),
                missing_share=share,
            )
        )
    return sorted(stats, key=lambda s: (-s.mean_risk, s.folder))


def build_portfolio(report: Report, *, top: int = TOP_N) -> Portfolio:
    """Summarise a batch for a PMO.

    Args:
        report: The scan of many documents.
        top: How many phrases and rules to list.

    Returns:
        Documents ranked by risk score (highest first; ties by path; failed documents last),
        the phrases and rules that fire in most documents / most often, the documents lacking
        each safeguard, and the same gaps per folder.
    """
    documents = list(report.documents)
    ok = [d for d in documents if d.status == "ok"]
    rows = _rows(documents)
    gaps = tuple(
        SafeguardGap(check_id=c, missing_in=tuple(r.path for r in rows if c in r.missing))
        for c in TYPES_BY_CATEGORY["missing"]
    )
    return Portfolio(
        rows=tuple(rows),
        phrases=tuple(_tally(ok, _phrase_key, top, spread_first=True)),
        rules=tuple(_tally(ok, _rule_key, top, spread_first=False)),
        gaps=gaps,
        folders=tuple(_folders(rows)),
    )


PORTFOLIO_COLUMNS: tuple[str, ...] = (
    "rank",
    "path",
    "folder",
    "status",
    "risk_score",
    "findings",
    *(f"{c}_count" for c in CATEGORIES),
    *TYPES_BY_CATEGORY["missing"],
    "top_driver",
    "error",
)
"""Columns of the portfolio CSV; the five `missing_*` columns are "yes" when lacking."""


def to_portfolio_csv(portfolio: Portfolio) -> str:
    """The per-document portfolio table as CSV (header first, formula-injection safe).

    Args:
        portfolio: From `build_portfolio`.

    Returns:
        CSV text, one row per document in rank order.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(PORTFOLIO_COLUMNS)
    for row in portfolio.rows:
        ok = row.status == "ok"
        cells: list[object] = [
            row.rank,
            row.path,
            row.folder,
            row.status,
            row.risk_score,
            row.findings,
            *(n for _, n in row.by_category),
            *(("yes" if c in row.missing else "no") if ok else "" for c in portfolio.check_ids),
            row.top_driver,
            row.error,
        ]
        writer.writerow([csv_safe(v) for v in cells])
    return buffer.getvalue()


def batch_table(
    reports: Sequence[DocumentReport], reviewed: dict[str, tuple[int, int]] | None = None
) -> list[dict[str, Any]]:
    """The review app's batch table: one plain row per document, ranked like the portfolio.

    Args:
        reports: The documents (`path` is what the row shows, as a file name).
        reviewed: Per sha256, (findings with a decision that counts, findings): shown as
            "3 of 12".

    Returns:
        Rows (dicts for a dataframe) with the file name, kind, pages, status, error, review
        progress, risk score, a count for every category, the missing safeguards in words
        and the sha256 (to open the document).
    """
    by_path = {r.path: r for r in reports}
    rows = []
    for ranked in build_portfolio(Report(tool=ToolInfo(), documents=list(reports))).rows:
        report = by_path[ranked.path]
        counts = dict(ranked.by_category)
        done, total = (reviewed or {}).get(report.sha256 or "", (0, len(report.findings)))
        row: dict[str, Any] = {
            "document": PurePath(ranked.path.replace("\\", "/")).name or ranked.path,
            "kind": report.kind or "",
            "pages": "" if report.pages is None else str(report.pages),
            "status": ranked.status,
            "error": ranked.error or "",
            "reviewed": f"{done} of {total}" if ranked.status == "ok" else "",
            "risk_score": ranked.risk_score,
        }
        for category in CATEGORIES:
            if category != "missing":
                row[category] = counts.get(category, 0)
        row["missing_safeguards"] = ", ".join(check_label(m) for m in ranked.missing)
        row["sha256"] = report.sha256 or ""
        rows.append(row)
    return rows
