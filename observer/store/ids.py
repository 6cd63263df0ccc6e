"""Ids as the store keeps them, and read as it keeps them where thousands are compared.

`Id` is the type of every id column: PostgreSQL's own UUID type; on SQLite (migration 0011)
the UUID's 16 bytes, half the 32 hex digits it took before. Python sees a `uuid.UUID` either
way, so every hash over a record is unchanged. The column is still declared CHAR(32) on
SQLite: SQLite keeps a blob as a blob in a column of any declared type, and the schema of
stores made before and after 0011 stays the same.

Turning each id of a result into a UUID object costs more than the query behind a
review page; `raw_id` reads a column without that, and `id_key` gives the one form to
compare: 32 lower-case hex digits, whether the database hands back the bytes SQLite keeps
or a UUID object (PostgreSQL).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import CHAR, ColumnElement, TypeDecorator, Uuid, type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.selectable import ScalarSelect
from sqlalchemy.types import NullType, TypeEngine


class Id(TypeDecorator[uuid.UUID]):
    """A UUID: native on PostgreSQL, 16 bytes on SQLite (see the module docstring)."""

    impl = Uuid
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(CHAR(32))
        return dialect.type_descriptor(Uuid())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        if not isinstance(value, uuid.UUID):
            value = uuid.UUID(str(value))
        return value.bytes

    def process_result_value(self, value: Any, dialect: Dialect) -> uuid.UUID | None:
        if value is None or isinstance(value, uuid.UUID):
            return value
        if isinstance(value, bytes):
            return uuid.UUID(bytes=value)
        return uuid.UUID(str(value))


def raw_id(column: QueryableAttribute[Any] | ScalarSelect[Any]) -> ColumnElement[Any]:
    """`column` read as the database stores it, for `id_key`, without making a UUID."""
    return type_coerce(column, NullType())


def id_key(value: object) -> str:
    """An id as 32 lower-case hex digits, from a UUID or from an id read with `raw_id`."""
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, bytes):
        return value.hex()
    text = str(value)
    return text if len(text) == 32 else text.replace("-", "").lower()
