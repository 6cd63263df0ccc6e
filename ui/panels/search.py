"""Search: words anywhere in the records (narrative, evidence, actions, addenda), best match
first, the matched words in bold; Enter or a double-click opens the record.

The search runs off the GUI thread a moment after typing pauses. Each search has a number;
results that come back for any but the latest are dropped, so a slow old search never
replaces a newer one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from observer.changes import Topic
from observer.search.service import DEFAULT_LIMIT, SearchHit
from ui.background import BatchJob
from ui.change_bus import ChangeBus, Freshness
from ui.formatting import count
from ui.latest_result import single_shot
from ui.models.search_results import RankedHit, SearchResultsModel, ranked
from ui.models.table import RecordFilterProxy
from ui.widgets.layout import panel_layout
from ui.widgets.panel_header import PanelHeader
from ui.widgets.record_table import RecordTable
from ui.widgets.result_delegate import ResultDelegate

PAUSE_MS = 250
TYPE_SOMETHING = (
    "Type a word or two to find them in every observation: the narrative, the evidence for "
    'each rating, agreed actions and addenda. Put a phrase in "double quotes"; end a word '
    "with * to find every word that starts with it, such as safeguard*."
)
NO_MATCHES = "No observation has all of these words. Check the spelling, or try fewer words."
# Runs a search: the text, and (for "Show more") how many of the best matches to skip.
SearchRun = Callable[..., list[SearchHit]]
MORE = "Show &more"

# Jobs still running, held so that none is collected while the pool runs it.
_running: set[BatchJob[str]] = set()


class _Search(QObject):
    """One search on the thread pool; reports to the panel on the GUI thread."""

    def __init__(
        self, panel: SearchPanel, number: int, text: str, run: SearchRun, offset: int = 0
    ) -> None:
        super().__init__(panel)
        self.number = number
        self.text = text
        self.offset = offset  # the matches already shown, for the next page
        self.rows: list[RankedHit] | None = None  # the results, made on the pool's thread
        self.refusal = ""
        self._panel = panel
        self._run = run
        self.job: BatchJob[str] = BatchJob([text], self._step)
        self.job.signals.step_failed.connect(self._refused)
        self.job.signals.finished.connect(self._finished)

    def start(self, pool: QThreadPool | None) -> None:
        _running.add(self.job)
        self.job.start(pool)

    def _step(self, text: str) -> None:  # on the pool's thread
        hits = self._run(text, offset=self.offset) if self.offset else self._run(text)
        self.rows = ranked(hits, first_rank=self.offset + 1)

    @Slot(object, str)
    def _refused(self, _text: object, sentence: str) -> None:
        self.refusal = sentence

    @Slot(int, bool)
    def _finished(self, _done: int, _cancelled: bool) -> None:
        _running.discard(self.job)
        self._panel.arrived(self)
        # Freed now, not at the next full collection (this and its job refer to each other).
        self.rows = None
        self.deleteLater()


class SearchPanel(QWidget):
    open_requested = Signal(uuid.UUID)
    searched = Signal()  # the latest search's results (or refusal) are on screen

    def __init__(
        self,
        run: SearchRun,
        parent: QWidget | None = None,
        *,
        pause_ms: int = PAUSE_MS,
        pool: QThreadPool | None = None,
        changes: ChangeBus | None = None,
    ) -> None:
        super().__init__(parent)
        self._run = run
        self._pool = pool
        self._number = 0
        self._shown_text: str | None = None
        self.freshness = Freshness(self, self.reload, changes, Topic.RECORDS | Topic.ACTIONS)

        self.header = PanelHeader(
            "Search",
            "Find words anywhere in the observations, best match first. "
            "Double-click a result, or press Enter, to open it.",
        )
        self.search = QLineEdit()
        self.search.setPlaceholderText('Words, "a phrase" or the start of a word*')
        self.search.setAccessibleName("Search all observations")
        self.search.setClearButtonEnabled(True)
        self.summary = QLabel()
        self.summary.setAccessibleName("Search summary")
        self.summary.setWordWrap(True)
        self.more_button = QPushButton(MORE)
        self.more_button.setAccessibleName("Show more results")
        self.more_button.setToolTip(f"Show the next {DEFAULT_LIMIT} best matches")
        self.more_button.clicked.connect(self.show_more)
        self.more_button.hide()
        # The summary's row keeps its size, two lines high, whatever it says and whether
        # there are more to show: a row that grew or shrank as each search started and
        # ended would move the results and have the whole table painted again (a stall
        # of a frame or more with fifty results).
        keeps_room = self.more_button.sizePolicy()
        keeps_room.setRetainSizeWhenHidden(True)
        self.more_button.setSizePolicy(keeps_room)
        self.summary.setFixedHeight(
            max(self.summary.fontMetrics().lineSpacing() * 2, self.more_button.sizeHint().height())
        )
        self._rows: list[RankedHit] = []

        self.model = SearchResultsModel(self)
        self.model.set_records([])  # nothing asked yet: no results, and that is known
        self.proxy: RecordFilterProxy[RankedHit] = RecordFilterProxy(self.model, self)
        self.table = RecordTable(self.model, self.proxy, "Search results")
        self.table.set_empty_texts(TYPE_SOMETHING, NO_MATCHES)
        self.table.sort_by(0, Qt.SortOrder.AscendingOrder)
        alignments = [self.model.alignment(n) for n in range(len(self.model.columns))]
        self.table.view.setItemDelegate(ResultDelegate(alignments, self.table.view))
        # Results come fifty at a time: a scroll bar that came and went with them would
        # narrow the table and have it laid out and painted twice.
        self.table.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.table.open_requested.connect(self._open_selected)

        self._pause = single_shot(self, pause_ms, self.search_now)
        self.search.textChanged.connect(self._typed)
        self.search.returnPressed.connect(self.search_now)
        to_results = QShortcut(QKeySequence(Qt.Key.Key_Down), self.search)
        to_results.setContext(Qt.ShortcutContext.WidgetShortcut)
        to_results.activated.connect(self._go_to_results)

        layout = panel_layout(QVBoxLayout(), self)
        layout.addWidget(self.header)
        layout.addWidget(self.search)
        found = QHBoxLayout()
        found.addWidget(self.summary, 1)
        found.addWidget(self.more_button)
        layout.addLayout(found)
        layout.addWidget(self.table, 1)

    # What the main window asks of a panel

    def reload(self) -> None:
        """Searches again for what is typed: records may have changed since."""
        self.freshness.note_reloaded()
        self._shown_text = None
        self.search_now()

    # Searching

    def _typed(self, _text: str) -> None:
        self._pause.start()

    def search_now(self) -> None:
        self._pause.stop()
        text = self.search.text()
        if text == self._shown_text:
            return
        self._number += 1
        if not text.strip():
            self._show(text, [], TYPE_SOMETHING)
            return
        self.summary.setText("Searching…")
        _Search(self, self._number, text, self._run).start(self._pool)

    def show_more(self) -> None:
        """Adds the next page of matches below those shown."""
        if not self._shown_text or not self.more_button.isEnabled():
            return
        self._number += 1
        self.more_button.setEnabled(False)
        more = _Search(self, self._number, self._shown_text, self._run, len(self._rows))
        more.start(self._pool)

    def arrived(self, search: _Search) -> None:
        if search.number != self._number:
            return  # a newer search is under way or shown
        self.more_button.setEnabled(True)
        if search.rows is None:
            if search.offset:  # the next page could not be had: those shown stay
                self.summary.setText(search.refusal or NO_MATCHES)
                return
            self._show(search.text, [], search.refusal or NO_MATCHES)
        else:
            rows = self._rows + search.rows if search.offset else search.rows
            self._show(search.text, rows, NO_MATCHES, more=len(search.rows) >= DEFAULT_LIMIT)

    def _show(self, text: str, rows: list[RankedHit], empty: str, *, more: bool = False) -> None:
        selected = self._selected()
        self._shown_text = text
        self._rows = rows
        # Filling the table and painting it take a frame each with fifty results: they are
        # done a turn of the event loop apart, so the window answers in between.
        self.table.view.setUpdatesEnabled(False)
        QTimer.singleShot(1, self, lambda: self.table.view.setUpdatesEnabled(True))
        self.model.set_records(rows)
        if selected is not None:
            self._select(selected)
        self.table.set_empty_texts(empty, empty)
        self.table.fit_columns(through_qt=False)
        self.summary.setText(_summary(len(rows), more) if rows else "")
        self.more_button.setVisible(more)
        self.searched.emit()

    # Opening

    def _go_to_results(self) -> None:
        if self.proxy.rowCount():
            self.table.view.setFocus()
            if not self.table.view.selectionModel().hasSelection():
                self.table.view.selectRow(0)

    def _selected(self) -> uuid.UUID | None:
        rows = self.table.view.selectionModel().selectedRows()
        return self.proxy.record(rows[0].row()).hit.observation_id if rows else None

    def _select(self, observation_id: uuid.UUID) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.record(row).hit.observation_id == observation_id:
                self.table.view.selectRow(row)
                return

    def _open_selected(self) -> None:
        selected = self._selected()
        if selected is not None:
            self.open_requested.emit(selected)


def _summary(found: int, more: bool) -> str:
    if more:
        return (
            f"The {found} best matches, best first. Show more for the next {DEFAULT_LIMIT}, "
            "or add words to narrow the search."
        )
    return f"{count(found, 'observation')} found, best match first."
