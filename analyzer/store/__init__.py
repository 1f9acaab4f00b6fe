"""Storage of documents, analyses, findings, reviewer annotations and the allow-list.

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
    DocumentSummary,
    RuleStats,
    Store,
    StoredDocument,
    normalise_phrase,
    parse_timestamp,
    utc_timestamp,
    validate_annotation,
)
from analyzer.store.schema import SCHEMA_VERSION

__all__ = [
    "ENV_DB_URL",
    "SCHEMA_VERSION",
    "AllowedPhrase",
    "DocumentSummary",
    "RuleStats",
    "Store",
    "StoredDocument",
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
