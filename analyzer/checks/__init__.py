"""Document-level checks: which safeguards (exclusions, assumptions, acceptance, change
control, estimate basis) a document has, and a "missing" finding for each one it lacks.

Check definitions are data (`checks.json`); `run_checks` is the one entry point.
"""

from __future__ import annotations

from analyzer.checks.definitions import CheckConfig, CheckDef, load_checks
from analyzer.checks.safeguards import find_cues, find_sections, normalise_heading, run_checks

CHECK_IDS: tuple[str, ...] = (
    "missing_exclusions",
    "missing_assumptions",
    "missing_acceptance",
    "missing_change_control",
    "missing_estimate_basis",
)

__all__ = [
    "CHECK_IDS",
    "CheckConfig",
    "CheckDef",
    "find_cues",
    "find_sections",
    "load_checks",
    "normalise_heading",
    "run_checks",
]
