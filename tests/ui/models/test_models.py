"""The item models on their own, without a view: what each cell says and how rows sort."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from PySide6.QtCore import QModelIndex, Qt

from observer.people.directory import PersonSummary, WorkerRow
from observer.records.recording import ObservationSummary
from observer.vocabulary import Kind, Role, Status
from ui.formatting import searchable
from ui.models.observations import ObservationsModel
from ui.models.table import SORT_ROLE, RecordFilterProxy
from ui.models.workers import WorkersModel


def _worker(name: str, observations: int, last: datetime | None) -> WorkerRow:
    person = PersonSummary(
        id=uuid.uuid4(),
        name=name,
        role=Role.ASYE,
        team_id=None,
        team_name="",
        staff_reference="",
        active=True,
        revision=1,
    )
    return WorkerRow(person, observations, last)


def _texts(model, column: int) -> list[str]:
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_worker_cells_read_as_a_user_expects(qapp):
    model = WorkersModel()
    model.set_records([_worker("Ama Mensah", 3, datetime(2024, 12, 2, 23, 30, tzinfo=UTC))])

    cells = [model.index(0, c).data() for c in range(model.columnCount())]
    assert cells[0] == "Ama Mensah"
    assert cells[1] == "Newly qualified social worker (ASYE)"
    assert cells[2] == "No team"
    assert cells[3] == "3"
    assert cells[4] in {"02/12/2024", "03/12/2024"}  # depends on the laptop's time zone
    assert cells[5] == "Yes"
    assert model.index(0, 3).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignHCenter
    assert model.rowCount(model.index(0, 0)) == 0


def test_counts_and_dates_sort_as_numbers_not_text(qapp):
    model = WorkersModel()
    model.set_records(
        [
            _worker("A", 10, datetime(2025, 1, 9, tzinfo=UTC)),
            _worker("B", 9, datetime(2024, 12, 31, tzinfo=UTC)),
            _worker("C", 0, None),
        ]
    )
    proxy = RecordFilterProxy(model)

    proxy.sort(3, Qt.SortOrder.AscendingOrder)
    assert _texts(proxy, 0) == ["C", "B", "A"]
    proxy.sort(4, Qt.SortOrder.DescendingOrder)
    assert _texts(proxy, 0) == ["A", "B", "C"]
    assert model.index(0, 3).data(SORT_ROLE) == 10


def test_filter_needs_every_word_and_ignores_accents(qapp):
    model = WorkersModel()
    model.set_records([_worker("Zoë Łukasiewicz", 1, None), _worker("Zoe Smith", 0, None)])
    proxy = RecordFilterProxy(model)

    proxy.set_text("ZOE  lukasiewicz")
    assert _texts(proxy, 0) == ["Zoë Łukasiewicz"]
    proxy.set_text("")
    assert proxy.rowCount(QModelIndex()) == 2
    assert searchable("Straße Ørsted") == "strasse orsted"


def test_an_observation_without_overall_judgement_says_so(qapp):
    model = ObservationsModel()
    model.set_records(
        [
            ObservationSummary(
                id=uuid.uuid4(),
                observed_person_id=uuid.uuid4(),
                worker="Ama Mensah",
                observer="Priya Shah",
                kind=Kind.CHILD_PROTECTION_MEETING,
                observed_at=datetime(2025, 7, 1, 9, 0, tzinfo=UTC),
                status=Status.READY,
                framework="Direct work practice standards",
                overall="",
            )
        ]
    )

    assert _texts(model, 5) == ["Not yet judged"]
    assert _texts(model, 6) == ["Ready for sign-off"]
    kind = model.index(0, 2)
    # The table says it short; hovering gives the whole name.
    assert kind.data() == "Child protection meeting"
    assert kind.data(Qt.ItemDataRole.ToolTipRole) == Kind.CHILD_PROTECTION_MEETING.label
    assert date(2025, 7, 1).strftime("%d/%m/%Y") in _texts(model, 0)[0]


def test_a_framework_shown_by_its_short_name_gives_its_whole_name_on_hover(qapp, services, cast):
    from observer.records.recording import DraftDetails

    services.recording.create_draft(
        DraftDetails(
            observed_person_id=cast.worker,
            observer_id=cast.observer,
            kind=Kind.SUPERVISION_INDIVIDUAL,
            observed_at=datetime(2025, 3, 14, 10, 30, tzinfo=UTC),
        )
    )
    model = ObservationsModel()
    model.set_records(services.recording.list())

    framework = model.index(0, 4)
    assert framework.data() == "KSS supervisors"
    assert framework.data(Qt.ItemDataRole.ToolTipRole) == (
        "Knowledge and skills statement for practice supervisors, version 1"
    )
