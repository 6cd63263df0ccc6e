"""Alembic environment of the server's own schema history: runs on the connection that
observer.server.migrate hands in, inside its transaction."""

from __future__ import annotations

from alembic import context

from observer.server.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
