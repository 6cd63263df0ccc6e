"""Starting an observation: who, what kind, when, against which framework, and consent.

The framework follows the kind, the person's role and the date until the user picks one
themselves; the hint under it says why it was chosen, so nobody has to guess.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from itertools import pairwise

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from observer.errors import InvalidInput, ObserverError
from observer.people.directory import People, PersonSummary
from observer.records.case_reference import case_reference_warning
from observer.records.frameworks import FrameworkInfo
from observer.records.recording import DraftDetails, Recording, text_limit
from observer.records.sections import (
    CONSENT,
    OTHERS_PRESENT_PLACEHOLDER,
    applies,
    observed_label,
    others_present_label,
    others_present_placeholder,
)
from observer.spelling.service import Spelling
from observer.vocabulary import Kind
from ui.dialogs.base import SavingDialog
from ui.dialogs.person import PersonDialog
from ui.formatting import searchable
from ui.prompts import Prompts
from ui.widgets.date_time_field import DateTimeField
from ui.widgets.field_hint import FieldHint
from ui.widgets.named_combo import NamedComboBox

TITLE = "New observation"
INTRO = "Who you observed, when and with whom; the ratings and evidence come next."
CHOOSE_PERSON = "Choose the person you observed from the list."
NOBODY_YET = "Nobody has been added yet: add the person you observed with the Add a person button."
NOBODY_YET_HINT = (
    "Nobody has been added yet: use Add a person… to add the person you observed, and they "
    "are chosen here."
)
DISCARD = "Discard this new observation?"
PICKED_HINT = "Your choice: it stays when you change the kind, person or date."
NO_DEFAULT_HINT = (
    "No framework is set for this kind of observation or role; check this is the right one."
)
CASE_REFERENCE_HELP = (
    "A pseudonymous reference such as the case number; never a child's name or NHS number."
)
DAY_MINUTES = 24 * 60


def person_label(person: PersonSummary) -> str:
    details = f"{person.role.label}, {person.team_name}" if person.team_name else person.role.label
    return f"{person.name} — {details}"


def framework_label(framework: FrameworkInfo) -> str:
    return f"{framework.name}, version {framework.version}"


def framework_tip(framework: FrameworkInfo) -> str:
    until = framework.in_force_until
    ends = f"; in force until {until:%d/%m/%Y}" if until else ""
    return f"{framework_label(framework)}: {framework.standards} standards{ends}."


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
        spelling: Spelling | None = None,
    ) -> None:
        super().__init__(prompts, TITLE, parent)
        self._recording = recording
        self._observer_id = observer_id
        self._framework_picked = False
        self._family_picked = False
        self.saved_id: uuid.UUID | None = None
        self._directory = people
        self._people = [
            p
            for p in people.list_people()
            if (p.active or p.id == person_id) and (p.id != observer_id or p.id == person_id)
        ]

        self.person = self._person_combo(person_id)
        self.add_person = QPushButton("&Add a person…")
        self.person_hint = FieldHint()
        self.kind = NamedComboBox()
        for kind in Kind:
            self.kind.addItem(kind.label, kind.value)
        self.kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kind.setMinimumContentsLength(24)
        self.when = DateTimeField(datetime.now())
        self.duration = QSpinBox()
        self.duration.setRange(0, DAY_MINUTES)
        self.duration.setSingleStep(5)
        self.duration.setSpecialValueText("Not recorded")
        self.duration.setSuffix(" min")
        self.framework = NamedComboBox()
        for framework in recording.frameworks():
            self.framework.addItem(framework_label(framework), framework.id)
            last = self.framework.count() - 1
            self.framework.setItemData(last, framework_tip(framework), Qt.ItemDataRole.ToolTipRole)
        # Full names, never cut: the dialog is as wide as the longest needs.
        self.framework.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.framework.setMinimumWidth(self.framework.sizeHint().width())
        self.framework_hint = FieldHint()
        self.case_reference = QLineEdit()
        self.case_reference.setMaxLength(text_limit("case_reference"))
        self.case_reference.setPlaceholderText("For example, CIN 2041")
        self.case_warning = FieldHint()
        self.others_present = QLineEdit()
        self.others_present.setPlaceholderText(OTHERS_PRESENT_PLACEHOLDER)
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
        if spelling is not None:
            from ui.widgets.spell_check import SpellCheck

            self.spell_check = SpellCheck(self.focus, spelling, prompts)

        self._describe()
        form = self.form()
        person_row = QHBoxLayout()
        person_row.setContentsMargins(0, 0, 0, 0)
        person_row.addWidget(self.person, 1)
        person_row.addWidget(self.add_person)
        person_column = QVBoxLayout()
        person_column.setContentsMargins(0, 0, 0, 0)
        person_column.setSpacing(4)
        person_column.addLayout(person_row)
        person_column.addWidget(self.person_hint)
        self.who_label = QLabel("&Practitioner observed:")
        self.who_label.setBuddy(self.person)
        form.addRow(self.who_label, person_column)
        self._row(form, "&Kind:", self.kind)
        self._row(form, "&Date and time:", self.when, self.when.line)
        self._row(form, "D&uration:", self.duration)
        self._row(form, "&Framework:", self.framework)
        form.addRow("", self.framework_hint)
        self._row(form, "Case &reference:", self.case_reference)
        form.addRow("", self.case_warning)
        self.others_label = self._row(form, "&Who else was present:", self.others_present)
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
            self.add_person,
            self.kind,
            self.when.line,
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
        self.when.changed.connect(self._redefault)
        # After Qt's own resize for the new sentence, which guesses its height too tall.
        self.when.message_toggled.connect(
            lambda: QTimer.singleShot(0, self, lambda: self._fit_height(snug=True))
        )
        self.add_person.clicked.connect(self._add_person)
        self.framework.activated.connect(self._framework_chosen)
        self.case_reference.textChanged.connect(self._check_case_reference)
        self.family_present.toggled.connect(self._consent_needed)
        self.family_present.clicked.connect(self._family_chosen)
        self.kind.currentIndexChanged.connect(self._family_default)
        self.kind.currentIndexChanged.connect(self._words_for_kind)
        self._consent_needed(False)
        self._words_for_kind()
        self._family_default()
        self._check_case_reference("")
        self._redefault()
        self._show_name_first()
        self._show_empty_state()
        self._untouched = self._entries()

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
        """The chosen minute, as an aware time in this laptop's zone; raises InvalidDate
        while the text names no minute."""
        return self.when.checked_value().astimezone()

    def chosen_framework_id(self) -> uuid.UUID | None:
        value = self.framework.currentData()
        return value if isinstance(value, uuid.UUID) else None

    def details(self) -> DraftDetails:
        person = self.chosen_person()
        if person is None:
            raise InvalidInput(CHOOSE_PERSON if self._people else NOBODY_YET)
        observed_at = self.observed_at()
        family = self.family_present.isChecked()
        given_by = self.consent_given_by.text() if family else ""
        how = self.consent_how.text() if family else ""
        if family and (refusal := missing_consent(given_by, how)):
            raise InvalidInput(refusal)
        return DraftDetails(
            observed_person_id=person.id,
            observer_id=self._observer_id,
            kind=self.chosen_kind(),
            observed_at=observed_at,
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
        spelling: Spelling | None = None,
    ) -> tuple[uuid.UUID | None, bool]:
        """Shows the dialog; returns the new draft's id and whether it was saved."""
        dialog = cls(services_recording, people, observer_id, prompts, person_id, parent, spelling)
        accepted = bool(dialog.exec())
        dialog.deleteLater()
        return dialog.saved_id, accepted

    # Building

    def _person_combo(self, selected: uuid.UUID | None) -> QComboBox:
        combo = NamedComboBox()
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
        return combo

    def _describe(self) -> None:
        described: list[tuple[QWidget, str, str]] = [
            (
                self.person,
                "Practitioner observed",
                "The practitioner or manager you observed. Type part of their name, role or "
                "team and choose them from the list.",
            ),
            (
                self.add_person,
                "Add a person",
                "Add someone who is not in the list yet; they are chosen here once saved.",
            ),
            (self.kind, "Kind", "What kind of practice you observed."),
            (
                self.when,
                "Date and time",
                "When the observation started, typed day first as in 07/12/2026 14:30, in "
                "this laptop's time zone. A date alone keeps the time shown before.",
            ),
            (
                self.duration,
                "Duration",
                "How long the observation lasted, in minutes; leave at Not recorded if you "
                "did not time it.",
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
            (self.person_hint, "Nobody to choose yet", "What to do when the list is empty."),
            (
                self.case_warning,
                "Case reference warning",
                "A warning when the case reference may identify someone.",
            ),
        ]
        for widget, name, description in described:
            widget.setAccessibleName(name)
            widget.setAccessibleDescription(description)
        for box in (self.person, self.duration):  # the line edit inside reads as the box
            inner = box.findChild(QLineEdit)
            if inner is not None:
                inner.setAccessibleName(box.accessibleName())

    @staticmethod
    def _row(form: QFormLayout, text: str, field: QWidget, buddy: QWidget | None = None) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy or field)
        form.addRow(label, field)
        return label

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
        when = self.when.value()
        if when is None:
            return  # the framework follows the date again once the date can be read
        try:
            choice = self._recording.default_framework_choice(kind, role, when.date())
        except ObserverError:
            self.framework_hint.setText(NO_DEFAULT_HINT)
            return
        index = _index_of(self.framework, choice.framework.id)
        if index >= 0:
            self.framework.setCurrentIndex(index)
        self.framework_hint.setText(choice.reason)

    def _add_person(self) -> None:
        added, saved = PersonDialog.add(self, self._directory, self._prompts)
        if not saved or added is None:
            return
        self._people = [p for p in self._directory.list_people() if p.id == added] + self._people
        person = self._people[0]
        self.person.insertItem(0, person_label(person), person.id)
        self.person.setCurrentIndex(0)
        self._show_empty_state()
        self.person.setFocus()

    def _show_empty_state(self) -> None:
        empty = not self._people
        self.person_hint.setText(NOBODY_YET_HINT if empty else "")
        self.person_hint.setVisible(empty)
        self.person.lineEdit().setPlaceholderText(
            "Nobody yet: use Add a person…" if empty else "Type part of a name, role or team"
        )
        self.person.setAccessibleDescription(
            NOBODY_YET_HINT
            if empty
            else "The practitioner or manager you observed. Type part of their name, role or "
            "team and choose them from the list."
        )
        self._fit_height()

    # Leaving

    def _entries(self) -> tuple[object, ...]:
        """What the user can type or choose, to tell a touched form from an untouched one."""
        return (
            self.person.currentText(),
            self.kind.currentIndex(),
            self.when.line.text(),
            self.duration.value(),
            self.framework.currentIndex(),
            self.case_reference.text(),
            self.others_present.text(),
            self.family_present.isChecked(),
            self.consent_given_by.text(),
            self.consent_how.text(),
            self.focus.toPlainText(),
        )

    def reject(self) -> None:
        """Escape, Cancel and closing the window all come here: typed work is asked about."""
        touched = self._entries() != self._untouched
        if touched and not self._prompts.discard(self, DISCARD):
            return
        super().reject()

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

    def _words_for_kind(self, *_: object) -> None:
        """Who is who follows the kind; supervision has no consent rows unless they hold
        words already (typed before the kind changed), which are never hidden."""
        kind = self.chosen_kind()
        supervision = kind.is_supervision
        self.who_label.setText(
            "Su&pervisor observed:" if supervision else "&Practitioner observed:"
        )
        self.person.setAccessibleName(observed_label(kind))
        inner = self.person.findChild(QLineEdit)
        if inner is not None:
            inner.setAccessibleName(observed_label(kind))
        others = others_present_label(kind)
        self.others_label.setText(f"{others[:-1]}&{others[-1]}:" if supervision else f"&{others}:")
        self.others_present.setAccessibleName(others)
        self.others_present.setPlaceholderText(others_present_placeholder(kind))
        has_consent = bool(self.consent_given_by.text().strip() or self.consent_how.text().strip())
        show = applies(kind, CONSENT) or has_consent or self.family_present.isChecked()
        for field in (self.family_present, self.consent_given_by, self.consent_how):
            self._form.setRowVisible(field, show)

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
