"""`scopelens users`, `scopelens projects` and `scopelens import`: setting up a team store.

Thin like the rest of the command line: validate, call the store or the review service, print.
Whoever runs these commands holds the database URL, so they act as an admin of the store.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from analyzer.cli_support import fail as _fail
from analyzer.cli_support import parse_mode, progress_bar

if TYPE_CHECKING:
    from analyzer.store import Store

COMMAND_LINE = "command line"
"""Recorded as who created a project, granted it or filed a document from the command line."""

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: SCOPELENS_DB_URL or the SQLite file)."),
]

users_app = typer.Typer(help="User accounts of a team store.", no_args_is_help=True)
projects_app = typer.Typer(
    help="Projects (a deal, a matter) and who may see them.", no_args_is_help=True
)


@contextmanager
def _store(db: str | None) -> Iterator[Store]:
    """The store, with database and input errors turned into one-line failures."""
    from analyzer.errors import AnalyzerError
    from analyzer.store import Store

    try:
        with Store.open(db) as store:
            yield store
    except ValueError as exc:
        raise _fail(str(exc)) from None
    except AnalyzerError as exc:
        raise _fail(exc.one_line()) from None


def _read_password() -> str:
    """A new password: the first line of stdin when it is not a terminal, else asked twice."""
    from analyzer.review.team import check_password

    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        check_password(password)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    return password


# -- users -------------------------------------------------------------------------------------


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Username (letters, digits, . _ @ -).")],
    role: Annotated[str, typer.Option(help="admin, reviewer or viewer.")] = "reviewer",
    db: DbOption = None,
) -> None:
    """Create an account (password from stdin, or prompted twice). The first account turns on
    sign-in in the review app."""
    from analyzer.review.team import hash_password
    from analyzer.store import ROLES, check_username

    if role not in ROLES:
        raise _fail(f"unknown --role {role!r}: use {', '.join(ROLES)}")
    try:
        check_username(name)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    with _store(db) as store:
        if store.user(name) is not None:
            raise _fail(f"user {name.strip()!r} already exists")
        user = store.add_user(name, role, hash_password(_read_password()))
    typer.echo(f"scopelens: user {user.username} added ({user.role})", err=True)


@users_app.command("list")
def users_list(db: DbOption = None) -> None:
    """List accounts: username, role, state and projects."""
    with _store(db) as store:
        users = store.users()
    _print_rows(
        [
            f"{u.username}\t{u.role}\t{'active' if u.active else 'disabled'}\t"
            + ("(all projects)" if u.role == "admin" else ", ".join(u.projects) or "-")
            for u in users
        ],
        "No users: the review app runs single-user on 127.0.0.1.",
    )


@users_app.command("disable")
def users_disable(name: str, db: DbOption = None) -> None:
    """Disable an account: it can no longer sign in (its decisions stay)."""
    _set_active(name, False, db)


@users_app.command("enable")
def users_enable(name: str, db: DbOption = None) -> None:
    """Re-enable a disabled account."""
    _set_active(name, True, db)


def _set_active(name: str, active: bool, db: str | None) -> None:
    with _store(db) as store:
        store.set_active(name, active)
    typer.echo(f"scopelens: user {name.strip()} {'enabled' if active else 'disabled'}", err=True)


@users_app.command("passwd")
def users_passwd(name: str, db: DbOption = None) -> None:
    """Set an account's password (from stdin, or prompted twice)."""
    from analyzer.review.team import hash_password

    with _store(db) as store:
        if store.user(name) is None:
            raise _fail(f"no user {name.strip()!r}")
        store.set_password_hash(name, hash_password(_read_password()))
    typer.echo(f"scopelens: password of {name.strip()} changed", err=True)


# -- projects ----------------------------------------------------------------------------------


@projects_app.command("add")
def projects_add(name: str, db: DbOption = None) -> None:
    """Create a project."""
    with _store(db) as store:
        project = store.add_project(name, COMMAND_LINE)
    typer.echo(f"scopelens: project {project.name} added", err=True)


@projects_app.command("grant")
def projects_grant(project: str, user: str, db: DbOption = None) -> None:
    """Let a user see a project's documents (admins see every project anyway)."""
    with _store(db) as store:
        granted = store.grant(project, user, COMMAND_LINE)
    how = "granted" if granted else "already granted"
    typer.echo(f"scopelens: project {project.strip()} {how} to {user.strip()}", err=True)


@projects_app.command("revoke")
def projects_revoke(project: str, user: str, db: DbOption = None) -> None:
    """Take a user's access to a project away."""
    with _store(db) as store:
        revoked = store.revoke(project, user)
    how = "revoked from" if revoked else "was not granted to"
    typer.echo(f"scopelens: project {project.strip()} {how} {user.strip()}", err=True)


@projects_app.command("list")
def projects_list(db: DbOption = None) -> None:
    """List projects: name, documents, members."""
    with _store(db) as store:
        projects = store.projects()
    _print_rows(
        [f"{p.name}\t{p.documents} document(s)\t{', '.join(p.members) or '-'}" for p in projects],
        "No projects: scopelens projects add NAME",
    )


def _print_rows(rows: list[str], when_empty: str) -> None:
    """Tab-separated rows on stdout, or `when_empty` on stderr when there are none."""
    if not rows:
        typer.echo(when_empty, err=True)
    for row in rows:
        typer.echo(row)


# -- import ------------------------------------------------------------------------------------


def import_documents(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (walked recursively).")],
    project: Annotated[str, typer.Option(help="The project to file the documents under.")],
    mode: Annotated[
        str, typer.Option(help="accurate (default), fast or rules: as for scan.")
    ] = "accurate",
    db: DbOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Analyse files and folders into the store under a project (a document analysed before is
    only filed, not analysed again). Bad files are reported one line each; the rest import."""
    from analyzer.analyze import Analyzer
    from analyzer.batch import iter_files
    from analyzer.errors import AnalyzerError, printable
    from analyzer.review import ReviewService
    from analyzer.review.team import Principal

    analysis_mode = parse_mode(mode)
    items = list(iter_files(paths))
    if not items:
        raise _fail("nothing to import: no PDF, DOCX, TXT or Markdown files under the given paths")
    problems: list[tuple[str, str]] = []
    with _store(db) as store:
        if not any(p.name == project.strip() for p in store.projects()):
            raise _fail(f"no project {project.strip()!r}: create it with scopelens projects add")
        acting = Principal(COMMAND_LINE, "admin", None, team=False)
        service = ReviewService(store, Analyzer(mode=analysis_mode)).for_user(acting)
        enabled = len(items) > 1 and not quiet
        with progress_bar(len(items), enabled=enabled, label="Importing") as advance:
            for item in items:
                try:
                    opened = service.open_path(item.path, project.strip())
                except AnalyzerError as exc:
                    problems.append((item.path, exc.one_line()))
                else:
                    if not opened.ok:
                        problems.append((item.path, opened.report.error or "error"))
                advance()
    for path, error in sorted(problems):
        typer.echo(f"scopelens: {printable(path)}: {printable(error)}", err=True)
    imported = len(items) - len(problems)
    typer.echo(
        f"scopelens: {len(items)} file(s), {imported} imported into {project.strip()}, "
        f"{len(problems)} failed",
        err=True,
    )
    if imported == 0:
        raise typer.Exit(1)
