"""What a screen reader is told about a dialog's inputs, asked through Qt's accessibility API."""

from __future__ import annotations

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

INPUTS = (QLineEdit, QComboBox, QAbstractSpinBox, QAbstractButton, QPlainTextEdit, QTextEdit)


def announced_name(widget: QWidget) -> str:
    """The name an assistive technology reads, as Qt's accessibility interface gives it."""
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None, widget
    return interface.text(QAccessible.Text.Name)


def plain(label: str) -> str:
    """A label as it is read: no mnemonic ampersand, no closing colon or ellipsis (a screen
    reader would read the ellipsis out as "dot dot dot")."""
    text = label.replace("&&", "\0").replace("&", "").replace("\0", "&").strip()
    return text.removesuffix(":").removesuffix("…").removesuffix("...").rstrip()


def visible_inputs(dialog: QWidget) -> list[QWidget]:
    """The inputs a user can reach, less the parts inside a combo or spin box."""
    return [
        w
        for w in dialog.findChildren(QWidget)
        if isinstance(w, INPUTS)
        and w.isVisibleTo(dialog)
        and not isinstance(w.parent(), QAbstractSpinBox | QComboBox)
        and w.focusPolicy() != w.focusPolicy().NoFocus
    ]


def names_not_matching_labels(dialog: QWidget) -> list[str]:
    """Each input whose announced name is not its label's text, as 'label: announced'.

    An input's label is the QLabel whose buddy it is (or whose buddy's focus proxy it is);
    a button or tick box is its own label. An input with no label at all is listed too."""
    labels: dict[QWidget, str] = {}
    for label in dialog.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is not None:
            labels[buddy.focusProxy() or buddy] = plain(label.text())
    wrong = []
    for widget in visible_inputs(dialog):
        if isinstance(widget, QAbstractButton):
            expected = plain(widget.text())
        else:
            expected = labels.get(widget, "")
        announced = announced_name(widget)
        if not expected or announced != expected:
            wrong.append(f"{expected or type(widget).__name__ + ' with no label'}: {announced!r}")
    return wrong
