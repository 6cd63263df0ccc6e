"""Checks decoded JSON field by field, failing with where the problem is and why.

Used by the framework loader and the bundle importer, so that a bad file is rejected
with one sentence naming the field and the reason, never a traceback.
"""

from __future__ import annotations

import json
import os
import stat
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from observer.text import has_control_characters
from observer.vocabulary import MOMENT_RANGE, within_moment_range

Fail = Callable[[str, str], Exception]
SHOWN_CHARACTERS = 40


class UnreadableJson(Exception):
    """Why a file cannot be read as JSON; str() ends a sentence that names the file."""


class _NotJsonNumber(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NotJsonNumber(name)


def read_json_file(path: Path, max_bytes: int, what: str) -> Any:
    """Decoded JSON from a file someone handed us, or UnreadableJson saying why not."""
    return decode_json(read_file_capped(path, max_bytes, what), what)


def _read_at_most(stream: BinaryIO, expected: int, max_bytes: int) -> bytes:
    """Up to `max_bytes` + 1 bytes. One read asks for what the file held when it was looked
    at (a read of the cap itself would reserve gigabytes for every small file); a file that
    grows meanwhile is read on in modest pieces, still capped."""
    parts = [stream.read(expected + 1)]
    read = len(parts[0])
    while expected < read <= max_bytes:
        more = stream.read(min(1 << 20, max_bytes + 1 - read))
        if not more:
            break
        parts.append(more)
        read += len(more)
    return b"".join(parts)


def read_file_capped(path: Path, max_bytes: int, what: str) -> bytes:
    """The bytes of a regular file of at most `max_bytes`, so that a device or a huge file
    cannot fill the memory; UnreadableJson otherwise."""
    too_large = f"is larger than {max_bytes:,} bytes, too large to be a {what}"
    try:
        if path.is_dir():
            raise UnreadableJson(f"is a folder, not a {what} file")
        with path.open("rb") as stream:
            facts = os.fstat(stream.fileno())
            if not stat.S_ISREG(facts.st_mode):
                raise UnreadableJson(f"is not a file, so it cannot be a {what}")
            if facts.st_size > max_bytes:
                raise UnreadableJson(too_large)
            raw = _read_at_most(stream, facts.st_size, max_bytes)
    except FileNotFoundError:
        raise UnreadableJson("does not exist") from None
    except OSError as exc:
        raise UnreadableJson(f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    if len(raw) > max_bytes:
        raise UnreadableJson(too_large)
    return raw


class _RepeatedKey(ValueError):
    pass


def _without_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object, refused when a key comes twice: JSON readers disagree on which value
    wins, so a file could say one thing to a person's eye and another to this program."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _RepeatedKey(shown(key))
        found[key] = value
    return found


def decode_json(raw: bytes, what: str) -> Any:
    """Decoded JSON, or UnreadableJson saying why not. A UTF-8 byte order mark (as some
    Windows editors write) is allowed; NaN and Infinity, which are not JSON, are not."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableJson(f"is not a UTF-8 text file, so it cannot be a {what}") from None
    try:
        return json.loads(
            text, parse_constant=_refuse_constant, object_pairs_hook=_without_repeated_keys
        )
    except _RepeatedKey as exc:
        raise UnreadableJson(
            f"names {exc} twice in one object, so which value is meant cannot be known"
        ) from None
    except json.JSONDecodeError as exc:
        raise UnreadableJson(
            f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise UnreadableJson(f"is nested too deeply to be a {what}") from None
    except _NotJsonNumber as exc:
        raise UnreadableJson(f"holds {exc}, which is not a number JSON allows") from None
    except ValueError:  # an integer of thousands of digits
        raise UnreadableJson("holds a number too long to read") from None


def shown(value: Any) -> str:
    """A value as an error message may quote it: short, on one line, never a dump."""
    if isinstance(value, str):
        cut = value[:SHOWN_CHARACTERS]
        return repr(cut) if cut == value else f"{cut!r}…"
    if (
        value is None
        or isinstance(value, bool | float)
        or (isinstance(value, int) and abs(value) < 10**SHOWN_CHARACTERS)
    ):
        return repr(value)
    return type_name(value)


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
        return self.string(value, path, required=required, max_len=max_len, strip=strip)

    def name(self, obj: dict[str, Any], where: str = "", *, max_len: int = 200) -> str:
        """A person's, team's or signer's name: one line of plain text."""
        path, value = self._given(obj, "name", where, True)
        text = self.string(value, path, max_len=max_len)
        if has_control_characters(text) or any(c in text for c in "\n\r\t"):
            raise self.fail(path, "holds control characters, which no name has")
        return text

    def string(
        self,
        value: Any,
        path: str,
        *,
        required: bool = True,
        max_len: int = 2000,
        strip: bool = True,
    ) -> str:
        """`value` as text that can be stored (valid Unicode, not too long)."""
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            raise self.fail(path, f"must be text, not {type_name(value)}")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise self.fail(path, "holds characters that are not valid text") from None
        text = value.strip() if strip else value
        if required and not text:
            raise self.fail(path, "must not be empty")
        if len(text) > max_len:
            raise self.fail(path, f"is longer than {max_len:,} characters")
        return text

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
            raise self.fail(path, f"must be between {low} and {high}, not {shown(value)}")
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
            raise self.fail(path, f"{shown(value)} is not a date written YYYY-MM-DD") from None

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
            raise self.fail(path, f"{shown(value)} is not an ISO 8601 date and time") from None
        if parsed.tzinfo is None:
            raise self.fail(path, "must give its time zone (for example +00:00)")
        if not within_moment_range(parsed):
            raise self.fail(path, f"{shown(value)} is out of range ({MOMENT_RANGE})")
        return parsed.astimezone(UTC)

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
            raise self.fail(path, f"{shown(value)} is not a UUID") from None

    def choice(self, obj: dict[str, Any], name: str, where: str, allowed: set[str]) -> str:
        value = self.text(obj, name, where, max_len=100)
        if value not in allowed:
            raise self.fail(
                join(where, name), f"{shown(value)} is not one of {', '.join(sorted(allowed))}"
            )
        return value

    def unique(self, codes: list[str], where: str, name: str = "code") -> None:
        seen: set[str] = set()
        for index, code in enumerate(codes):
            if code in seen:
                raise self.fail(f"{where}[{index}].{name}", f"{shown(code)} is used twice")
            seen.add(code)
