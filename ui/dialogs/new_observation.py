"""Starting an observation: who, what kind, when, against which framework, and consent.

The framework follows the kind, the person's role and the date until the user picks one
themselves; the hint under it says why it was chosen, so nobody has to guess.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from itertools import pairwise

from PySide6.QtCore import QDateTime, QSize, Qt, QTime
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from observer.errors import InvalidInput, ObserverError
from observer.people.directory import People, PersonSummary
from observer.records.case_reference import case_reference_warning
from observer.records.frameworks import FrameworkInfo
from observer.records.recording import DraftDetails, Recording, text_limit
from observer.vocabulary import Kind
from ui.dialogs.base import SavingDialog
from ui.formatting import searchable
from ui.prompts import Prompts

TITLE = "New observation"
INTRO = "Who you observed, when and with whom; the ratings and evidence come next."
CHOOSE_PERSON = "Choose the person you observed from the list."
PICKED_HINT = "Your choice: it stays when you change the kind, person or date."
NO_DEFAULT_HINT = (
    "No framework is set for this kind of observation or role; check this is the right one."
)
CASE_REFERENCE_HELP = (
    "A pseudonymous reference such as the case number; never a child's name or NHS number."
)
DATE_FORMAT = "dd/MM/yyyy HH:mm"
DAY_MINUTES = 24 * 60


def person_label(person: PersonSummary) -> str:
    details = f"{person.role.label}, {person.team_name}" if person.team_name else person.role.label
    return f"{person.name} — {details}"


def framework_label(framework: FrameworkInfo) -> str:
    return f"{framework.name} v{framework.version}"


def missing_consent(given_by: str, how: str) -> str | None:
    """The sentence refusing a save when a family member was present without consent."""
    missing = [
        what
        for what, value in (("who gave consent", given_by), ("how it was given", how))
        if not value.strip()
    ]
    if not missing:
        return None
    return f"A child or family member was present: say {' and '.join(missing)}."


class NewObservationDialog(SavingDialog):
    def __init__(
        self,
        recording: Recording,
        people: People,
        observer_id: uuid.UUID,
        prompts: Prompts,
        person_id: uuid.UUID | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(prompts, TITLE, parent)
        self._recording = recording
        self._observer_id = observer_id
        self._framework_picked = False
        self._family_picked = False
        self.saved_id: uuid.UUID | None = None
        self._people = [
            p
            for p in people.list_people()
            if (p.active or p.id == person_id) and (p.id != observer_id or p.id == person_id)
        ]

        self.person = self._person_combo(person_id)
        self.kind = QComboBox()
        for kind in Kind:
            self.kind.addItem(kind.label, kind.value)
        self.kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kind.setMinimumContentsLength(24)
        self.when = QDateTimeEdit(_this_minute())
        self.when.setDisplayFormat(DATE_FORMAT)
        self.when.setCalendarPopup(True)
        self.duration = QSpinBox()
        self.duration.setRange(0, DAY_MINUTES)
        self.duration.setSingleStep(5)
        self.duration.setSpecialValueText("Not recorded")
        self.duration.setSuffix(" min")
        self.framework = QComboBox()
        for framework in recording.frameworks():
            self.framework.addItem(framework_label(framework), framework.id)
        self.framework.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.framework.setMinimumContentsLength(24)
        self.framework_hint = _hint()
        self.case_reference = QLineEdit()
        self.case_reference.setMaxLength(text_limit("case_reference"))
        self.case_reference.setPlaceholderText("For example, CIN 2041")
        self.case_warning = _hint()
        self.others_present = QLineEdit()
        self.others_present.setPlaceholderText("For example, the child's mother and a student")
        self.family_present = QCheckBox("A child or family &member was present")
        self.consent_given_by = QLineEdit()
        self.consent_given_by.setPlaceholderText("For example, the child's mother")
        self.consent_how = QLineEdit()
        self.consent_how.setPlaceholderText("For example, verbally at the start of the visit")
        self.focus = QPlainTextEdit()
        self.focus.setTabChangesFocus(True)
        self.focus.setPlaceholderText("What you and the practitioner agreed to look at")
        lines = self.focus.fontMetrics().lineSpacing() * 3
        margins = int(self.focus.document().documentMargin() * 2) + self.focus.frameWidth() * 2
        self.focus.setFixedHeight(lines + margins)

        self._describe()
        form = self.form()
        self._row(form, "Observed &person:", self.person)
        self._row(form, "&Kind:", self.kind)
        self._row(form, "&Date and time:", self.when)
        self._row(form, "D&uration:", self.duration)
        self._row(form, "&Framework:", self.framework)
        form.addRow("", self.framework_hint)
        self._row(form, "Case &reference:", self.case_reference)
        form.addRow("", self.case_warning)
        self._row(form, "&Who else was present:", self.others_present)
        form.addRow("", self.family_present)
        self._row(form, "Consent given &by:", self.consent_given_by)
        self._row(form, "&How consent was given:", self.consent_how)
        self._row(form, "Agreed f&ocus:", self.focus)
        self._form = form
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.arrange(form, self.person, intro, width=84)
        order: list[QWidget] = [
            self.person,
            self.kind,
            self.when,
            self.duration,
            self.framework,
            self.case_reference,
            self.others_present,
            self.family_present,
            self.consent_given_by,
            self.consent_how,
            self.focus,
            self.buttons,
        ]
        for before, after in pairwise(order):
            QWidget.setTabOrder(before, after)

        self.person.currentIndexChanged.connect(self._redefault)
        self.person.currentIndexChanged.connect(self._show_name_first)
        self.person.editTextChanged.connect(self._redefault)
        self.kind.currentIndexChanged.connect(self._redefault)
        self.when.dateTimeChanged.connect(self._redefault)
        self.framework.activated.connect(self._framework_chosen)
        self.case_reference.textChanged.connect(self._check_case_reference)
        self.family_present.toggled.connect(self._consent_needed)
        self.family_present.clicked.connect(self._family_chosen)
        self.kind.currentIndexChanged.connect(self._family_default)
        self._consent_needed(False)
        self._family_default()
        self._check_case_reference("")
        self._redefault()
        self._show_name_first()

    # What the form holds

    def chosen_person(self) -> PersonSummary | None:
        """The one person the typed text names, or None while it names none or several."""
        text = self.person.currentText().strip()
        if not text:
            return None
        index = self.person.currentIndex()
        if index >= 0 and self.person.itemText(index).casefold() == text.casefold():
            return self._people[index]
        labels = [p for p in self._people if person_label(p).casefold() == text.casefold()]
        wanted = searchable(text)
        names = [p for p in self._people if searchable(p.name) == wanted]
        partial = [p for p in self._people if wanted in searchable(person_label(p))]
        for matches in (labels, names, partial):
            if len(matches) == 1:
                return matches[0]
            if matches:
                return None
        return None

    def chosen_kind(self) -> Kind:
        return Kind(self.kind.currentData())

    def observed_at(self) -> datetime:
        """The chosen minute, as an aware time in this laptop's zone."""
        seconds = self.when.dateTime().toSecsSinceEpoch()
        return datetime.fromtimestamp(seconds, tz=UTC).astimezone()

    def chosen_framework_id(self) -> uuid.UUID | None:
        value = self.framework.currentData()
        return value if isinstance(value, uuid.UUID) else None

    def details(self) -> DraftDetails:
        person = self.chosen_person()
        if person is None:
            raise InvalidInput(CHOOSE_PERSON)
        family = self.family_present.isChecked()
        given_by = self.consent_given_by.text() if family else ""
        how = self.consent_how.text() if family else ""
        if family and (refusal := missing_consent(given_by, how)):
            raise InvalidInput(refusal)
        return DraftDetails(
            observed_person_id=person.id,
            observer_id=self._observer_id,
            kind=self.chosen_kind(),
            observed_at=self.observed_at(),
            framework_id=self.chosen_framework_id(),
            duration_minutes=self.duration.value() or None,
            case_reference=self.case_reference.text().strip(),
            others_present=self.others_present.text().strip(),
            family_present=family,
            consent_given_by=given_by.strip(),
            consent_how=how.strip(),
            focus=self.focus.toPlainText().strip(),
        )

    def save(self) -> None:
        self.saved_id = self._recording.create_draft(self.details())

    @classmethod
    def start(
        cls,
        parent: QWidget | None,
        services_recording: Recording,
        people: People,
        observer_id: uuid.UUID,
        prompts: Prompts,
        *,
        person_id: uuid.UUID | None = None,
    ) -> tuple[uuid.UUID | None, bool]:
        """Shows the dialog; returns the new draft's id and whether it was saved."""
        dialog = cls(services_recording, people, observer_id, prompts, person_id, parent)
        accepted = bool(dialog.exec())
        dialog.deleteLater()
        return dialog.saved_id, accepted

    # Building

    def _person_combo(self, selected: uuid.UUID | None) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(24)
        for person in self._people:
            combo.addItem(person_label(person), person.id)
        completer = QCompleter(combo.model(), combo)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        combo.setCompleter(completer)
        combo.setCurrentIndex(_index_of(combo, selected))
        line = combo.lineEdit()
        line.setPlaceholderText("Type part of a name, role or team")
        line.setAccessibleName("Observed person")
        return combo

    def _describe(self) -> None:
        described: list[tuple[QWidget, str, str]] = [
            (
                self.person,
                "Observed person",
                "The practitioner or manager you observed. Type part of their name, role or "
                "team and choose them from the list.",
            ),
            (self.kind, "Kind of observation", "What kind of practice you observed."),
            (
                self.when,
                "Date and time",
                "When the observation started, day first, in this laptop's time zone.",
            ),
            (
                self.duration,
                "Duration in minutes",
                "How long the observation lasted; leave at Not recorded if you did not time it.",
            ),
            (
                self.framework,
                "Framework",
                "The practice standards the observation is rated against. It follows the kind "
                "of observation and the person's role until you choose one yourself.",
            ),
            (self.case_reference, "Case reference", CASE_REFERENCE_HELP),
            (
                self.others_present,
                "Who else was present",
                "Other people present, by role or relationship rather than by name.",
            ),
            (
                self.family_present,
                "A child or family member was present",
                "Tick when a child or family member was present; then record their consent.",
            ),
            (
                self.consent_given_by,
                "Consent given by",
                "Who agreed to the observation, by role or relationship. Needed when a child "
                "or family member was present.",
            ),
            (
                self.consent_how,
                "How consent was given",
                "How they agreed, for example verbally or in writing. Needed when a child or "
                "family member was present.",
            ),
            (
                self.focus,
                "Agreed focus",
                "What you and the practitioner agreed the observation would look at.",
            ),
            (self.framework_hint, "Why this framework", "Why this framework was chosen."),
            (
                self.case_warning,
                "Case reference warning",
                "A warning when the case reference may identify someone.",
            ),
        ]
        for widget, name, description in described:
            widget.setAccessibleName(name)
            widget.setAccessibleDescription(description)
        for box in (self.when, self.duration):  # the line edit inside reads as the box
            inner = box.findChild(QLineEdit)
            if inner is not None:
                inner.setAccessibleName(box.accessibleName())

    @staticmethod
    def _row(form: QFormLayout, text: str, field: QWidget) -> None:
        label = QLabel(text)
        label.setBuddy(field)
        form.addRow(label, field)

    # Reacting

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_height(snug=True)

    def _fit_height(self, *, snug: bool = False) -> None:
        """Tall enough for the wrapped hints at this width: Qt sizes windows without them."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width())
        if needed <= 0:
            return
        if needed != self.minimumHeight():
            self.setMinimumHeight(needed)
        if self.height() < needed or snug:
            self.resize(self.width(), needed)

    def _redefault(self, *_: object) -> None:
        if self._framework_picked:
            self.framework_hint.setText(PICKED_HINT)
            return
        person = self.chosen_person()
        role = person.role if person else None
        kind = self.chosen_kind()
        try:
            choice = self._recording.default_framework_choice(kind, role, self.observed_at().date())
        except ObserverError:
            self.framework_hint.setText(NO_DEFAULT_HINT)
            return
        index = _index_of(self.framework, choice.framework.id)
        if index >= 0:
            self.framework.setCurrentIndex(index)
        self.framework_hint.setText(choice.reason)

    def _framework_chosen(self, _index: int) -> None:
        self._framework_picked = True
        self.framework_hint.setText(PICKED_HINT)

    def _check_case_reference(self, text: str) -> None:
        warning = case_reference_warning(text)
        self.case_warning.setText(warning or "")
        if self._form.isRowVisible(self.case_warning) != (warning is not None):
            self._form.setRowVisible(self.case_warning, warning is not None)
            self._fit_height()
        description = f"{CASE_REFERENCE_HELP} {warning}" if warning else CASE_REFERENCE_HELP
        self.case_reference.setAccessibleDescription(description)

    def _show_name_first(self, *_: object) -> None:
        self.person.lineEdit().setCursorPosition(0)

    def _family_default(self, *_: object) -> None:
        """The box follows the kind (a home visit has the family there) until ticked by hand."""
        if not self._family_picked:
            self.family_present.setChecked(self.chosen_kind().involves_family)

    def _family_chosen(self, *_: object) -> None:
        self._family_picked = True

    def _consent_needed(self, needed: bool) -> None:
        self.consent_given_by.setEnabled(needed)
        self.consent_how.setEnabled(needed)


def _index_of(combo: QComboBox, wanted: uuid.UUID | None) -> int:
    """findData compares Python objects by identity; ids are compared by value here."""
    if wanted is None:
        return -1
    return next((i for i in range(combo.count()) if combo.itemData(i) == wanted), -1)


def _this_minute() -> QDateTime:
    now = QDateTime.currentDateTime()
    now.setTime(QTime(now.time().hour(), now.time().minute()))
    return now


class _Hint(QLabel):
    """A wrapped line under a field that asks for the height its text needs at its width.

    QLabel's own size hint wraps to a narrow column of several lines, and QFormLayout sizes
    rows by it, which leaves gaps under short hints."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def sizeHint(self) -> QSize:
        width = self.width() if self.testAttribute(Qt.WidgetAttribute.WA_Resized) else 0
        width = max(width, self.fontMetrics().averageCharWidth() * 36)
        return QSize(self.minimumSizeHint().width(), self.heightForWidth(width))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()


def _hint() -> QLabel:
    return _Hint()
