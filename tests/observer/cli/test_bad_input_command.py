"""Bad input on the command line: one plain line on standard error, never a traceback,
and the store unchanged. (The core's own promises for hostile files, bundles, frameworks
and PDFs are tested beside each package: test_validation.py, records/, bundle/, documents/.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

import observer.store.db
from observer.bundle import write_bundle
from observer.services import Services, open_services
from tests.support.core import RunCli, store_snapshot
from tests.support.hostile import framework_document, read_only
from tests.support.passphrase import STORE_PASSPHRASE


def _read_only_from_now_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every store opened from now on refuses to be written."""
    make_engine = observer.store.db.make_engine

    def read_only_engine(*args: Any, **kwargs: Any) -> Any:
        engine = make_engine(*args, **kwargs)
        event.listen(engine, "connect", read_only)
        return engine

    monkeypatch.setattr(observer.store.db, "make_engine", read_only_engine)


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(lambda bundle, framework: ["import", str(bundle)], id="import"),
        pytest.param(
            lambda bundle, framework: ["frameworks", "import", str(framework)], id="frameworks"
        ),
    ],
)
def test_the_command_line_on_a_read_only_store_says_so_in_one_line(
    services: Services,
    data_dir: Path,
    tmp_path: Path,
    bundle_base: dict[str, Any],
    run_cli: RunCli,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: Callable[[Path, Path], list[str]],
) -> None:
    bundle = tmp_path / "bundle.json"
    write_bundle(bundle_base, bundle)
    framework = tmp_path / "ours.json"
    framework.write_text(json.dumps(framework_document()), encoding="utf-8")
    before = store_snapshot(services.db)
    services.close()
    _read_only_from_now_on(monkeypatch)

    code = run_cli(["--data-dir", str(data_dir), *command(bundle, framework)])

    err = capsys.readouterr().err
    assert (code, err.count("\n")) == (2, 1), err
    assert err == (
        "observer: The store could not be written because the data folder is read-only; "
        "nothing was changed.\n"
    )
    assert "Traceback" not in err
    reopened = open_services(data_dir, STORE_PASSPHRASE)
    try:
        assert store_snapshot(reopened.db) == before
    finally:
        reopened.close()


def test_a_file_name_with_a_line_break_still_gives_one_line(
    services: Services, run_cli: RunCli, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = tmp_path / "handover\nfrom the office.json"
    odd.write_text("not json", encoding="utf-8")

    code = run_cli(["--data-dir", str(services.data_dir), "import", str(odd)])

    error = capsys.readouterr().err
    assert code == 2
    assert error.count("\n") == 1
    assert error.startswith("observer: handover from the office.json")
