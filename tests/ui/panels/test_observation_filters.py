"""The observations list narrowed by observer and by framework version, as on the worker page."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from pytestqt.qtbot import QtBot

from observer.people.directory import PersonDetails
from observer.services import Services
from observer.vocabulary import Role
from tests.support.core import Staff
from tests.support.prompts import FakePrompts
from tests.support.qt import column_texts
from tests.support.review import Recorder, framework_id, second_version
from ui.panels.observations import ObservationsPanel


@pytest.fixture
def seen(services: Services, staff: Staff, record: Recorder) -> dict[str, uuid.UUID]:
    """Three observations of the social worker: two by the practice lead (against versions
    1 and 2 of the direct work framework), one by the team manager (version 1)."""
    first = framework_id(services, "direct-work-practice")
    revised = second_version(services)
    return {
        "january": record.observation(date(2025, 1, 10), framework_id=first),
        "march": record.observation(date(2025, 3, 10), framework_id=first, observer=staff.manager),
        "may": record.observation(date(2025, 5, 10), framework_id=revised),
    }


@pytest.fixture
def panel(qtbot: QtBot, services: Services, prompts: FakePrompts) -> ObservationsPanel:
    observations = ObservationsPanel(services.recording, services.people, prompts)
    qtbot.addWidget(observations)
    observations.show()
    return observations


def dates(panel: ObservationsPanel) -> list[str]:
    return [text[:10] for text in column_texts(panel.table.view, "Date")]


def test_choosing_an_observer_keeps_what_they_observed(panel: ObservationsPanel, seen) -> None:
    panel.reload()
    assert dates(panel) == ["10/05/2025", "10/03/2025", "10/01/2025"]

    panel.observer.setCurrentIndex(panel.observer.findText("Morag Campbell"))

    assert dates(panel) == ["10/03/2025"]
    assert column_texts(panel.table.view, "Observer") == ["Morag Campbell"]
    panel.observer.setCurrentIndex(0)
    assert len(dates(panel)) == 3


def test_choosing_a_framework_version_keeps_that_version_only(
    panel: ObservationsPanel, seen
) -> None:
    panel.reload()
    versions = [panel.framework.itemText(i) for i in range(panel.framework.count())]
    assert "Direct work, version 1" in versions
    assert "Direct work, version 2" in versions

    panel.framework.setCurrentIndex(panel.framework.findText("Direct work, version 2"))
    assert dates(panel) == ["10/05/2025"]

    panel.framework.setCurrentIndex(panel.framework.findText("Direct work, version 1"))
    assert dates(panel) == ["10/03/2025", "10/01/2025"]


def test_the_choices_survive_a_reload(panel: ObservationsPanel, seen) -> None:
    panel.reload()
    panel.observer.setCurrentIndex(panel.observer.findText("Aled Hughes"))
    panel.framework.setCurrentIndex(panel.framework.findText("Direct work, version 1"))

    panel.reload()

    assert panel.observer.currentText() == "Aled Hughes"
    assert dates(panel) == ["10/01/2025"]


def test_people_filters_sort_accented_names_among_their_letters(
    qtbot: QtBot, services: Services, panel: ObservationsPanel
) -> None:
    for name in ("Zofia Nowak", "Zoë Adeyemi", "Émile Dubois", "Åsa Lindqvist", "Adam Brown"):
        services.people.add_person(PersonDetails(name, Role.SOCIAL_WORKER))
    panel.reload()

    for combo in (panel.observer, panel.person):
        offered = [combo.itemText(i) for i in range(1, combo.count())]
        ours = [n for n in offered if n.split()[0] in ("Zofia", "Zoë", "Émile", "Åsa", "Adam")]
        assert ours == ["Adam Brown", "Åsa Lindqvist", "Émile Dubois", "Zoë Adeyemi", "Zofia Nowak"]
