"""The import contracts in pyproject.toml fail, naming the import, when a layer is crossed.

Each case copies observer/ and ui/ to a temporary folder, adds one forbidden import to a
copied module, and runs lint-imports there as scripts/test.sh does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("layers")
    for package in ("observer", "ui"):
        shutil.copytree(
            ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    # The copy comes first on the path, ahead of the editable install of the real tree.
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("module", "added", "contract", "named"),
    [
        pytest.param(
            "observer/records/readiness.py",
            "import ui.prompts",
            "observer never imports ui or Qt",
            "observer.records.readiness -> ui.prompts",
            id="core-imports-gui",
        ),
        pytest.param(
            "observer/store/backups.py",
            "import observer.cli.backup",
            "observer.cli sits on top",
            "observer.store.backups -> observer.cli.backup",
            id="core-imports-cli",
        ),
        pytest.param(
            "observer/services.py",
            "import observer.server.database",
            "the team server (observer.server) sits apart",
            "observer.services -> observer.server.database",
            id="laptop-imports-server",
        ),
        pytest.param(
            "observer/store/settings.py",
            "import observer.records.workspace",
            "no import cycles in observer",
            # The cycle contract names the packages of the import that closes the cycle.
            "- .store -> .records (1 import)",
            id="cycle-between-packages",
        ),
    ],
)
def test_a_forbidden_import_fails_naming_the_import(
    tree: Path, module: str, added: str, contract: str, named: str
) -> None:
    target = tree / module
    original = target.read_text(encoding="utf-8")
    target.write_text(f"{original}\n{added}  # noqa\n", encoding="utf-8")
    try:
        done = lint_imports(tree)
    finally:
        target.write_text(original, encoding="utf-8")
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert f"{contract}" in output
    assert "BROKEN" in output
    assert named in output.replace("\n", " "), output
