"""File → Join a team server…: the server's address and the one-time code, each said in
plain words, then joining off the GUI thread with the dialog busy until it answers.

Joining writes nothing until the server has said yes (observer/sync/joining.py), so a
refusal or a server that cannot be reached leaves the laptop as it was.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer.errors import ObserverError
from observer.sync.client import checked_url
from observer.sync.joining import Joined
from ui.background import BatchJob
from ui.prompts import Prompts
from ui.widgets.cards import describe, heading, muted
from ui.widgets.layout import grow_with_text

TITLE = "Join a team server"
INTRO = (
    "Joining lets this laptop send your observations to your team's server and receive "
    "the records you may see there. You can go on working offline: changes wait on this "
    "laptop and are sent at the next sync."
)
ADDRESS_HELP = (
    "The web address of your council's team server, as IT gave it to you, for example "
    "https://observer.northshire.gov.uk."
)
CODE_HELP = (
    "The one-time code IT made for you. It works once, for you only, and runs out after "
    "a while; ask IT for a new one if it is refused."
)
NO_ADDRESS = "Type the team server's address, which IT gave you (it starts with https://)."
NO_CODE = "Type the one-time code that IT gave you."
JOINING = "Joining… this can take up to a minute on a slow connection."

# Jobs still on the pool when their dialog has gone: held until they report.
_running: list[BatchJob[None]] = []


def joined_words(joined: Joined) -> str:
    role = joined.role_words
    teams = ""
    if len(joined.teams) > 1:
        teams = f" in {', '.join(joined.teams[:-1])} and {joined.teams[-1]}"
    elif joined.teams:
        teams = f" in {joined.teams[0]}"
    if joined.replaced is not None:
        waiting = (
            " What waited on this laptop is sent at the sync, which starts now."
            if joined.waiting
            else " The sync starts now."
        )
        return (
            f"This laptop has joined the team server at {joined.server} again. The server "
            f"knows you as {joined.person_name}, {role}{teams}.{waiting}"
        )
    waiting = (
        " Your records on this laptop are sent at the first sync, which starts now."
        if joined.queued
        else " The first sync starts now."
    )
    return (
        f"This laptop has joined the team server at {joined.server}. The server knows you "
        f"as {joined.person_name}, {role}{teams}.{waiting}"
    )


class _Answer(QObject):
    """Carries the join's outcome back to the GUI thread."""

    done = Signal(object, str)  # Joined or None, the sentence of a refusal


class JoinDialog(QDialog):
    joined = Signal(object)  # Joined

    def __init__(
        self,
        join: Callable[[str, str], Joined],
        prompts: Prompts,
        parent: QWidget | None = None,
        server: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._join = join
        self._prompts = prompts
        self.busy = False
        self.result_joined: Joined | None = None
        self.setWindowTitle(TITLE)
        self.setModal(True)
        self.address = QLineEdit()
        self.address.setPlaceholderText("https://")
        if server:  # joining again: the server this laptop had joined
            self.address.setText(server)
        describe(self.address, "Server address", ADDRESS_HELP)
        self.code = QLineEdit()
        self.code.setPlaceholderText("For example 7KQ2M-9XDPA-4HTRE-C8NWY")
        describe(self.code, "One-time code", CODE_HELP)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(4)
        form.setHorizontalSpacing(12)
        form.addRow("Server &address:", self.address)
        form.addRow("", muted(ADDRESS_HELP))
        form.addRow(_spacer())
        form.addRow("One-time &code:", self.code)
        form.addRow("", muted(CODE_HELP))
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy, with no end known
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(self.fontMetrics().height() // 2)
        self.progress.setVisible(False)
        self.busy_label = muted(JOINING)
        self.busy_label.setAccessibleName("Joining")
        self.busy_label.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.join_button: QPushButton = self.buttons.addButton(
            "&Join", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.join_button.setDefault(True)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(14)
        layout.addWidget(heading(TITLE, 1.2))
        layout.addWidget(muted(INTRO))
        layout.addLayout(form)
        layout.addWidget(self.busy_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 72)
        grow_with_text(self)
        self.address.setFocus()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        join: Callable[[str, str], Joined],
        prompts: Prompts,
        server: str | None = None,
    ) -> Joined | None:
        dialog = cls(join, prompts, parent, server)
        dialog.exec()
        return dialog.result_joined

    def start(self) -> None:
        """Checks what was typed, then joins on the thread pool; a second click while it
        runs does nothing."""
        if self.busy:
            return
        address, code = self.address.text().strip(), self.code.text().strip()
        if not address:
            self._refuse(NO_ADDRESS, self.address)
            return
        try:
            checked_url(address)
        except ObserverError as error:
            self._refuse(str(error), self.address)
            return
        if not code:
            self._refuse(NO_CODE, self.code)
            return
        self._set_busy(True)
        answer = _Answer(self)
        answer.done.connect(self._answered)
        outcome: list[Joined] = []
        refusal: list[str] = []

        def step(_: None) -> None:  # on the pool's thread
            try:
                outcome.append(self._join(address, code))
            except ObserverError as error:
                refusal.append(str(error))

        job: BatchJob[None] = BatchJob([None], step)
        job.signals.step_failed.connect(lambda _item, sentence: refusal.append(sentence))
        job.signals.finished.connect(
            lambda *_: (
                answer.done.emit(outcome[0] if outcome else None, refusal[0] if refusal else ""),
                _running.remove(job),
            )
        )
        _running.append(job)
        job.start()

    def _answered(self, joined: Joined | None, refusal: str) -> None:
        self._set_busy(False)
        if joined is None:
            self._prompts.error(self, refusal or "Joining did not finish; try again.")
            return
        self.result_joined = joined
        self.joined.emit(joined)
        self._prompts.information(self, joined_words(joined))
        self.accept()

    def _refuse(self, sentence: str, field: QLineEdit) -> None:
        self._prompts.error(self, sentence)
        field.setFocus()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.address, self.code, self.join_button):
            widget.setEnabled(not busy)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(not busy)
        self.join_button.setText("Joining…" if busy else "&Join")
        self.progress.setVisible(busy)
        self.busy_label.setVisible(busy)

    def reject(self) -> None:
        if not self.busy:  # a join under way finishes, and is told, before the dialog goes
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            event.ignore()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.busy:
            return
        super().keyPressEvent(event)


def _spacer() -> QLabel:
    space = QLabel("")
    space.setFixedHeight(4)
    return space
