"""The observation editor: one window per record, saved as the user types.

The window holds no unsaved state that matters for long: every change goes to the
autosaver, which writes it within two seconds. Closing writes what is left and, if the
store will not take it, asks before anything is dropped.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from observer.errors import ObserverError
from observer.records.merge import SaveOutcome
from observer.records.readiness import NotReady
from observer.records.recording import ObservationSummary, ObservationView
from observer.records.sections import family_present_after_kind_change, section_title
from observer.services import RecordServices
from observer.vocabulary import NARRATIVE_SECTIONS, Kind, Status
from ui.dialogs.audit_trail import AuditTrailDialog
from ui.dialogs.export_summaries import ExportSummariesDialog
from ui.editor.autosave import Autosaver, SaveState
from ui.editor.conflicts_panel import ConflictsPart
from ui.editor.find_bar import FindBar, TextBox
from ui.editor.page import EditorPage, values_of
from ui.editor.readiness_panel import ReadinessPanel
from ui.editor.sign_off_part import SignOffPart
from ui.formatting import uk_date_time
from ui.prompts import Prompts
from ui.settings import app_settings
from ui.widgets.cards import STYLE, describe, heading, muted
from ui.widgets.growing_text import GrowingTextEdit
from ui.widgets.spell_check import check_spelling

log = logging.getLogger(__name__)

GEOMETRY_KEY = "editor/geometry"
SPLITTER_KEY = "editor/splitter"
ANCHOR_ROLE = Qt.ItemDataRole.UserRole
LOCKED_BANNER = (
    "Signed and locked: nothing in this record can change. Corrections are made as signed addenda."
)
MERGED = "This record was also changed in another window; what is shown now is what is saved."
BACK_TO_DRAFT = "Back to draft: sign-off now needs something this change removed."
ACTION_ADDED_BACK = (
    "An action you were typing in had been removed in another window; it is back, with your typing."
)
ASK_CLOSE_UNSAVED = "Your latest changes could not be saved: {problem} Close anyway and lose them?"
ASK_REMOVE_ACTION = "Remove the action “{what}”?"


class EditorWindow(QMainWindow):
    closed = Signal(uuid.UUID)
    changed = Signal(uuid.UUID)  # its status or its actions moved on
    new_requested = Signal()

    def __init__(
        self,
        services: RecordServices,
        prompts: Prompts,
        observation_id: uuid.UUID,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        recording, people = services.recording, services.people
        self._recording = recording
        self._prompts = prompts
        self.observation_id = observation_id
        view = recording.get(observation_id)
        self._view = view
        self.status = view.status
        self.setStyleSheet(STYLE)

        owners = [(str(person_id), name) for person_id, name in people.names()]
        listed = {person_id for person_id, _ in owners}
        owners += [  # someone who has since left still owns the actions they agreed to
            (str(a.owner_id), a.owner_name)
            for a in view.actions
            if a.owner_id is not None and str(a.owner_id) not in listed
        ]
        self.autosaver = Autosaver(recording, observation_id, values_of(view), self)
        self.autosaver.state_changed.connect(self._show_save_state)
        self.autosaver.saved.connect(self._saved)
        self.autosaver.merged.connect(self._merged)
        self.page = EditorPage(view, owners, self._edited)
        self.page.actions.add_requested.connect(self.add_action)
        self.page.actions.remove_requested.connect(self.remove_action)
        self.page.actions.withdraw = self.autosaver.withdraw
        self.page.show_view(view)
        self.spell_checks = check_spelling(
            self.page.findChildren(GrowingTextEdit), services.spelling, prompts
        )
        self._services = services
        self.sign_off = SignOffPart(self, services, prompts)
        self.conflicts = ConflictsPart(self, services, prompts)

        self.scroll = QScrollArea()
        self.scroll.setObjectName("page")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(centred(self.page))
        self.find_bar = FindBar(self._text_boxes)
        self.find_bar.setVisible(False)
        self.find_bar.found.connect(self._reveal)
        self.outline = self._build_outline(view)
        self.page.sections_changed.connect(self._show_sections_in_outline)
        self._show_sections_in_outline()
        self.readiness = ReadinessPanel()
        self.readiness.setVisible(False)
        self.readiness.go_to.connect(self.go_to)
        self.readiness.mark_ready.connect(self.mark_ready)
        self.readiness.return_to_draft.connect(self.return_to_draft)
        self.readiness.hide_requested.connect(lambda: self.readiness.setVisible(False))

        middle = QWidget()
        column = QVBoxLayout(middle)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self._build_header(view))
        column.addWidget(self.find_bar)
        column.addWidget(self.scroll, 1)
        self.splitter = QSplitter()
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.outline)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.readiness)
        self.splitter.addWidget(self.conflicts.panel)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)
        self._build_menus()
        self._show_status()
        self._show_save_state(SaveState.SAVED, "")
        self._restore_state()
        QTimer.singleShot(0, self._focus_start)

    def _focus_start(self) -> None:
        """The cursor starts where the work is: the first standard not yet rated."""
        if self.page.read_only:
            self.scroll.setFocus()
            return
        unrated = next((r for r in self._view.ratings if r.level_code is None), None)
        if unrated is not None:
            self.page.standards[unrated.standard_code].rating.focus_rating()
        else:
            self.page.bindings["strengths"].widget.setFocus()

    # Building

    def _build_header(self, view: ObservationView) -> QWidget:
        header = QWidget()
        layout = QVBoxLayout(header)
        layout.setContentsMargins(24, 16, 24, 8)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.title = heading(f"{view.kind.label} — {view.observed_person_name}", 1.45)
        self.title.setAccessibleName("Record")
        self.status_chip = QLabel()
        self.status_chip.setObjectName("status")
        self.status_chip.setAccessibleName("Status")
        self.ready_button = QPushButton("Sign-off checklist…")
        self.ready_button.setAutoDefault(False)
        describe(
            self.ready_button,
            "Ready for sign-off",
            "Lists what sign-off still needs and goes to each item (Ctrl+R).",
        )
        self.ready_button.clicked.connect(self.show_readiness)
        top.addWidget(self.title, 1)
        # A tag, not a button: its own height, however tall the row (a wrapped title).
        top.addWidget(self.status_chip, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addSpacing(8)
        top.addWidget(self.ready_button)
        top.addWidget(self.conflicts.button)
        for button in self.sign_off.buttons:
            top.addWidget(button)
        layout.addLayout(top)
        line = QHBoxLayout()
        self.subtitle = muted("")
        self.subtitle.setAccessibleName("Record details")
        self.save_label = muted("")
        self.save_label.setAccessibleName("Save status")
        self.save_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.save_label.setWordWrap(False)
        line.addWidget(self.subtitle, 1)
        line.addWidget(self.save_label)
        layout.addLayout(line)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Notice")
        self.banner.setVisible(False)
        layout.addWidget(self.banner)
        self._show_subtitle(view)
        return header

    def _show_subtitle(self, view: ObservationView) -> None:
        self.subtitle.setText(
            f"{uk_date_time(view.observed_at)} · observed by {view.observer_name} · "
            f"{view.framework.short_name or view.framework.name} v{view.framework.version}"
        )

    def _build_outline(self, view: ObservationView) -> QListWidget:
        outline = QListWidget()
        describe(outline, "Sections of the record", "Choose a section to go to it.")
        outline.setFrameShape(QFrame.Shape.NoFrame)
        outline.setTextElideMode(Qt.TextElideMode.ElideRight)
        outline.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outline.setStyleSheet("QListWidget::item { padding: 3px 8px; }")
        outline.setMinimumWidth(outline.fontMetrics().averageCharWidth() * 22)
        entries = [("details", "About this observation"), ("standards", "Practice standards")]
        entries += [(f"standard:{r.standard_code}", "") for r in view.ratings]
        entries += [(f, t) for f, t in NARRATIVE_SECTIONS.items() if f != "overall_rationale"]
        entries += [("overall", "Overall judgement"), ("actions", "Agreed actions")]
        for anchor, text in entries:
            item = QListWidgetItem(text)
            item.setData(ANCHOR_ROLE, anchor)
            if not anchor.startswith("standard:"):
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            outline.addItem(item)
        outline.itemActivated.connect(self._outline_chosen)
        outline.itemClicked.connect(self._outline_chosen)
        self._outline_items = {
            str(outline.item(i).data(ANCHOR_ROLE)): outline.item(i) for i in range(outline.count())
        }
        for rating in view.ratings:
            self._mark_rated(rating.standard_code, rating.level_code)
        return outline

    def _build_menus(self) -> None:
        bar = self.menuBar()
        record = bar.addMenu("&Record")
        self.new_action = self._menu_action(record, "&New observation…", "Ctrl+N")
        self.new_action.triggered.connect(self.new_requested)
        self.save_action = self._menu_action(record, "&Save now", "Ctrl+S")
        self.save_action.triggered.connect(self.save_now)
        self.readiness_action = self._menu_action(record, "&Ready for sign-off…", "Ctrl+R")
        self.readiness_action.triggered.connect(self.show_readiness)
        self.add_action_action = self._menu_action(record, "&Add action", "Ctrl+Shift+A")
        self.add_action_action.triggered.connect(self.add_action)
        self.sign_off.add_to_menu(record)
        record.addSeparator()
        self.export_action = self._menu_action(record, "&Export summary PDF…", "Ctrl+E")
        self.export_action.triggered.connect(self.export_summary)
        self.audit_trail_action = QAction("Audit &trail for this record…", self)
        self.audit_trail_action.triggered.connect(self.show_audit_trail)
        record.addAction(self.audit_trail_action)
        record.addSeparator()
        close = self._menu_action(record, "&Close", "Ctrl+W")
        close.triggered.connect(self.close)
        edit = bar.addMenu("&Edit")
        self.find_action = self._menu_action(edit, "&Find…", "Ctrl+F")
        self.find_action.triggered.connect(self.find_bar.open_bar)
        find_next = self._menu_action(edit, "Find &next", "F3")
        find_next.triggered.connect(self.find_bar.find_next)

    def _menu_action(self, menu: Any, text: str, shortcut: str) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        menu.addAction(action)
        return action

    # Editing

    def _edited(self, target: str, value: Any) -> None:
        self.autosaver.set(target, value)
        if target == "kind":
            self._kind_chosen(Kind(value))
        elif target == "observed_at":
            self.page.actions.check_due_dates()
        elif target.startswith("rating:") and target.endswith(":level"):
            self._mark_rated(target.split(":")[1], value)

    def _kind_chosen(self, kind: Kind) -> None:
        """The form follows the kind, and so does the consent box unless it was answered."""
        before = self._view.kind
        self._show_kind(kind)
        bindings = self.page.bindings
        family = bindings["family_present"]
        typed = any(str(bindings[t].read()).strip() for t in ("consent_given_by", "consent_how"))
        present = family_present_after_kind_change(before, kind, bool(family.read()), typed)
        box = family.widget
        if isinstance(box, QCheckBox) and box.isChecked() != present:
            box.setChecked(present)  # as if the user had ticked it: saved with the kind

    def _show_kind(self, kind: Kind) -> None:
        self._view = replace(self._view, kind=kind)
        self.title.setText(f"{kind.label} — {self._view.observed_person_name}")
        self.page.show_kind(kind)
        self._show_status()

    def _show_sections_in_outline(self) -> None:
        for anchor, item in self._outline_items.items():
            card = self.page.cards.get(anchor)
            if card is not None and anchor in NARRATIVE_SECTIONS:
                item.setHidden(card.isHidden())
                item.setText(section_title(self.page.kind, anchor))

    def _mark_rated(self, code: str, level: str | None) -> None:
        item = self._outline_items.get(f"standard:{code}")
        row = self.page.standards.get(code)
        if item is None or row is None:
            return
        item.setText(f"    {'✓' if level else '○'}  {code}  {row.title}")
        item.setToolTip(row.title + ("" if level else " — not rated yet"))

    def save_now(self) -> bool:
        saved = self.autosaver.flush()
        if saved and not self.statusBar().currentMessage():
            self.statusBar().showMessage("Saved.", 3000)
        return saved

    def catch_up(self) -> None:
        """What is typed is saved first (merged with what arrived, both people's words
        kept); then every input not being typed in shows what the store now holds. A save
        the store refuses just now keeps the typing in hand, as any autosave does."""
        if not self.autosaver.flush():
            return
        try:
            view = self._recording.get(self.observation_id)
        except ObserverError:
            return  # gone: the next save says so
        held = self.autosaver.pending()
        for target, value in values_of(view).items():
            if target in held or value == self.autosaver.base(target):
                continue
            binding = self.page.bindings.get(target) or self.page.actions.bindings.get(target)
            if binding is None or value is None:
                continue
            binding.show(value)
            self.autosaver.track(target, value)
        if view.kind is not self._view.kind:
            self._show_kind(view.kind)
        if view.status is not self.status:
            self.status = view.status
            self.sign_off.reload()
            self._after_write()
        self.conflicts.reload()

    def add_action(self) -> None:
        if self.page.read_only or not self.save_now():
            return
        try:
            action_id = self._recording.add_action(
                self.observation_id, "", owner_id=self._view.observed_person_id
            )
        except ObserverError as error:
            self._prompts.error(self, str(error))
            return
        self._show_new_action(action_id)

    def _show_new_action(self, action_id: uuid.UUID) -> None:
        try:
            view = self._recording.get(self.observation_id)
        except ObserverError as error:
            self._prompts.error(self, str(error))
            return
        action = next(a for a in view.actions if a.id == action_id)
        prefix = f"action:{action_id}"
        self.autosaver.track(f"{prefix}:description", action.description)
        self.autosaver.track(f"{prefix}:owner", action.owner_id)
        self.autosaver.track(f"{prefix}:due", action.due_date)
        row = self.page.actions.add_row(action)
        self._after_write()
        QTimer.singleShot(0, lambda: self._reveal(row.what))

    def remove_action(self, action_id: uuid.UUID) -> None:
        row = self.page.actions.rows.get(action_id)
        if row is None or self.page.read_only:
            return
        what = row.what.text().strip()
        if what and not self._prompts.ask(self, ASK_REMOVE_ACTION.format(what=what)):
            return
        if not self.save_now():
            return
        try:
            self._recording.remove_action(action_id)
        except ObserverError as error:
            self._prompts.error(self, str(error))
            return
        self.autosaver.forget(f"action:{action_id}")
        self.page.actions.remove_row(action_id)
        self._after_write()
        self.page.actions.add_button.setFocus()

    def export_summary(self) -> None:
        """The summary PDF of this record: signed once both have signed, else a DRAFT."""
        if not self.save_now():
            return
        view = self._recording.get(self.observation_id)
        record = ObservationSummary(
            id=view.id,
            observed_person_id=view.observed_person_id,
            worker=view.observed_person_name,
            observer=view.observer_name,
            kind=view.kind,
            observed_at=view.observed_at,
            status=view.status,
            framework=view.framework.short_name or view.framework.name,
            overall="",
        )
        ExportSummariesDialog.export(self, self._services.summaries, self._prompts, [record])

    def show_audit_trail(self) -> None:
        self.save_now()
        AuditTrailDialog.show_trail(
            self, self._services.audit, self._prompts, record_id=self.observation_id
        )

    # Readiness and status

    def show_readiness(self) -> None:
        self.save_now()
        self.readiness.setVisible(True)
        self._refresh_readiness()
        self.readiness.items.setFocus()

    def _refresh_readiness(self) -> None:
        try:
            missing = self._recording.readiness(self.observation_id)
        except ObserverError as error:
            self._prompts.error(self, str(error))
            return
        self.readiness.show_missing(missing, self.status)
        if not missing:
            self.readiness.ready_button.setFocus()

    def mark_ready(self) -> None:
        if not self.save_now():
            return
        try:
            self._recording.mark_ready(self.observation_id)
        except NotReady:
            self._refresh_readiness()
            return
        except ObserverError as error:
            self._prompts.error(self, str(error))
            return
        self.status = Status.READY
        self._after_write()
        self.statusBar().showMessage("Marked ready for sign-off.", 5000)

    def return_to_draft(self) -> None:
        try:
            self._recording.return_to_draft(self.observation_id)
        except ObserverError as error:
            self._prompts.error(self, str(error))
            return
        self.status = Status.DRAFT
        self._after_write()

    def go_to(self, target: str) -> None:
        """Shows a section, a standard or an input and puts the cursor there."""
        if target in self.page.cards:
            self._reveal(self.page.cards[target])
            return
        kind, _, code = target.partition(":")
        widget: QWidget | None
        if kind == "standard":
            row = self.page.standards.get(code)
            if row is None:
                return
            self._reveal(row)
            row.rating.focus_rating()
            return
        if kind == "evidence":
            row = self.page.standards.get(code)
            widget = row.evidence if row else None
        elif target == "overall_level":
            self._reveal(self.page.cards["overall"])
            self.page.overall.focus_rating()
            return
        else:
            binding = self.page.bindings.get(target) or self.page.actions.bindings.get(target)
            widget = binding.widget if binding else None
        if widget is not None:
            self._reveal(widget)

    def _after_write(self) -> None:
        self._show_status()
        if self.readiness.isVisible():
            self._refresh_readiness()
        self.changed.emit(self.observation_id)

    def _show_status(self) -> None:
        self.status_chip.setText(self.status.label)
        locked = self.status is Status.SIGNED
        self.page.set_read_only(locked)
        self.ready_button.setEnabled(not locked)
        for action in (self.save_action, self.add_action_action, self.readiness_action):
            action.setEnabled(not locked)
        self.banner.setText(LOCKED_BANNER if locked else "")
        self.banner.setVisible(locked)
        self.sign_off.show_state()
        # The chip says where sign-off stands ("Signed by the observer"); so does the title.
        self.setWindowTitle(
            f"{self._view.kind.label} — {self._view.observed_person_name} "
            f"({self.status_chip.text().lower()})"
        )

    def sign_off_changed(self, status: Status) -> None:
        """A signature or an addendum was stored: the status and what is shown move on."""
        self.status = status
        self._after_write()

    # Save state

    def _show_save_state(self, state: SaveState, problem: str) -> None:
        if state is SaveState.SAVED:
            self.save_label.setText(f"All changes saved · {datetime.now():%H:%M}")
        elif state is SaveState.PENDING:
            self.save_label.setText("Saving…")
        elif state is SaveState.FAILED:
            self.save_label.setText("Not saved yet — trying again")
            self._show_banner(
                f"Your latest changes are not saved yet: {problem} They are kept in this "
                "window and saved as soon as the store allows."
            )
        elif state in (SaveState.LOCKED, SaveState.GONE):
            if state is SaveState.LOCKED:
                self.status = Status.SIGNED
            self._show_status()
            self.page.set_read_only(True)
            self.save_label.setText("Not saved")
            self._show_banner(
                f"{problem} What you typed since the last save is still shown here to copy."
            )
            self._prompts.warning(self, problem)
        if state is SaveState.SAVED and not (self.status is Status.SIGNED or self.sign_off.frozen):
            self.banner.setVisible(False)

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(True)

    def _saved(self, outcome: SaveOutcome) -> None:
        if outcome.status is not None and outcome.status is not self.status:
            self.status = outcome.status
            self._show_status()
            self.changed.emit(self.observation_id)
            if outcome.status is Status.DRAFT:
                self.statusBar().showMessage(BACK_TO_DRAFT, 10000)
        if self.readiness.isVisible():
            self._refresh_readiness()

    def _merged(self, merged: dict[str, Any]) -> None:
        gone_targets = {t for t, v in merged.items() if v is None and t.startswith("action:")}
        gone = {t.split(":")[1] for t in gone_targets}
        for target, value in merged.items():
            binding = self.page.bindings.get(target) or self.page.actions.bindings.get(target)
            if binding is not None and value is not None:
                binding.show(value)
        if "kind" in merged and merged["kind"] is not None:
            self._show_kind(Kind(merged["kind"]))
        for action_id in gone:
            self._add_back(uuid.UUID(action_id))
        if len(gone_targets) < len(merged):
            self.statusBar().showMessage(MERGED, 10000)

    def _add_back(self, action_id: uuid.UUID) -> None:
        """An action removed elsewhere while being typed in comes back with the typing."""
        row = self.page.actions.rows.get(action_id)
        if row is None:
            return
        owner = self.page.actions.bindings[f"action:{action_id}:owner"].read()
        due = self.page.actions.bindings[f"action:{action_id}:due"].read()
        try:
            new_id = self._recording.add_action(
                self.observation_id, row.what.text(), owner_id=owner, due_date=due
            )
        except ObserverError as error:
            self._prompts.error(self, str(error))
            return
        self.autosaver.forget(f"action:{action_id}")
        self.page.actions.remove_row(action_id)
        self._show_new_action(new_id)
        self.statusBar().showMessage(ACTION_ADDED_BACK, 10000)

    # Finding

    def _text_boxes(self) -> list[TextBox]:
        bindings = list(self.page.bindings.values()) + list(self.page.actions.bindings.values())
        return [b.widget for b in bindings if isinstance(b.widget, QLineEdit | GrowingTextEdit)]

    def _reveal(self, widget: QWidget) -> None:
        top = widget.mapTo(self.page, QPoint(0, 0)).y()
        bar = self.scroll.verticalScrollBar()
        viewport = self.scroll.viewport().height()
        if not bar.value() <= top <= bar.value() + viewport - widget.height():
            bar.setValue(max(0, top - 40))
        if widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _outline_chosen(self, item: QListWidgetItem) -> None:
        self.go_to(str(item.data(ANCHOR_ROLE)))

    # Window state

    def _restore_state(self) -> None:
        settings = app_settings()
        geometry = settings.value(GEOMETRY_KEY)
        if not geometry or not self.restoreGeometry(geometry):
            average = self.fontMetrics().averageCharWidth()
            self.resize(average * 150, self.fontMetrics().height() * 46)
        splitter = settings.value(SPLITTER_KEY)
        if not splitter or not self.splitter.restoreState(splitter):
            self.splitter.setSizes([220, 900, 320])

    def closeEvent(self, event: QCloseEvent) -> None:
        if (
            not self.autosaver.flush()
            and self.autosaver.has_pending()
            and not self._prompts.ask(
                self, ASK_CLOSE_UNSAVED.format(problem=self.autosaver.problem)
            )
        ):
            event.ignore()
            return
        settings = app_settings()
        settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        settings.setValue(SPLITTER_KEY, self.splitter.saveState())
        self.closed.emit(self.observation_id)
        super().closeEvent(event)


def centred(page: QWidget) -> QWidget:
    """Holds the page at a comfortable reading width in the middle of a wide window."""
    page.setMaximumWidth(page.fontMetrics().averageCharWidth() * 140)
    holder = QWidget()
    holder.setObjectName("pageBody")
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.addStretch(1)
    row.addWidget(page, 100)
    row.addStretch(1)
    return holder
