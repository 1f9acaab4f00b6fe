"""Team use in the service layer: who is signed in, what they may see and do, and sign-in.

DESIGN.md "Team use": with no user in the store ScopeLens is single-user (everything visible,
free-text reviewer names). Once a user exists every request carries a `Principal`: an admin sees
and manages everything; a reviewer sees the documents of projects granted to them and records
decisions; a viewer only reads. Passwords are argon2id hashes (`argon2-cffi`), verified in
constant time; five failures for one username within ten minutes lock it for ten minutes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from analyzer.classify.agreement import cohen_kappa
from analyzer.consensus import Consensus, pairs_by_category
from analyzer.errors import AccessDenied
from analyzer.store import Store, User
from analyzer.types import Annotation

IDLE_ENV = "SCOPELENS_SESSION_IDLE_MINUTES"
"""Environment variable: minutes of inactivity after which a signed-in session ends."""
DEFAULT_IDLE_MINUTES = 30
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=10)
LOCK_TIME = timedelta(minutes=10)
MIN_PASSWORD_LENGTH = 8

WRONG_CREDENTIALS = "Wrong username or password"
"""The one message for an unknown user, a disabled user and a wrong password."""
NOT_FOUND = "Not found"
"""The answer for a document that does not exist and for one the user may not see."""

_HASHER = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters
_DUMMY_HASH = _HASHER.hash("scopelens: no such user")
"""Verified against when the username is unknown, so both cases take the same time."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking.

    Attributes:
        username: The signed-in user ("" in single-user mode: names are typed per decision).
        role: "admin", "reviewer" or "viewer".
        projects: Projects whose documents the user may see; None means every document.
        team: Users exist in the store (sign-in, attribution and access control apply).
    """

    username: str
    role: str
    projects: frozenset[str] | None
    team: bool = True

    @property
    def is_admin(self) -> bool:
        """May manage users, projects and the allow-list, and adjudicate."""
        return self.role == "admin"

    @property
    def can_decide(self) -> bool:
        """May record decisions and add documents (admins and reviewers)."""
        return self.role in ("admin", "reviewer")

    def may_use_project(self, project: str) -> bool:
        """May file documents under `project`."""
        return self.can_decide and (self.projects is None or project in self.projects)


SINGLE_USER = Principal(username="", role="admin", projects=None, team=False)
"""The principal when the store has no users: one person on 127.0.0.1 sees everything."""


def idle_timeout() -> timedelta:
    """How long a signed-in session may stay idle (`SCOPELENS_SESSION_IDLE_MINUTES`, 30)."""
    raw = os.environ.get(IDLE_ENV, "").strip()
    try:
        minutes = float(raw) if raw else DEFAULT_IDLE_MINUTES
    except ValueError:
        minutes = DEFAULT_IDLE_MINUTES
    return timedelta(minutes=max(minutes, 0.05))


# ---------------------------------------------------------------------------------------------
# Passwords and sign-in
# ---------------------------------------------------------------------------------------------


def check_password(password: str) -> None:
    """Raise ValueError (naming no password) when `password` is too weak to store."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip() != password or not password.isprintable():
        raise ValueError("the password must not start or end with spaces, nor hold control codes")


def hash_password(password: str) -> str:
    """The argon2id hash of an acceptable password (see `check_password`)."""
    check_password(password)
    return _HASHER.hash(password)


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def principal_of(user: User | None) -> Principal | None:
    """The principal of an active account, or None (no account or disabled)."""
    if user is None or not user.active:
        return None
    projects = None if user.role == "admin" else frozenset(user.projects)
    return Principal(user.username, user.role, projects)


def current_principal(store: Store, username: str | None) -> Principal | None:
    """Who a request acts as: single-user mode, the signed-in user, or None (must sign in).

    Read on every request, so a disabled account or a changed grant applies at once.
    """
    if store.count_users() == 0:
        return SINGLE_USER
    if not username:
        return None
    return principal_of(store.user(username))


@dataclass(frozen=True, slots=True)
class SignIn:
    """The outcome of a sign-in attempt: a principal, or the message to show."""

    principal: Principal | None
    message: str


def sign_in(store: Store, username: str, password: str, now: datetime | None = None) -> SignIn:
    """Check credentials, counting failures and honouring the lock-out.

    A locked username is refused whatever the password; unknown users, disabled users and wrong
    passwords all get `WRONG_CREDENTIALS` after the same amount of hashing work.
    """
    now = now or datetime.now(UTC)
    name = username.strip()
    locked = store.locked_until(name, now) if name else None
    if locked is not None:
        minutes = max(1, -(-int((locked - now).total_seconds()) // 60))
        return SignIn(
            None,
            f"Too many failed sign-ins for this username: try again in {minutes} minute(s).",
        )
    stored = store.password_hash(name) if name else None
    matches = _verify(stored or _DUMMY_HASH, password)
    principal = principal_of(store.user(name)) if matches and stored is not None else None
    if principal is None:
        if name:
            store.record_sign_in_failure(
                name, now, limit=MAX_FAILURES, window=FAILURE_WINDOW, lock=LOCK_TIME
            )
        return SignIn(None, WRONG_CREDENTIALS)
    store.clear_sign_in_failures(name)
    if stored is not None and _HASHER.check_needs_rehash(stored):
        store.set_password_hash(name, _HASHER.hash(password))
    return SignIn(principal, f"Signed in as {principal.username}")


# ---------------------------------------------------------------------------------------------
# Access rules, decided here for every caller (app, command line)
# ---------------------------------------------------------------------------------------------


def require_admin(user: Principal, action: str) -> None:
    """Raise AccessDenied unless `user` is an admin (or single-user mode)."""
    if not user.is_admin:
        raise AccessDenied(f"only an admin may {action}")


def require_decider(user: Principal, action: str) -> None:
    """Raise AccessDenied unless `user` may record decisions (admin or reviewer)."""
    if not user.can_decide:
        raise AccessDenied(f"a {user.role} may not {action}: ask an admin for the reviewer role")


def may_see(store: Store, user: Principal, sha256: str) -> bool:
    """The document is filed under a project the user may see (admins see every document)."""
    if user.projects is None:
        return True
    return bool(user.projects.intersection(store.document_projects(sha256)))


def attributed(user: Principal, annotation: Annotation) -> Annotation:
    """The decision as recorded: once users exist it carries the signed-in username."""
    if not user.team:
        return annotation
    if annotation.adjudicated:
        require_admin(user, "adjudicate")
    return replace(annotation, reviewer=user.username)


# ---------------------------------------------------------------------------------------------
# Working together: agreement and progress
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CategoryAgreement:
    """Agreement of reviewers on one category: pairs of verdicts on the same findings."""

    category: str
    pairs: int
    agreed: int
    kappa: float | None
    """Cohen's kappa over the pairs; None below two pairs (no meaningful value)."""


def reviewer_agreement(current: list[Annotation]) -> list[CategoryAgreement]:
    """Cohen's kappa per category between reviewers who judged the same findings."""
    rows = []
    for category, pairs in sorted(pairs_by_category(current).items()):
        first = [a for a, _ in pairs]
        second = [b for _, b in pairs]
        agreed = sum(a == b for a, b in pairs)
        kappa = cohen_kappa(first, second) if len(pairs) >= 2 else None
        rows.append(CategoryAgreement(category, len(pairs), agreed, kappa))
    return rows


@dataclass(frozen=True, slots=True)
class ProjectProgress:
    """How far the review of one project has come."""

    project: str
    documents: int
    findings: int
    reviewed: int
    """Findings with a resolved decision (agreed or adjudicated)."""
    disputed: int
    """Findings whose reviewers disagree, waiting for an admin."""
    by_reviewer: dict[str, int]
    """Findings each reviewer has decided on."""


def progress_of(
    project: str, documents: int, findings: int, items: list[Consensus]
) -> ProjectProgress:
    """Summarise the consensus of a project's findings (`analyzer.consensus.consensus`)."""
    by_reviewer: dict[str, int] = {}
    for item in items:
        for name in item.reviewers:
            by_reviewer[name] = by_reviewer.get(name, 0) + 1
    return ProjectProgress(
        project=project,
        documents=documents,
        findings=findings,
        reviewed=sum(1 for i in items if i.resolved is not None),
        disputed=sum(1 for i in items if i.disputed),
        by_reviewer=dict(sorted(by_reviewer.items())),
    )
