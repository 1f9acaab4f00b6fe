"""No execution of document content: HTML and Markdown reports show hostile text as text.

A document (and its file name) carrying script tags, event-handler attributes and
`javascript:` links is scanned to HTML and to Markdown. Both outputs are parsed — the Markdown
after rendering it with a CommonMark renderer that allows raw HTML — and must contain no
element, attribute or link that a browser would run; the hostile strings must still be there,
as visible text.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from random import Random

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.report.html import FILTER_SCRIPT

PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
)
HOSTILE_TEXT = (
    "Scope of Work\n\n"
    f"The vendor will deliver {PAYLOADS[0]} as needed and provide full support.\n\n"
    f"The vendor will provide {PAYLOADS[1]} within a reasonable time, etc.\n\n"
    f"See {PAYLOADS[2]} for the complete solution, including but not limited to reports.\n\n"
    'The vendor guarantees <a href="javascript:alert(2)" onclick="alert(3)">zero defects</a>.\n'
)
FILE_NAMES = ("<b>bold proposal.txt", "<img src=x onerror=alert(4)>.md")
BROKEN_NAME = "<script>alert(5).pdf"
FORBIDDEN_TAGS = {"img", "iframe", "object", "embed", "b", "svg", "math", "base"}


class _Elements(HTMLParser):
    """Collects start tags with attributes, script bodies and visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def _assert_inert(html: str, *, own_script: str | None = None) -> _Elements:
    page = _parse(html)
    for tag, attrs in page.tags:
        if tag == "script":
            continue
        assert tag not in FORBIDDEN_TAGS, f"<{tag}> in the output"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler {name}= on <{tag}>"
            assert not (value or "").strip().lower().startswith(("javascript:", "data:text")), (
                f"{name}={value!r} on <{tag}>"
            )
    allowed = [own_script] if own_script is not None else []
    assert all(script in allowed for script in page.scripts), "a script from the document ran"
    assert not any("alert" in script for script in page.scripts)
    return page


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two hostile documents with hostile names, and one broken file with a hostile name."""
    folder = tmp_path_factory.mktemp("xss")
    for name in FILE_NAMES:
        (folder / name).write_text(HOSTILE_TEXT, encoding="utf-8")
    (folder / BROKEN_NAME).write_bytes(Random(3).randbytes(512))
    return folder


def _scan(folder: Path, fmt: str, out: Path) -> str:
    in_process = ["--jobs", "1", "--timeout", "0", "--no-cache", "--quiet"]
    result = CliRunner().invoke(
        app, ["scan", str(folder), "--format", fmt, "--out", str(out), *in_process]
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return out.read_text(encoding="utf-8")


def test_no_script_html_report(hostile_folder: Path, tmp_path: Path) -> None:
    html = _scan(hostile_folder, "html", tmp_path / "report.html")
    page = _assert_inert(html, own_script=FILTER_SCRIPT)
    visible = "".join(page.text)
    for payload in (*PAYLOADS, *FILE_NAMES, BROKEN_NAME):
        assert payload in visible, f"{payload!r} is not shown as text"
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_no_script_markdown_report(hostile_folder: Path, tmp_path: Path) -> None:
    markdown = _scan(hostile_folder, "md", tmp_path / "report.md")
    for raw in ("<script", "<img", "<b>", "<a "):
        assert raw not in markdown, f"raw {raw!r} in the Markdown"
    assert "\\[x\\](javascript:alert(1))" in markdown  # the brackets escaped: no link
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    page = _assert_inert(rendered)
    visible = "".join(page.text)
    for payload in (PAYLOADS[0], PAYLOADS[2], FILE_NAMES[0], BROKEN_NAME):
        assert payload in visible, f"{payload!r} is not shown as text"
