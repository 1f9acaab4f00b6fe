"""Sessions of the store: engine ownership and the read/write session context managers.

`Store` (documents, analyses, decisions) and its team records (users, projects, sign-in) are
built on this base, so every query runs through the same two context managers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Self

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from analyzer.errors import StoreError
from analyzer.store.engine import create_schema, db_error, make_engine, write_engine
from analyzer.store.schema import DocumentRow


class StoreSessions:
    """Owns (or borrows) the engine and opens sessions; see `Store`.

    Args:
        engine: An engine from `make_engine`.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write = write_engine(engine)
        self._owns_engine = False

    @classmethod
    def open(cls, url: str | None = None) -> Self:
        """Create the engine (see `make_engine`), the schema, and a store owning the engine.

        Raises:
            StoreError: The database is unreachable or its schema is newer than this code.
        """
        engine = make_engine(url)
        try:
            create_schema(engine)
        except BaseException:
            engine.dispose()
            raise
        store = cls(engine)
        store._owns_engine = True
        return store

    def close(self) -> None:
        """Dispose the engine when this store created it (`Store.open`)."""
        if self._owns_engine:
            self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- sessions --------------------------------------------------------------------------

    @contextmanager
    def _reading(self, what: str) -> Iterator[Session]:
        """A read session; a database failure becomes `StoreError("could not <what>: …")`."""
        try:
            with Session(self.engine) as session:
                yield session
        except SQLAlchemyError as exc:
            raise db_error(f"could not {what}", exc) from None

    @contextmanager
    def _writing(self, what: str) -> Iterator[Session]:
        """A write session in one transaction, its failures translated like `_reading`'s."""
        try:
            with Session(self._write) as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            raise db_error(f"could not {what}", exc) from None

    @staticmethod
    def _document_id(session: Session, sha256: str) -> int | None:
        return session.scalar(select(DocumentRow.id).where(DocumentRow.sha256 == sha256))

    def _require_document(self, session: Session, sha256: str) -> DocumentRow:
        row = session.scalars(select(DocumentRow).where(DocumentRow.sha256 == sha256)).first()
        if row is None:
            raise StoreError(f"document {sha256[:12]} is not in the store: save it first")
        return row
