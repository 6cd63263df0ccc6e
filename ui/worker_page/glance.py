"""The worker at a glance: observations by kind and status, actions, and the ASYE year."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from observer.review.asye import AsyeState, AsyeTracker
from observer.review.worker_history import WorkerHistory
from ui.formatting import count, uk_date


class Card(QFrame):
    """A small titled box of plain sentences."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        self.heading = QLabel(title)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.body.setAccessibleName(title)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(14, 10, 14, 12)
        self.box.setSpacing(4)
        self.box.addWidget(self.heading)
        self.box.addWidget(self.body, 1)

    def text(self) -> str:
        return self.body.text()


class AsyeCard(Card):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("ASYE year", parent)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Direct observations done in the ASYE year")
        self.progress.setTextVisible(True)
        self.box.insertWidget(1, self.progress)

    def set_tracker(self, tracker: AsyeTracker) -> None:
        self.progress.setRange(0, max(tracker.required, 1))
        self.progress.setValue(min(tracker.done_count, tracker.required))
        done, needed = tracker.done_count, tracker.required
        self.progress.setFormat(
            f"{done} of {needed} done" if done <= needed else f"{done} done ({needed} needed)"
        )
        lines = [tracker.summary()]
        if tracker.started_on and tracker.ends_on:
            lines.append(f"Year: {uk_date(tracker.started_on)} to {uk_date(tracker.ends_on)}.")
        if tracker.state is AsyeState.NO_START_DATE:
            lines.append("Record when the year began: Workers, then Edit person….")
        self.body.setText("\n".join(lines))
        self.progress.setAccessibleDescription(tracker.summary())


class AtAGlance(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.observations = Card("Observations")
        self.actions_card = Card("Actions")
        self.asye = AsyeCard()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.observations, 3)
        layout.addWidget(self.actions_card, 2)
        layout.addWidget(self.asye, 3)

    def clear(self) -> None:
        self.observations.body.setText("")
        self.actions_card.body.setText("")
        self.asye.hide()

    def set_history(self, history: WorkerHistory) -> None:
        totals = history.totals
        statuses = [
            f"{totals.signed} signed" if totals.signed else "",
            f"{totals.ready} ready for sign-off" if totals.ready else "",
            count(totals.drafts, "draft") if totals.drafts else "",
        ]
        lines = [count(totals.observations, "observation")]
        if any(statuses):
            lines[0] += ": " + ", ".join(part for part in statuses if part)
        lines[0] += "."
        if history.counts_by_kind:
            lines.append(" · ".join(f"{c.label} {c.count}" for c in history.counts_by_kind))
        if history.timeline:
            newest, oldest = history.timeline[0], history.timeline[-1]
            lines.append(f"From {uk_date(oldest.observed_on)} to {uk_date(newest.observed_on)}.")
        self.observations.body.setText("\n".join(lines))
        still_open = count(totals.open_actions, "open action")
        self.actions_card.body.setText(
            f"{still_open}, {totals.overdue_actions} overdue.\n"
            f"{count(totals.done_actions, 'action')} done"
            + (" in these observations." if not history.filters.is_empty else ".")
        )
        self.asye.setVisible(history.asye is not None)
        if history.asye is not None:
            self.asye.set_tracker(history.asye)
