"""Team records of the store: user accounts, sign-in failures and locks, projects and grants.

The store keeps password *hashes* only (hashing and verification live in `analyzer.review.team`)
and never returns a hash except through `password_hash`, used by sign-in alone. Access rules are
decided by the review service; the store answers questions such as "which projects may this user
see" and filters queries by project.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from analyzer.errors import StoreError
from analyzer.store.schema import (
    ROLES,
    DocumentRow,
    ProjectDocumentRow,
    ProjectMemberRow,
    ProjectRow,
    SignInFailureRow,
    SignInLockRow,
    UserRow,
    utcnow,
)
from analyzer.store.sessions import StoreSessions

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
"""Usernames: letters, digits and . _ @ - (so they read the same in every export)."""


@dataclass(frozen=True, slots=True)
class User:
    """A user account (no password, no hash)."""

    username: str
    role: str
    """One of `ROLES`: admin, reviewer or viewer."""
    active: bool
    """False once disabled: the account can no longer sign in (its decisions stay)."""
    created_at: datetime
    projects: tuple[str, ...] = ()
    """The projects granted to the user (an admin sees every project regardless)."""


@dataclass(frozen=True, slots=True)
class Project:
    """A project with its members and how many documents are filed under it."""

    name: str
    created_by: str
    """The username that created it, or `COMMAND_LINE` for the `scopelens projects` command."""
    created_at: datetime
    members: tuple[str, ...]
    """Usernames granted the project."""
    documents: int


def check_username(username: str) -> str:
    """The username, stripped, when it is valid.

    Raises:
        ValueError: It is empty, too long or has characters other than letters, digits and
            `. _ @ -`.
    """
    name = username.strip()
    if not USERNAME_PATTERN.fullmatch(name):
        raise ValueError(
            f"invalid username {name!r}: use 1-64 letters, digits, '.', '_', '@' or '-'"
        )
    return name


def check_project_name(name: str) -> str:
    """The project name, stripped, when it is usable (1-200 printable characters).

    Raises:
        ValueError: It is empty, too long or has control characters.
    """
    clean = name.strip()
    if not clean or len(clean) > 200 or any(ord(c) < 32 or ord(c) == 127 for c in clean):
        raise ValueError(f"invalid project name {clean!r}: use 1-200 printable characters")
    return clean


class TeamStore(StoreSessions):
    """Users, sign-in failures, projects and grants (the base of `Store`)."""

    # -- users -------------------------------------------------------------------------------

    def add_user(self, username: str, role: str, password_hash: str) -> User:
        """Create an account.

        Raises:
            ValueError: Invalid username or role, or the username is taken.
            StoreError: The database cannot be written.
        """
        name = check_username(username)
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}: use {', '.join(ROLES)}")
        try:
            with self._writing("add user") as s:
                s.add(UserRow(username=name, role=role, password_hash=password_hash))
        except StoreError:
            if self.user(name) is not None:
                raise ValueError(f"user {name!r} already exists") from None
            raise
        user = self.user(name)
        assert user is not None
        return user

    def user(self, username: str) -> User | None:
        """The account with this username and the projects granted to it, or None."""
        with self._reading("read user") as s:
            row = s.scalars(select(UserRow).where(UserRow.username == username.strip())).first()
            if row is None:
                return None
            return User(
                row.username, row.role, row.active, row.created_at, self._projects_of(s, row.id)
            )

    def users(self) -> list[User]:
        """Every account, sorted by username, with its projects."""
        with self._reading("list users") as s:
            rows = s.scalars(select(UserRow).order_by(UserRow.username)).all()
            return [
                User(r.username, r.role, r.active, r.created_at, self._projects_of(s, r.id))
                for r in rows
            ]

    def count_users(self) -> int:
        """How many accounts exist (disabled ones included): zero means single-user mode."""
        with self._reading("count users") as s:
            return int(s.scalar(select(func.count(UserRow.id))) or 0)

    def password_hash(self, username: str) -> str | None:
        """The stored hash of an *active* account, for sign-in only; None otherwise."""
        with self._reading("read user") as s:
            return s.scalar(
                select(UserRow.password_hash).where(
                    UserRow.username == username.strip(), UserRow.active.is_(True)
                )
            )

    def set_password_hash(self, username: str, password_hash: str) -> None:
        """Replace an account's password hash.

        Raises:
            ValueError: No such user.
        """
        with self._writing("change password") as s:
            row = self._require_user(s, username)
            row.password_hash = password_hash

    def set_active(self, username: str, active: bool) -> None:
        """Disable (or re-enable) an account; a disabled account cannot sign in.

        Raises:
            ValueError: No such user.
        """
        with self._writing("change user") as s:
            self._require_user(s, username).active = active

    @staticmethod
    def _require_user(session: Session, username: str) -> UserRow:
        row = session.scalars(select(UserRow).where(UserRow.username == username.strip())).first()
        if row is None:
            raise ValueError(f"no user {username.strip()!r}")
        return row

    @staticmethod
    def _projects_of(session: Session, user_id: int) -> tuple[str, ...]:
        names = session.scalars(
            select(ProjectRow.name)
            .join(ProjectMemberRow, ProjectMemberRow.project_id == ProjectRow.id)
            .where(ProjectMemberRow.user_id == user_id)
            .order_by(ProjectRow.name)
        )
        return tuple(names)

    # -- sign-in failures and locks ----------------------------------------------------------

    def locked_until(self, username: str, now: datetime) -> datetime | None:
        """When the username's sign-in lock ends, or None when it is not locked at `now`."""
        with self._reading("read sign-in lock") as s:
            until = s.scalar(
                select(SignInLockRow.locked_until).where(SignInLockRow.username == username)
            )
        return until if until is not None and until > now else None

    def record_sign_in_failure(
        self, username: str, now: datetime, *, limit: int, window: timedelta, lock: timedelta
    ) -> datetime | None:
        """Count one failed sign-in; the `limit`-th failure within `window` locks the name.

        Failures are kept per username whether or not an account exists, so the lock-out says
        nothing about which usernames exist.

        Returns:
            The end of the lock when this failure locked the username, else None.
        """
        with self._writing("record sign-in failure") as s:
            s.add(SignInFailureRow(username=username, created_at=now))
            s.flush()
            recent = s.scalar(
                select(func.count(SignInFailureRow.id)).where(
                    SignInFailureRow.username == username,
                    SignInFailureRow.created_at > now - window,
                )
            )
            if int(recent or 0) < limit:
                return None
            until = now + lock
            row = s.get(SignInLockRow, username)
            if row is None:
                s.add(SignInLockRow(username=username, locked_until=until))
            else:
                row.locked_until = until
            # The failures are spent on this lock; after it the count starts again.
            s.execute(delete(SignInFailureRow).where(SignInFailureRow.username == username))
            return until

    def clear_sign_in_failures(self, username: str) -> None:
        """Forget a username's failures and lock (after a successful sign-in)."""
        with self._writing("clear sign-in failures") as s:
            s.execute(delete(SignInFailureRow).where(SignInFailureRow.username == username))
            s.execute(delete(SignInLockRow).where(SignInLockRow.username == username))

    # -- projects ----------------------------------------------------------------------------

    def add_project(self, name: str, created_by: str) -> Project:
        """Create a project.

        Raises:
            ValueError: Invalid name, or a project of that name exists.
        """
        clean = check_project_name(name)
        try:
            with self._writing("add project") as s:
                s.add(ProjectRow(name=clean, created_by=created_by, created_at=utcnow()))
        except StoreError:
            if any(p.name == clean for p in self.projects()):
                raise ValueError(f"project {clean!r} already exists") from None
            raise
        return next(p for p in self.projects() if p.name == clean)

    def grant(self, project: str, username: str, granted_by: str) -> bool:
        """Give a user access to a project.

        Returns:
            False when the user already had access.

        Raises:
            ValueError: No such project or user.
        """
        with self._writing("grant project") as s:
            project_id = self._require_project(s, project)
            user_id = self._require_user(s, username).id
            if s.get(ProjectMemberRow, (project_id, user_id)) is not None:
                return False
            s.add(ProjectMemberRow(project_id=project_id, user_id=user_id, granted_by=granted_by))
            return True

    def revoke(self, project: str, username: str) -> bool:
        """Take a user's access to a project away; False when they had none.

        Raises:
            ValueError: No such project or user.
        """
        with self._writing("revoke project") as s:
            project_id = self._require_project(s, project)
            user_id = self._require_user(s, username).id
            row = s.get(ProjectMemberRow, (project_id, user_id))
            if row is None:
                return False
            s.delete(row)
            return True

    def projects(self, names: Collection[str] | None = None) -> list[Project]:
        """Projects sorted by name, with members and document counts.

        Args:
            names: Only these projects (None: all).
        """
        documents = (
            select(func.count(ProjectDocumentRow.document_id))
            .where(ProjectDocumentRow.project_id == ProjectRow.id)
            .scalar_subquery()
        )
        query = select(ProjectRow, documents).order_by(ProjectRow.name)
        if names is not None:
            query = query.where(ProjectRow.name.in_(list(names)))
        with self._reading("list projects") as s:
            out = []
            for row, count in s.execute(query).all():
                members = s.scalars(
                    select(UserRow.username)
                    .join(ProjectMemberRow, ProjectMemberRow.user_id == UserRow.id)
                    .where(ProjectMemberRow.project_id == row.id)
                    .order_by(UserRow.username)
                )
                out.append(
                    Project(row.name, row.created_by, row.created_at, tuple(members), int(count))
                )
            return out

    def file_document(self, sha256: str, project: str, added_by: str) -> None:
        """File a stored document under a project (idempotent).

        Raises:
            ValueError: No such project.
            StoreError: The document is not stored.
        """
        with self._writing("file document") as s:
            project_id = self._require_project(s, project)
            document_id = self._require_document(s, sha256).id
            if s.get(ProjectDocumentRow, (project_id, document_id)) is None:
                s.add(
                    ProjectDocumentRow(
                        project_id=project_id, document_id=document_id, added_by=added_by
                    )
                )

    def document_projects(self, sha256: str) -> tuple[str, ...]:
        """The projects a document is filed under, sorted."""
        with self._reading("read document projects") as s:
            names = s.scalars(
                select(ProjectRow.name)
                .join(ProjectDocumentRow, ProjectDocumentRow.project_id == ProjectRow.id)
                .join(DocumentRow, DocumentRow.id == ProjectDocumentRow.document_id)
                .where(DocumentRow.sha256 == sha256)
                .order_by(ProjectRow.name)
            )
            return tuple(names)

    @staticmethod
    def _require_project(session: Session, name: str) -> int:
        project_id = session.scalar(select(ProjectRow.id).where(ProjectRow.name == name.strip()))
        if project_id is None:
            raise ValueError(f"no project {name.strip()!r}")
        return project_id


def in_projects(projects: Collection[str]) -> ColumnElement[bool]:
    """SQL condition: the document (`DocumentRow`) is filed under one of `projects`."""
    return DocumentRow.id.in_(
        select(ProjectDocumentRow.document_id)
        .join(ProjectRow, ProjectRow.id == ProjectDocumentRow.project_id)
        .where(ProjectRow.name.in_(list(projects)))
    )
