"""Alembic environment: runs on the connection Database hands in."""

from __future__ import annotations

from alembic import context

from observer.store.index_tables import is_index_table
from observer.store.models import Base


def include_name(name: str | None, kind: str, _parents: object) -> bool:
    """The SQLite search index (FTS5 tables, made by hand in 0007) is not a model."""
    return kind != "table" or name is None or not is_index_table(name)


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
