"""Moderation (Tools → Moderation…): draw the period's sample of signed observations, see
which are moderated, open one to moderate blind, and the agreement so far.

The moderator reads the record without its ratings (observer/service/moderation_record.py)
and rates each standard and the overall judgement; the moderation is signed with their
typed name. One that disagrees with the record may be raised with the observer."""

from __future__ import annotations

import html
import uuid
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from observer.errors import ObserverError
from observer.service.moderation_record import BlindRecord
from observer.service.moderation_results import ModerationResults
from observer.service.moderation_sample import SampleAlreadyDrawn, SampleView
from observer.service.period import quarter_of
from observer.services import Services
from ui.formatting import count, uk_date, uk_date_time
from ui.latest_result import LatestResult
from ui.prompts import Prompts

NARRATIVE_LABELS = {
    "focus": "Agreed focus",
    "others_present": "Others present",
    "strengths": "Strengths",
    "development_areas": "Areas for development",
    "child_voice": "The child's voice and lived experience",
    "family_feedback": "Feedback from the child or family",
    "reflection": "The practitioner's reflection",
}
CHOOSE = "Choose a level…"
DEFAULT_PERCENT = 10


def _date_edit(day: date, name: str) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setAccessibleName(name)
    return edit


def _day(edit: QDateEdit) -> date:
    chosen = edit.date()
    return date(chosen.year(), chosen.month(), chosen.day())


class ModerationDialog(QDialog):
    """The period's sample, which of it is moderated, and the agreement figures."""

    def __init__(
        self,
        services: Services,
        prompts: Prompts,
        parent: QWidget | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._prompts = prompts
        self.sample: SampleView | None = None
        self.setWindowTitle("Moderation")
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 100)
        quarter = quarter_of(today or date.today())
        start, end = quarter.first, quarter.last
        self.start = _date_edit(start, "Period from")
        self.end = _date_edit(end, "Period to")
        self.percent = QSpinBox()
        self.percent.setRange(1, 100)
        self.percent.setValue(DEFAULT_PERCENT)
        self.percent.setSuffix(" % of each observer's")
        self.percent.setAccessibleName("Share to sample")
        self.seed = QLineEdit()
        self.seed.setPlaceholderText("drawn at random")
        self.seed.setAccessibleName("Seed")
        self.seed.setMaximumWidth(self.fontMetrics().averageCharWidth() * 22)
        self.draw_button = QPushButton("&Draw sample")
        self.draw_button.clicked.connect(self.draw)

        terms = QGroupBox("Sample of signed observations, stratified by observer")
        form = QHBoxLayout(terms)
        for label, widget in (
            ("&From", self.start),
            ("&To", self.end),
            ("&Share", self.percent),
            ("S&eed", self.seed),
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            caption.setMinimumWidth(caption.fontMetrics().horizontalAdvance(label) + 4)
            form.addWidget(caption)
            form.addWidget(widget)
        form.addStretch(1)
        form.addWidget(self.draw_button)

        self.about = QLabel("No sample drawn for this period yet.")
        self.about.setWordWrap(True)
        self.about.setAccessibleName("About the sample")
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Observed", "Observer", "Moderation"])
        self.table.setAccessibleName("Observations in the sample")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.doubleClicked.connect(self.moderate_selected)
        self.moderate_button = QPushButton("&Moderate…")
        self.moderate_button.clicked.connect(self.moderate_selected)
        self.results = QLabel()
        self.results.setWordWrap(True)
        self.results.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.results.setAccessibleName("Agreement so far")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.moderate_button)
        bottom.addStretch(1)
        bottom.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(terms)
        layout.addWidget(self.about)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.results)
        layout.addLayout(bottom)
        self._drawing = LatestResult(self)
        self._drawing.ready.connect(self._drawn)
        self._drawing.failed.connect(self._not_drawn)
        self._results = LatestResult(self)
        self._results.ready.connect(self._results_ready)
        self._results.failed.connect(self.results.setText)
        for edit in (self.start, self.end):
            edit.dateChanged.connect(self.show_kept_sample)
        self.show_kept_sample()

    @property
    def loading(self) -> bool:
        return self._results.busy

    def period(self) -> tuple[date, date]:
        return _day(self.start), _day(self.end)

    def show_kept_sample(self) -> None:
        start, end = self.period()
        try:
            self.sample = self._services.moderation.sample(start, end)
        except ObserverError:
            self.sample = None
        self._show()

    def draw(self) -> None:
        """Draws the period's sample, or shows the one kept; another on other terms only
        with the reason it replaces the kept one. Drawing reads every signed observation of
        the period, so it runs off the GUI thread."""
        seed_text = self.seed.text().strip()
        if seed_text and not seed_text.isdigit():
            self._prompts.error(self, "A seed is a whole number, or leave it empty.")
            return
        self._draw(int(seed_text) if seed_text else None, None)

    def _draw(self, seed: int | None, reason: str | None) -> None:
        start, end = self.period()
        percent = self.percent.value()
        moderation = self._services.moderation

        def drawn() -> SampleView | SampleAlreadyDrawn:
            try:
                return moderation.draw_sample(start, end, percent, seed, supersede_because=reason)
            except SampleAlreadyDrawn as kept:
                return kept

        self.draw_button.setEnabled(False)
        self.about.setText("Drawing the sample…")
        self._pending = (seed, start, end)
        self._drawing.request(drawn)

    @property
    def drawing(self) -> bool:
        return self._drawing.busy

    def _drawn(self, result: object) -> None:
        self.draw_button.setEnabled(True)
        if isinstance(result, SampleAlreadyDrawn):
            self._show()
            reason = self._prompts.text(
                self, f"{result} Why is it replaced? (Recorded in the audit trail.)"
            )
            if reason is None or not reason.strip():
                return
            self._draw(self._pending[0], reason)
            return
        assert isinstance(result, SampleView)
        self.sample = result
        self._show()

    def _not_drawn(self, sentence: str) -> None:
        self.draw_button.setEnabled(True)
        self._show()
        self._prompts.error(self, sentence)

    def _show(self) -> None:
        sample = self.sample
        self.table.setRowCount(0)
        if sample is None:
            self.about.setText("No sample drawn for this period yet.")
        else:
            replaces = (
                f" It replaced an earlier sample because: {sample.reason}" if sample.reason else ""
            )
            self.about.setText(
                f"{count(len(sample.observations), 'observation')} by "
                f"{count(sample.observers, 'observer')}: {sample.percent}% of each observer's "
                f"signed observations, at least one each, seed {sample.seed}; drawn by "
                f"{sample.drawn_by} on {uk_date_time(sample.drawn_at)}.{replaces}"
            )
            self.table.setRowCount(len(sample.observations))
            moderators = self._services.moderation.moderators_of(
                [item.observation_id for item in sample.observations]
            )
            for row, item in enumerate(sample.observations):
                names = moderators.get(item.observation_id)
                state = ", ".join(f"by {name}" for name in names) if names else "Not yet"
                for column, text in enumerate(
                    (uk_date(item.observed_at), item.observer_name, state)
                ):
                    cell = QTableWidgetItem(text)
                    cell.setData(Qt.ItemDataRole.UserRole, item.observation_id)
                    self.table.setItem(row, column, cell)
            if sample.observations:
                self.table.selectRow(0)
        self.moderate_button.setEnabled(bool(sample and sample.observations))
        self._show_results()

    def _show_results(self) -> None:
        """The agreement figures, worked out off the GUI thread (their confidence intervals
        take a second or two for hundreds of moderations)."""
        start, end = self.period()
        moderation = self._services.moderation
        self.results.setText("Working out the agreement so far…")
        self._results.request(lambda: moderation.results(start, end))

    def _results_ready(self, results: object) -> None:
        assert isinstance(results, ModerationResults)
        if results.moderations == 0:
            self.results.setText("No moderations of observations in this period yet.")
            return
        lines = [f"{count(results.moderations, 'moderation')} of observations in this period."]
        for row in (results.standards, results.judgement):
            paired = row.paired
            if paired.exact is None or paired.within_one is None:
                lines.append(f"{row.label}: {paired.reason}")
                continue
            kappa = paired.kappa
            kappa_text = f"{kappa.value:.2f}" if kappa.value is not None else "too few to tell"
            lines.append(
                f"{row.label}: exact agreement {paired.exact:.0%}, within one level "
                f"{paired.within_one:.0%}, weighted kappa {kappa_text}."
            )
        self.results.setText("\n".join(lines))

    def selected_observation(self) -> uuid.UUID | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        value = self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return value if isinstance(value, uuid.UUID) else None

    def moderate_selected(self) -> None:
        observation_id = self.selected_observation()
        if observation_id is None:
            return
        try:
            blind = self._services.moderation.blind_record(observation_id)
        except ObserverError as error:
            self._prompts.error(self, str(error))
            return
        dialog = ModerateDialog(self._services, self._prompts, blind, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._show()
        dialog.deleteLater()

    @classmethod
    def manage(cls, parent: QWidget | None, services: Services, prompts: Prompts) -> None:
        dialog = cls(services, prompts, parent)
        dialog.exec()
        dialog.deleteLater()


class ModerateDialog(QDialog):
    """One observation, read without its ratings; a level per standard, the overall
    judgement, a comment, and the moderator's typed name to sign."""

    def __init__(
        self,
        services: Services,
        prompts: Prompts,
        blind: BlindRecord,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._prompts = prompts
        self.blind = blind
        self.setWindowTitle("Moderate an observation")
        self.resize(self.fontMetrics().averageCharWidth() * 150, 640)

        self.record = QTextBrowser()
        self.record.setAccessibleName("The observation, without its ratings")
        self.record.setHtml(record_html(blind))

        levels = [(lv.label, lv.code) for lv in blind.scale]
        judged = [(lv.label, lv.code) for lv in blind.scale if lv.score is not None]
        self.ratings: dict[str, QComboBox] = {}
        ratings_box = QGroupBox("Your rating of each standard")
        ratings_form = QFormLayout(ratings_box)
        # A long title takes its own line, its levels below it, rather than being cut.
        ratings_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for standard in blind.standards:
            combo = _levels_combo(levels, f"Standard {standard.code}")
            self.ratings[standard.code] = combo
            label = QLabel(f"{standard.code}. {standard.title}")
            label.setBuddy(combo)
            ratings_form.addRow(label, combo)
        self.overall = _levels_combo(judged, "Overall judgement")
        ratings_form.addRow("&Overall judgement", self.overall)
        self.comment = QPlainTextEdit()
        self.comment.setAccessibleName("Comment")
        self.comment.setPlaceholderText(
            "What you saw in the evidence, and why you rated as you did"
        )
        self.name = QLineEdit()
        self.name.setAccessibleName("Your name, to sign")
        self.name.setPlaceholderText("Type your name to sign")
        form = QFormLayout()
        form.addRow("&Comment", self.comment)
        form.addRow("&Name", self.name)
        self.sign_button = QPushButton("&Sign moderation")
        self.sign_button.clicked.connect(self.sign)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.sign_button, QDialogButtonBox.ButtonRole.ActionRole)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(ratings_box)
        right_layout.addLayout(form, 1)
        right_layout.addWidget(buttons)
        splitter = QSplitter()
        splitter.addWidget(self.record)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def chosen(self) -> tuple[dict[str, str | None], str | None] | None:
        """The levels chosen, or None (after saying so) while any is still to choose."""
        ratings: dict[str, str | None] = {}
        for code, combo in self.ratings.items():
            if combo.currentIndex() <= 0:
                self._prompts.warning(self, f"Choose a level for standard {code}, or Not observed.")
                combo.setFocus()
                return None
            ratings[code] = combo.currentData()
        if self.overall.currentIndex() <= 0:
            self._prompts.warning(self, "Choose your overall judgement.")
            self.overall.setFocus()
            return None
        return ratings, self.overall.currentData()

    def sign(self) -> None:
        chosen = self.chosen()
        if chosen is None:
            return
        ratings, overall = chosen
        moderation = self._services.moderation
        try:
            made = moderation.moderate(
                self.blind.observation_id,
                ratings,
                overall,
                self.comment.toPlainText(),
                self.name.text(),
            )
        except ObserverError as error:
            self._prompts.error(self, str(error))
            return
        differences = moderation.disagreements(made.id)
        if differences and self._prompts.ask(
            self,
            "Your moderation differs from the record ("
            + "; ".join(differences)
            + "). Raise it with the observer, who may add an addendum to their record?",
        ):
            note = self._prompts.text(self, "What do you raise with the observer?")
            if note is not None and note.strip():
                try:
                    moderation.raise_with_observer(made.id, note)
                except ObserverError as error:
                    self._prompts.error(self, str(error))
        self.accept()


def _levels_combo(levels: list[tuple[str, str]], name: str) -> QComboBox:
    combo = QComboBox()
    combo.addItem(CHOOSE, None)
    for label, code in levels:
        combo.addItem(label, code)
    combo.setAccessibleName(name)
    return combo


def record_html(blind: BlindRecord) -> str:
    """The record as the moderator reads it: what kind of practice, the narrative, and the
    evidence for each standard; no rating or judgement."""
    parts = [
        f"<h2>{html.escape(blind.kind.label)}, {uk_date(blind.observed_on)}</h2>",
        f"<p>{html.escape(blind.framework)} (version {blind.framework_version})"
        + (f" · {blind.duration_minutes} minutes" if blind.duration_minutes else "")
        + "</p>",
    ]
    for field, text in blind.narrative:
        if text.strip():
            parts.append(f"<h3>{html.escape(NARRATIVE_LABELS.get(field, field))}</h3>")
            parts.append(_paragraphs(text))
    parts.append("<h3>Evidence by standard</h3>")
    for standard in blind.standards:
        parts.append(f"<h4>{html.escape(standard.code)}. {html.escape(standard.title)}</h4>")
        parts.append(
            _paragraphs(standard.evidence)
            if standard.evidence.strip()
            else "<p><i>No evidence recorded.</i></p>"
        )
    return "".join(parts)


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
