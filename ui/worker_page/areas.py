"""Recurring development areas: each standard that keeps coming back below Good, with the
dates, levels and evidence behind it, newest first; each observation can be opened.

They read as one document (a QTextBrowser) rather than a stack of labels: one text layout
for a dozen areas instead of a hundred word-wrapping widgets, so a long history shows at
once; a screen reader reads it as text, and Tab moves from link to link.
"""

from __future__ import annotations

import uuid
from html import escape

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QStackedWidget, QTextBrowser, QVBoxLayout, QWidget

from observer.review.trends import BelowGoodRating, RecurringArea
from ui.formatting import framework_label, uk_date

NO_EVIDENCE = "No evidence was written for this rating."
LINK_SCHEME = "observation"


def _muted(palette: QPalette) -> str:
    """Text half-way to the background: secondary, still readable, in any colour scheme."""
    text = palette.color(QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Base)
    mixed = QColor(
        round(text.red() * 0.55 + base.red() * 0.45),
        round(text.green() * 0.55 + base.green() * 0.45),
        round(text.blue() * 0.55 + base.blue() * 0.45),
    )
    return mixed.name()


def _paragraphs(text: str) -> str:
    return "<br>".join(escape(line) for line in text.strip().splitlines())


class RecurringAreasView(QStackedWidget):
    open_requested = Signal(uuid.UUID)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.areas: tuple[RecurringArea, ...] = ()
        self.document = QTextBrowser()
        self.document.setOpenLinks(False)
        self.document.setOpenExternalLinks(False)
        self.document.setFrameShape(QFrame.Shape.StyledPanel)
        self.document.setAccessibleName("Recurring development areas")
        self.document.anchorClicked.connect(self._open)
        self.document.document().setDocumentMargin(14)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setAccessibleName("Recurring development areas: message")
        average = self.empty.fontMetrics().averageCharWidth()
        self.empty.setMinimumWidth(average * 48)
        self.empty.setMaximumWidth(average * 70)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.addWidget(self.empty, 0, Qt.AlignmentFlag.AlignCenter)
        self.addWidget(self.document)
        self.addWidget(holder)

    def set_areas(self, areas: tuple[RecurringArea, ...], empty_text: str) -> None:
        self.areas = areas
        self.document.setHtml(self._html(areas) if areas else "")
        self.empty.setText(empty_text)
        self.setCurrentIndex(0 if areas else 1)

    def text(self) -> str:
        """What the document says, as plain text."""
        return self.document.toPlainText()

    def message(self) -> str:
        return self.empty.text() if self.currentIndex() == 1 else ""

    def _open(self, url: QUrl) -> None:
        if url.scheme() == LINK_SCHEME:
            self.open_requested.emit(uuid.UUID(url.path()))

    def _html(self, areas: tuple[RecurringArea, ...]) -> str:
        muted = _muted(self.palette())
        parts = []
        for number, area in enumerate(areas):
            space = 4 if number == 0 else 22
            title = f"{area.standard_code} · {area.standard_title}"
            framework = framework_label(area.framework_name, area.framework_version)
            parts.append(
                f'<h3 style="margin-top: {space}px; margin-bottom: 2px">{escape(title)}</h3>'
                f'<p style="color: {muted}; margin-top: 0">'
                f"{escape(area.sentence())} ({escape(framework)})</p>"
            )
            parts.extend(self._rating(rating, muted) for rating in area.below_good)
        return "".join(parts)

    @staticmethod
    def _rating(rating: BelowGoodRating, muted: str) -> str:
        evidence = rating.evidence.strip()
        said = (
            _paragraphs(evidence)
            if evidence
            else f'<i style="color: {muted}">{escape(NO_EVIDENCE)}</i>'
        )
        link = f"{LINK_SCHEME}:{rating.observation_id}"
        return (
            '<p style="margin-left: 14px; margin-top: 8px">'
            f"<b>{escape(rating.level_label)}</b> · {escape(rating.kind.label)}, "
            f"{uk_date(rating.observed_on)} · "
            f'<a href="{link}">Open the observation</a><br>{said}</p>'
        )
