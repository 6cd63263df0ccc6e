"""Starting the application in-process: start-up timing mode, first run, sample data, errors."""

from __future__ import annotations

import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLockFile, QTimer
from PySide6.QtWidgets import QApplication

import observer
from observer.paths import database_path
from observer.people.directory import PersonDetails
from observer.services import Services, open_services
from observer.vocabulary import Role
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.prompts import FakePrompts
from ui.app import NO_DISPLAY, main
from ui.dialogs.first_run import FirstRunDialog
from ui.main_window import MainWindow
from ui.single_instance import LOCK_FILE

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class FakeDemo:
    calls: list[dict[str, Any]] = field(default_factory=list)

    def generate(self, services: Services, **options: Any) -> None:
        self.calls.append(options)
        services.people.add_person(PersonDetails("Sample Worker", Role.SOCIAL_WORKER))


@pytest.fixture
def demo(monkeypatch: pytest.MonkeyPatch) -> FakeDemo:
    """Stands in for observer.demo.generator: these tests check the wiring, not the sample data."""
    fake = FakeDemo()
    module = types.ModuleType("observer.demo.generator")
    module.generate = fake.generate  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "observer.demo.generator", module)
    monkeypatch.setattr(observer, "demo", module, raising=False)
    return fake


@pytest.fixture
def closing_once_filled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Closes the window as a user would once it is filled; gives the titles it had."""
    titles: list[str] = []
    load_data = MainWindow.load_data

    def load_then_close(window: MainWindow) -> None:
        load_data(window)
        titles.append(window.windowTitle())
        QTimer.singleShot(0, QApplication.closeAllWindows)

    monkeypatch.setattr(MainWindow, "load_data", load_then_close)
    return titles


def test_quit_after_startup_starts_and_returns_zero(qapp, tmp_path: Path, prompts):
    data = tmp_path / "fresh"

    assert main(["--data-dir", str(data), "--quit-after-startup"], prompts=prompts) == 0

    assert database_path(data).exists()
    assert prompts.shown == []
    assert QApplication.instance() is qapp


def test_demo_seeds_an_empty_store_once(qapp, tmp_path: Path, prompts, demo: FakeDemo):
    data = tmp_path / "demo"
    argv = ["--data-dir", str(data), "--demo", "--quit-after-startup"]

    assert main(argv, prompts=prompts) == 0

    assert demo.calls == [{"workers": 40, "observations": 400}]


def test_demo_without_a_data_folder_opens_the_sample_store_beside_the_usual_one(
    qapp, tmp_path: Path, prompts, demo: FakeDemo
):
    # OBSERVER_DATA_DIR is tmp_path / "default-data" (tests/conftest.py)
    assert main(["--demo", "--quit-after-startup"], prompts=prompts) == 0

    assert demo.calls == [{"workers": 40, "observations": 400}]
    assert database_path(tmp_path / "default-data-sample").exists()
    assert not (tmp_path / "default-data").exists()


def test_demo_leaves_a_store_with_observations_alone(
    qapp, services: Services, data_dir: Path, observation, prompts, demo: FakeDemo
):
    argv = ["--data-dir", str(data_dir), "--demo", "--quit-after-startup"]

    assert main(argv, prompts=prompts) == 0

    assert demo.calls == []


def test_a_damaged_database_is_one_sentence_and_exit_code_two(qapp, tmp_path: Path, prompts):
    data = tmp_path / "damaged"
    data.mkdir()
    shopping_list = b"this is not a database, it is a shopping list" * 100
    database_path(data).write_bytes(b"SQLite format 3\x00" + shopping_list)

    assert main(["--data-dir", str(data)], prompts=prompts) == 2

    assert len(prompts.shown) == 1
    kind, message = prompts.shown[0]
    assert kind == "error"
    assert "not a Practice Observer database" in message
    assert "\n" not in message


def test_cancelling_first_run_quits_cleanly(qapp, tmp_path: Path, prompts, monkeypatch):
    monkeypatch.setattr(FirstRunDialog, "exec", lambda dialog: 0)
    data = tmp_path / "new"

    assert main(["--data-dir", str(data)], prompts=prompts) == 0

    reopened = open_services(data, STORE_PASSPHRASE)
    try:
        assert reopened.profiles.current() is None
    finally:
        reopened.close()


def _fill_first_run(dialog: FirstRunDialog, *, sample: bool = False) -> int:
    """Stands in for exec(): types as a user would, then presses Start."""
    assert not dialog.sample.isChecked()  # sample data is never the default
    dialog.name.setText("Priya Shah")
    dialog.organisation.setText("Northshire County Council")
    dialog.sample.setChecked(sample)
    dialog.accept()
    return dialog.result()


def test_first_run_adds_no_sample_data_unless_asked(
    qapp, tmp_path: Path, monkeypatch, demo: FakeDemo, closing_once_filled: list[str]
):
    monkeypatch.setattr(FirstRunDialog, "exec", _fill_first_run)
    prompts = FakePrompts()
    data = tmp_path / "new"

    assert main(["--data-dir", str(data)], prompts=prompts) == 0

    assert prompts.shown == []
    assert demo.calls == []
    assert closing_once_filled == ["Northshire County Council — Practice Observer"]
    assert not (tmp_path / "new-sample").exists()
    reopened = open_services(data, STORE_PASSPHRASE)
    try:
        profile = reopened.profiles.current()
        assert profile is not None
        assert profile.organisation == "Northshire County Council"
    finally:
        reopened.close()


def test_sample_data_chosen_at_first_run_goes_in_a_separate_store(
    qapp, tmp_path: Path, monkeypatch, closing_once_filled: list[str]
):
    from observer.demo import generator

    generate = generator.generate

    def small(services: Services, **options: Any) -> object:
        return generate(services, workers=2, observations=3, seed=1)

    monkeypatch.setattr(generator, "generate", small)
    monkeypatch.setattr(FirstRunDialog, "exec", lambda d: _fill_first_run(d, sample=True))
    data = tmp_path / "new"
    held_while_open: list[bool] = []
    load_data = MainWindow.load_data

    def note_the_folder_held(window: MainWindow) -> None:
        # A second start on the sample folder must find it held, as it would the usual one.
        held_while_open.append(not QLockFile(str(tmp_path / "new-sample" / LOCK_FILE)).tryLock(0))
        load_data(window)

    monkeypatch.setattr(MainWindow, "load_data", note_the_folder_held)

    assert main(["--data-dir", str(data)], prompts=FakePrompts()) == 0

    assert closing_once_filled == ["Northshire County Council — Sample data — Practice Observer"]
    assert held_while_open == [True]
    assert QLockFile(str(tmp_path / "new-sample" / LOCK_FILE)).tryLock(0)  # let go at the end
    real = open_services(data, STORE_PASSPHRASE)
    try:
        assert real.recording.count() == 0
        assert not real.sample_data.held()
        assert real.profiles.current() is not None
    finally:
        real.close()
    sample = open_services(tmp_path / "new-sample", STORE_PASSPHRASE)
    try:
        assert sample.recording.count() == 3
        assert sample.sample_data.held()
        profile = sample.profiles.current()
        assert profile is not None
        assert profile.name == "Priya Shah"
    finally:
        sample.close()


def test_without_a_display_the_app_says_so_in_one_sentence(monkeypatch, tmp_path):
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [NO_DISPLAY]
    assert not (tmp_path / "data").exists()


def test_an_unexpected_error_is_logged_and_told_in_one_sentence(qapp, tmp_path: Path, prompts):
    data = tmp_path / "data"
    services = open_services(data, STORE_PASSPHRASE)
    services.profiles.set_up("Priya Shah", Role.PRACTICE_LEAD, "Northshire County Council")
    services.close()

    def broken_slot() -> None:
        raise RuntimeError("a bug")

    # Runs inside the app's event loop, before --quit-after-startup ends it.
    QTimer.singleShot(0, broken_slot)
    assert main(["--data-dir", str(data), "--quit-after-startup"], prompts=prompts) == 0

    errors = [message for kind, message in prompts.shown if kind == "error"]
    assert len(errors) == 1
    assert errors[0].startswith("Something went wrong and that step did not finish")
    log_text = (data / "logs" / "observer.log").read_text(encoding="utf-8")
    assert "RuntimeError: a bug" in log_text
    assert "report_unexpected_errors" not in repr(sys.excepthook)
