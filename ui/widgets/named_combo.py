"""A combo box that screen readers on Linux announce by its label, not by its choice.

Qt's own accessible combo box answers the AT-SPI name with the current text on Unix
(complexwidgets.cpp, "on Linux we use relations for this"), so Orca heard "Direct work
with a child, combo box" and never "Kind". Combo boxes made here answer with their
accessible name and give the current text as their value, and keep the list of choices
(and, when editable, the text field) as their children so the choice can still be read.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QAccessibleWidget, QComboBox, QWidget

_installed = False


class NamedComboBox(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        install_accessible_names()
        super().__init__(parent)


class _Accessible(QAccessibleWidget):
    def __init__(self, combo: NamedComboBox) -> None:
        super().__init__(combo, QAccessible.Role.ComboBox)
        self._combo = combo

    def text(self, kind: QAccessible.Text) -> str:
        if kind == QAccessible.Text.Name and self._combo.accessibleName():
            return self._combo.accessibleName()
        if kind == QAccessible.Text.Value:
            return self._combo.currentText()
        return super().text(kind)

    def _parts(self) -> list[QObject]:
        """As Qt's own combo box: the list of choices, then the text field when editable."""
        line = self._combo.lineEdit() if self._combo.isEditable() else None
        return [self._combo.view(), line] if line is not None else [self._combo.view()]

    def childCount(self) -> int:
        return len(self._parts())

    def child(self, index: int) -> QAccessibleInterface | None:
        parts = self._parts()
        return QAccessible.queryAccessibleInterface(parts[index]) if index < len(parts) else None

    def indexOfChild(self, child: QAccessibleInterface) -> int:
        found = [i for i, part in enumerate(self._parts()) if part is child.object()]
        return found[0] if found else -1


def _factory(key: str, target: QObject) -> QAccessibleInterface | None:
    if isinstance(target, NamedComboBox):
        return _Accessible(target)
    return None


def install_accessible_names() -> None:
    """Once per process, before the first NamedComboBox is asked about."""
    global _installed
    if not _installed:
        QAccessible.installFactory(_factory)
        _installed = True
