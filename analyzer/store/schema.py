"""Database schema of the ScopeLens store (SQLAlchemy 2, typed declarative mapping).

The tables follow the doccano habit for span annotations: a span is
`(document, start, end, label, reviewer, created_at)` and the database itself enforces
`0 <= start < end`. Decisions are history: every decision is a new `annotations` row.

Only `analyzer.store` imports this module; everything else goes through `Store`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from analyzer.types import DECISIONS

SCHEMA_VERSION = 2
"""Version of the schema this code writes; `create_schema` refuses a newer database.

Version 2 added team use: users, projects, sign-in failures, the allow-list audit trail and
`annotations.adjudicated`."""

ROLES: tuple[str, ...] = ("admin", "reviewer", "viewer")
"""Roles of a user account (DESIGN.md "Team use")."""

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Offsets are both null (document-level finding) or a non-empty span inside the text.
# "end" is a reserved word in SQL, hence the quotes (valid on SQLite and PostgreSQL).
SPAN_CHECK = (
    '(start IS NULL AND "end" IS NULL) OR '
    '(start IS NOT NULL AND "end" IS NOT NULL AND 0 <= start AND start < "end")'
)
DECISION_CHECK = "decision IN ({})".format(", ".join(f"'{d}'" for d in DECISIONS))
ROLE_CHECK = "role IN ({})".format(", ".join(f"'{r}'" for r in ROLES))


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    SQLite has no timezone type and returns naive values; this decorator rejects naive input,
    stores UTC, and hands back aware UTC datetimes on both SQLite and PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        # SQLite stores the wall-clock string; keep it UTC and naive so it sorts as text.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class SafeText(TypeDecorator[str]):
    """Free text that any backend can store.

    PostgreSQL text cannot hold NUL characters; they are replaced by U+FFFD, one character for
    one, so character offsets into the text stay valid.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or "\x00" not in value:
            return value
        return value.replace("\x00", "\ufffd")

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return value


class Base(DeclarativeBase):
    """Declarative base of every ScopeLens table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SchemaVersionRow(Base):
    """The one-row `schema_version` table."""

    __tablename__ = "schema_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class DocumentRow(Base):
    """An extracted document, stored once per sha256 (optionally with the original bytes)."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(SafeText, nullable=False)
    kind: Mapped[str | None] = mapped_column(String(16))
    pages: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(SafeText, nullable=False)
    text_chars: Mapped[int] = mapped_column(Integer, nullable=False)
    original: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class AnalysisRow(Base):
    """One analysis run of a document: the full report JSON, so re-opening never re-runs."""

    __tablename__ = "analyses"
    __table_args__ = (Index(None, "document_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), nullable=False, index=True)
    tool_version: Mapped[str] = mapped_column(String(64), nullable=False)
    model: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    report_json: Mapped[str] = mapped_column(Text, nullable=False)


class FindingRow(Base):
    """One finding of an analysis, queryable (rule precision, search) without parsing JSON."""

    __tablename__ = "findings"
    __table_args__ = (
        CheckConstraint(SPAN_CHECK, name="span"),
        Index(None, "analysis_id", "finding_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id"), nullable=False, index=True)
    finding_id: Mapped[str] = mapped_column(String(64), nullable=False)
    category: Mapped[str] = mapped_column(String(64), nullable=False)
    type: Mapped[str] = mapped_column(String(64), nullable=False)
    severity: Mapped[str] = mapped_column(String(16), nullable=False)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(SafeText)
    sentence: Mapped[str | None] = mapped_column(SafeText)
    page: Mapped[int | None] = mapped_column(Integer)
    section: Mapped[str | None] = mapped_column(SafeText)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    confidence: Mapped[float] = mapped_column(Float, nullable=False)
    explanation: Mapped[str] = mapped_column(SafeText, nullable=False)
    suggestion: Mapped[str] = mapped_column(SafeText, nullable=False)


class AnnotationRow(Base):
    """One reviewer decision. Never updated: a changed mind is a new row."""

    __tablename__ = "annotations"
    __table_args__ = (
        CheckConstraint(SPAN_CHECK, name="span"),
        CheckConstraint(DECISION_CHECK, name="decision"),
        CheckConstraint("reviewer <> ''", name="reviewer"),
        Index(None, "document_id", "finding_id", "reviewer", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), nullable=False, index=True)
    finding_id: Mapped[str | None] = mapped_column(String(64))
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(SafeText)
    sentence: Mapped[str | None] = mapped_column(SafeText)
    category: Mapped[str] = mapped_column(String(64), nullable=False)
    type: Mapped[str] = mapped_column(String(64), nullable=False)
    decision: Mapped[str] = mapped_column(String(16), nullable=False)
    new_category: Mapped[str | None] = mapped_column(String(64))
    new_type: Mapped[str | None] = mapped_column(String(64))
    new_severity: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(SafeText)
    comment: Mapped[str | None] = mapped_column(SafeText)
    reviewer: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    tool_version: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(Text)
    adjudicated: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )


class AllowedPhraseRow(Base):
    """An organisation-wide muted phrase (normalised to lower case, single spaces)."""

    __tablename__ = "allow_list"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    phrase: Mapped[str] = mapped_column(SafeText, unique=True, nullable=False)
    category: Mapped[str] = mapped_column(String(64), nullable=False)
    type: Mapped[str | None] = mapped_column(String(64))
    reviewer: Mapped[str] = mapped_column(String(255), nullable=False)
    reason: Mapped[str | None] = mapped_column(SafeText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class AllowListChangeRow(Base):
    """Who added or removed an allow-list phrase, when and why (never deleted)."""

    __tablename__ = "allow_list_changes"
    __table_args__ = (CheckConstraint("action IN ('add', 'remove')", name="action"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    phrase: Mapped[str] = mapped_column(SafeText, nullable=False)
    category: Mapped[str | None] = mapped_column(String(64))
    type: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(8), nullable=False)
    username: Mapped[str] = mapped_column(String(255), nullable=False)
    reason: Mapped[str | None] = mapped_column(SafeText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class UserRow(Base):
    """A local account: username, role and argon2id password hash (never the password)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(ROLE_CHECK, name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    password_hash: Mapped[str] = mapped_column(Text, nullable=False)
    active: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class SignInFailureRow(Base):
    """One failed sign-in for a username (existing or not), for the lock-out."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index(None, "username", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class SignInLockRow(Base):
    """A username locked out of sign-in until `locked_until`."""

    __tablename__ = "sign_in_locks"

    username: Mapped[str] = mapped_column(String(255), primary_key=True)
    locked_until: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class ProjectRow(Base):
    """A project (a deal, a matter): documents are grouped and access is granted by project."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    created_by: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ProjectMemberRow(Base):
    """A user granted access to a project."""

    __tablename__ = "project_members"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    granted_by: Mapped[str] = mapped_column(String(255), nullable=False)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ProjectDocumentRow(Base):
    """A document filed under a project (a document may be filed under several)."""

    __tablename__ = "project_documents"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id"), primary_key=True, index=True
    )
    added_by: Mapped[str] = mapped_column(String(255), nullable=False)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
