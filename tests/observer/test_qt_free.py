"""The core imports without Qt, and the start-up path without the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

IMPORT_EVERY_CORE_MODULE = """
import importlib, json, pkgutil, sys
import observer

def walk(package):
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if info.name in ("observer.store.migrations", "observer.server.migrations"):
            continue  # env.py runs Alembic when imported
        if info.name == "observer.__main__":
            continue  # runs the command line when imported
        module = importlib.import_module(info.name)
        yield info.name
        if info.ispkg:
            yield from walk(module)

names = list(walk(observer))
print(json.dumps({"modules": names, "loaded": sorted(sys.modules)}))
"""

IMPORT_ONE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps({"loaded": sorted(sys.modules)}))
"""

OPEN_STORE = """
import json, os, sys
from pathlib import Path
from observer.services import open_services
open_services(Path(sys.argv[1]), os.environ['OBSERVER_PASSPHRASE']).close()
print(json.dumps({"loaded": sorted(sys.modules)}))
"""


def _run(code: str, *args: str) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = json.loads(done.stdout)
    return result


def _top_level(loaded: list[str]) -> set[str]:
    return {name.split(".")[0] for name in loaded}


def test_every_core_module_imports_without_qt() -> None:
    result = _run(IMPORT_EVERY_CORE_MODULE)
    imported = set(result["modules"])
    assert {
        "observer.services",
        "observer.cli.main",
        "observer.bundle",
        "observer.demo.generator",
        "observer.records.frameworks",
        "observer.records.recording",
    } <= imported
    assert not _top_level(result["loaded"]) & {"PySide6", "shiboken6"}


def test_services_start_without_alembic_reportlab_or_pyhanko() -> None:
    loaded = _top_level(_run(IMPORT_ONE, "observer.services")["loaded"])
    assert "sqlalchemy" in loaded  # the probe does see imports
    assert not loaded & {
        "alembic",
        "reportlab",
        "pyhanko",
        "PySide6",
        "psycopg",
        "starlette",
        "uvicorn",
    }


def test_opening_an_up_to_date_store_does_not_load_alembic(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = _top_level(_run(OPEN_STORE, str(store))["loaded"])
    assert "alembic" in first  # a new store is created by the migrations
    again = _top_level(_run(OPEN_STORE, str(store))["loaded"])
    assert "alembic" not in again
