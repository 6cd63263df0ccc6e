"""The editor's page: the record's details, a row per standard, the narrative, the
overall judgement and the agreed actions, as cards on one scrolling page."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from observer.records.case_reference import case_reference_warning
from observer.records.recording import ObservationView, RatingView, text_limit
from observer.records.sections import (
    CHILD_VOICE,
    CONSENT,
    FAMILY_FEEDBACK,
    FAMILY_SECTIONS,
    applies,
    kept_for_its_words,
    observed_label,
    others_present_label,
    others_present_placeholder,
    section_title,
    shown,
)
from observer.vocabulary import NARRATIVE_SECTIONS, Kind
from ui.editor.actions_card import ActionsCard
from ui.editor.fields import (
    Binding,
    Changed,
    bind_check,
    bind_choice,
    bind_line,
    bind_minutes,
    bind_moment,
    bind_rating,
    bind_text,
)
from ui.widgets.cards import Card, describe, field_label, heading, muted
from ui.widgets.growing_text import GrowingTextEdit
from ui.widgets.rating_buttons import RatingButtons

NARRATIVE_GUIDANCE = {
    "strengths": "What went well, with examples of what the worker said and did.",
    "development_areas": "What could be better, specifically enough to act on.",
    "child_voice": (
        "What the child said, showed or felt, and what daily life is like for them — "
        "in their words where you can."
    ),
    "family_feedback": "What the child, parents or carers said about the visit and the worker.",
    "reflection": "The worker's own view: what they would keep, and what they would change.",
}
# In supervision the person observed is the supervisor, not a worker.
SUPERVISION_GUIDANCE = {
    "strengths": "What went well, with examples of what the supervisor said and did.",
    "reflection": ("The supervisor's own view: what they would keep, and what they would change."),
}
RATIONALE_GUIDANCE = "Why this judgement: the evidence that weighs most."
OVERALL_NOTE = (
    "Your judgement of the practice observed, taking every standard together. "
    "An overall judgement is always made: Not observed is for a single standard."
)
# The mnemonic of each wording of "who else was present" (Alt+O, or Alt+P in supervision).
OTHERS_MNEMONIC = {"Who else was present": 2, "Supervisee": 2, "Supervisees": 2}


@dataclass(frozen=True)
class _Typed:
    """What the page's inputs hold now of the parts that depend on the kind."""

    kind: Kind
    consent_given_by: str
    consent_how: str
    child_voice: str
    family_feedback: str


EVIDENCE_PLACEHOLDER = "What you saw and heard that supports this rating"


class StandardRow(QFrame):
    """One standard: its title, what it asks, prompts, the rating and the evidence."""

    def __init__(self, rating: RatingView, view: ObservationView, first: bool) -> None:
        super().__init__()
        self.setObjectName("row" if first else "standard")
        self.code = rating.standard_code
        self.title = rating.title
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0 if first else 14, 0, 4)
        layout.setSpacing(6)
        layout.addWidget(heading(f"{rating.standard_code}  {rating.title}"))
        if rating.summary:
            layout.addWidget(muted(rating.summary))
        if rating.prompts:
            prompts = muted("\n".join(f"•  {prompt}" for prompt in rating.prompts))
            prompts.setAccessibleName(f"Prompts for {rating.title}")
            prompts.setContentsMargins(8, 0, 0, 0)
            layout.addWidget(prompts)
        self.rating = RatingButtons(view.levels, rating.title)
        layout.addWidget(self.rating)
        self.evidence = GrowingTextEdit(min_lines=3)
        self.evidence.setPlaceholderText(EVIDENCE_PLACEHOLDER)
        describe(
            self.evidence,
            f"Evidence for {rating.title}",
            f"What you saw and heard that supports the rating of {rating.title}.",
        )
        layout.addWidget(self.evidence)


class EditorPage(QWidget):
    """Builds every input of one observation and binds each to what it changes."""

    sections_changed = Signal()  # a section was shown or hidden for the kind

    def __init__(
        self,
        view: ObservationView,
        people: list[tuple[str, str]],
        changed: Changed,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pageBody")
        self._changed = changed
        self.bindings: dict[str, Binding] = {}
        self.cards: dict[str, Card] = {}
        self.standards: dict[str, StandardRow] = {}
        self.section_notes: dict[str, QLabel] = {}
        self.kind = view.kind
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 32)
        layout.setSpacing(18)

        layout.addWidget(self._details(view))
        layout.addWidget(self._standards(view))
        for field, title in NARRATIVE_SECTIONS.items():
            if field == "overall_rationale":
                continue
            card = Card(title)
            if field in FAMILY_SECTIONS:
                self.section_notes[field] = self._note(card)
            edit = self._text_input(field, title, NARRATIVE_GUIDANCE[field], min_lines=4)
            card.add(edit)
            self.cards[field] = card
            layout.addWidget(card)
        layout.addWidget(self._overall(view))
        self.actions = ActionsCard(view, people, changed)
        self.actions.observed_at = self.bindings["observed_at"].read
        self.cards["actions"] = self.actions
        layout.addWidget(self.actions)
        layout.addStretch(1)

    # Cards

    def _details(self, view: ObservationView) -> Card:
        card = Card("About this observation")
        self.cards["details"] = card
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(10)

        person = QLabel(view.observed_person_name)
        person.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.observed_label = QLabel()
        form.addRow(self.observed_label, person)
        form.addRow("Observer:", QLabel(view.observer_name))
        framework = view.framework
        form.addRow("Framework:", QLabel(f"{framework.name}, version {framework.version}"))

        kind = QComboBox()
        for item in Kind:
            kind.addItem(item.label, item.value)
        describe(kind, "Kind of observation", "What kind of practice was observed.")
        self._bind(bind_choice("kind", kind, self._changed))
        form.addRow(field_label("&Kind:", kind), kind)

        when = QDateTimeEdit()
        when.setDisplayFormat("dd/MM/yyyy HH:mm")
        when.setCalendarPopup(True)
        when.setMinimumDate(QDate(2000, 1, 1))
        describe(when, "Date and time", "When the observed practice took place (day/month/year).")
        self._bind(bind_moment("observed_at", when, self._changed))
        form.addRow(field_label("&When:", when), when)

        duration = QSpinBox()
        duration.setRange(0, 24 * 60)
        duration.setSingleStep(5)
        duration.setSuffix(" min")
        duration.setSpecialValueText("Not recorded")
        describe(duration, "Duration in minutes", "How long the observed practice lasted.")
        self._bind(bind_minutes("duration_minutes", duration, self._changed))
        form.addRow(field_label("D&uration:", duration), duration)

        reference = self._line(
            "case_reference",
            "Case reference",
            "A pseudonymous reference for the case, such as its number; never a child's name.",
        )
        reference.setPlaceholderText("For example, the case number")
        self.case_warning = muted("")
        self.case_warning.setAccessibleName("Case reference warning")
        self.case_warning.setVisible(False)
        reference.textChanged.connect(self._check_reference)
        reference_box = QWidget()
        box = QVBoxLayout(reference_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        box.addWidget(reference)
        box.addWidget(self.case_warning)
        form.addRow(field_label("Case &reference:", reference), reference_box)

        others = self._line("others_present", "", "")
        self.others_label = field_label("", others)
        form.addRow(self.others_label, others)

        self.consent_note = muted("")
        self.consent_note.setObjectName("sectionNote")
        self.consent_note.setAccessibleName("Note on consent")
        form.addRow(self.consent_note)
        family = QCheckBox("A child or family member was present")
        describe(
            family,
            "A child or family member was present",
            "When ticked, consent is needed before sign-off.",
        )
        self._bind(bind_check("family_present", family, self._changed))
        form.addRow("", family)
        given_by = self._line(
            "consent_given_by",
            "Consent given by",
            "Who agreed to the observation, such as the parent or the young person.",
        )
        how = self._line(
            "consent_how",
            "How consent was given",
            "How consent was given, such as verbally at the start of the visit.",
        )
        form.addRow(field_label("Consent &given by:", given_by), given_by)
        form.addRow(field_label("&How consent was given:", how), how)
        family.toggled.connect(self._consent_needed)
        self._form = form

        focus = self._text_input(
            "focus", "Agreed focus", "What the worker asked you to look at.", min_lines=2
        )
        form.addRow(field_label("Agreed &focus:", focus), focus)
        card.layout_.addLayout(form)
        return card

    def _standards(self, view: ObservationView) -> Card:
        card = Card(
            "Practice standards",
            "Rate each standard from what you saw, or mark it Not observed, and give the "
            "evidence behind the rating.",
        )
        self.cards["standards"] = card
        for number, rating in enumerate(view.ratings):
            row = StandardRow(rating, view, first=number == 0)
            self.standards[rating.standard_code] = row
            self._bind(
                bind_rating(f"rating:{rating.standard_code}:level", row.rating, self._changed)
            )
            self._bind(
                bind_text(f"rating:{rating.standard_code}:evidence", row.evidence, self._changed)
            )
            _limit(row.evidence, text_limit("evidence"))
            card.add(row)
        return card

    def _overall(self, view: ObservationView) -> Card:
        card = Card("Overall judgement", OVERALL_NOTE)
        self.cards["overall"] = card
        judgements = [level for level in view.levels if level.score is not None]
        self.overall = RatingButtons(judgements, "the overall judgement")
        self._bind(bind_rating("overall_level", self.overall, self._changed))
        card.add(self.overall)
        rationale = self._text_input(
            "overall_rationale", "Rationale for the overall judgement", RATIONALE_GUIDANCE, 4
        )
        card.add(field_label("&Rationale:", rationale))
        card.add(rationale)
        return card

    # Inputs

    def _line(self, field: str, name: str, description: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setMaxLength(text_limit(field))
        describe(edit, name, description)
        self._bind(bind_line(field, edit, self._changed))
        return edit

    def _text_input(self, field: str, name: str, guidance: str, min_lines: int) -> GrowingTextEdit:
        edit = GrowingTextEdit(min_lines=min_lines)
        edit.setPlaceholderText(guidance)
        describe(edit, name, guidance)
        _limit(edit, text_limit(field))
        self._bind(bind_text(field, edit, self._changed))
        return edit

    def _note(self, card: Card) -> QLabel:
        note = muted("")
        note.setObjectName("sectionNote")
        note.setAccessibleName(f"Note on {card.title.text()}")
        note.setVisible(False)
        card.add(note)
        return note

    def _bind(self, binding: Binding) -> None:
        self.bindings[binding.target] = binding

    def _check_reference(self, text: str) -> None:
        warning = case_reference_warning(text)
        self.case_warning.setText(f"⚠ {warning}" if warning else "")
        self.case_warning.setVisible(bool(warning))

    def _consent_needed(self, needed: bool) -> None:
        for target in ("consent_given_by", "consent_how"):
            self.bindings[target].widget.setEnabled(needed and not self.read_only)

    # The kind

    def show_kind(self, kind: Kind) -> None:
        """Shows the sections and words of a kind of observation. A section the kind does not
        use stays, with a note, while it holds text: hiding it would hide someone's words."""
        self.kind = kind
        self.observed_label.setText(f"{observed_label(kind)}:")
        label = others_present_label(kind)
        at = OTHERS_MNEMONIC.get(label, 0)
        self.others_label.setText(f"{label[:at]}&{label[at:]}:")
        others = self.bindings["others_present"].widget
        assert isinstance(others, QLineEdit)
        others.setPlaceholderText(others_present_placeholder(kind))
        others.setAccessibleName(label)
        others.setAccessibleDescription(
            f"{label}: their roles, not their names ({others_present_placeholder(kind)})."
        )
        typed = _Typed(
            kind,
            **{
                field: str(self.bindings[field].read())
                for field in ("consent_given_by", "consent_how", CHILD_VOICE, FAMILY_FEEDBACK)
            },
        )
        for section in FAMILY_SECTIONS:
            visible = shown(typed, section)
            note = kept_for_its_words(kind, section) if not applies(kind, section) else ""
            if section == CONSENT:
                for target in ("family_present", "consent_given_by", "consent_how"):
                    self._form.setRowVisible(self.bindings[target].widget, visible)
                self.consent_note.setText(note)
                self._form.setRowVisible(self.consent_note, visible and bool(note))
            else:
                self.cards[section].setVisible(visible)
                self.section_notes[section].setText(note)
                self.section_notes[section].setVisible(bool(note))
        for field, guidance in NARRATIVE_GUIDANCE.items():
            title = section_title(kind, field)
            self.cards[field].title.setText(title)
            edit = self.bindings[field].widget
            assert isinstance(edit, GrowingTextEdit)
            words = SUPERVISION_GUIDANCE.get(field, guidance) if kind.is_supervision else guidance
            edit.setPlaceholderText(words)
            describe(edit, title, words)
        self.actions.show_kind(kind)
        self.sections_changed.emit()

    # Whole page

    read_only = False

    def show_view(self, view: ObservationView) -> None:
        """Fills every input from the record without treating it as the user's typing."""
        values = values_of(view)
        for target, binding in self.bindings.items():
            binding.show(values.get(target))
        self.actions.show_actions(view)
        self._consent_needed(view.family_present)
        self.show_kind(view.kind)

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        for binding in self.bindings.values():
            widget = binding.widget
            if isinstance(widget, QLineEdit | GrowingTextEdit):
                widget.setReadOnly(read_only)
            elif isinstance(widget, RatingButtons):
                widget.set_read_only(read_only)
            else:
                widget.setEnabled(not read_only)
        self.actions.set_read_only(read_only)
        self._consent_needed(bool(self.bindings["family_present"].read()))


def values_of(view: ObservationView) -> dict[str, object]:
    """Every target's value in a record, as the editor's inputs hold it."""
    values: dict[str, object] = {
        "kind": view.kind.value,
        "observed_at": view.observed_at,
        "duration_minutes": view.duration_minutes,
        "family_present": view.family_present,
        "overall_level": view.overall_level_code,
    }
    for field in (
        "case_reference",
        "others_present",
        "consent_given_by",
        "consent_how",
        "focus",
        *NARRATIVE_SECTIONS,
    ):
        values[field] = getattr(view, field)
    for rating in view.ratings:
        values[f"rating:{rating.standard_code}:level"] = rating.level_code
        values[f"rating:{rating.standard_code}:evidence"] = rating.evidence
    for action in view.actions:
        values[f"action:{action.id}:description"] = action.description
        values[f"action:{action.id}:owner"] = action.owner_id
        values[f"action:{action.id}:due"] = action.due_date
    return values


def _limit(edit: GrowingTextEdit, limit: int) -> None:
    """Stops typing at the field's limit, which is far beyond any real observation."""

    def trim() -> None:
        text = edit.toPlainText()
        if len(text) > limit:
            cursor = edit.textCursor()
            cursor.movePosition(cursor.MoveOperation.End)
            cursor.setPosition(limit, cursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()

    edit.textChanged.connect(trim)
