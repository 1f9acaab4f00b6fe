"""The review workspace in a real browser: links, keys, reload, clicks, reasons, themes.

Issue #16's must-show (DESIGN.md "Review app: links, state, themes"): two real documents from
examples/ are uploaded through the page; the reviewer moves between them by link
(`?doc=<sha256>`) and by key (J), reloads and lands on the same finding; a click on a highlight
selects its finding; X without a reason key records no reason, and a reason key still counts
when the viewer is redrawn while X waits; in the light and the dark theme the document text,
its highlights and the finding card keep a contrast of at least 4.5:1.

Single-user mode (no users in the store): no sign-in, the reviewer name is typed in the
sidebar. One `streamlit run` of the packaged app (light theme) and one chromium serve the
tests; the dark-theme test starts a second app with `--theme.base dark` on the same SQLite
file. Each test opens a fresh browser context (a new Streamlit session). With
SCOPELENS_SCREENSHOTS=1 the light and dark tests also save the README screenshots
docs/screenshots/workspace-light.png and workspace-dark.png (1440×900). Skipped when chromium
or playwright is missing, except under CI=true.
"""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

import pytest
from app_helpers import running_app
from browser_support import CHROMIUM, CHROMIUM_ARGS, require_browser

from analyzer.store import Store
from analyzer.types import Annotation

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ROOT / "docs" / "screenshots"
EXAMPLES = ROOT / "examples"

VIEWPORT = {"width": 1440, "height": 900}
"""A laptop screen: the README screenshots are taken at this size too."""
STARTUP_MS = 90_000
"""First page of a fresh app: Streamlit starts the script and loads the pipeline."""
STEP_MS = 30_000
MIN_CONTRAST = 4.5
"""WCAG AA for normal text."""
REVIEWER = "w.tester"


def _dismiss_reasons() -> tuple[str, ...]:
    """`DISMISS_REASONS` of the review page, read from its source: importing the page would
    run it."""
    source = (ROOT / "analyzer" / "app" / "views" / "review.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "DISMISS_REASONS" for t in node.targets
        ):
            return tuple(ast.literal_eval(node.value))
    raise AssertionError("DISMISS_REASONS not found in the review page")


DISMISS_REASONS = _dismiss_reasons()
"""The reasons the viewer numbers 1…6 for the keys after X."""

EXCEPTION = '[data-testid="stException"]'
"""Streamlit's exception box (a traceback shown on the page)."""


@dataclass(frozen=True)
class Doc:
    """An uploaded example document and its findings in the order the page lists them."""

    path: Path
    sha256: str
    order: tuple[str, ...]
    """Finding ids as listed (no filters): J and K move along this order."""
    spans: frozenset[str]
    """Findings with a span in the text (they get a highlight; the others are document-wide)."""

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class Workspace:
    """The running light-theme app and the two documents uploaded through its page."""

    url: str
    db_url: str
    db_file: Path
    log_file: Path
    md: Doc
    docx: Doc
    after_upload: Page
    """The page the documents were uploaded on, as the upload left it."""
    upload_errors: list[str]


# -- page helpers --------------------------------------------------------------------------------


@contextmanager
def fresh_page(browser: Browser, log_file: Path, name: str) -> Iterator[Page]:
    """A page in a new browser context (its own Streamlit session) at laptop size.

    Uncaught JavaScript errors fail the test; on failure a screenshot and the server log go to
    test-artifacts/.
    """
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
        assert errors == [], f"JavaScript errors on the page: {errors}"
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        with suppress(Exception):  # the original failure matters, not this one
            page.screenshot(path=str(ARTIFACTS / f"workspace-{name}.png"), full_page=True)
        shutil.copyfile(log_file, ARTIFACTS / f"workspace-{name}-streamlit.log")
        raise
    finally:
        context.close()


def _param(url: str, name: str) -> str | None:
    values = parse_qs(urlparse(url).query).get(name)
    return values[0] if values else None


def _open(page: Page, url: str) -> None:
    """Load a URL and wait until the document viewer shows highlights (or fail at once on an
    exception box)."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(f".sl-paper mark.hl, {EXCEPTION}", timeout=STARTUP_MS)
    _assert_no_exception(page)


def _assert_no_exception(page: Page) -> None:
    """No Streamlit exception box and no Python traceback anywhere on the page."""
    assert page.locator(EXCEPTION).count() == 0
    assert "Traceback" not in page.inner_text("body")
    assert "Traceback (most recent call last)" not in page.content()


def _summary(page: Page) -> str:
    """The text of the summary panel (the open document's name, score and counts)."""
    panel = page.locator("[data-testid='stHtml']").filter(has_text="Risk score").first
    return panel.inner_text()


def _keys_to_page(page: Page) -> None:
    """Take focus out of any input, so the viewer's keys reach it (as after a click on the
    page background)."""
    page.evaluate("document.activeElement && document.activeElement.blur()")


def _wait_for_selected(page: Page, finding_id: str) -> None:
    """Wait until the viewer marks `finding_id` as the selected finding (`mark.sel`)."""
    page.wait_for_function(
        """id => [...document.querySelectorAll('.sl-paper mark.sel')]
                 .some(m => m.dataset.ids.split(' ').includes(id))""",
        arg=finding_id,
    )


def _selected_in_view(page: Page) -> bool:
    """The first selected mark lies inside the visible part of the paper's scroll box."""
    return bool(
        page.evaluate(
            """() => {
                const paper = document.querySelector('.sl-paper');
                const mark = paper && paper.querySelector('mark.sel');
                if (!mark) return false;
                const box = paper.getBoundingClientRect();
                const at = mark.getBoundingClientRect();
                return at.top >= box.top - 1 && at.bottom <= box.bottom + 1;
            }"""
        )
    )


def _wait_for_finding(page: Page, wanted: str | Collection[str]) -> str:
    """Wait until the URL's `finding` parameter is `wanted` (one id, or one of a collection of
    ids); return it."""
    allowed = {wanted} if isinstance(wanted, str) else set(wanted)
    page.wait_for_url(lambda url: _param(url, "finding") in allowed)
    found = _param(page.url, "finding")
    assert found is not None
    return found


def _after(doc: Doc, finding_id: str, step: int = 1) -> str:
    """The finding J (step 1) or K (step -1) moves to from `finding_id`."""
    return doc.order[(doc.order.index(finding_id) + step) % len(doc.order)]


def _j_to_a_highlight(page: Page, doc: Doc, steps: int = 1) -> str:
    """Press J `steps` times, then on until the selected finding has a highlight; return it."""
    current = _param(page.url, "finding")
    for step in range(steps + len(doc.order)):
        if step >= steps and current in doc.spans:
            _wait_for_selected(page, current)
            return current
        page.keyboard.press("j")
        current = _wait_for_finding(page, _after(doc, str(current)))
    raise AssertionError(f"no finding of {doc.name} has a highlight")


def _confirm_state(page: Page) -> str:
    """Whether the Confirm button is "enabled" or "disabled", once the page shows one ("" while
    a rerun still shows the old button beside the new one)."""
    buttons = page.get_by_role("button", name="✔ Confirm")
    if buttons.count() != 1:
        return ""
    with suppress(Exception):  # redrawn between the count and the check
        return "enabled" if buttons.is_enabled(timeout=1_000) else "disabled"
    return ""


def _redrawn(page: Page, within_ms: int) -> bool:
    """Whether the viewer's paper was replaced (it lost the `data-probe` set on it) in time."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "() => !document.querySelector('.sl-paper[data-probe]')", timeout=within_ms
        )
    except PlaywrightTimeout:
        return False
    return True


def _type_reviewer(page: Page, name: str = REVIEWER) -> None:
    """Type the reviewer name in the sidebar, wait until deciding is possible, give the keys
    back to the page."""
    field = page.get_by_role("textbox", name="Reviewer name", exact=True)
    field.fill(name)
    field.press("Enter")
    _wait_until(
        lambda: _confirm_state(page) == "enabled",
        "the Confirm button to be enabled once the reviewer name is set",
    )
    _keys_to_page(page)


def _wait_until(check: Callable[[], Any], what: str, timeout: float = STEP_MS / 1000) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _annotations(app: Workspace, sha256: str) -> list[Annotation]:
    with Store.open(app.db_url) as store:
        return store.annotations(sha256)


def _new_annotations(app: Workspace, sha256: str, before: int, count: int) -> list[Annotation]:
    """Wait until the document has `count` annotations more than `before`; return them."""
    return list(
        _wait_until(
            lambda: (found := _annotations(app, sha256)[before:]) and len(found) >= count and found,
            f"{count} new annotation(s) on {sha256[:8]}",
        )
    )


def _screenshot(page: Page, name: str) -> None:
    """Save a README screenshot of the workspace (only with SCOPELENS_SCREENSHOTS=1): the
    findings caption at the top, the document and the selected finding's card below it."""
    if os.environ.get("SCOPELENS_SCREENSHOTS") != "1":
        return
    page.get_by_text("findings shown").first.evaluate(
        # Clear of Streamlit's header bar, which overlays the top of the page.
        "e => { e.style.scrollMarginTop = '64px';"
        " e.scrollIntoView({block: 'start', behavior: 'instant'}); }"
    )
    page.wait_for_timeout(800)  # let the highlights and the data grid paint
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


CONTRAST_JS = """
(selector) => {
  const parse = (c) => {
    const m = /rgba?\\(([^)]*)\\)/.exec(c || '');
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) =>
    [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  // The effective background: layers walked up to the first opaque one, composited.
  const backgroundOf = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    for (const layer of layers.reverse()) bg = over(layer, bg);
    return bg;
  };
  const lum = (rgb) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(rgb[0]) + 0.7152 * f(rgb[1]) + 0.0722 * f(rgb[2]);
  };
  const ratio = (a, b) => {
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const ownText = (el) => [...el.childNodes]
    .filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim();
  return [...document.querySelectorAll(selector)]
    .filter((el) => ownText(el) && el.getClientRects().length)
    .map((el) => {
      const style = getComputedStyle(el);
      const fg = parse(style.color);
      const bg = backgroundOf(el);
      return {
        text: ownText(el).slice(0, 40),
        cls: String(el.className),
        color: style.color,
        background: 'rgb(' + bg.slice(0, 3).map(Math.round).join(', ') + ')',
        ratio: fg ? ratio(over(fg, bg), bg) : 0,
      };
    });
}
"""
"""Contrast (WCAG 2) of every visible element matching the selector that holds text of its
own: its `color` over its effective background (its own or its nearest ancestors', walked up
to the first opaque one)."""


def _contrasts(page: Page, selector: str) -> list[dict[str, Any]]:
    measured = page.evaluate(CONTRAST_JS, selector)
    assert measured, f"no visible text matches {selector!r}"
    return list(measured)


def _low_contrast(page: Page, selector: str) -> list[dict[str, Any]]:
    return [m for m in _contrasts(page, selector) if m["ratio"] < MIN_CONTRAST]


def _check_document_contrast(page: Page) -> None:
    """The paper's text, every highlight (fill, underline, dismissed), the legend, the X
    prompt and the app's own HTML beside them (summary panel, category chips, the finding card
    and its passage) all keep at least 4.5:1."""
    page.wait_for_selector(".sl-paper mark.sel")
    page.wait_for_selector(".sl-passage mark")
    for selector in (
        ".sl-paper *",
        ".sl-legend, .sl-legend *",
        ".sl-passage, .sl-passage *",
        "[data-testid='stHtml'] *",
    ):
        assert _low_contrast(page, selector) == [], selector
    marks = _contrasts(page, ".sl-paper mark.hl")
    assert len(marks) >= 5
    filled = [m for m in marks if m["background"] != "rgb(255, 255, 255)"]
    assert filled, "some highlights should carry a fill colour"
    # The help prompt (the same box as X's reason prompt) is readable too.
    _keys_to_page(page)
    page.keyboard.press("?")
    page.wait_for_selector(".sl-prompt")
    assert _low_contrast(page, ".sl-prompt") == []
    page.keyboard.press("?")
    page.wait_for_selector(".sl-prompt", state="detached")


# -- fixtures ------------------------------------------------------------------------------------


def _doc(db_url: str, path: Path) -> Doc:
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    with Store.open(db_url) as store:
        report = store.latest_analysis(sha)
    assert report is not None, f"{path.name} was not analysed"
    order = tuple(f.id for f in report.findings)
    spans = frozenset(f.id for f in report.findings if f.start is not None)
    return Doc(path, sha, order, spans)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One chromium for every test of the module."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def workspace(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The light-theme app with both example documents uploaded through its page."""
    folder = tmp_path_factory.mktemp("workspace")
    db_file = folder / "workspace.db"
    log_file = folder / "streamlit.log"
    md_path = EXAMPLES / "acme-portal-proposal.md"
    docx_path = EXAMPLES / "servicedesk-proposal.docx"
    with running_app(db_file, log_file) as url, fresh_page(browser, log_file, "upload") as page:
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url, wait_until="domcontentloaded")
        uploader = page.locator("input[type=file]")
        uploader.wait_for(state="attached", timeout=STARTUP_MS)
        assert uploader.get_attribute("multiple") is not None
        uploader.set_input_files([str(md_path), str(docx_path)])
        for path in (md_path, docx_path):
            page.get_by_text(f"{path.name}: analysed").wait_for(timeout=STARTUP_MS)
        page.wait_for_selector(".sl-paper mark.hl")
        db_url = f"sqlite:///{db_file}"
        yield Workspace(
            url,
            db_url,
            db_file,
            log_file,
            _doc(db_url, md_path),
            _doc(db_url, docx_path),
            page,
            errors,
        )


@dataclass(frozen=True)
class DarkApp:
    """A second app in the dark theme, on the same store."""

    url: str
    log_file: Path


@pytest.fixture(scope="module")
def dark_app(workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DarkApp]:
    """A second app in the dark theme, on the same store."""
    log_file = tmp_path_factory.mktemp("workspace-dark") / "streamlit.log"
    with running_app(workspace.db_file, log_file, ("--theme.base", "dark")) as url:
        yield DarkApp(url, log_file)


# -- 1. upload -----------------------------------------------------------------------------------


def test_upload_two_documents_shows_highlights_without_an_exception(
    workspace: Workspace,
) -> None:
    page = workspace.after_upload
    assert page.locator(".sl-paper mark.hl").count() >= 5
    _assert_no_exception(page)
    assert workspace.upload_errors == []
    for doc in (workspace.md, workspace.docx):
        count = len(doc.order)
        assert count > 0
        page.get_by_text(f"{doc.name}: analysed ({count} findings)").wait_for()
    # The last upload is open, and the URL says so.
    assert _param(page.url, "doc") == workspace.docx.sha256
    assert _param(page.url, "finding") in workspace.docx.order
    assert workspace.docx.name in _summary(page)
    assert workspace.md.name not in _summary(page)


def test_no_source_text_on_the_page(workspace: Workspace) -> None:
    # Streamlit's magic writes a bare string of a page script onto the page.
    assert "NO_REASON" not in workspace.after_upload.inner_text("body")


# -- 2. by link and by key -----------------------------------------------------------------------


def test_link_opens_the_other_document_and_j_moves_along_the_findings(
    workspace: Workspace, browser: Browser
) -> None:
    with fresh_page(browser, workspace.log_file, "link-and-keys") as page:
        for doc, other in ((workspace.md, workspace.docx), (workspace.docx, workspace.md)):
            _open(page, f"{workspace.url}/?doc={doc.sha256}")
            first = _wait_for_finding(page, doc.order)
            assert _param(page.url, "doc") == doc.sha256
            assert doc.name in _summary(page)
            assert other.name not in _summary(page)
            assert page.locator(".sl-paper mark.hl").count() >= 5
            _assert_no_exception(page)

        # Now on the DOCX: J steps to the next finding, exactly one at a time.
        doc = workspace.docx
        _keys_to_page(page)
        current = first
        for _ in range(4):
            page.keyboard.press("j")
            current = _wait_for_finding(page, _after(doc, current))
            assert _param(page.url, "doc") == doc.sha256
            if current in doc.spans:
                _wait_for_selected(page, current)
                _wait_until(
                    lambda: _selected_in_view(page), "the selected mark to scroll into view"
                )
        # K goes back.
        page.keyboard.press("k")
        _wait_for_finding(page, _after(doc, current, -1))
        _assert_no_exception(page)

        # ] and [ move between the documents by key; the address bar follows. (Read from the
        # page: Playwright's page.url misses Streamlit's history.replaceState here.)
        for key in ("]", "["):
            before = _location_doc(page)
            _keys_to_page(page)
            page.keyboard.press(key)
            other = workspace.md if before == workspace.docx.sha256 else workspace.docx
            _wait_until(lambda o=other: _location_doc(page) == o.sha256, f"{key} to switch")
            _wait_until(lambda o=other: o.name in _summary(page), "the summary to follow")
        _assert_no_exception(page)


def _location_doc(page: Page) -> str | None:
    """The `doc` query parameter of the address the page shows."""
    return _param(str(page.evaluate("window.location.href")), "doc")


# -- 3. reload -----------------------------------------------------------------------------------


def test_reload_lands_on_the_same_finding(workspace: Workspace, browser: Browser) -> None:
    doc = workspace.md
    with fresh_page(browser, workspace.log_file, "reload") as page:
        _open(page, f"{workspace.url}/?doc={doc.sha256}")
        _wait_for_finding(page, doc.order)
        _keys_to_page(page)
        target = _j_to_a_highlight(page, doc, steps=3)
        assert _param(page.url, "doc") == doc.sha256

        page.reload(wait_until="domcontentloaded")
        page.wait_for_selector(".sl-paper mark.hl", timeout=STARTUP_MS)
        _wait_for_selected(page, target)
        assert _param(page.url, "doc") == doc.sha256
        assert _param(page.url, "finding") == target
        assert page.locator(".sl-paper mark.sel").count() >= 1
        for ids in page.locator(".sl-paper mark.sel").evaluate_all(
            "marks => marks.map(m => m.dataset.ids)"
        ):
            assert target in ids.split()
        assert _selected_in_view(page)
        _assert_no_exception(page)

        # A reload is a new session: the name offered is the one used last in this store
        # (single-user mode), or nothing before the first decision.
        name = page.get_by_role("textbox", name="Reviewer name", exact=True).input_value()
        store_has_decisions = any(
            _annotations(workspace, d.sha256) for d in (workspace.md, workspace.docx)
        )
        assert name == (REVIEWER if store_has_decisions else "")
        before = len(_annotations(workspace, doc.sha256))
        if not name:
            _wait_until(lambda: _confirm_state(page) == "disabled", "a disabled Confirm button")
        _type_reviewer(page)
        page.keyboard.press("y")
        (confirmed,) = _new_annotations(workspace, doc.sha256, before, 1)
        assert (confirmed.finding_id, confirmed.decision) == (target, "confirm")
        assert confirmed.reviewer == REVIEWER
        page.wait_for_timeout(500)
        assert len(_annotations(workspace, doc.sha256)) == before + 1
        _assert_no_exception(page)


# -- 4. click ------------------------------------------------------------------------------------


def test_click_on_a_highlight_selects_its_finding(workspace: Workspace, browser: Browser) -> None:
    doc = workspace.docx
    with fresh_page(browser, workspace.log_file, "click") as page:
        _open(page, f"{workspace.url}/?doc={doc.sha256}")
        current = _wait_for_finding(page, doc.order)
        marks = page.locator(".sl-paper mark.hl")
        for index in (marks.count() - 1, marks.count() // 2):
            mark = marks.nth(index)
            ids = str(mark.get_attribute("data-ids")).split()
            assert ids
            mark.click()
            # A click on overlapping findings cycles through them.
            expected = ids[(ids.index(current) + 1) % len(ids)] if current in ids else ids[0]
            current = _wait_for_finding(page, expected)
            assert current in ids
            _wait_for_selected(page, current)
            assert "sel" in str(mark.get_attribute("class")).split()
            assert _param(page.url, "doc") == doc.sha256
        _assert_no_exception(page)


# -- 5. X with and without a reason key ----------------------------------------------------------


def test_x_without_a_reason_key_records_no_reason(workspace: Workspace, browser: Browser) -> None:
    doc = workspace.docx
    with fresh_page(browser, workspace.log_file, "dismiss") as page:
        _open(page, f"{workspace.url}/?doc={doc.sha256}")
        first = _wait_for_finding(page, doc.order)
        _type_reviewer(page)
        before = len(_annotations(workspace, doc.sha256))
        prompt = page.locator(".sl-prompt")

        # Esc cancels the prompt: nothing is recorded, and the next X opens a fresh prompt.
        page.keyboard.press("x")
        prompt.wait_for()
        assert "reason?" in prompt.inner_text()
        page.keyboard.press("Escape")
        prompt.wait_for(state="detached")
        page.keyboard.press("x")
        prompt.wait_for()
        # No reason key: after 2.5 s the dismissal is recorded without a reason.
        page.wait_for_timeout(3_200)
        assert prompt.count() == 0
        (dismissed,) = _new_annotations(workspace, doc.sha256, before, 1)
        assert (dismissed.finding_id, dismissed.decision) == (first, "dismiss")
        assert dismissed.reason is None
        assert dismissed.reviewer == REVIEWER

        # The page moves on to the next finding; X then 2 records the second reason.
        second = _wait_for_finding(page, _after(doc, first))
        _keys_to_page(page)
        page.keyboard.press("x")
        prompt.wait_for()
        page.keyboard.press("2")
        (with_reason,) = _new_annotations(workspace, doc.sha256, before + 1, 1)
        assert (with_reason.finding_id, with_reason.decision) == (second, "dismiss")
        assert with_reason.reason == DISMISS_REASONS[1]

        # Y, then X at once: the rerun after the confirmation redraws the viewer while X waits
        # for its reason key. The key still counts, and no stray timer records "no reason".
        _wait_for_finding(page, _after(doc, second))
        third = _j_to_a_highlight(page, doc, steps=0)  # a decision on it redraws the text
        page.evaluate("document.querySelector('.sl-paper').dataset.probe = 'before'")
        _keys_to_page(page)
        page.keyboard.press("y")
        page.keyboard.press("x")
        pressed = time.monotonic()
        assert _redrawn(page, within_ms=2_000), "the confirmation did not redraw the text"
        assert prompt.count() == 1, "the redraw dropped the pending reason prompt"
        page.keyboard.press("3")
        confirmed, dismissed_third = _new_annotations(workspace, doc.sha256, before + 2, 2)
        assert (confirmed.finding_id, confirmed.decision) == (third, "confirm")
        assert (dismissed_third.finding_id, dismissed_third.decision) == (
            _after(doc, third),
            "dismiss",
        )
        assert dismissed_third.reason == DISMISS_REASONS[2]
        # Past X's 2.5 s, and past any second handler of the keys: nothing more is recorded.
        page.wait_for_timeout(max(500, int((3.2 - (time.monotonic() - pressed)) * 1000)))
        assert len(_annotations(workspace, doc.sha256)) == before + 4
        _assert_no_exception(page)


# -- 6. contrast in the light and the dark theme -------------------------------------------------


def test_light_theme_keeps_document_text_readable(workspace: Workspace, browser: Browser) -> None:
    doc = workspace.md
    with fresh_page(browser, workspace.log_file, "light") as page:
        _open(page, f"{workspace.url}/?doc={doc.sha256}")
        _wait_for_finding(page, doc.order)
        _keys_to_page(page)
        _j_to_a_highlight(page, doc)
        _check_document_contrast(page)
        _assert_no_exception(page)
        _screenshot(page, "workspace-light.png")


def test_dark_theme_keeps_document_text_readable(
    workspace: Workspace, dark_app: DarkApp, browser: Browser
) -> None:
    doc = workspace.md
    with fresh_page(browser, dark_app.log_file, "dark") as page:
        _open(page, f"{dark_app.url}/?doc={doc.sha256}")
        # The app is dark indeed: light text on a dark page.
        body = page.evaluate(
            """() => {
                const app = document.querySelector('[data-testid="stApp"]');
                return getComputedStyle(app).backgroundColor;
            }"""
        )
        channels = [int(c) for c in body[body.index("(") + 1 : body.index(")")].split(",")[:3]]
        assert sum(channels) < 3 * 80, body
        _wait_for_finding(page, doc.order)
        _keys_to_page(page)
        _j_to_a_highlight(page, doc)
        _check_document_contrast(page)
        _assert_no_exception(page)
        _screenshot(page, "workspace-dark.png")


# -- 7. a text selection pre-fills "Add a missed finding" ----------------------------------------


def test_mouse_selection_fills_add_a_missed_finding(workspace: Workspace, browser: Browser) -> None:
    doc = workspace.md
    with fresh_page(browser, workspace.log_file, "selection") as page:
        _open(page, f"{workspace.url}/?doc={doc.sha256}")
        _wait_for_finding(page, doc.order)
        page.locator(".sl-paper").scroll_into_view_if_needed()
        # Three words on one line of plain text (outside any highlight), in view.
        found = page.evaluate(
            """() => {
                const paper = document.querySelector('.sl-paper');
                paper.scrollTop = 0;
                const box = paper.getBoundingClientRect();
                const walker = document.createTreeWalker(paper, NodeFilter.SHOW_TEXT);
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    if (node.parentElement.closest('mark, .sl-cut')) continue;
                    const match = /[A-Za-z]{4,} [A-Za-z]{2,} [A-Za-z]{4,}/.exec(node.textContent);
                    if (!match) continue;
                    const range = document.createRange();
                    range.setStart(node, match.index);
                    range.setEnd(node, match.index + match[0].length);
                    const rects = range.getClientRects();
                    if (rects.length !== 1) continue;
                    const r = rects[0];
                    const shown = r.top >= box.top && r.bottom <= Math.min(box.bottom, innerHeight);
                    if (!shown) continue;
                    return {text: match[0], x0: r.left, x1: r.right, y: (r.top + r.bottom) / 2};
                }
                return null;
            }"""
        )
        assert found, "no plain three-word phrase in view"
        page.mouse.move(found["x0"] + 1, found["y"])
        page.mouse.down()
        page.mouse.move((found["x0"] + found["x1"]) / 2, found["y"], steps=5)
        page.mouse.move(found["x1"] - 1, found["y"], steps=5)
        page.mouse.up()
        assert page.evaluate("String(window.getSelection())") == found["text"]

        page.get_by_text("Selected in the document:").wait_for()
        picked = page.locator(".sl-selection mark")
        picked.wait_for()
        assert picked.inner_text() == found["text"]
        # The button comes in the same run, drawn a moment after the text: wait for it.
        clear = page.get_by_role("button", name="Clear the selection")
        clear.wait_for(state="visible", timeout=STEP_MS)
        assert clear.is_visible()
        _assert_no_exception(page)
