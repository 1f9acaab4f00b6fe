"""Team use in the review service: who sees and does what, disputes and adjudication, sign-in.

Access is decided by `ReviewService.for_user(principal)`, never by the pages: these tests call
the service as each role would, on a real SQLite store with documents analysed in rules mode.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from analyzer import review as rv
from analyzer.analyze import Analyzer
from analyzer.classify.train import load_annotation_examples
from analyzer.errors import AccessDenied
from analyzer.review.team import (
    SINGLE_USER,
    WRONG_CREDENTIALS,
    Principal,
    current_principal,
    hash_password,
    sign_in,
)
from analyzer.store import Store
from analyzer.types import Annotation, Finding, sha256_bytes

ALPHA_TEXT = (
    "The Vendor shall deliver the system by 1 March 2027. "
    "Support will be provided as needed. Response times will be reasonable.\n"
)
BETA_TEXT = (
    "The Supplier will migrate all customer data by 30 June 2027. "
    "Training will be provided where feasible.\n"
)
NEW_TEXT = "The Vendor will provide a user-friendly portal. Hosting is TBD.\n"
PASSWORD = "correct horse battery"
HASH = hash_password(PASSWORD)
T0 = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
MISSING_SHA = "0" * 64


class Team(NamedTuple):
    """A team store: Alpha and Beta, one analysed document in each."""

    store: Store
    service: rv.ReviewService
    alpha: rv.OpenedDocument
    beta: rv.OpenedDocument

    def acting(self, username: str) -> rv.ReviewService:
        """The service as `username` (read from the store, as on every request)."""
        principal = current_principal(self.store, username)
        assert principal is not None, username
        return self.service.for_user(principal)


@pytest.fixture(scope="module")
def rules() -> Analyzer:
    """A rules-only analyzer shared by the module."""
    return Analyzer(mode="rules")


@pytest.fixture
def team(store: Store, rules: Analyzer) -> Team:
    """admin; alice and bob (reviewers, Alpha); vera (viewer, Alpha); carol (reviewer, Beta)."""
    for name, role in [
        ("admin", "admin"),
        ("alice", "reviewer"),
        ("bob", "reviewer"),
        ("vera", "viewer"),
        ("carol", "reviewer"),
    ]:
        store.add_user(name, role, HASH)
    store.add_project("Alpha", "admin")
    store.add_project("Beta", "admin")
    for name in ("alice", "bob", "vera"):
        store.grant("Alpha", name, "admin")
    store.grant("Beta", "carol", "admin")
    service = rv.ReviewService(store, rules)
    admin = service.for_user(current_principal(store, "admin"))  # type: ignore[arg-type]
    alpha = admin.open_bytes(ALPHA_TEXT.encode(), "alpha.txt", "Alpha")
    beta = admin.open_bytes(BETA_TEXT.encode(), "beta.txt", "Beta")
    assert alpha.ok and beta.ok
    return Team(store, service, alpha, beta)


def finding(opened: rv.OpenedDocument, text: str) -> Finding:
    """The finding of `opened` whose text starts with `text`."""
    return next(f for f in opened.report.findings if (f.text or "").startswith(text))


def decide(
    service: rv.ReviewService,
    opened: rv.OpenedDocument,
    text: str,
    what: str,
    *,
    reviewer: str = "typed name",
    adjudicated: bool = False,
    **labels: str,
) -> Annotation:
    """A decision on the finding starting with `text`, as a page would build it."""
    annotation = rv.make_decision(
        opened, finding(opened, text), what, reviewer, tool=service.tool, **labels
    )
    return replace(annotation, adjudicated=adjudicated)


def not_found_message(exc: pytest.ExceptionInfo[AccessDenied], sha: str) -> str:
    """The refusal with the document's sha256 prefix masked."""
    return str(exc.value).replace(sha[:12], "<sha>")


# -- what a reviewer sees ----------------------------------------------------------------------


def test_team_reviewer_sees_only_granted_projects(team: Team) -> None:
    admin, alice = team.acting("admin"), team.acting("alice")
    admin.record(decide(admin, team.beta, "The Supplier", "confirm"))
    alice.record(decide(alice, team.alpha, "The Vendor", "confirm"))

    opened = alice.open_stored(team.alpha.sha256)
    assert opened is not None and opened.text == ALPHA_TEXT
    assert alice.open_stored(team.beta.sha256) is None
    assert alice.open_stored(MISSING_SHA) is None
    assert [d.sha256 for d in alice.documents()] == [team.alpha.sha256]
    assert [p.name for p in alice.projects()] == ["Alpha"]
    assert alice.document_projects(team.beta.sha256) == ()

    assert len(admin.decisions(team.beta.sha256)) == 1
    assert alice.decisions(team.beta.sha256) == []
    assert alice.history(team.beta.sha256) == []
    assert alice.resolved(team.beta.sha256) == []
    assert alice.export_jsonl(team.beta.sha256) == ""
    exported = [json.loads(line) for line in alice.export_jsonl().splitlines()]
    assert [r["document_sha256"] for r in exported] == [team.alpha.sha256]
    assert team.beta.sha256 not in alice.export_jsonl(current_only=True)
    assert team.beta.sha256 not in alice.export_jsonl(resolved=True)


def test_team_hidden_document_refused_like_a_missing_one(team: Team) -> None:
    alice = team.acting("alice")
    on_beta = decide(alice, team.beta, "The Supplier", "confirm")
    with pytest.raises(AccessDenied) as hidden:
        alice.record(on_beta)
    with pytest.raises(AccessDenied) as missing:
        alice.record(replace(on_beta, document_sha256=MISSING_SHA))
    assert "Not found" in str(hidden.value)
    assert not_found_message(hidden, team.beta.sha256) == not_found_message(missing, MISSING_SHA)
    assert team.store.annotations() == []
    with pytest.raises(ValueError, match="Not found"):
        alice.reanalyse(team.beta.sha256)
    assert alice.page_boxes(team.beta.sha256) is None
    assert alice.page_png(team.beta.sha256, 1) is None


def test_team_admin_sees_every_project(team: Team) -> None:
    admin = team.acting("admin")
    assert {d.sha256 for d in admin.documents()} == {team.alpha.sha256, team.beta.sha256}
    assert admin.open_stored(team.beta.sha256) is not None
    assert [p.name for p in admin.projects()] == ["Alpha", "Beta"]
    assert [u.username for u in admin.users()] == ["admin", "alice", "bob", "carol", "vera"]
    with pytest.raises(AccessDenied):
        team.acting("alice").users()


def test_team_revoked_grant_applies_on_the_next_request(team: Team) -> None:
    assert team.acting("alice").open_stored(team.alpha.sha256) is not None
    team.store.revoke("Alpha", "alice")
    assert team.acting("alice").open_stored(team.alpha.sha256) is None
    assert team.acting("alice").documents() == []


# -- what a viewer and a reviewer may do --------------------------------------------------------


def test_team_viewer_reads_but_cannot_record_or_upload(team: Team, tmp_path: Path) -> None:
    vera = team.acting("vera")
    assert vera.open_stored(team.alpha.sha256) is not None
    assert vera.upload_projects() == []
    with pytest.raises(AccessDenied, match="viewer"):
        vera.record(decide(vera, team.alpha, "The Vendor", "confirm"))
    with pytest.raises(AccessDenied):
        vera.open_bytes(NEW_TEXT.encode(), "new.txt", "Alpha")
    path = tmp_path / "new.txt"
    path.write_text(NEW_TEXT, encoding="utf-8")
    with pytest.raises(AccessDenied):
        vera.open_path(path, "Alpha")
    with pytest.raises(AccessDenied):
        vera.reanalyse(team.alpha.sha256)
    assert team.store.annotations() == []
    assert team.store.get_document(sha256_bytes(NEW_TEXT.encode())) is None


@pytest.mark.parametrize("project", [None, "Beta", "Gamma"])
def test_team_reviewer_upload_needs_a_granted_project(team: Team, project: str | None) -> None:
    alice = team.acting("alice")
    with pytest.raises(AccessDenied):
        alice.open_bytes(NEW_TEXT.encode(), "new.txt", project)
    assert team.store.get_document(sha256_bytes(NEW_TEXT.encode())) is None


def test_team_reviewer_upload_to_granted_project_is_filed(team: Team) -> None:
    alice = team.acting("alice")
    assert alice.upload_projects() == ["Alpha"]
    opened = alice.open_bytes(NEW_TEXT.encode(), "new.txt", "Alpha")
    assert opened.ok and not opened.cached
    assert team.store.document_projects(opened.sha256) == ("Alpha",)
    assert opened.sha256 in {d.sha256 for d in alice.documents()}
    assert team.acting("carol").open_stored(opened.sha256) is None


def test_team_record_carries_the_signed_in_username(team: Team) -> None:
    alice = team.acting("alice")
    alice.record(decide(alice, team.alpha, "The Vendor", "confirm", reviewer="mallory"))
    [stored] = team.store.annotations(team.alpha.sha256)
    assert stored.reviewer == "alice"
    [record] = [json.loads(line) for line in alice.export_jsonl().splitlines()]
    assert record["reviewer"] == "alice"


@pytest.mark.parametrize("username", ["alice", "vera"])
def test_team_non_admin_cannot_adjudicate(team: Team, username: str) -> None:
    service = team.acting(username)
    ruling = decide(service, team.alpha, "The Vendor", "dismiss", adjudicated=True)
    with pytest.raises(AccessDenied):
        service.record(ruling)
    assert team.store.annotations() == []
    admin = team.acting("admin")
    admin.record(ruling)
    [stored] = team.store.annotations()
    assert (stored.reviewer, stored.adjudicated) == ("admin", True)


# -- disputes, progress, adjudication ----------------------------------------------------------


def test_team_dispute_progress_and_adjudication(team: Team) -> None:
    admin, alice, bob = team.acting("admin"), team.acting("alice"), team.acting("bob")
    sha = team.alpha.sha256
    deadline = finding(team.alpha, "The Vendor")
    alice.record(decide(alice, team.alpha, "The Vendor", "confirm"))
    bob.record(decide(bob, team.alpha, "The Vendor", "dismiss", reason="not a deadline"))

    for service in (admin, alice):
        [dispute] = service.disputes()
        assert dispute.key[:2] == (sha, deadline.id)
        assert dispute.reviewers == ("alice", "bob")
    assert team.acting("carol").disputes() == []
    progress = {p.project: p for p in admin.progress()}
    alpha = progress["Alpha"]
    assert (alpha.documents, alpha.findings) == (1, len(team.alpha.report.findings))
    assert (alpha.reviewed, alpha.disputed) == (0, 1)
    assert alpha.by_reviewer == {"alice": 1, "bob": 1}
    assert (progress["Beta"].documents, progress["Beta"].disputed) == (1, 0)
    assert [p.project for p in alice.progress()] == ["Alpha"]

    view = rv.team_view(alice.decisions(sha), deadline)
    assert view is not None and view.disputed
    assert rv.ruling_options(view.decisions) == [
        ("confirm", None, None, None),
        ("dismiss", None, None, None),
    ]
    rows = rv.decision_rows(view.decisions)
    assert [(r["reviewer"], r["decision"], r["reason"]) for r in rows] == [
        ("alice", "confirm", ""),
        ("bob", "dismiss", "not a deadline"),
    ]
    assert alice.resolved(sha) == []

    admin.record(decide(admin, team.alpha, "The Vendor", "dismiss", adjudicated=True))
    assert admin.disputes() == []
    alpha = {p.project: p for p in admin.progress()}["Alpha"]
    assert (alpha.reviewed, alpha.disputed) == (1, 0)
    assert alpha.by_reviewer == {"alice": 1, "bob": 1}
    [resolved] = alice.resolved(sha)
    assert (resolved.reviewer, resolved.decision, resolved.adjudicated) == (
        "admin",
        "dismiss",
        True,
    )
    view = rv.team_view(alice.decisions(sha), deadline)
    assert view is not None and not view.disputed and view.adjudication is not None


def adjudicate_alpha(team: Team) -> dict[str, Finding]:
    """Three findings of Alpha, each judged by alice then bob:

    - the deadline: alice dismisses, bob confirms; the admin rules "dismiss";
    - "reasonable": alice relabels to subjective/low, bob confirms; the admin rules the relabel;
    - "as needed": alice confirms, bob dismisses; nobody rules (still disputed).

    The latest reviewer decision is never the ruling, so only adjudication explains the result.
    """
    admin, alice, bob = team.acting("admin"), team.acting("alice"), team.acting("bob")
    relabel: dict[str, Any] = {
        "new_category": "ambiguity",
        "new_type": "subjective",
        "new_severity": "low",
    }
    doc = team.alpha
    alice.record(decide(alice, doc, "The Vendor", "dismiss"))
    bob.record(decide(bob, doc, "The Vendor", "confirm"))
    alice.record(decide(alice, doc, "reasonable", "relabel", **relabel))
    bob.record(decide(bob, doc, "reasonable", "confirm"))
    alice.record(decide(alice, doc, "as needed", "confirm"))
    bob.record(decide(bob, doc, "as needed", "dismiss"))
    admin.record(decide(admin, doc, "The Vendor", "dismiss", adjudicated=True))
    admin.record(decide(admin, doc, "reasonable", "relabel", adjudicated=True, **relabel))
    return {name: finding(doc, name) for name in ("The Vendor", "reasonable", "as needed")}


def test_team_resolved_export_follows_adjudication(team: Team) -> None:
    found = adjudicate_alpha(team)
    admin = team.acting("admin")
    records = [json.loads(line) for line in admin.export_jsonl(resolved=True).splitlines()]
    assert [(r["finding_id"], r["decision"], r["reviewer"]) for r in records] == [
        (found["The Vendor"].id, "dismiss", "admin"),
        (found["reasonable"].id, "relabel", "admin"),
    ]
    assert all(r["adjudicated"] is True for r in records)
    assert (records[1]["new_type"], records[1]["new_severity"]) == ("subjective", "low")
    assert team.acting("alice").export_jsonl(resolved=True) == admin.export_jsonl(resolved=True)
    assert team.acting("carol").export_jsonl(resolved=True) == ""
    # rule precision counts the ruling, once per finding; the disputed finding waits
    stats = {s.source: s for s in admin.rule_precision()}
    deadline, reasonable = stats[found["The Vendor"].source], stats[found["reasonable"].source]
    assert (deadline.dismissed, deadline.total) == (1, 1)
    assert (reasonable.relabelled, reasonable.total) == (1, 1)
    assert found["as needed"].source not in stats


def test_team_reviewed_export_follows_adjudication(team: Team) -> None:
    found = adjudicate_alpha(team)
    admin = team.acting("admin")
    opened = admin.open_stored(team.alpha.sha256)
    assert opened is not None
    resolved = admin.resolved(opened.sha256)

    page = rv.reviewed_export(opened, resolved, "html", admin.tool)
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(
            r'<tr data-category="[^"]*" data-severity="[^"]*" id="f\d+-([0-9a-f]+)".*?</tr>',
            page,
            re.S,
        )
    }
    assert not any(found["The Vendor"].id.startswith(key) for key in rows)
    assert "1 March 2027" not in page
    relabelled = next(row for key, row in rows.items() if found["reasonable"].id.startswith(key))
    assert "<td>subjective</td>" in relabelled and 'data-severity="low"' in relabelled
    assert any(found["as needed"].id.startswith(key) for key in rows)  # disputed: as detected

    report = json.loads(rv.reviewed_export(opened, resolved, "json", admin.tool))
    by_id = {f["id"]: f for f in report["documents"][0]["findings"]}
    assert found["The Vendor"].id not in by_id
    assert (by_id[found["reasonable"].id]["type"], by_id[found["reasonable"].id]["severity"]) == (
        "subjective",
        "low",
    )
    assert by_id[found["as needed"].id]["type"] == found["as needed"].type


def test_team_training_examples_follow_adjudication(team: Team, tmp_path: Path) -> None:
    adjudicate_alpha(team)
    history = tmp_path / "history.jsonl"
    history.write_text(team.acting("admin").export_jsonl(), encoding="utf-8")
    assert len(history.read_text(encoding="utf-8").splitlines()) == 8
    examples = load_annotation_examples(str(history))
    by_text = {r.text: r for r in examples.records}
    deadline = by_text["The Vendor shall deliver the system by 1 March 2027."]
    assert deadline.commitment is False
    reasonable = by_text["Response times will be reasonable."]
    assert [(a.phrase, a.type) for a in reasonable.ambiguity] == [("reasonable", "subjective")]
    assert "Support will be provided as needed." not in by_text  # disputed: left out


def test_team_reviewer_agreement(team: Team) -> None:
    adjudicate_alpha(team)
    rows = {r.category: r for r in team.acting("admin").reviewer_agreement()}
    # alice and bob disagree on all three findings (adjudication changes no reviewer's verdict).
    assert {c: (r.pairs, r.agreed) for c, r in rows.items()} == {
        "ambiguity": (2, 0),
        "commitment": (1, 0),
    }
    assert rows["ambiguity"].kappa == pytest.approx(-1.0)
    assert rows["commitment"].kappa is None  # one pair: no meaningful kappa
    assert team.acting("carol").reviewer_agreement() == []


# -- the allow-list ----------------------------------------------------------------------------


def test_team_allow_list_is_admin_only_and_audited(team: Team) -> None:
    alice, admin = team.acting("alice"), team.acting("admin")
    with pytest.raises(AccessDenied, match="admin"):
        alice.allow_phrase("as needed", "escape_clause", "alice", "fine")
    assert alice.allow_list() == []
    admin.allow_phrase("As needed", "escape_clause", "someone else", "fine in SLAs")
    with pytest.raises(AccessDenied):
        alice.unallow_phrase("as needed", "alice")
    assert [p.phrase for p in alice.allow_list()] == ["as needed"]
    assert admin.unallow_phrase("as needed", "typed", "too broad") is True
    changes = team.acting("vera").allow_list_changes()
    assert [(c.action, c.phrase, c.username, c.reason) for c in changes] == [
        ("remove", "as needed", "admin", "too broad"),
        ("add", "as needed", "admin", "fine in SLAs"),
    ]


# -- sign-in -----------------------------------------------------------------------------------


def test_team_sign_in_success(team: Team) -> None:
    result = sign_in(team.store, "alice", PASSWORD, now=T0)
    assert result.principal == Principal("alice", "reviewer", frozenset({"Alpha"}))
    assert result.message == "Signed in as alice"
    admin = sign_in(team.store, " admin ", PASSWORD, now=T0).principal
    assert admin is not None and admin.is_admin and admin.projects is None


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("alice", "wrong password"),
        ("alice", PASSWORD.upper()),
        ("nobody", PASSWORD),
        ("nobody", "wrong password"),
        ("", PASSWORD),
        ("alice", ""),
    ],
)
def test_team_sign_in_wrong_credentials_say_the_same(
    team: Team, username: str, password: str
) -> None:
    result = sign_in(team.store, username, password, now=T0)
    assert result.principal is None
    assert result.message == WRONG_CREDENTIALS == "Wrong username or password"


def test_team_sign_in_disabled_user_is_wrong_credentials(team: Team) -> None:
    team.store.set_active("alice", False)
    result = sign_in(team.store, "alice", PASSWORD, now=T0)
    assert (result.principal, result.message) == (None, "Wrong username or password")
    assert current_principal(team.store, "alice") is None


@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_team_sign_in_five_failures_lock(team: Team, username: str) -> None:
    for second in range(5):
        failed = sign_in(team.store, username, "wrong password", now=T0 + timedelta(seconds=second))
        assert failed.message == WRONG_CREDENTIALS
    locked = sign_in(team.store, username, PASSWORD, now=T0 + timedelta(seconds=10))
    assert locked.principal is None
    assert locked.message != WRONG_CREDENTIALS
    assert "Too many failed sign-ins" in locked.message
    assert "10 minute" in locked.message
    later = sign_in(team.store, "alice", PASSWORD, now=T0 + timedelta(minutes=11))
    assert later.principal is not None  # the lock has run out (and other names never locked)


def test_team_sign_in_four_failures_do_not_lock(team: Team) -> None:
    for second in range(4):
        sign_in(team.store, "alice", "wrong password", now=T0 + timedelta(seconds=second))
    assert sign_in(team.store, "alice", PASSWORD, now=T0 + timedelta(seconds=5)).principal


def test_team_sign_in_success_clears_failures(team: Team) -> None:
    moment = T0
    for _round in range(2):
        for _ in range(4):
            moment += timedelta(seconds=1)
            assert sign_in(team.store, "alice", "wrong password", now=moment).principal is None
        moment += timedelta(seconds=1)
        assert sign_in(team.store, "alice", PASSWORD, now=moment).principal is not None


# -- single-user mode --------------------------------------------------------------------------


def test_team_single_user_mode_keeps_free_text_reviewers(store: Store, rules: Analyzer) -> None:
    assert current_principal(store, None) is SINGLE_USER
    assert current_principal(store, "anyone") is SINGLE_USER
    service = rv.ReviewService(store, rules)
    assert service.user is SINGLE_USER
    opened = service.open_bytes(ALPHA_TEXT.encode(), "alpha.txt")
    assert opened.ok
    service.record(decide(service, opened, "The Vendor", "confirm", reviewer="j.doe"))
    service.record(decide(service, opened, "The Vendor", "dismiss", reviewer="k.smith"))
    assert [a.reviewer for a in service.history(opened.sha256)] == ["j.doe", "k.smith"]
    service.allow_phrase("as needed", None, "j.doe", "fine")
    assert [c.username for c in service.allow_list_changes()] == ["j.doe"]
    assert [d.sha256 for d in service.documents()] == [opened.sha256]
    store.add_user("admin", "admin", HASH)
    assert current_principal(store, None) is None  # once a user exists, sign-in comes first
