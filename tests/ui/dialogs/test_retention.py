"""The retention policy dialog, as information governance would use it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableView,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, update

from observer.governance import retention
from observer.governance.retention import RetentionPolicy
from observer.people.directory import PersonDetails
from observer.records.recording import DraftDetails
from observer.services import Services
from observer.store.models import Observation
from observer.store.sync_tables import JOINED_KEY
from observer.sync import state
from observer.vocabulary import Kind, Status
from tests.support.qt import column_texts, row_texts
from ui.dialogs.retention import RetentionDialog
from ui.main_window import MainWindow

TODAY = date(2031, 6, 1)


def _observations_of(services: Services, person: uuid.UUID) -> int:
    with services.db.session() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(Observation)
                .where(Observation.observed_person_id == person)
            )
            or 0
        )


@pytest.fixture
def leaver(services: Services, cast) -> uuid.UUID:
    """The worker, observed twice (once signed), who left on 15 January 2020."""
    for day in (3, 10):
        services.recording.create_draft(
            DraftDetails(
                cast.worker, cast.observer, Kind.HOME_VISIT, datetime(2019, 6, day, tzinfo=UTC)
            )
        )
    with services.db.session() as s, s.begin():
        first = s.scalars(
            select(Observation.id).where(Observation.observed_person_id == cast.worker)
        )
        s.execute(
            update(Observation)
            .where(Observation.id == next(iter(first)))
            .values(status=Status.SIGNED.value)
        )
    person = services.people.get_person(cast.worker)
    services.people.update_person(
        cast.worker,
        PersonDetails(person.name, person.role, person.team_id, active=False,
                      left_on=date(2020, 1, 15)),
    )  # fmt: skip
    return cast.worker


@pytest.fixture
def dialog(qtbot: QtBot, services: Services, prompts) -> RetentionDialog:
    opened = RetentionDialog(services, prompts, today=lambda: TODAY)
    qtbot.addWidget(opened)
    opened.show()
    return opened


@pytest.fixture
def six_years(services: Services) -> None:
    retention.set_policy(services.db, RetentionPolicy(6), "Priya Shah")


def test_the_dialog_shows_who_is_due_and_the_totals(
    services: Services, leaver: uuid.UUID, six_years: None, dialog: RetentionDialog
) -> None:
    view = dialog.table.view
    assert dialog.remove_after.isChecked()
    assert dialog.years.value() == 6
    assert dialog.table.is_showing_records()
    assert row_texts(view, 0) == {
        "Person": "Zoë Łukasiewicz",
        "Left on": "15/01/2020",
        "Observations": "2",
        "Signed": "1",
        "Due since": "15/01/2026",
    }
    assert view.model().rowCount() == 1
    assert dialog.totals.text() == (
        "2 observations of 1 person are due for removal, 1 of them signed."
    )
    assert dialog.remove_button.isEnabled()


def test_removing_asks_with_the_exact_numbers_then_the_table_is_empty(
    qtbot: QtBot,
    services: Services,
    leaver: uuid.UUID,
    six_years: None,
    dialog: RetentionDialog,
    prompts,
) -> None:
    prompts.answers = [True]

    dialog.remove_button.click()
    assert dialog.totals.text() == "Removing 2 observations…"
    assert not dialog.remove_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=10_000)

    assert prompts.shown[0] == (
        "ask",
        "Remove 2 observations of 1 person, 1 of them signed? They cannot be brought back.",
    )
    assert prompts.shown[1][0] == "information"
    assert "Removed 2 observations (1 signed) of 1 person" in prompts.shown[1][1]
    assert dialog.table.view.model().rowCount() == 0
    assert not dialog.table.is_showing_records()
    assert dialog.table.message() == "Nothing is due for removal."
    assert not dialog.remove_button.isEnabled()
    assert dialog.removed_any
    assert _observations_of(services, leaver) == 0
    assert services.people.get_person(leaver).name == "Zoë Łukasiewicz"


def test_saying_no_removes_nothing(
    services: Services, leaver: uuid.UUID, six_years: None, dialog: RetentionDialog, prompts
) -> None:
    prompts.answers = [False]

    dialog.remove_button.click()

    assert [kind for kind, _ in prompts.shown] == ["ask"]
    assert column_texts(dialog.table.view, "Person") == ["Zoë Łukasiewicz"]
    assert _observations_of(services, leaver) == 2


def test_a_policy_chosen_in_the_dialog_is_saved_and_the_preview_follows(
    services: Services, leaver: uuid.UUID, dialog: RetentionDialog
) -> None:
    assert dialog.keep_everything.isChecked()
    assert dialog.table.message() == "The policy keeps everything, so nothing is due for removal."
    assert not dialog.save_button.isEnabled()

    dialog.remove_after.click()
    dialog.years.setValue(12)
    assert not dialog.remove_button.isEnabled()  # an unsaved policy removes nothing
    dialog.save_button.click()

    assert retention.get_policy(services.db) == RetentionPolicy(12)
    assert dialog.table.message() == "Nothing is due for removal."
    dialog.years.setValue(10)
    dialog.save_button.click()
    assert column_texts(dialog.table.view, "Person") == ["Zoë Łukasiewicz"]


def test_someone_who_left_without_a_date_is_said_to_be_kept(
    services: Services, cast, six_years: None, qtbot: QtBot, prompts
) -> None:
    services.recording.create_draft(
        DraftDetails(cast.worker, cast.observer, Kind.HOME_VISIT, datetime(2019, 6, 3, tzinfo=UTC))
    )
    person = services.people.get_person(cast.worker)
    services.people.update_person(
        cast.worker, PersonDetails(person.name, person.role, person.team_id, active=False)
    )
    dialog = RetentionDialog(services, prompts, today=lambda: TODAY)
    qtbot.addWidget(dialog)

    assert "no leaving date recorded" in dialog.kept.text()
    assert "Zoë Łukasiewicz" in dialog.kept.text()
    assert dialog.table.view.model().rowCount() == 0


def test_every_control_has_an_accessible_name(services: Services, dialog: RetentionDialog) -> None:
    """Buttons are named by their text; every other control needs an accessible name."""
    controls = (QLineEdit, QComboBox, QCheckBox, QRadioButton, QSpinBox, QDateEdit, QTableView)
    unnamed = [
        type(widget).__name__
        for kind in (*controls, QPushButton)
        for widget in dialog.findChildren(kind)
        if not (widget.accessibleName() or (isinstance(widget, QPushButton) and widget.text()))
    ]
    assert unnamed == []


def test_the_tools_menu_opens_the_dialog(
    qtbot: QtBot, services: Services, prompts, cast, monkeypatch
) -> None:
    window = MainWindow(services, prompts)
    qtbot.addWidget(window)
    opened: list[RetentionDialog] = []

    def record(dialog: RetentionDialog) -> int:
        opened.append(dialog)
        return 0

    monkeypatch.setattr(RetentionDialog, "exec", record)
    (tools,) = [a.menu() for a in window.menuBar().actions() if a.text() == "&Tools"]
    (item,) = [a for a in tools.actions() if a.text() == "&Retention policy…"]
    item.trigger()

    assert len(opened) == 1


def test_with_nothing_due_the_dialog_says_so_once(
    services: Services, six_years: None, dialog: RetentionDialog
) -> None:
    shown = [
        label.text()
        for label in dialog.findChildren(QLabel)
        if label.isVisibleTo(dialog) and label.text()
    ]

    assert shown.count("Nothing is due for removal.") == 1
    assert dialog.table.message() == "Nothing is due for removal."


def test_once_joined_to_a_team_server_the_menu_says_retention_is_set_there(
    qtbot: QtBot, services: Services, prompts, leaver: uuid.UUID, six_years: None, monkeypatch
) -> None:
    with services.db.session() as s, s.begin():
        state.put(
            s,
            **{state.SERVER: "https://observer.example.org", state.TOKEN: "t"},
            **{state.PERSON: str(uuid.uuid4()), state.ROLE: "practice_lead"},
            **{JOINED_KEY: str(uuid.uuid4())},
        )
    window = MainWindow(services, prompts)
    qtbot.addWidget(window)
    opened: list[RetentionDialog] = []
    monkeypatch.setattr(RetentionDialog, "exec", lambda dialog: opened.append(dialog) or 0)
    (tools,) = [a.menu() for a in window.menuBar().actions() if a.text() == "&Tools"]
    (item,) = [a for a in tools.actions() if a.text() == "&Retention policy…"]
    item.trigger()

    assert opened == []
    assert prompts.shown == [
        (
            "information",
            "This laptop has joined the team server at https://observer.example.org, whose "
            "administrator sets retention: the laptop removes nothing itself, and each sync "
            "removes here what the server removed.",
        )
    ]
    assert _observations_of(services, leaver) == 2
