"""Storage of documents, analyses, findings, reviewer annotations and the allow-list; users,
projects and sign-in failures for team use.

`Store` is the only code in ScopeLens that touches the database::

    engine = make_engine()          # SCOPELENS_DB_URL, else a SQLite file in the user data dir
    create_schema(engine)           # idempotent; refuses a database newer than this code
    store = Store(engine)
    store.save_document(document)
    store.add_annotation(annotation)

or, owning the engine, `with Store.open(url) as store: ...`.
"""

from __future__ import annotations

from analyzer.store.engine import (
    ENV_DB_URL,
    create_schema,
    default_db_url,
    make_engine,
    migrate,
    schema_version,
)
from analyzer.store.repository import (
    AllowedPhrase,
    AllowListChange,
    DocumentSummary,
    RuleStats,
    Store,
    StoredDocument,
    normalise_phrase,
    parse_timestamp,
    utc_timestamp,
    validate_annotation,
)
from analyzer.store.schema import ROLES, SCHEMA_VERSION
from analyzer.store.team import Project, User, check_project_name, check_username

__all__ = [
    "ENV_DB_URL",
    "ROLES",
    "SCHEMA_VERSION",
    "AllowListChange",
    "AllowedPhrase",
    "DocumentSummary",
    "Project",
    "RuleStats",
    "Store",
    "StoredDocument",
    "User",
    "check_project_name",
    "check_username",
    "create_schema",
    "default_db_url",
    "make_engine",
    "migrate",
    "normalise_phrase",
    "parse_timestamp",
    "schema_version",
    "utc_timestamp",
    "validate_annotation",
]
