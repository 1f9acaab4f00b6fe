"""Team use of the review app in a real browser: sign-in, project access, attribution, lock-out.

One SQLite store is set up before the app starts (DESIGN.md "Team use: users, projects,
sign-in"): alice (admin), bob (reviewer on project Alpha) and eve (reviewer on project Beta),
with one small text document filed under each project. One `streamlit run` of the packaged app
and one chromium serve every test; each user gets a fresh browser context (a new Streamlit
session). Skipped when chromium or playwright is missing, except under CI=true.
"""

from __future__ import annotations

import json
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from app_helpers import _free_port, running_app
from browser_support import CHROMIUM, CHROMIUM_ARGS, require_browser

from analyzer.analyze import Analyzer
from analyzer.review import ReviewService
from analyzer.review.team import NOT_FOUND, WRONG_CREDENTIALS, Principal, hash_password
from analyzer.store import Store

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

PASSWORDS = {"alice": "alice-pass-123", "bob": "bob-pass-1234", "eve": "eve-pass-12345"}
ROLES = {"alice": "admin", "bob": "reviewer", "eve": "reviewer"}
GRANTS = {"bob": "Alpha", "eve": "Beta"}

ALPHA_NAME = "alpha-orion-sow.txt"
ALPHA_TEXT = (
    "The Vendor shall deliver the Orion platform by 1 March 2027. "
    "Support will be provided as needed, including but not limited to upgrades.\n"
)
BETA_NAME = "beta-zephyr-sow.txt"
BETA_TEXT = (
    "The Supplier shall migrate the Zephyr archive by 30 June 2027. "
    "Training will be offered as needed, including but not limited to workshops.\n"
)
ALPHA_MARK = "Orion"
"""A word only the Alpha document holds."""
BETA_MARK = "Zephyr"
"""A word only the Beta document holds."""

STARTUP_MS = 90_000
"""First page of a fresh app: Streamlit starts the script and loads the pipeline."""
STEP_MS = 30_000


@dataclass(frozen=True)
class TeamApp:
    """The running app and what the store holds."""

    url: str
    db_url: str
    db_file: Path
    log_file: Path
    alpha: str
    beta: str


def _set_up_store(db_file: Path) -> tuple[str, str]:
    """Users, projects, grants and one document per project; returns (alpha, beta) sha256."""
    with Store.open(f"sqlite:///{db_file}") as store:
        for name, role in ROLES.items():
            store.add_user(name, role, hash_password(PASSWORDS[name]))
        for project in ("Alpha", "Beta"):
            store.add_project(project, "setup")
        for name, project in GRANTS.items():
            store.grant(project, name, "setup")
        setup = Principal("setup", "admin", None, team=False)
        service = ReviewService(store, Analyzer(mode="rules")).for_user(setup)
        alpha = service.open_bytes(ALPHA_TEXT.encode(), ALPHA_NAME, "Alpha")
        beta = service.open_bytes(BETA_TEXT.encode(), BETA_NAME, "Beta")
        assert alpha.ok and beta.ok
        assert alpha.report.findings, "the Alpha document needs a finding to decide on"
        return alpha.sha256, beta.sha256


@pytest.fixture(scope="module")
def team_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TeamApp]:
    """The app on a free port, over a team store set up before it started."""
    require_browser()
    folder = tmp_path_factory.mktemp("team-app")
    db_file = folder / "team.db"
    alpha, beta = _set_up_store(db_file)
    log_file = folder / "streamlit.log"
    with running_app(db_file, log_file) as url:
        yield TeamApp(url, f"sqlite:///{db_file}", db_file, log_file, alpha, beta)


@pytest.fixture(scope="module")
def browser(team_app: TeamApp) -> Iterator[Browser]:
    """One chromium for every test of the module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def fresh_page(browser: Browser, app: TeamApp, name: str) -> Iterator[Page]:
    """A page in a new browser context (its own Streamlit session); on failure a screenshot
    and the server log go to test-artifacts/."""
    context = browser.new_context(viewport={"width": 1500, "height": 1300}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    try:
        yield page
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        with suppress(Exception):  # the original failure matters, not this one
            page.screenshot(path=str(ARTIFACTS / f"team-{name}.png"), full_page=True)
        shutil.copyfile(app.log_file, ARTIFACTS / "team-streamlit.log")
        raise
    finally:
        context.close()


def _field(page: Page, label: str) -> Locator:
    """A text input of the page by its label (not the password field's "Show password")."""
    return page.get_by_role("textbox", name=label, exact=True)


def _open(page: Page, url: str) -> None:
    """Load a URL and wait for the sign-in form (the first thing every signed-out page shows)."""
    page.goto(url, wait_until="domcontentloaded")
    _field(page, "Username").wait_for(timeout=STARTUP_MS)


def _submit(page: Page, username: str, password: str) -> None:
    """Fill in the sign-in form and press "Sign in"."""
    _field(page, "Username").fill(username)
    _field(page, "Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _sign_in(page: Page, url: str, username: str) -> None:
    """Open `url`, sign in with the right password and wait until the app is past the gate."""
    _open(page, url)
    _submit(page, username, PASSWORDS[username])
    page.get_by_text(f"Signed in as {username}").wait_for(timeout=STARTUP_MS)


def _doc_url(app: TeamApp, sha256: str) -> str:
    return f"{app.url}/?doc={sha256}"


def _everything(page: Page) -> str:
    """The page's visible text and its HTML (sidebar, hidden options and attributes too)."""
    return page.inner_text("body") + "\n" + page.content()


def _failures(db_file: Path, username: str) -> int:
    """Failed sign-ins counted for `username` (a lock stands for the five it consumed)."""
    with sqlite3.connect(db_file) as db:
        counted = db.execute(
            "SELECT COUNT(*) FROM sign_in_failures WHERE username = ?", (username,)
        ).fetchone()[0]
        locked = db.execute(
            "SELECT COUNT(*) FROM sign_in_locks WHERE username = ?", (username,)
        ).fetchone()[0]
    return int(counted) + 5 * int(locked)


def _wait_for(check: Any, what: str, timeout: float = STEP_MS / 1000) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _confirmed_by(app: TeamApp) -> list[str]:
    """Who recorded each "confirm" on the Alpha document, read from the store."""
    with Store.open(app.db_url) as store:
        return [a.reviewer for a in store.annotations(app.alpha) if a.decision == "confirm"]


# -- 1. signed out -------------------------------------------------------------------------------


def test_signed_out_link_shows_only_the_sign_in_form(team_app: TeamApp, browser: Browser) -> None:
    with fresh_page(browser, team_app, "signed-out") as page:
        _open(page, _doc_url(team_app, team_app.alpha))
        assert _field(page, "Username").is_visible()
        assert _field(page, "Password").is_visible()
        assert _field(page, "Password").get_attribute("type") == "password"
        assert page.get_by_role("button", name="Sign in").is_visible()
        page.wait_for_timeout(1_000)  # anything drawn after the form would show up by now
        shown = _everything(page)
        for secret in (ALPHA_NAME, ALPHA_MARK, "Support will be provided", BETA_NAME, BETA_MARK):
            assert secret not in shown
        assert page.get_by_role("button", name="Sign out").count() == 0
        assert page.get_by_test_id("stSidebarNav").count() == 0
        assert page.get_by_test_id("stFileUploader").count() == 0


# -- 2. wrong credentials ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "password"),
    [("bob", "not-bobs-password"), ("mallory", "whatever-1234")],
    ids=["wrong-password", "unknown-user"],
)
def test_wrong_credentials_get_one_message(
    team_app: TeamApp, browser: Browser, username: str, password: str
) -> None:
    with fresh_page(browser, team_app, f"wrong-{username}") as page:
        _open(page, _doc_url(team_app, team_app.alpha))
        _submit(page, username, password)
        page.get_by_text(WRONG_CREDENTIALS, exact=True).wait_for()
        assert page.get_by_text("Signed in as").count() == 0
        assert _field(page, "Password").is_visible()
        shown = _everything(page)
        assert ALPHA_NAME not in shown
        assert ALPHA_MARK not in shown


# -- 3. project access ---------------------------------------------------------------------------


def test_reviewer_sees_only_granted_projects(team_app: TeamApp, browser: Browser) -> None:
    with fresh_page(browser, team_app, "access") as page:
        _sign_in(page, _doc_url(team_app, team_app.alpha), "bob")
        page.get_by_text(ALPHA_MARK).first.wait_for()
        shown = _everything(page)
        assert ALPHA_NAME in shown
        assert BETA_NAME not in shown
        assert BETA_MARK not in shown

        # The other project's document, and one that does not exist, answer the same.
        for sha in (team_app.beta, secrets.token_hex(32)):
            _sign_in(page, _doc_url(team_app, sha), "bob")  # a reload is a new session
            page.get_by_text(NOT_FOUND, exact=True).wait_for()
            page.wait_for_timeout(500)
            shown = _everything(page)
            assert BETA_NAME not in shown
            assert BETA_MARK not in shown
            assert "Training will be offered" not in shown
            assert page.get_by_role("button", name="✔ Confirm").count() == 0


# -- 4. attribution ------------------------------------------------------------------------------


def test_decision_carries_the_signed_in_username(team_app: TeamApp, browser: Browser) -> None:
    with fresh_page(browser, team_app, "decision") as page:
        _sign_in(page, _doc_url(team_app, team_app.alpha), "bob")
        confirm = page.get_by_role("button", name="✔ Confirm")
        confirm.wait_for(timeout=STARTUP_MS)
        # The URL carries the place: the document and the selected finding.
        page.wait_for_url(lambda u: "finding=" in u)
        assert f"doc={team_app.alpha}" in page.url
        # Signed in, there is no free-text reviewer name to type.
        assert page.get_by_label("Reviewer name").count() == 0
        assert confirm.is_enabled()
        confirm.click()
        page.get_by_text("Confirm recorded for").wait_for()
        # The shortcut records a decision too (on the next finding, or again on the only one).
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.keyboard.press("y")
        _wait_for(lambda: len(_confirmed_by(team_app)) == 2, "the Y shortcut to record a decision")
        page.wait_for_timeout(1_000)  # the rerun after the decision redraws the download

        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download this document's annotations (JSONL)").click()
        path = download_info.value.path()
        records = [json.loads(line) for line in Path(path).read_text().splitlines() if line]
        confirmed = [r for r in records if r["decision"] == "confirm"]
        assert confirmed, records
        assert [r["reviewer"] for r in confirmed] == ["bob", "bob"]
        assert {r["document_sha256"] for r in records} == {team_app.alpha}

    assert _confirmed_by(team_app) == ["bob", "bob"]


# -- 5. lock-out ---------------------------------------------------------------------------------


def test_five_failures_lock_the_username(team_app: TeamApp, browser: Browser) -> None:
    with fresh_page(browser, team_app, "lock-out") as page:
        _open(page, team_app.url)
        for attempt in range(1, 6):
            _submit(page, "eve", f"wrong-password-{attempt}")
            _wait_for(
                lambda n=attempt: _failures(team_app.db_file, "eve") >= n,
                f"failed sign-in {attempt} of eve to be counted",
            )
        page.get_by_text(WRONG_CREDENTIALS, exact=True).wait_for()

        _submit(page, "eve", PASSWORDS["eve"])
        page.get_by_text("Too many failed sign-ins for this username:").wait_for()
        page.wait_for_timeout(500)
        assert page.get_by_text("Signed in as").count() == 0
        assert _field(page, "Password").is_visible()
        shown = _everything(page)
        assert BETA_NAME not in shown
        assert BETA_MARK not in shown


# -- 6. no users: loopback only ------------------------------------------------------------------


def test_review_refuses_a_public_address_without_users(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "analyzer",
            "review",
            "--address",
            "0.0.0.0",
            "--db",
            f"sqlite:///{empty}",
            "--port",
            str(_free_port()),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("scopelens: ")
