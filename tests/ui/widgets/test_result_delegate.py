"""The search results' cells: drawn as Qt draws plain text, the snippet's matches in bold,
cut short with "…", and within a frame (one question to the model per cell)."""

from __future__ import annotations

import gc
import uuid
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QFont, QFontMetrics, QImage
from PySide6.QtWidgets import QApplication, QStyledItemDelegate
from pytestqt.qtbot import QtBot

from observer.search.service import SearchHit
from observer.vocabulary import Kind, Status
from ui.models.search_results import MATCH_COLUMN, SearchResultsModel
from ui.models.table import RecordFilterProxy
from ui.panels.search import SearchPanel
from ui.widgets.record_table import RecordTable
from ui.widgets.result_delegate import ResultDelegate, fitted


def _hit(n: int, snippet: str, highlights: tuple[tuple[int, int], ...]) -> SearchHit:
    return SearchHit(
        observation_id=uuid.uuid4(),
        score=1.0,
        snippet=snippet,
        highlights=highlights,
        field="focus",
        field_label="Agreed focus",
        worker=f"Worker {n}",
        observer="Someone else",
        observed_at=datetime(2025, 1, 1 + n % 28, tzinfo=UTC),
        kind=Kind.HOME_VISIT,
        status=Status.DRAFT,
    )


def _panel(qtbot: QtBot, hits: list[SearchHit]) -> SearchPanel:
    panel = SearchPanel(lambda text: hits, pause_ms=0)
    qtbot.addWidget(panel)
    panel.resize(1200, 500)
    panel.show()
    qtbot.waitExposed(panel)
    panel.search.setText("anything")
    with qtbot.waitSignal(panel.searched, timeout=5000):
        panel.search_now()
    qtbot.waitUntil(panel.table.view.updatesEnabled, timeout=1000)
    return panel


def _cell_image(panel: SearchPanel, row: int, column: int) -> QImage:
    view = panel.table.view
    image = view.viewport().grab(view.visualRect(panel.proxy.index(row, column))).toImage()
    return image.convertToFormat(QImage.Format.Format_RGB32)


@pytest.mark.parametrize("selected", [False, True])
def test_plain_cells_look_exactly_as_qts_own_delegate_draws_them(
    qtbot: QtBot, selected: bool
) -> None:
    hits = [_hit(n, f"match {n}", ((0, 5),)) for n in range(5)]
    panel = _panel(qtbot, hits)
    view = panel.table.view
    if selected:  # and current, with the keyboard's focus: its focus frame drawn too
        panel.activateWindow()
        view.setFocus()
        view.selectRow(1)
        qtbot.waitUntil(view.hasFocus)
    ours = [_cell_image(panel, 1, column) for column in range(MATCH_COLUMN)]

    view.setItemDelegate(QStyledItemDelegate(view))
    qts = [_cell_image(panel, 1, column) for column in range(MATCH_COLUMN)]

    assert [image == qt for image, qt in zip(ours, qts, strict=True)] == [True] * MATCH_COLUMN


def _ink(image: QImage, background: int) -> int:
    return sum(
        image.pixel(x, y) != background for x in range(image.width()) for y in range(image.height())
    )


def test_matched_words_are_drawn_bold_in_the_text_colour(qtbot: QtBot) -> None:
    word = "chronology"
    hits = [_hit(0, word, ((0, len(word)),)), _hit(1, word, ())]
    panel = _panel(qtbot, hits)
    view = panel.table.view
    bold, plain = (_cell_image(panel, row, MATCH_COLUMN) for row in (0, 1))
    background = [plain.pixel(0, 0), bold.pixel(0, 0)]

    assert _ink(bold, background[1]) > _ink(plain, background[0]) * 1.15  # heavier strokes
    text = view.palette().color(view.palette().ColorRole.Text).rgb()
    assert text in {plain.pixel(x, y) for x in range(plain.width()) for y in range(plain.height())}


def test_a_snippet_too_long_for_its_column_is_cut_short_with_an_ellipsis(
    qapp: QApplication,
) -> None:
    font = QFont()
    bold = QFont(font)
    bold.setBold(True)
    plain_metrics, bold_metrics = QFontMetrics(font), QFontMetrics(bold)
    pieces = (("The worker read the ", False), ("chronology", True), (" aloud to Sam.", False))
    whole = sum((bold_metrics if m else plain_metrics).horizontalAdvance(t) for t, m in pieces)

    assert fitted(pieces, whole, plain_metrics, bold_metrics) == [
        (0, "The worker read the ", False),
        (plain_metrics.horizontalAdvance("The worker read the "), "chronology", True),
        (
            plain_metrics.horizontalAdvance("The worker read the ")
            + bold_metrics.horizontalAdvance("chronology"),
            " aloud to Sam.",
            False,
        ),
    ]
    for width in range(plain_metrics.horizontalAdvance("…"), whole, 7):
        runs = fitted(pieces, width, plain_metrics, bold_metrics)
        assert runs[-1][1].endswith("…")
        x, text, matched = runs[-1]
        assert x + (bold_metrics if matched else plain_metrics).horizontalAdvance(text) <= width


class _CountedModel(SearchResultsModel):
    def __init__(self) -> None:
        super().__init__()
        self.asked: list[int] = []

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        self.asked.append(role)
        return super().data(index, role)


def test_a_page_of_results_is_painted_with_one_question_to_the_model_per_cell(
    qtbot: QtBot,
) -> None:
    """Qt's own delegate asks each cell for a dozen roles through Python at every paint:
    with a page of results, more than a frame's time."""
    panel = _panel(qtbot, [])
    model = _CountedModel()
    model.set_hits([_hit(n, f"match {n} of many", ((0, 5),)) for n in range(50)])
    table = RecordTable(model, RecordFilterProxy(model), "Counted results")
    qtbot.addWidget(table)
    table.view.setItemDelegate(panel.table.view.itemDelegate())  # as the panel draws
    table.resize(1200, 500)
    table.show()
    qtbot.waitExposed(table)
    table.fit_columns(through_qt=False)
    table.view.setCurrentIndex(QModelIndex())  # the one cell with the focus frame is Qt's own
    QApplication.processEvents()
    model.asked.clear()

    table.view.viewport().repaint()

    view = table.view
    first, last = view.rowAt(0), view.rowAt(view.viewport().height() - 1)
    cells = (last - first + 1) * model.columnCount()
    assert 0 < len(model.asked) <= cells


def test_pages_of_results_painted_and_replaced_again_and_again_never_crash(
    qtbot: QtBot,
) -> None:
    """Nothing the painter is given belongs to Python: collecting in between is safe."""
    pages = [
        [_hit(n, f"page {page} match {n} " * 6, ((0, 4), (9, 14))) for n in range(50)]
        for page in range(6)
    ]
    which = iter(range(100))
    panel = SearchPanel(lambda text: pages[next(which) % len(pages)], pause_ms=0)
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    delegate = panel.table.view.itemDelegate()
    assert isinstance(delegate, ResultDelegate)
    for n in range(12):
        panel.search.setText(f"page {n}")
        with qtbot.waitSignal(panel.searched, timeout=5000):
            panel.search_now()
        panel.table.view.setUpdatesEnabled(True)
        panel.resize(700 + 40 * n, 500)
        panel.table.view.viewport().repaint()
        gc.collect()
        QApplication.processEvents()
    assert panel.proxy.rowCount() == 50
