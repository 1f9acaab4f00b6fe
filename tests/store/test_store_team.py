"""Team records on both backends: users, sign-in lock-out, projects, adjudication, allow-list
audit trail, and the v1 -> v2 migration."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Boolean, Integer, String, Text, column, insert, inspect, table
from store_helpers import TEXT, decide, make_document, make_finding, make_report

from analyzer import consensus
from analyzer.errors import StoreError
from analyzer.store import SCHEMA_VERSION, Store, make_engine, schema_version
from analyzer.store.schema import UTCDateTime

DOC = make_document()
OTHER = make_document(path="b/other.txt", sha="b")
OPEN = make_finding(TEXT, "including but not limited to")
ETC = make_finding(TEXT, "etc.")
VAGUE = make_finding(TEXT, "timely", type_="vague_term", source="rule:vague_term.timely")
FINDINGS = [OPEN, ETC, VAGUE]

T0 = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
LIMIT, WINDOW, LOCK = 5, timedelta(minutes=10), timedelta(minutes=10)

TEAM_TABLES = (
    "project_members",
    "project_documents",
    "projects",
    "users",
    "sign_in_failures",
    "sign_in_locks",
    "allow_list_changes",
)


def at(minute: int, second: int = 0) -> str:
    """A DESIGN.md timestamp `minute` minutes after 18:00."""
    return f"2026-11-25T18:{minute:02d}:{second:02d}Z"


@pytest.fixture
def seeded(store: Store) -> Store:
    """DOC (analysed, filed under Alpha) and OTHER (filed under Beta)."""
    store.save_document(DOC)
    store.save_analysis(DOC.sha256, make_report(DOC, FINDINGS), "0.1.0", None)
    store.save_document(OTHER)
    store.add_project("Alpha", "admin")
    store.add_project("Beta", "admin")
    store.file_document(DOC.sha256, "Alpha", "admin")
    store.file_document(OTHER.sha256, "Beta", "admin")
    return store


def fail(store: Store, name: str, moment: datetime) -> datetime | None:
    """One failed sign-in for `name` at `moment`, with the product's limits."""
    return store.record_sign_in_failure(name, moment, limit=LIMIT, window=WINDOW, lock=LOCK)


# -- users -------------------------------------------------------------------------------------


def test_store_team_add_user_round_trip(store: Store) -> None:
    assert store.count_users() == 0
    user = store.add_user("  alice ", "reviewer", "hash-1")
    assert (user.username, user.role, user.active, user.projects) == (
        "alice",
        "reviewer",
        True,
        (),
    )
    assert user.created_at.tzinfo is not None
    assert store.user("alice") == user
    assert store.password_hash("alice") == "hash-1"
    assert store.user("bob") is None
    assert store.password_hash("bob") is None
    assert store.count_users() == 1


def test_store_team_duplicate_user_is_value_error(store: Store) -> None:
    store.add_user("alice", "reviewer", "hash-1")
    with pytest.raises(ValueError, match="already exists"):
        store.add_user("alice", "admin", "hash-2")
    # The failed insert left nothing behind and the store still works.
    assert store.count_users() == 1
    assert store.password_hash("alice") == "hash-1"
    assert store.add_user("bob", "viewer", "hash-3").role == "viewer"


@pytest.mark.parametrize(
    "name", ["", "   ", "bad name", "-dash-first", "a" * 65, "émile", "semi;colon", "a\nb"]
)
def test_store_team_bad_username(store: Store, name: str) -> None:
    with pytest.raises(ValueError, match="invalid username"):
        store.add_user(name, "reviewer", "hash")
    assert store.count_users() == 0


@pytest.mark.parametrize("name", ["a", "j.doe", "j_doe-2", "j.doe@example.com", "a" * 64])
def test_store_team_good_username(store: Store, name: str) -> None:
    assert store.add_user(name, "viewer", "hash").username == name


@pytest.mark.parametrize("role", ["root", "Admin", "", "owner"])
def test_store_team_bad_role(store: Store, role: str) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        store.add_user("alice", role, "hash")
    assert store.count_users() == 0


def test_store_team_users_listed_with_projects(store: Store) -> None:
    store.add_user("bob", "viewer", "h")
    store.add_user("alice", "reviewer", "h")
    store.add_user("admin", "admin", "h")
    store.add_project("Beta", "admin")
    store.add_project("Alpha", "admin")
    assert store.grant("Beta", "alice", "admin")
    assert store.grant("Alpha", "alice", "admin")
    assert store.grant("Beta", "bob", "admin")
    listed = [(u.username, u.role, u.active, u.projects) for u in store.users()]
    assert listed == [
        ("admin", "admin", True, ()),
        ("alice", "reviewer", True, ("Alpha", "Beta")),
        ("bob", "viewer", True, ("Beta",)),
    ]
    user = store.user("alice")
    assert user is not None and user.projects == ("Alpha", "Beta")


def test_store_team_disable_and_enable(store: Store) -> None:
    store.add_user("alice", "reviewer", "hash-1")
    store.set_active("alice", False)
    user = store.user("alice")
    assert user is not None and not user.active
    assert store.password_hash("alice") is None
    assert store.count_users() == 1  # a disabled account still counts: team mode stays on
    store.set_active("alice", True)
    assert store.password_hash("alice") == "hash-1"
    with pytest.raises(ValueError, match="no user"):
        store.set_active("nobody", False)


def test_store_team_set_password_hash(store: Store) -> None:
    store.add_user("alice", "reviewer", "hash-1")
    store.set_password_hash("alice", "hash-2")
    assert store.password_hash("alice") == "hash-2"
    with pytest.raises(ValueError, match="no user"):
        store.set_password_hash("nobody", "hash-3")


# -- sign-in failures and locks ----------------------------------------------------------------


def test_store_team_five_failures_lock_for_ten_minutes(store: Store) -> None:
    for second in range(LIMIT - 1):
        assert fail(store, "alice", T0 + timedelta(seconds=second)) is None
        assert store.locked_until("alice", T0 + timedelta(seconds=second)) is None
    fifth = T0 + timedelta(minutes=9)
    until = fail(store, "alice", fifth)
    assert until == fifth + LOCK
    assert store.locked_until("alice", fifth) == until
    assert store.locked_until("alice", until - timedelta(seconds=1)) == until
    assert store.locked_until("alice", until) is None
    assert store.locked_until("bob", fifth) is None  # per username


def test_store_team_four_failures_do_not_lock(store: Store) -> None:
    for minute in range(LIMIT - 1):
        assert fail(store, "alice", T0 + timedelta(minutes=minute)) is None
    assert store.locked_until("alice", T0 + timedelta(minutes=LIMIT)) is None


def test_store_team_failures_outside_the_window_do_not_count(store: Store) -> None:
    for second in range(LIMIT - 1):
        assert fail(store, "alice", T0 + timedelta(seconds=second)) is None
    later = T0 + WINDOW + timedelta(minutes=1)
    # The four old failures have aged out: this is the first of a new count.
    assert fail(store, "alice", later) is None
    for second in range(1, LIMIT - 1):
        assert fail(store, "alice", later + timedelta(seconds=second)) is None
    assert store.locked_until("alice", later + timedelta(seconds=LIMIT)) is None
    last = later + timedelta(seconds=LIMIT)
    assert fail(store, "alice", last) == last + LOCK


def test_store_team_lock_spends_the_failures(store: Store) -> None:
    for second in range(LIMIT):
        fail(store, "alice", T0 + timedelta(seconds=second))
    after = T0 + LOCK + timedelta(minutes=1)
    assert store.locked_until("alice", after) is None
    assert fail(store, "alice", after) is None  # counting starts again after a lock


def test_store_team_clear_sign_in_failures(store: Store) -> None:
    for second in range(LIMIT - 1):
        fail(store, "alice", T0 + timedelta(seconds=second))
    store.clear_sign_in_failures("alice")
    assert fail(store, "alice", T0 + timedelta(seconds=10)) is None
    for second in range(LIMIT - 1):
        fail(store, "bob", T0 + timedelta(seconds=second))
    assert fail(store, "bob", T0 + timedelta(seconds=10)) is not None
    store.clear_sign_in_failures("bob")
    assert store.locked_until("bob", T0 + timedelta(seconds=11)) is None


# -- projects ----------------------------------------------------------------------------------


def test_store_team_add_project(store: Store) -> None:
    project = store.add_project("  Acme deal ", "admin")
    assert (project.name, project.created_by, project.members, project.documents) == (
        "Acme deal",
        "admin",
        (),
        0,
    )
    assert project.created_at.tzinfo is not None
    with pytest.raises(ValueError, match="already exists"):
        store.add_project("Acme deal", "root")
    assert [p.name for p in store.projects()] == ["Acme deal"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "tab\there", "bell\x07"])
def test_store_team_bad_project_name(store: Store, name: str) -> None:
    with pytest.raises(ValueError, match="invalid project name"):
        store.add_project(name, "admin")
    assert store.projects() == []


def test_store_team_grant_and_revoke(store: Store) -> None:
    store.add_user("alice", "reviewer", "h")
    store.add_user("bob", "reviewer", "h")
    store.add_project("Alpha", "admin")
    store.add_project("Beta", "admin")
    assert store.grant("Alpha", "alice", "admin") is True
    assert store.grant("Alpha", "alice", "admin") is False
    assert store.grant("Alpha", "bob", "admin") is True
    assert [(p.name, p.members) for p in store.projects()] == [
        ("Alpha", ("alice", "bob")),
        ("Beta", ()),
    ]
    assert store.revoke("Alpha", "alice") is True
    assert store.revoke("Alpha", "alice") is False
    assert store.revoke("Beta", "bob") is False
    user = store.user("alice")
    assert user is not None and user.projects == ()
    with pytest.raises(ValueError, match="no project"):
        store.grant("Gamma", "alice", "admin")
    with pytest.raises(ValueError, match="no user"):
        store.grant("Alpha", "nobody", "admin")
    with pytest.raises(ValueError, match="no project"):
        store.revoke("Gamma", "alice")


def test_store_team_projects_filtered_by_name(seeded: Store) -> None:
    assert [p.name for p in seeded.projects(["Beta", "Gamma"])] == ["Beta"]
    assert seeded.projects([]) == []
    assert [p.name for p in seeded.projects()] == ["Alpha", "Beta"]


def test_store_team_file_document_is_idempotent(seeded: Store) -> None:
    seeded.file_document(DOC.sha256, "Alpha", "someone-else")
    counts = {p.name: p.documents for p in seeded.projects()}
    assert counts == {"Alpha": 1, "Beta": 1}
    assert seeded.document_projects(DOC.sha256) == ("Alpha",)
    seeded.file_document(DOC.sha256, "Beta", "admin")
    assert seeded.document_projects(DOC.sha256) == ("Alpha", "Beta")
    assert {p.name: p.documents for p in seeded.projects()} == {"Alpha": 1, "Beta": 2}
    assert seeded.document_projects("f" * 64) == ()


def test_store_team_file_document_needs_project_and_document(seeded: Store) -> None:
    with pytest.raises(ValueError, match="no project"):
        seeded.file_document(DOC.sha256, "Gamma", "admin")
    with pytest.raises(StoreError, match="save it first"):
        seeded.file_document("f" * 64, "Alpha", "admin")


def test_store_team_list_documents_by_project(seeded: Store) -> None:
    unfiled = make_document(path="c/loose.txt", sha="c")
    seeded.save_document(unfiled)
    assert {d.sha256 for d in seeded.list_documents()} == {
        DOC.sha256,
        OTHER.sha256,
        unfiled.sha256,
    }
    assert [d.sha256 for d in seeded.list_documents(["Alpha"])] == [DOC.sha256]
    assert [d.sha256 for d in seeded.list_documents(["Beta", "Gamma"])] == [OTHER.sha256]
    assert {d.sha256 for d in seeded.list_documents(["Alpha", "Beta"])} == {
        DOC.sha256,
        OTHER.sha256,
    }
    assert seeded.list_documents([]) == []


# -- adjudication in the store -----------------------------------------------------------------


def test_store_team_adjudicated_round_trip(seeded: Store) -> None:
    ruling = decide(OPEN, DOC, "dismiss", "admin", at(1), adjudicated=True, comment="ruled")
    plain = decide(ETC, DOC, "confirm", "alice", at(2))
    seeded.add_annotation(ruling)
    seeded.add_annotation(plain)
    history = seeded.annotations(DOC.sha256)
    assert [(a.finding_id, a.adjudicated) for a in history] == [(OPEN.id, True), (ETC.id, False)]
    assert history[0] == ruling
    assert history[0].to_dict()["adjudicated"] is True
    assert "adjudicated" not in history[1].to_dict()


def test_store_team_current_decisions_keep_admin_decision_and_adjudication_apart(
    seeded: Store,
) -> None:
    history = [
        decide(OPEN, DOC, "confirm", "admin", at(1)),
        decide(OPEN, DOC, "dismiss", "bob", at(2)),
        decide(OPEN, DOC, "dismiss", "admin", at(3), adjudicated=True),
        decide(OPEN, DOC, "confirm", "admin", at(4), reason="still think so"),
        decide(OPEN, DOC, "confirm", "admin", at(5), adjudicated=True),
    ]
    for annotation in history:
        seeded.add_annotation(annotation)
    current = seeded.current_decisions(DOC.sha256)
    assert [(a.reviewer, a.decision, a.adjudicated, a.created_at) for a in current] == [
        ("bob", "dismiss", False, at(2)),
        ("admin", "confirm", False, at(4)),
        ("admin", "confirm", True, at(5)),
    ]
    # The database's notion of "current" is the same as the pure function's.
    assert current == consensus.current_decisions(history)
    assert seeded.current_decisions(None) == current


def decide_all(store: Store) -> None:
    """OPEN: agreed dismiss overruled by an adjudicated confirm; ETC: disputed; VAGUE: agreed."""
    for annotation in [
        decide(OPEN, DOC, "dismiss", "alice", at(1)),
        decide(OPEN, DOC, "confirm", "bob", at(2)),
        decide(OPEN, DOC, "dismiss", "bob", at(3)),  # bob changes his mind: now agreed dismiss
        decide(OPEN, DOC, "confirm", "admin", at(4), adjudicated=True),
        decide(ETC, DOC, "confirm", "alice", at(5)),
        decide(ETC, DOC, "dismiss", "bob", at(6)),
        decide(VAGUE, DOC, "dismiss", "alice", at(7)),
        decide(VAGUE, DOC, "dismiss", "bob", at(8)),
    ]:
        store.add_annotation(annotation)


def test_store_team_resolved_decisions_follow_adjudication(seeded: Store) -> None:
    decide_all(seeded)
    resolved = seeded.resolved_decisions(DOC.sha256)
    assert [(a.finding_id, a.decision, a.reviewer, a.adjudicated) for a in resolved] == [
        (OPEN.id, "confirm", "admin", True),
        (VAGUE.id, "dismiss", "bob", False),
    ]
    assert seeded.resolved_decisions(None) == resolved
    assert seeded.resolved_decisions(None, ["Alpha"]) == resolved
    assert seeded.resolved_decisions(None, ["Beta"]) == []


def test_store_team_export_resolved_follows_adjudication(seeded: Store) -> None:
    decide_all(seeded)
    buffer = io.StringIO()
    assert seeded.export_annotations(buffer, resolved=True) == 2
    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert [(r["finding_id"], r["decision"], r["reviewer"]) for r in records] == [
        (OPEN.id, "confirm", "admin"),
        (VAGUE.id, "dismiss", "bob"),
    ]
    assert records[0]["adjudicated"] is True
    assert "adjudicated" not in records[1]
    # The full history is unchanged by adjudication: every decision is still there.
    history = io.StringIO()
    assert seeded.export_annotations(history) == 8
    filtered = io.StringIO()
    assert seeded.export_annotations(filtered, resolved=True, projects=["Beta"]) == 0
    assert filtered.getvalue() == ""


def test_store_team_rule_precision_counts_resolved_decision_once(seeded: Store) -> None:
    decide_all(seeded)
    stats = {(s.source, s.type): s for s in seeded.rule_precision()}
    open_ended = stats[("rule:open_ended.test", "open_ended")]
    # OPEN counts once, as adjudicated (confirm); ETC is in dispute and waits.
    assert (open_ended.confirmed, open_ended.dismissed, open_ended.relabelled) == (1, 0, 0)
    vague = stats[("rule:vague_term.timely", "vague_term")]
    assert (vague.confirmed, vague.dismissed, vague.relabelled) == (0, 1, 0)
    assert set(stats) == {
        ("rule:open_ended.test", "open_ended"),
        ("rule:vague_term.timely", "vague_term"),
    }
    assert seeded.rule_precision(["Alpha"]) == seeded.rule_precision()
    assert seeded.rule_precision(["Beta"]) == []


# -- allow-list audit trail --------------------------------------------------------------------


def test_store_team_allow_list_changes_recorded(store: Store) -> None:
    store.add_allowed_phrase("As  Needed", "ambiguity", "escape_clause", "admin", "fine here")
    store.add_allowed_phrase("as needed", "ambiguity", None, "root", "any type")
    assert store.remove_allowed_phrase(" AS NEEDED ", "root", "too broad after all") is True
    assert store.allow_list() == []
    assert store.remove_allowed_phrase("as needed", "root") is False
    changes = store.allow_list_changes()
    assert [(c.phrase, c.category, c.type, c.action, c.username, c.reason) for c in changes] == [
        ("as needed", "ambiguity", None, "remove", "root", "too broad after all"),
        ("as needed", "ambiguity", None, "add", "root", "any type"),
        ("as needed", "ambiguity", "escape_clause", "add", "admin", "fine here"),
    ]
    assert all(c.created_at.tzinfo is not None for c in changes)


def test_store_team_remove_allowed_phrase_needs_username(store: Store) -> None:
    store.add_allowed_phrase("as needed", "ambiguity", None, "admin")
    with pytest.raises(ValueError, match="username"):
        store.remove_allowed_phrase("as needed", "  ")
    assert [p.phrase for p in store.allow_list()] == ["as needed"]
    assert [c.action for c in store.allow_list_changes()] == ["add"]


# -- migration ---------------------------------------------------------------------------------

ANNOTATIONS_V1 = table(
    "annotations",
    column("document_id", Integer),
    column("finding_id", String),
    column("category", String),
    column("type", String),
    column("decision", String),
    column("reviewer", String),
    column("created_at", UTCDateTime()),
    column("tool_version", String),
    column("text", Text),
)


def make_v1_database(url: str) -> None:
    """A database as ScopeLens 1 left it: no team tables, no `annotations.adjudicated`, version
    1, one document and one decision."""
    with Store.open(url) as store:
        store.save_document(DOC)
        store.save_analysis(DOC.sha256, make_report(DOC, FINDINGS), "0.1.0", None)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for name in TEAM_TABLES:
                conn.exec_driver_sql(f"DROP TABLE {name}")
            conn.exec_driver_sql("ALTER TABLE annotations DROP COLUMN adjudicated")
            conn.exec_driver_sql("UPDATE schema_version SET version = 1")
            document_id = conn.exec_driver_sql("SELECT id FROM documents").scalar_one()
            conn.execute(
                insert(ANNOTATIONS_V1).values(
                    document_id=document_id,
                    finding_id=OPEN.id,
                    category="ambiguity",
                    type="open_ended",
                    decision="dismiss",
                    reviewer="j.doe",
                    created_at=T0,
                    tool_version="0.1.0",
                    text=OPEN.text,
                )
            )
        assert schema_version(engine) == 1
        columns = {c["name"] for c in inspect(engine).get_columns("annotations")}
        assert "adjudicated" not in columns
        assert not set(TEAM_TABLES) & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_store_team_migrates_v1_to_v2(db_url: str) -> None:
    make_v1_database(db_url)
    with Store.open(db_url) as store:
        assert schema_version(store.engine) == SCHEMA_VERSION == 2
        assert set(TEAM_TABLES) <= set(inspect(store.engine).get_table_names())
        columns = {c["name"]: c for c in inspect(store.engine).get_columns("annotations")}
        assert isinstance(columns["adjudicated"]["type"], Boolean)
        assert columns["adjudicated"]["nullable"] is False
        [old] = store.annotations()
        assert (old.finding_id, old.decision, old.reviewer, old.adjudicated) == (
            OPEN.id,
            "dismiss",
            "j.doe",
            False,
        )
        assert old.created_at == "2026-11-25T18:00:00Z"
        assert store.resolved_decisions(None) == [old]
        assert store.count_users() == 0
        store.add_user("admin", "admin", "hash")
        assert store.count_users() == 1
        store.add_project("Alpha", "admin")
        store.file_document(DOC.sha256, "Alpha", "admin")
        assert store.document_projects(DOC.sha256) == ("Alpha",)
        store.add_annotation(decide(OPEN, DOC, "confirm", "admin", at(5), adjudicated=True))
        assert [a.adjudicated for a in store.annotations()] == [False, True]
    # Opening again is a no-op: still version 2, nothing lost.
    with Store.open(db_url) as store:
        assert schema_version(store.engine) == 2
        assert len(store.annotations()) == 2
        assert store.count_users() == 1
