"""Combo boxes filled from the vocabulary and from the store."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from PySide6.QtWidgets import QComboBox

from observer.people.directory import PersonSummary, TeamSummary
from observer.vocabulary import Role
from ui.widgets.named_combo import NamedComboBox

NO_TEAM = "No team"
NO_MANAGER = "No manager"


def role_combo(accessible_name: str = "Role", selected: Role = Role.SOCIAL_WORKER) -> QComboBox:
    combo = NamedComboBox()
    combo.setAccessibleName(accessible_name)
    for role in Role:
        combo.addItem(role.label, role.value)
    combo.setCurrentIndex(combo.findData(selected.value))
    return combo


def chosen_role(combo: QComboBox) -> Role:
    return Role(combo.currentData())


def team_combo(teams: Iterable[TeamSummary], selected: uuid.UUID | None = None) -> QComboBox:
    combo = NamedComboBox()
    combo.setAccessibleName("Team")
    combo.addItem(NO_TEAM, None)
    for team in teams:
        combo.addItem(team.name, team.id)
    select_id(combo, selected)
    return combo


def person_combo(
    people: Iterable[PersonSummary], selected: uuid.UUID | None, accessible_name: str
) -> QComboBox:
    combo = NamedComboBox()
    combo.setAccessibleName(accessible_name)
    combo.addItem(NO_MANAGER, None)
    for person in people:
        combo.addItem(f"{person.name} ({person.role.label})", person.id)
    select_id(combo, selected)
    return combo


def select_id(combo: QComboBox, wanted: uuid.UUID | None) -> None:
    for index in range(combo.count()):
        if combo.itemData(index) == wanted:
            combo.setCurrentIndex(index)
            return


def chosen_id(combo: QComboBox) -> uuid.UUID | None:
    value = combo.currentData()
    return value if isinstance(value, uuid.UUID) else None
