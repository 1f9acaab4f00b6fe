"""Team use in the app pages (AppTest): an admin signs in, sees the dispute between two
reviewers on the finding panel, adjudicates it, and the Projects & team page counts it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analyzer import review as rv
from analyzer.analyze import Analyzer
from analyzer.app import MAIN_SCRIPT
from analyzer.review.team import Principal, hash_password
from analyzer.store import Store

TEXT = (
    "Statement of Work\n\n"
    "The Vendor will deliver the portal by 1 March 2027.\n\n"
    "Support will be provided as needed.\n"
)
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """Each test starts and ends with empty Streamlit caches (and no cached store)."""
    from analyzer.app import shared

    st.cache_data.clear()
    shared._store.clear()
    shared._service.clear()
    yield
    shared._store.clear()
    shared._service.clear()
    st.cache_data.clear()


@pytest.fixture
def disputed(store: Store) -> tuple[str, str]:
    """A document of project Alpha on which reviewers bob and carol disagree: (sha, finding)."""
    for name, role in (("alice", "admin"), ("bob", "reviewer"), ("carol", "reviewer")):
        store.add_user(name, role, hash_password(PASSWORD))
    store.add_project("Alpha", "setup")
    store.grant("Alpha", "bob", "setup")
    store.grant("Alpha", "carol", "setup")
    service = rv.ReviewService(store, Analyzer(mode="rules"))
    setup = service.for_user(Principal("setup", "admin", None, team=False))
    opened = setup.open_bytes(TEXT.encode("utf-8"), "sow.txt", "Alpha")
    finding = next(f for f in opened.report.findings if f.text == "as needed")
    for name, decision in (("bob", "confirm"), ("carol", "dismiss")):
        user = Principal(name, "reviewer", frozenset({"Alpha"}))
        record = rv.make_decision(opened, finding, decision, name, tool=service.tool)
        service.for_user(user).record(record)
    return opened.sha256, finding.id


def _signed_in(username: str, sha: str) -> AppTest:
    at = AppTest.from_file(str(MAIN_SCRIPT), default_timeout=120)
    at.query_params["doc"] = sha
    at.run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    at.text_input(key="sign_in_username").input(username)
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button[0].click().run()  # the form's "Sign in"
    assert not at.exception, at.exception
    return at


def test_team_app_admin_adjudicates_a_dispute(disputed: tuple[str, str], store: Store) -> None:
    sha, fid = disputed
    at = _signed_in("alice", sha)
    assert at.session_state["doc_sha"] == sha  # ?doc= kept through sign-in
    at.session_state["sel"] = fid
    at.run()
    assert any("Reviewers disagree" in w.value for w in at.warning)
    ruling = at.selectbox(key=f"adj_{fid}")
    assert list(ruling.options) == ["confirm", "dismiss"]  # the reviewers' verdicts, in words
    ruling.set_value(("dismiss", None, None, None)).run()
    at.text_input(key=f"adj_comment_{fid}").input("vague: no level of support").run()
    at.button(key="btn_adjudicate").click().run()
    assert not at.exception
    (ruled,) = [a for a in store.annotations(sha) if a.adjudicated]
    assert (ruled.reviewer, ruled.decision, ruled.finding_id) == ("alice", "dismiss", fid)
    assert [a.decision for a in store.resolved_decisions(sha)] == ["dismiss"]

    at.session_state["sel"] = fid
    at.run()
    assert any("Adjudicated by alice" in s.value for s in at.success)
    at.switch_page("views/team.py").run()
    assert not at.exception
    progress = at.dataframe[0].value  # review progress, one row per project
    assert list(progress["project"]) == ["Alpha"]
    assert list(progress["disputed"]) == [0] and list(progress["reviewed"]) == [1]


def test_team_app_reviewer_sees_the_dispute_but_cannot_adjudicate(
    disputed: tuple[str, str],
) -> None:
    sha, fid = disputed
    at = _signed_in("bob", sha)
    at.session_state["sel"] = fid
    at.run()
    assert any("an admin adjudicates" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "btn_adjudicate"]
    assert not [t for t in at.sidebar.text_input if t.key == "reviewer"]  # no free-text name
    at.switch_page("views/team.py").run()
    disputes = at.dataframe[1].value  # after the progress table
    assert list(disputes["document"]) == ["sow.txt"]


def test_team_app_idle_session_signs_out(
    disputed: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime, timedelta

    from analyzer.app import shared
    from analyzer.review.team import IDLE_ENV, idle_timeout

    sha, _ = disputed
    monkeypatch.setenv(IDLE_ENV, "5")
    assert idle_timeout() == timedelta(minutes=5)
    at = _signed_in("bob", sha)
    assert at.session_state[shared.SIGNED_IN] == "bob"
    at.session_state[shared.LAST_SEEN] = datetime.now(UTC) - timedelta(minutes=6)
    at.run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]  # only the form again
    assert any("without activity" in i.value for i in at.info)
    monkeypatch.setenv(IDLE_ENV, "not a number")
    assert idle_timeout() == timedelta(minutes=30)
