"""One colour per finding category, used by every output that draws highlights.

HTML reports, the Streamlit app and any future renderer import this map so a category looks
the same everywhere.
"""

from __future__ import annotations

CATEGORY_COLOURS: dict[str, str] = {
    "ambiguity": "#ffe08a",
    "commitment": "#a8d8ff",
    "exclusion": "#c6f0c2",
    "assumption": "#e3d0ff",
    "estimate": "#ffd0b0",
    "missing": "#ffb3b3",
}
"""Background colour of each category (light enough for black text on top)."""

CATEGORY_LINE_COLOURS: dict[str, str] = {
    "ambiguity": "#b58100",
    "commitment": "#1565c0",
    "exclusion": "#2e7d32",
    "assumption": "#7b1fa2",
    "estimate": "#d84315",
    "missing": "#c62828",
}
"""Darker tone of each category for underlines and outlines (visible on white)."""

FALLBACK_COLOUR = "#e0e0e0"
"""Colour for a category not in the map (a future extension)."""

HIGHLIGHT_PRIORITY: tuple[str, ...] = (
    "commitment",
    "assumption",
    "exclusion",
    "estimate",
    "missing",
    "ambiguity",
)
"""Paint order where highlights overlap: later wins, so phrase-level ambiguity shows on top of
the sentence-level category around it."""


def colour_for(category: str) -> str:
    """The colour of `category`, or the fallback for an unknown one."""
    return CATEGORY_COLOURS.get(category, FALLBACK_COLOUR)
