"""The Service section's Board report tab: the QA lead's commentary for the period and team
on screen, saved as it is typed, and the buttons that make the signed, anonymised Board
report (observer/documents/board_reports.py) and its CSV tables, off the GUI thread.

The commentary follows what the section shows: choosing another period or team saves what
was typed for the one before, then shows the commentary of the one chosen.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer.documents.board_reports import BoardReportResult, BoardReports
from observer.errors import ObserverError
from observer.review.team_overview import Period
from observer.service.commentary import Commentaries
from observer.service.period import ServiceFilter, period_name
from ui.formatting import uk_date_time
from ui.latest_result import LatestResult, single_shot
from ui.prompts import Prompts

SAVE_PAUSE_MS = 600
PDF_FILTER = "PDF documents (*.pdf)"
REPORT_BUTTON = "Make the signed &Board report…"
CSV_BUTTON = "Save its tables as &CSV…"
ABOUT = (
    "The Board report is a digitally signed PDF for the Improvement Board: the figures of "
    "this section for the period and team shown, supervision on its own, moderation, and "
    "this commentary on a page of its own. It names teams, never a worker or an observer; "
    "counts of 1 to 4, and figures that would give one away, are shown as [c]. A commentary "
    "that names someone in this store is refused, so take names out."
)


class BoardReportTab(QWidget):
    """The commentary of the period and team shown, and the Board report's buttons."""

    exported = Signal()  # a report or its tables were written, or refused

    def __init__(
        self,
        commentaries: Commentaries,
        reports: BoardReports,
        actor: Callable[[], str],
        prompts: Prompts,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
        *,
        save_pause_ms: int = SAVE_PAUSE_MS,
    ) -> None:
        super().__init__(parent)
        self._commentaries = commentaries
        self._reports = reports
        self._actor = actor
        self._prompts = prompts
        self._today = today
        self.query: ServiceFilter | None = None
        self._revision = 0
        self._held = ""  # the text as last saved (or read)
        self._saving = single_shot(self, save_pause_ms, self.save)
        self.running: LatestResult | None = None

        about = QLabel(ABOUT)
        about.setWordWrap(True)
        about.setAccessibleName("About the Board report")
        self.heading = QLabel()
        self.heading.setAccessibleName("Commentary for")
        bold = self.heading.font()
        bold.setBold(True)
        self.heading.setFont(bold)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Commentary for the Board")
        self.text.setPlaceholderText(
            "What the figures say about the quality of practice this period, what is "
            "improving and what is not, and what is being done about it."
        )
        self.text.textChanged.connect(self._typed)
        self.saved_label = QLabel()
        self.saved_label.setAccessibleName("Commentary saved")
        self.report_button = QPushButton(REPORT_BUTTON)
        self.report_button.clicked.connect(self.make_report)
        self.csv_button = QPushButton(CSV_BUTTON)
        self.csv_button.clicked.connect(self.save_tables)
        buttons = QHBoxLayout()
        buttons.addWidget(self.saved_label, 1)
        buttons.addWidget(self.csv_button)
        buttons.addWidget(self.report_button)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.heading)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.setEnabled(False)

    def follow(self, query: ServiceFilter, team_name: str | None = None) -> None:
        """Shows the commentary of `query`'s period and team (named `team_name`), saving
        what was typed for the ones before first; for the same ones, what another window
        (or a sync) saved since, unless something typed here is waiting to be saved."""
        scope = _scope(query)
        same = self.query is not None and _scope(self.query) == scope
        if same and self.text.toPlainText() != self._held:
            self.query = _reported(query)
            return  # being typed: saved after the pause, as ever
        if not same and self.query is not None and not self.save():
            return  # kept on screen, with the dialog saying why
        self.query = _reported(query)
        period, team = scope
        try:
            held = self._commentaries.read(period, team)
        except ObserverError as error:
            self._prompts.error(self, str(error))
            return
        self._revision, self._held = held.revision, held.text
        self.text.blockSignals(True)
        self.text.setPlainText(held.text)
        self.text.blockSignals(False)
        scope = "every team" if team is None else (team_name or "one team")
        self.heading.setText(f"Commentary for {period_name(period)}, {scope}")
        self._say_saved(held.written_by, held.updated_at)
        self.setEnabled(True)

    def save(self) -> bool:
        """Saves the commentary if it changed; False when it could not be (the dialog says
        why, and the text stays in the box)."""
        self._saving.stop()
        text = self.text.toPlainText()
        if self.query is None or text == self._held:
            return True
        period, team = _scope(self.query)
        try:
            saved = self._commentaries.save(
                period, team, text, based_on=self._revision, actor=self._actor()
            )
        except ObserverError as error:
            self._prompts.error(self, str(error))
            return False
        self._revision, self._held = saved.revision, saved.text
        self._say_saved(saved.written_by, saved.updated_at)
        return True

    @property
    def busy(self) -> bool:
        return self.running is not None

    def make_report(self) -> None:
        query = self.query
        if query is None or self.running is not None or not self.save():
            return
        suggested = Path.home() / f"{query.period.first.isoformat()} Board report.pdf"
        target = self._prompts.save_file(self, "Save the Board report", suggested, PDF_FILTER)
        if target is None:
            return
        reports, today = self._reports, self._today()
        self._run(lambda: reports.export(query, target, today=today), self.report_button)

    def save_tables(self) -> None:
        query = self.query
        if query is None or self.running is not None or not self.save():
            return
        folder = self._prompts.folder(self, "Save the Board report's tables in")
        if folder is None:
            return
        reports, today = self._reports, self._today()
        self._run(
            lambda: reports.export(query, None, csv_folder=folder, today=today), self.csv_button
        )

    def _run(self, work: Callable[[], BoardReportResult], button: QPushButton) -> None:
        runner = self.running = LatestResult(self)
        label = button.text()

        def finished() -> None:
            self.running = None
            button.setText(label)
            for each in (self.report_button, self.csv_button):
                each.setEnabled(True)
            runner.deleteLater()
            self.exported.emit()

        def done(result: object) -> None:
            finished()
            lines = result.lines() if isinstance(result, BoardReportResult) else []
            self._prompts.information(self, "\n".join(lines))

        def refused(sentence: str) -> None:
            finished()
            self._prompts.error(self, sentence)

        runner.ready.connect(done)
        runner.failed.connect(refused)
        for each in (self.report_button, self.csv_button):
            each.setEnabled(False)
        button.setText("Making the report…" if button is self.report_button else "Saving…")
        runner.request(work)

    def _typed(self) -> None:
        self.saved_label.setText("Not saved yet…")
        self._saving.start()

    def _say_saved(self, who: str, when: object) -> None:
        if not who:
            self.saved_label.setText("No commentary yet for this period.")
        else:
            moment = uk_date_time(when) if when is not None else "just now"
            self.saved_label.setText(f"Saved {moment} by {who}.")


def _scope(query: ServiceFilter) -> tuple[Period, uuid.UUID | None]:
    return query.period, query.team_id


def _reported(query: ServiceFilter) -> ServiceFilter:
    """The report covers all kinds of observation, with supervision on its own as well."""
    return ServiceFilter(query.period, query.team_id, query.kind, query.framework_id)
