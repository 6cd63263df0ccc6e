"""Shared fixtures: every test gets its own data dir under tmp_path, never the real home."""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from store_passphrase import STORE_PASSPHRASE

from observer.paths import database_path
from observer.services import Services, open_services
from observer.store import encryption

# Property tests draw the same examples on every run, so a landing never hangs on luck.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.load_profile("repeatable")

_derive_key = encryption.derive_key


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user data dir."""
    monkeypatch.setenv("OBSERVER_DATA_DIR", str(tmp_path / "default-data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("OBSERVER_PASSPHRASE", STORE_PASSPHRASE)


@pytest.fixture(autouse=True, scope="session")
def _each_key_derived_once() -> Iterator[None]:
    """The real key derivation runs once per passphrase and salt in this process: hundreds
    of test stores would otherwise spend minutes re-deriving the same key."""
    encryption.derive_key = functools.cache(_derive_key)  # type: ignore[assignment]
    yield
    encryption.derive_key = _derive_key


@pytest.fixture(scope="session")
def _template_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new, migrated store; each test's store starts as a copy (same salt, same key)."""
    folder = tmp_path_factory.mktemp("template-store")
    open_services(folder, STORE_PASSPHRASE).close()
    return database_path(folder)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def services(data_dir: Path, _template_store: Path) -> Iterator[Services]:
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template_store, database_path(data_dir))
    opened = open_services(data_dir, STORE_PASSPHRASE)
    yield opened
    opened.close()
