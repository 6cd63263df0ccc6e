"""Ids read as the database stores them, where thousands are compared and few are kept.

Turning each id of a result into a UUID object costs more than the query behind a
review page; `raw_id` reads a column without that, and `id_key` gives the one form to
compare: 32 lower-case hex digits, whether the database hands back the text SQLite keeps
or a UUID object (PostgreSQL).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, String, type_coerce
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.selectable import ScalarSelect


def raw_id(column: QueryableAttribute[Any] | ScalarSelect[Any]) -> ColumnElement[str]:
    """`column` read as the database stores it, for `id_key`, without making a UUID."""
    return type_coerce(column, String)


def id_key(value: object) -> str:
    """An id as 32 lower-case hex digits, from a UUID or from an id read with `raw_id`."""
    if isinstance(value, uuid.UUID):
        return value.hex
    text = str(value)
    return text if len(text) == 32 else text.replace("-", "").lower()
