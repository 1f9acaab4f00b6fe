"""`scopelens users`, `projects`, `import`, `review --address` and `annotations export --resolved`
on a real SQLite store, through typer's CliRunner."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from analyzer.analyze import Analyzer
from analyzer.cli import app
from analyzer.review.team import WRONG_CREDENTIALS, sign_in
from analyzer.store import ENV_DB_URL, Store
from analyzer.types import Annotation, Finding

PASSWORD = "correct horse battery"
NEW_PASSWORD = "staple battery horse"
GOOD_TEXTS = {
    "a.txt": "The Vendor shall deliver the system by 1 March 2027. Support as needed.\n",
    "b.txt": "The Supplier will migrate all data. Response times will be reasonable.\n",
}


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """URL of an empty SQLite store; SCOPELENS_DB_URL is restored after the test."""
    url = f"sqlite:///{tmp_path / 'team.db'}"
    monkeypatch.setenv(ENV_DB_URL, url)  # `review --db` sets it: restore it afterwards
    return url


def run(*args: str, db: str, input: str | None = None) -> Result:
    """`scopelens ARGS --db DB` with `input` on stdin."""
    return CliRunner().invoke(app, [*args, "--db", db], input=input)


def one_line(result: Result) -> str:
    """The single line the command printed on stderr (fails if there are several)."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def add_user(db: str, name: str, role: str = "reviewer", password: str = PASSWORD) -> Result:
    """`scopelens users add NAME --role ROLE` with the password on stdin."""
    result = run("users", "add", name, "--role", role, db=db, input=f"{password}\n")
    assert result.exit_code == 0, result.output
    return result


# -- users -------------------------------------------------------------------------------------


def test_cli_team_users_add_reads_password_from_stdin(db: str) -> None:
    result = add_user(db, "alice", "reviewer")
    assert one_line(result) == "scopelens: user alice added (reviewer)"
    with Store.open(db) as store:
        stored = store.password_hash("alice")
        assert stored is not None and stored.startswith("$argon2id$")
        user = store.user("alice")
        assert user is not None and user.role == "reviewer"
        signed = sign_in(store, "alice", PASSWORD)
        assert signed.principal is not None and signed.principal.username == "alice"


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "at least 8 characters"), (" padded password ", "spaces"), ("", "at least 8")],
)
def test_cli_team_users_add_rejects_weak_password(db: str, password: str, message: str) -> None:
    result = run("users", "add", "alice", db=db, input=f"{password}\n")
    assert result.exit_code == 2
    assert message in one_line(result)
    with Store.open(db) as store:
        assert store.count_users() == 0


def test_cli_team_users_add_duplicate_is_usage_error(db: str) -> None:
    add_user(db, "alice")
    with Store.open(db) as store:
        before = store.password_hash("alice")
    result = run("users", "add", "alice", "--role", "admin", db=db, input=f"{NEW_PASSWORD}\n")
    assert result.exit_code == 2
    assert "already exists" in one_line(result)
    with Store.open(db) as store:
        assert store.password_hash("alice") == before
        user = store.user("alice")
        assert user is not None and user.role == "reviewer"


@pytest.mark.parametrize(
    ("args", "message"),
    [(["bad name"], "invalid username"), (["alice", "--role", "owner"], "unknown --role")],
)
def test_cli_team_users_add_bad_arguments(db: str, args: list[str], message: str) -> None:
    result = run("users", "add", *args, db=db, input=f"{PASSWORD}\n")
    assert result.exit_code == 2
    assert message in one_line(result)


def test_cli_team_users_list_shows_role_state_and_projects(db: str) -> None:
    empty = run("users", "list", db=db)
    assert empty.exit_code == 0 and empty.stdout == ""
    assert "No users" in one_line(empty)
    add_user(db, "admin", "admin")
    add_user(db, "alice", "reviewer")
    add_user(db, "bob", "viewer")
    for project in ("Beta", "Alpha"):
        assert run("projects", "add", project, db=db).exit_code == 0
        assert run("projects", "grant", project, "alice", db=db).exit_code == 0
    result = run("users", "list", db=db)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "admin\tadmin\tactive\t(all projects)",
        "alice\treviewer\tactive\tAlpha, Beta",
        "bob\tviewer\tactive\t-",
    ]


def test_cli_team_users_disable_and_enable(db: str) -> None:
    add_user(db, "alice")
    result = run("users", "disable", "alice", db=db)
    assert result.exit_code == 0
    assert one_line(result) == "scopelens: user alice disabled"
    assert run("users", "list", db=db).stdout.split("\t")[2] == "disabled"
    with Store.open(db) as store:
        refused = sign_in(store, "alice", PASSWORD)
        assert (refused.principal, refused.message) == (None, WRONG_CREDENTIALS)
    assert run("users", "enable", "alice", db=db).exit_code == 0
    with Store.open(db) as store:
        assert sign_in(store, "alice", PASSWORD).principal is not None
    missing = run("users", "disable", "nobody", db=db)
    assert missing.exit_code == 2
    assert "no user 'nobody'" in one_line(missing)


def test_cli_team_users_passwd_changes_the_hash(db: str) -> None:
    add_user(db, "alice")
    with Store.open(db) as store:
        before = store.password_hash("alice")
    result = run("users", "passwd", "alice", db=db, input=f"{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert one_line(result) == "scopelens: password of alice changed"
    with Store.open(db) as store:
        after = store.password_hash("alice")
        assert after is not None and after != before and after.startswith("$argon2id$")
        assert sign_in(store, "alice", NEW_PASSWORD).principal is not None
        assert sign_in(store, "alice", PASSWORD).message == WRONG_CREDENTIALS


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [("alice", "short\n", "at least 8"), ("nobody", f"{NEW_PASSWORD}\n", "no user 'nobody'")],
)
def test_cli_team_users_passwd_refused(db: str, name: str, password: str, message: str) -> None:
    add_user(db, "alice")
    with Store.open(db) as store:
        before = store.password_hash("alice")
    result = run("users", "passwd", name, db=db, input=password)
    assert result.exit_code == 2
    assert message in one_line(result)
    with Store.open(db) as store:
        assert store.password_hash("alice") == before


# -- projects ----------------------------------------------------------------------------------


def test_cli_team_projects_add_grant_revoke_list(db: str) -> None:
    add_user(db, "alice")
    add_user(db, "bob")
    assert run("projects", "list", db=db).stdout == ""
    added = run("projects", "add", "Alpha", db=db)
    assert added.exit_code == 0
    assert one_line(added) == "scopelens: project Alpha added"
    assert run("projects", "add", "Beta", db=db).exit_code == 0
    granted = run("projects", "grant", "Alpha", "alice", db=db)
    assert one_line(granted) == "scopelens: project Alpha granted to alice"
    again = run("projects", "grant", "Alpha", "alice", db=db)
    assert again.exit_code == 0 and "already granted" in one_line(again)
    assert run("projects", "grant", "Alpha", "bob", db=db).exit_code == 0
    listed = run("projects", "list", db=db)
    assert listed.exit_code == 0
    assert listed.stdout.splitlines() == [
        "Alpha\t0 document(s)\talice, bob",
        "Beta\t0 document(s)\t-",
    ]
    assert run("projects", "revoke", "Alpha", "bob", db=db).exit_code == 0
    assert run("projects", "list", db=db).stdout.splitlines()[0] == "Alpha\t0 document(s)\talice"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "Alpha"], "already exists"),
        (["grant", "Gamma", "alice"], "no project 'Gamma'"),
        (["grant", "Alpha", "nobody"], "no user 'nobody'"),
        (["add", "   "], "invalid project name"),
    ],
)
def test_cli_team_projects_errors_are_one_line(db: str, args: list[str], message: str) -> None:
    add_user(db, "alice")
    assert run("projects", "add", "Alpha", db=db).exit_code == 0
    result = run("projects", *args, db=db)
    assert result.exit_code == 2
    assert message in one_line(result)


# -- import ------------------------------------------------------------------------------------


def test_cli_team_import_files_good_ones_and_reports_bad_one(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "deal"
    (folder / "sub").mkdir(parents=True)
    for name, text in GOOD_TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "sub" / "broken.pdf").write_bytes(b"\x00\xffthis is not a PDF\x13\x37" * 20)
    assert run("projects", "add", "Alpha", db=db).exit_code == 0
    result = run("import", str(folder), "--project", "Alpha", "--mode", "rules", db=db)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    about_bad = [line for line in result.stderr.splitlines() if "broken.pdf" in line]
    assert len(about_bad) == 1, result.stderr
    assert about_bad[0].startswith("scopelens: ")
    assert "2 imported into Alpha, 1 failed" in result.stderr
    with Store.open(db) as store:
        filed = store.list_documents(["Alpha"])
        assert sorted(d.name for d in filed) == sorted(GOOD_TEXTS)
        assert all(d.analyses == 1 for d in filed)
        assert len(store.list_documents()) == 2
        [alpha] = store.projects()
        assert alpha.documents == 2
    # Importing again only files what is there: nothing is analysed twice.
    again = run("import", str(folder), "--project", "Alpha", "--mode", "rules", db=db)
    assert again.exit_code == 0
    with Store.open(db) as store:
        assert all(d.analyses == 1 for d in store.list_documents())


def test_cli_team_import_into_missing_project(db: str, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(GOOD_TEXTS["a.txt"], encoding="utf-8")
    result = run("import", str(path), "--project", "Nope", "--mode", "rules", db=db)
    assert result.exit_code == 2
    assert "no project 'Nope'" in one_line(result)
    with Store.open(db) as store:
        assert store.list_documents() == []


def test_cli_team_import_only_bad_files_fails(db: str, tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"garbage" * 10)
    assert run("projects", "add", "Alpha", db=db).exit_code == 0
    result = run("import", str(bad), "--project", "Alpha", "--mode", "rules", db=db)
    assert result.exit_code == 1
    assert "0 imported into Alpha, 1 failed" in result.stderr


# -- review --address --------------------------------------------------------------------------


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The commands `review` would have run (nothing is started)."""
    calls: list[list[str]] = []

    def call(command: list[str], *args: object, **kwargs: object) -> int:
        calls.append(command)
        return 0

    monkeypatch.setattr(subprocess, "call", call)
    return calls


@pytest.mark.parametrize("address", ["0.0.0.0", "192.168.1.20", "::", "example.org"])
def test_cli_team_review_refuses_public_address_without_users(
    db: str, started: list[list[str]], address: str
) -> None:
    result = run("review", "--address", address, db=db)
    assert result.exit_code == 2
    line = one_line(result)
    assert address in line and "scopelens users add" in line
    assert started == []


@pytest.mark.parametrize("address", ["127.0.0.1", "localhost", "::1"])
def test_cli_team_review_serves_loopback_without_users(
    db: str, started: list[list[str]], address: str
) -> None:
    result = run("review", "--address", address, db=db)
    assert result.exit_code == 0, result.output
    [command] = started
    assert command[command.index("--server.address") + 1] == address


def test_cli_team_review_serves_public_address_once_a_user_exists(
    db: str, started: list[list[str]]
) -> None:
    add_user(db, "admin", "admin")
    result = run("review", "--address", "0.0.0.0", db=db)
    assert result.exit_code == 0, result.output
    [command] = started
    assert command[command.index("--server.address") + 1] == "0.0.0.0"


# -- annotations export --resolved -------------------------------------------------------------


def test_cli_team_annotations_export_resolved(db: str) -> None:
    text = GOOD_TEXTS["a.txt"]
    report = Analyzer(mode="rules").analyze_text(text, "a.txt")
    assert report.document is not None
    deadline = next(f for f in report.findings if f.type == "deadline")
    escape = next(f for f in report.findings if f.type == "escape_clause")

    sha = report.document.sha256

    def decision(f: Finding, what: str, who: str, minute: int, ruling: bool = False) -> Annotation:
        return Annotation(
            document_sha256=sha,
            document_name="a.txt",
            start=f.start,
            end=f.end,
            text=f.text,
            sentence=f.sentence,
            finding_id=f.id,
            category=f.category,
            type=f.type,
            decision=what,
            reviewer=who,
            created_at=f"2026-11-25T18:{minute:02d}:00Z",
            adjudicated=ruling,
        )

    with Store.open(db) as store:
        store.save_document(report.document)
        store.save_analysis(report.document.sha256, report, "0.1.0", None)
        for annotation in [
            decision(deadline, "confirm", "alice", 1),
            decision(deadline, "dismiss", "bob", 2),
            decision(deadline, "dismiss", "admin", 3, ruling=True),
            decision(escape, "confirm", "alice", 4),
            decision(escape, "dismiss", "bob", 5),
        ]:
            store.add_annotation(annotation)
    result = run("annotations", "export", "--resolved", db=db)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["finding_id"], r["decision"], r["reviewer"]) for r in records] == [
        (deadline.id, "dismiss", "admin")
    ]
    assert records[0]["adjudicated"] is True
    assert one_line(result) == "scopelens: exported 1 decision(s)"
    history = run("annotations", "export", db=db)
    assert len(history.stdout.splitlines()) == 5
    both = run("annotations", "export", "--resolved", "--current-only", db=db)
    assert both.exit_code == 2
    assert "choose one of" in one_line(both)


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("example.org", False),
    ],
)
def test_is_loopback_is_the_one_check_of_cli_and_app(address: str, loopback: bool) -> None:
    from analyzer.config import is_loopback

    assert is_loopback(address) is loopback
