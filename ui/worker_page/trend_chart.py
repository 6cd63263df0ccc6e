"""Ratings per standard over time: one chart per framework version, never merged.

A standard belongs to its framework's version (observer/review/trends.py), so the chart shows one
version at a time, named in its title; a chooser offers each version the worker was rated
against. The y axis is that version's scale, best at the top, one band per level, labelled
with its levels; each rating is a point, joined to the same standard's previous rating of
that version only. With several standards, each keeps its own lane within a level's band,
so ratings on the same day do not hide one another.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime
from html import escape

from PySide6.QtCharts import (
    QCategoryAxis,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
)
from PySide6.QtCore import QDateTime, QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QCursor, QPainter, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from observer.review.trends import FrameworkTrends, StandardTrend, TrendPoint
from ui.formatting import count, uk_date
from ui.widgets.layout import ROW_SPACING

NO_RATINGS = (
    "No ratings to chart yet. Each standard's ratings appear here over time once an "
    "observation of this worker is ready for sign-off or signed."
)
SEVERAL_VERSIONS = (
    "This worker was rated against {n} framework versions. Each has its own chart: their "
    "standards are not the same, so they are never joined. Choose one above."
)
DAY_MS = 24 * 60 * 60 * 1000
# Okabe and Ito's colours, told apart with most kinds of colour blindness, then two more:
# a framework may have up to ten standards, and no two should share a colour.
COLOURS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
    "#000000",
    "#B8A000",
    "#8C564B",
    "#7F7F7F",
)
LANES_SPREAD = 0.7


def _ms(moment: datetime) -> float:
    return moment.timestamp() * 1000


def series_name(standard: StandardTrend) -> str:
    return f"{standard.code} · {standard.title}"


class TrendChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._trends: tuple[FrameworkTrends, ...] = ()
        self._shown: list[tuple[QLineSeries, StandardTrend]] = []

        self.framework = QComboBox()
        self.framework.setAccessibleName("Framework version to chart")
        self.framework.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.standard = QComboBox()
        self.standard.setAccessibleName("Standard to chart")
        self.standard.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.standard.setToolTip("One standard at a time, so that each line can be read")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName("About the framework versions")

        self.chart = QChart()
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.setBackgroundRoundness(0)
        self.chart.legend().hide()  # one standard at a time, named in the title
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setAccessibleName("Ratings per standard over time")
        self._match_palette()

        self.empty = QLabel(NO_RATINGS)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setAccessibleName("Trends: message")
        self.stack = QStackedWidget()
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        choose = QHBoxLayout()
        choose.setSpacing(ROW_SPACING)
        for text, combo in (("Fra&mework version:", self.framework), ("&Standard:", self.standard)):
            label = QLabel(text)
            label.setBuddy(combo)
            choose.addWidget(label)
            choose.addWidget(combo)
            choose.addSpacing(ROW_SPACING)
        choose.addStretch(1)
        layout.addLayout(choose)
        layout.addWidget(self.note)
        layout.addWidget(self.view, 1)
        self.stack.addWidget(holder)
        self.stack.addWidget(self.empty)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

        self.framework.currentIndexChanged.connect(self._framework_chosen)
        self.standard.currentIndexChanged.connect(self._draw)
        self.set_trends(())

    # What the page gives

    def set_trends(self, trends: tuple[FrameworkTrends, ...], empty_text: str = NO_RATINGS) -> None:
        """Shows `trends`, keeping the chosen version and standard when they are still there."""
        chosen = self.current()
        key = (chosen.key, chosen.version) if chosen else None
        standard = self.standard.currentData()
        self._trends = trends
        self.framework.blockSignals(True)
        self.framework.clear()
        for trend in trends:
            ratings = sum(len(s.points) for s in trend.standards)
            self.framework.addItem(f"{trend.title} ({count(ratings, 'rating')})")
        again = next((i for i, t in enumerate(trends) if (t.key, t.version) == key), 0)
        self.framework.setCurrentIndex(again)
        self.framework.blockSignals(False)
        self.framework.setEnabled(len(trends) > 1)
        self.note.setText(SEVERAL_VERSIONS.format(n=len(trends)))
        self.note.setVisible(len(trends) > 1)
        self.empty.setText(empty_text)
        self.stack.setCurrentIndex(0 if trends else 1)
        self._fill_standards(standard)
        self._draw()

    def current(self) -> FrameworkTrends | None:
        index = self.framework.currentIndex()
        return self._trends[index] if 0 <= index < len(self._trends) else None

    def series(self) -> list[QLineSeries]:
        return [series for series, _ in self._shown]

    # Drawing

    def _framework_chosen(self) -> None:
        self._fill_standards(None)
        self._draw()

    def _fill_standards(self, keep: object) -> None:
        trend = self.current()
        self.standard.blockSignals(True)
        self.standard.clear()
        for standard in trend.standards if trend else ():
            ratings = count(len(standard.points), "rating")
            self.standard.addItem(f"{series_name(standard)} ({ratings})", standard.code)
        index = self.standard.findData(keep) if keep is not None else 0
        self.standard.setCurrentIndex(max(index, 0))
        self.standard.blockSignals(False)

    def _draw(self) -> None:
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
            axis.deleteLater()
        self._shown = []
        trend = self.current()
        if trend is None:
            chart.setTitle("")
            return
        # One standard at a time: ten lines over four levels cannot be told apart.
        wanted = self.standard.currentData()
        standards = [s for s in trend.standards if s.code == wanted] or list(trend.standards[:1])
        named = escape(series_name(standards[0])) if standards else "no standard rated"
        chart.setTitle(f"<b>{escape(trend.title)}</b>: {named}")
        x_axis = self._time_axis(standards)
        y_axis = self._scale_axis(trend)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        for lane, standard in enumerate(standards):
            offset = _lane_offset(lane, len(standards))
            series = QLineSeries()
            series.setName(series_name(standard))
            series.setPointsVisible(True)
            series.setMarkerSize(7 if len(standards) > 1 else 9)
            series.append([QPointF(_ms(p.observed_at), p.score + offset) for p in standard.points])
            chart.addSeries(series)
            series.setColor(QColor(COLOURS[trend.standards.index(standard) % len(COLOURS)]))
            pen = series.pen()
            pen.setWidthF(1.2 if len(standards) > 1 else 2.5)
            series.setPen(pen)
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
            series.hovered.connect(lambda point, state, s=standard: self._hovered(s, point, state))
            self._shown.append((series, standard))
        self.view.setAccessibleDescription(_describe(trend, standards))

    def _time_axis(self, standards: list[StandardTrend]) -> QDateTimeAxis:
        times = [_ms(p.observed_at) for s in standards for p in s.points]
        first, last = (min(times), max(times)) if times else (0.0, DAY_MS)
        margin = max((last - first) * 0.04, 7 * DAY_MS)
        axis = QDateTimeAxis()
        axis.setFormat("MMM yyyy")
        axis.setRange(
            QDateTime.fromMSecsSinceEpoch(int(first - margin)),
            QDateTime.fromMSecsSinceEpoch(int(last + margin)),
        )
        axis.setTickCount(7)
        axis.setTitleText("Date observed")
        return axis

    @staticmethod
    def _scale_axis(trend: FrameworkTrends) -> QCategoryAxis:
        """The framework's levels, one band each, worst at the bottom and best at the top."""
        axis = QCategoryAxis()
        scores = [level.score for level in trend.scale]
        low, high = (min(scores), max(scores)) if scores else (0, 1)
        axis.setRange(low - 0.5, high + 0.5)
        axis.setStartValue(low - 0.5)
        for level in sorted(trend.scale, key=lambda lv: lv.score):
            axis.append(level.label, level.score + 0.5)
        axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionCenter)
        axis.setShadesVisible(True)  # every other level's band, so each band reads as one
        axis.setShadesPen(Qt.PenStyle.NoPen)
        axis.setShadesBrush(QColor(0, 0, 0, 10))
        axis.setTitleText("Rating")
        return axis

    def _hovered(self, standard: StandardTrend, point: QPointF, state: bool) -> None:
        if not state:
            QToolTip.hideText()
            return
        nearest = _nearest(standard.points, point.x())
        if nearest is not None:
            QToolTip.showText(
                QCursor.pos(),
                f"{series_name(standard)}\n{uk_date(nearest.observed_on)}: {nearest.level_label}",
                self.view,
            )

    def _match_palette(self) -> None:
        palette = self.palette()
        self.chart.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
        self.chart.setTitleBrush(palette.color(QPalette.ColorRole.Text))
        self.chart.legend().setLabelColor(palette.color(QPalette.ColorRole.Text))


def _lane_offset(lane: int, lanes: int) -> float:
    """Where a standard's points sit within a level's band (of height 1): the middle when
    alone, else spread over the band's middle 70%, the first at the top, as in the legend."""
    if lanes < 2:
        return 0.0
    return ((lanes - 1) / 2 - lane) * (LANES_SPREAD / (lanes - 1))


def _nearest(points: tuple[TrendPoint, ...], x: float) -> TrendPoint | None:
    if not points:
        return None
    times = [_ms(p.observed_at) for p in points]
    at = bisect_left(times, x)
    candidates = [i for i in (at - 1, at) if 0 <= i < len(points)]
    return points[min(candidates, key=lambda i: abs(times[i] - x))]


def _describe(trend: FrameworkTrends, standards: list[StandardTrend]) -> str:
    """What the chart shows, in words, for those who cannot see it."""
    points = [p for s in standards for p in s.points]
    if not points:
        return f"{trend.title}: no ratings."
    first = min(p.observed_on for p in points)
    last = max(p.observed_on for p in points)
    return (
        f"{trend.title}: {count(len(standards), 'standard')} rated "
        f"{count(len(points), 'time')} from {uk_date(first)} to {uk_date(last)}; "
        f"levels from {trend.scale[-1].label} to {trend.scale[0].label}."
    )
