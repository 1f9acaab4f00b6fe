"""The document viewer of the review page: a Streamlit custom component (components v2).

It shows the escaped HTML that `analyzer.review.document_html` builds and reports what the
reviewer does, as one trigger value `action`:

- `{"type": "select", "id": …}` — a click on a highlight;
- `{"type": "span", "start": …, "end": …}` — text selected with the mouse (document offsets,
  read from the `data-o` attribute of each piece), to add a finding the tool missed;
- `{"type": "key", "key": "j" | "k" | "n" | "[" | "]" | "y" | "x" | "r" | "u",
  "reason": n | None}` — the review keys ([ and ] move to the previous / next document),
  caught wherever focus is except in text fields. X waits 2.5 s for a reason key (1–6);
  Enter or no key records the dismissal without a reason. The wait survives a redraw of the
  viewer (the rerun after the previous decision).

The JavaScript only moves classes and scroll position and reads offsets: every string it puts
into the page comes from Python already escaped, or is a fixed string.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

import streamlit as st

from analyzer.report.review_html import viewer_css

_JS = (resources.files("analyzer.app") / "viewer.js").read_text(encoding="utf-8")

_VIEWER = st.components.v2.component(
    "scopelens_document_viewer", css=viewer_css(), js=_JS, isolate_styles=False
)


def document_viewer(
    html: str,
    legend: str,
    *,
    selected: str | None,
    version: str,
    reasons: Sequence[str],
    on_action: Callable[[], None],
    key: str = "doc_viewer",
) -> Any:
    """Mount the viewer.

    Args:
        html: The document body (`analyzer.review.document_html`), escaped.
        legend: The legend above it (fixed HTML).
        selected: The selected finding's id (outlined and scrolled into view).
        version: Changes whenever `html` changes (the viewer re-renders only then, so the
            reader's scroll position survives other reruns).
        reasons: The dismissal reasons, numbered 1… for the reason keys.
        on_action: Called (before the page reruns) when the reviewer clicks, selects or
            presses a key; read the action with `viewer_action`.
        key: Session key of the component.
    """
    return _VIEWER(
        key=key,
        data={
            "html": html,
            "legend": legend,
            "selected": selected or "",
            "version": version,
            "reasons": list(reasons),
        },
        on_action_change=on_action,
    )


def viewer_action(key: str = "doc_viewer") -> dict[str, Any] | None:
    """The action the viewer just reported (inside `on_action`), or None."""
    state = st.session_state.get(key)
    if state is None:
        return None
    value = state.get("action") if hasattr(state, "get") else getattr(state, "action", None)
    return value if isinstance(value, dict) else None
