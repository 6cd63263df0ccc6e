"""Checks decoded JSON field by field, failing with where the problem is and why.

Used by the framework loader and the bundle importer, so that a bad file is rejected
with one sentence naming the field and the reason, never a traceback.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

Fail = Callable[[str, str], Exception]


def type_name(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


class Fields:
    """Typed reads of a decoded JSON document; `fail(where, reason)` builds the error."""

    def __init__(self, fail: Fail) -> None:
        self.fail = fail

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"must be an object, not {type_name(value)}")
        return value

    def array(self, value: Any, where: str, low: int = 0, high: int = 10_000_000) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, f"must be a list, not {type_name(value)}")
        if not low <= len(value) <= high:
            raise self.fail(where, f"must hold between {low} and {high} entries, not {len(value)}")
        return value

    def _given(self, obj: dict[str, Any], name: str, where: str, required: bool) -> tuple[str, Any]:
        """The field's path and value; a missing required field fails here."""
        path = join(where, name)
        value = obj.get(name)
        if value is None and required:
            raise self.fail(path, "is missing")
        return path, value

    def text(
        self,
        obj: dict[str, Any],
        name: str,
        where: str = "",
        *,
        required: bool = True,
        max_len: int = 2000,
        strip: bool = True,
    ) -> str:
        path, value = self._given(obj, name, where, required)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.fail(path, f"must be text, not {type_name(value)}")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise self.fail(path, "holds characters that are not valid text") from None
        if strip:
            value = value.strip()
        if required and not value:
            raise self.fail(path, "must not be empty")
        if len(value) > max_len:
            raise self.fail(path, f"is longer than {max_len:,} characters")
        return value

    def integer(
        self,
        obj: dict[str, Any],
        name: str,
        where: str = "",
        *,
        required: bool = True,
        low: int = 0,
        high: int = 2**31,
    ) -> int | None:
        path, value = self._given(obj, name, where, required)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(path, f"must be a whole number, not {type_name(value)}")
        if not low <= value <= high:
            raise self.fail(path, f"must be between {low} and {high}, not {value}")
        return value

    def boolean(self, obj: dict[str, Any], name: str, where: str = "") -> bool:
        value = obj.get(name)
        if not isinstance(value, bool):
            raise self.fail(join(where, name), f"must be true or false, not {type_name(value)}")
        return value

    def day(self, obj: dict[str, Any], name: str, where: str = "") -> date | None:
        path = join(where, name)
        value = obj.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(path, f"must be a date written YYYY-MM-DD, not {type_name(value)}")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(path, f"{value[:40]!r} is not a date written YYYY-MM-DD") from None

    def moment(
        self, obj: dict[str, Any], name: str, where: str = "", *, required: bool = True
    ) -> datetime | None:
        path, value = self._given(obj, name, where, required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(path, f"must be a date and time, not {type_name(value)}")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(path, f"{value[:40]!r} is not an ISO 8601 date and time") from None
        if parsed.tzinfo is None:
            raise self.fail(path, "must give its time zone (for example +00:00)")
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise self.fail(path, f"{value[:40]!r} is out of range") from None

    def identifier(
        self, obj: dict[str, Any], name: str, where: str = "", *, required: bool = True
    ) -> uuid.UUID | None:
        path, value = self._given(obj, name, where, required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(path, f"must be a UUID written as text, not {type_name(value)}")
        try:
            return uuid.UUID(value)
        except ValueError:
            raise self.fail(path, f"{value[:40]!r} is not a UUID") from None

    def choice(self, obj: dict[str, Any], name: str, where: str, allowed: set[str]) -> str:
        value = self.text(obj, name, where, max_len=100)
        if value not in allowed:
            raise self.fail(
                join(where, name), f"{value!r} is not one of {', '.join(sorted(allowed))}"
            )
        return value

    def unique(self, codes: list[str], where: str, name: str = "code") -> None:
        seen: set[str] = set()
        for index, code in enumerate(codes):
            if code in seen:
                raise self.fail(f"{where}[{index}].{name}", f"{code!r} is used twice")
            seen.add(code)
