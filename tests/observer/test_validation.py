"""JSON files from outside, frameworks and bundles alike: one plain sentence naming the
file, never a traceback, whatever the bytes."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observer.bundle import read_bundle
from observer.bundle.reader import BundleReader
from observer.errors import ObserverError
from observer.records.frameworks import load_framework_file
from tests.support.hostile import FUZZ, one_sentence

DEEP = "[" * 100_000 + "]" * 100_000
HOSTILE_FILES = {
    "latin-1": b'{"format": "practice-observer-bundle", "name": "Sioned Caf\xe9"}',
    "utf-16": json.dumps({"format": 1}).encode("utf-16"),
    "random bytes": bytes(range(256)) * 4,
    "empty": b"",
    "only spaces": b"   \n",
    "truncated": b'{"format": "practice-observer-bundle", "teams": [',
    "deeply nested": DEEP.encode(),
    "nested in a field": b'{"format": 1, "key": ' + DEEP.encode() + b"}",
    "NaN": b'{"format": NaN}',
    "Infinity": b'{"format": 1, "version": Infinity}',
    "-Infinity": b'{"format": 1, "version": -Infinity}',
    "4,301-digit number": b'{"format": ' + b"9" * 4301 + b"}",
    "lone surrogate": b'{"format": 1, "key": "\\ud800"}',
    "a list": b"[1, 2, 3]",
    "text": b'"a framework"',
}


def _load_framework(path: Path) -> Any:
    return load_framework_file(path)


def _load_bundle(path: Path) -> Any:
    return BundleReader(path.name).read(read_bundle(path))


LOADERS = [
    pytest.param(_load_framework, id="framework"),
    pytest.param(_load_bundle, id="bundle"),
]


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("content", HOSTILE_FILES.values(), ids=HOSTILE_FILES.keys())
def test_a_hostile_file_is_refused_in_one_sentence_naming_it(
    tmp_path: Path, loader: Callable[[Path], Any], content: bytes
) -> None:
    path = tmp_path / "from-the-shared-drive.json"
    path.write_bytes(content)

    with pytest.raises(ObserverError) as refused:
        loader(path)

    assert one_sentence(refused.value).startswith("from-the-shared-drive.json")


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"format": NaN}', "holds NaN, which is not a number JSON allows"),
        (b"[" * 5000 + b"]" * 5000, "is nested too deeply"),
        (b'{"format": ' + b"9" * 5000 + b"}", "holds a number too long to read"),
        (b'{"format": "Caf\xe9"}', "is not a UTF-8 text file"),
        (
            b'{"format": 1, "name": "Morag Campbell", "name": "Someone Else"}',
            "names 'name' twice in one object",
        ),
    ],
    ids=["NaN", "nested", "long number", "latin-1", "repeated key"],
)
def test_a_file_that_is_not_plain_json_says_why(
    tmp_path: Path, loader: Callable[[Path], Any], content: bytes, reason: str
) -> None:
    path = tmp_path / "odd.json"
    path.write_bytes(content)
    with pytest.raises(ObserverError, match=reason):
        loader(path)


@pytest.mark.parametrize("loader", LOADERS)
def test_a_device_or_a_folder_is_not_read(tmp_path: Path, loader: Callable[[Path], Any]) -> None:
    """/dev/zero never ends and reports no size: reading it would fill the memory."""
    with pytest.raises(ObserverError, match="is not a file"):
        loader(Path("/dev/zero"))
    with pytest.raises(ObserverError, match="is a folder"):
        loader(tmp_path)


@settings(max_examples=60, **FUZZ)
@given(content=st.binary(max_size=300))
def test_any_bytes_give_a_framework_a_bundle_or_one_sentence(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "anything.json"
        path.write_bytes(content)
        for loader in (_load_framework, _load_bundle):
            try:
                loader(path)
            except ObserverError as refused:
                one_sentence(refused)
