"""Line shapes of scope documents (`analyzer.nlp.rules.lines`)."""

from __future__ import annotations

import pytest

from analyzer.nlp.rules.lines import is_subheading_fragment
from tests.nlp.test_detect import has_finding


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(a) SOFTWARE UPDATE SERVICE", True),
        ("Change Orders", True),
        ("Review and Acceptance", True),
        ("Update Assemblyscript FAQ", False),
        ("Public Beta 2", False),
        ("Automated testing", False),
        ("Software Update Service.", False),
    ],
)
def test_lines_is_subheading_fragment(text: str, expected: bool) -> None:
    assert is_subheading_fragment(text) is expected


def test_lines_a_long_crafted_staff_line_is_not_tried() -> None:
    # The staffing pattern's tail is quadratic on a long run of " ."; such lines are skipped.
    from analyzer.nlp.rules.lines import is_staff_line

    assert is_staff_line("Backend Developer (full-time)")  # list marker already stripped
    assert not is_staff_line("Lead Developer 50% " + " ." * 20_000 + "x")


def test_lines_a_promise_about_staff_is_not_a_staffing_line() -> None:
    from analyzer.nlp.rules.lines import is_staff_line

    assert not is_staff_line("Contractor will assign dedicated engineers (100%).")
    assert not has_finding("Contractor will assign dedicated engineers (100%).", "estimate")
