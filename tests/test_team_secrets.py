"""No password and no argon2 hash ever leaves the store: not on the command line, not in
exports, not in sign-in messages, not in log records."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.analyze import Analyzer
from analyzer.cli import app
from analyzer.review import ReviewService, make_decision
from analyzer.review.team import current_principal, hash_password, sign_in
from analyzer.store import ENV_DB_URL, Store

PASSWORD = "Tr0ub4dor&3-secret"
NEW_PASSWORD = "correct-horse-7-secret"
HASH_PREFIX = "$argon2id$"
T0 = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


def assert_no_secret(texts: Iterable[str], *hashes: str | None) -> None:
    """None of `texts` holds a password, an argon2id hash or one of `hashes`."""
    secrets = [PASSWORD, NEW_PASSWORD, HASH_PREFIX, *(h for h in hashes if h)]
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"{secret[:12]}… leaked in {text[:200]!r}"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """URL of an empty SQLite store (also SCOPELENS_DB_URL, restored afterwards)."""
    url = f"sqlite:///{tmp_path / 'secrets.db'}"
    monkeypatch.setenv(ENV_DB_URL, url)
    return url


def stored_hash(db: str, username: str) -> str | None:
    """The stored hash of `username` (to look for it in outputs)."""
    with Store.open(db) as store:
        return store.password_hash(username)


def test_team_secrets_not_printed_by_users_commands(db: str) -> None:
    runner = CliRunner()
    outputs: list[str] = []

    def run(*args: str, input: str | None = None) -> int:
        result = runner.invoke(app, [*args, "--db", db], input=input)
        outputs.extend([result.stdout, result.stderr])
        return result.exit_code

    assert run("users", "add", "alice", "--role", "admin", input=f"{PASSWORD}\n") == 0
    first = stored_hash(db, "alice")
    assert first is not None and first.startswith(HASH_PREFIX)
    assert run("users", "add", "alice", input=f"{PASSWORD}\n") == 2  # duplicate
    assert run("users", "add", "bob", input="tiny\n") == 2  # too short
    assert run("users", "list") == 0
    assert run("users", "passwd", "alice", input=f"{NEW_PASSWORD}\n") == 0
    assert run("users", "passwd", "alice", input="tiny\n") == 2
    assert run("users", "passwd", "nobody", input=f"{NEW_PASSWORD}\n") == 2
    second = stored_hash(db, "alice")
    assert second is not None and second != first
    assert run("users", "list") == 0
    assert any("alice" in text for text in outputs)  # the commands did print something
    assert_no_secret(outputs, first, second)


def test_team_secrets_not_in_exports_messages_or_logs(
    db: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with Store.open(db) as store:
        store.add_user("admin", "admin", hash_password(PASSWORD))
        store.add_project("Alpha", "admin")
        stored = store.password_hash("admin")
        assert stored is not None

        messages = [
            sign_in(store, "admin", "wrong " + PASSWORD, now=T0).message,
            sign_in(store, "nobody", PASSWORD, now=T0).message,
            sign_in(store, "admin", PASSWORD, now=T0 + timedelta(seconds=1)).message,
        ]
        for second in range(5):
            messages.append(
                sign_in(
                    store, "admin", NEW_PASSWORD, now=T0 + timedelta(seconds=2 + second)
                ).message
            )
        locked = sign_in(store, "admin", PASSWORD, now=T0 + timedelta(seconds=10))
        assert locked.principal is None
        messages.append(locked.message)
        assert_no_secret(messages, stored)

        # A user record, listed or read, carries no hash.
        assert_no_secret([repr(store.users()), repr(store.user("admin"))], stored)

        principal = current_principal(store, "admin")
        assert principal is not None
        service = ReviewService(store, Analyzer(mode="rules")).for_user(principal)
        text = "The Vendor shall deliver the system by 1 March 2027. Support as needed.\n"
        opened = service.open_bytes(text.encode(), "a.txt", "Alpha")
        finding = opened.report.findings[-1]
        service.record(make_decision(opened, finding, "confirm", "x", tool=service.tool))
        service.record(
            make_decision(opened, finding, "dismiss", "x", tool=service.tool, comment="ok")
        )
        exports = [
            service.export_jsonl(),
            service.export_jsonl(current_only=True),
            service.export_jsonl(resolved=True),
            service.export_jsonl(opened.sha256),
        ]
        assert all(export.strip() for export in exports)
        assert_no_secret(exports, stored)

    cli = CliRunner().invoke(app, ["annotations", "export", "--db", db])
    assert cli.exit_code == 0 and cli.stdout.count("\n") == 2
    assert_no_secret([cli.stdout, cli.stderr], stored)

    added = CliRunner().invoke(app, ["users", "add", "bob", "--db", db], input=f"{NEW_PASSWORD}\n")
    assert added.exit_code == 0
    assert_no_secret([added.stdout, added.stderr], stored, stored_hash(db, "bob"))

    logged = [record.getMessage() for record in caplog.records]
    logged += [repr(record.args) for record in caplog.records]
    assert_no_secret(logged, stored, stored_hash(db, "bob"))
