"""The spread of ratings per standard: one stacked bar per standard, one framework version
at a time (versions are never merged: their standards and scales are not the same).

Each bar is 100% of the observations that rated the standard, split by level, best on the
left. The levels are told apart by lightness as well as colour, so the chart reads in
greyscale, and each piece is labelled with its count; the table beside it holds the same
figures for a screen reader.
"""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalPercentBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from observer.service.standards import StandardFigures
from ui.formatting import count

# Best level first: dark blue, mid blue, pale orange, dark orange; in greyscale roughly
# 20%, 55%, 85% and 40% lightness, so no two levels look alike. More levels take the rest.
LEVEL_COLOURS = ("#08306B", "#4A90C2", "#F6CF9F", "#A63603", "#7F7F7F", "#E0E0E0")
DARK = {"#08306B", "#A63603", "#7F7F7F"}  # the labels on these are white
TITLE_CHARS = 26
BAR_PX = 27  # what a standard's bar needs for its label to be shown whole
AROUND_PX = 100  # the legend, the axis and its title, margins


def short_title(figures: StandardFigures) -> str:
    title = figures.title
    if len(title) > TITLE_CHARS:
        title = title[: TITLE_CHARS - 1].rstrip() + "…"
    return f"{figures.code} · {title}"


class SpreadChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = QChart()
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.setBackgroundRoundness(0)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setAccessibleName("Spread of ratings per standard")
        palette = self.palette()
        self.chart.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
        self.chart.setTitleBrush(palette.color(QPalette.ColorRole.Text))
        self.chart.legend().setLabelColor(palette.color(QPalette.ColorRole.Text))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.sets: list[QBarSet] = []
        self.categories: list[str] = []

    def height_for(self, standards: int) -> int:
        """The height at which `standards` bars each show their label."""
        return AROUND_PX + BAR_PX * max(standards, 1)

    def show_standards(self, title: str, standards: tuple[StandardFigures, ...]) -> None:
        """One bar per standard rated in the period, the framework's first standard on top."""
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
            axis.deleteLater()
        rated = [f for f in standards if f.rated]
        self.sets, self.categories = [], []
        # The version is named by the chooser above the chart: no title takes its room.
        chart.setTitle("")
        if not rated:
            self.view.setAccessibleDescription(f"{title}: no ratings in the period.")
            return
        series = QHorizontalPercentBarSeries()
        series.setLabelsVisible(True)
        series.setLabelsPosition(QHorizontalPercentBarSeries.LabelsPosition.LabelsCenter)
        ordered = list(reversed(rated))  # a horizontal chart draws its first category lowest
        for number, level in enumerate(rated[0].levels):
            bar = QBarSet(level.label)
            bar.append([float(f.levels[number].count) for f in ordered])
            colour = LEVEL_COLOURS[number % len(LEVEL_COLOURS)]
            bar.setColor(QColor(colour))
            bar.setBorderColor(QColor("#FFFFFF"))
            bar.setLabelColor(QColor("#FFFFFF" if colour in DARK else "#000000"))
            series.append(bar)
            self.sets.append(bar)
        series.setLabelsFormat("@value%")
        chart.addSeries(series)
        self.categories = [short_title(f) for f in ordered]
        standards_axis = QBarCategoryAxis()
        standards_axis.append(self.categories)
        smaller = standards_axis.labelsFont()
        smaller.setPointSizeF(smaller.pointSizeF() * 0.92)
        standards_axis.setLabelsFont(smaller)
        share_axis = QValueAxis()
        share_axis.setRange(0, 100)
        share_axis.setLabelFormat("%d%%")
        share_axis.setTickCount(5)
        share_axis.setTitleText("Share of the observations that rated each standard")
        chart.addAxis(standards_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(share_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(standards_axis)
        series.attachAxis(share_axis)
        self.view.setAccessibleDescription(
            f"{title}: {count(len(rated), 'standard')} rated, each bar split by level from "
            f"{rated[0].levels[0].label} to {rated[0].levels[-1].label}; the table below "
            "gives the same figures."
        )
