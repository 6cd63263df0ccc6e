"""Sign-off in the room: the record on the left, read-only; the signature on the right.

The observer signs first, then hands the laptop to the practitioner, who reads the same
record and signs; a manager may countersign later. The time is taken when Sign is pressed.
A refusal (something missing, the record locked) is shown and the dialog stays open with
the name, the drawing and the comment as they were.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer.errors import ObserverError, StaleRecord
from observer.records.readiness import NotReady
from observer.records.recording import ObservationView
from observer.records.sign_off import ROLE_LABELS, SignatureView, SignedRecord
from observer.services import RecordServices
from observer.vocabulary import SignatureRole
from ui.formatting import uk_date_time
from ui.prompts import Prompts
from ui.signoff.review import ReviewView
from ui.signoff.signing import SigningFields
from ui.widgets.cards import describe, heading, muted
from ui.widgets.spell_check import SpellCheck

TITLES = {
    SignatureRole.OBSERVER: "Sign as the observer",
    SignatureRole.PRACTITIONER: "Sign as the practitioner",
    SignatureRole.MANAGER: "Countersign as the manager",
}
NOTES = {
    SignatureRole.OBSERVER: (
        "Read the record through once more. Once you sign, it can no longer change; "
        "the practitioner then reads it and signs."
    ),
    SignatureRole.PRACTITIONER: (
        "Read the whole record on the left: it is exactly what you sign. Signing says you "
        "have read it. Afterwards the record is locked, and corrections are made as signed "
        "addenda."
    ),
    SignatureRole.MANAGER: (
        "The observer and the practitioner have signed. Countersigning confirms you have "
        "reviewed the record."
    ),
}
WHEN_NOTE = "The date and time are recorded when you press {button}."
ALL_SIGNED = "Everyone has signed this record."
HAND_OVER = "Signed by the observer. Hand over to {name} now to read the record and sign?"
RECORD_CHANGED = (
    "The record was changed elsewhere while you were reading it, so nothing was signed. "
    "The new version is shown now: read it again before you sign."
)
SIGNED_ELSEWHERE = (
    "While you were reading, the {role} signed this record in another window, so nothing "
    "was signed here. Choose Sign… again to carry on."
)
CONFIRM = {
    SignatureRole.OBSERVER: (
        "Sign as the observer now? Once you sign, the record's content can no longer change."
    ),
    SignatureRole.PRACTITIONER: (
        "Sign as the practitioner now? The record will then be locked: it can no longer be "
        "changed, only corrected by signed addenda."
    ),
    SignatureRole.MANAGER: (
        "Countersign this record now? A countersignature cannot be taken back."
    ),
}
LOCKED_NOW = (
    "Signed by the practitioner. The record is now signed and locked; corrections are made "
    "as signed addenda."
)


def not_ready_message(error: NotReady) -> str:
    return "\n".join([str(error), "", *(f"•  {m.message}" for m in error.missing)])


class SignOffDialog(QDialog):
    """Shows one read of the record (`SignOff.signed_record`) and signs the content hash of
    that read, so what is signed is what was shown; if the record changed in between,
    nothing is signed and the new version is shown instead."""

    def __init__(
        self,
        services: RecordServices,
        observation_id: uuid.UUID,
        role: SignatureRole,
        prompts: Prompts,
        parent: QWidget | None = None,
        *,
        record: SignedRecord | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._prompts = prompts
        self.observation_id = observation_id
        self.role = role
        self.signature: SignatureView | None = None
        if record is None:
            record = services.signoff.signed_record(observation_id)
        self.record = record
        view = record.view
        self.setModal(True)

        self.review = ReviewView(view)
        self.fields = SigningFields(*_name_for(view, role))
        if self.fields.comment is not None:
            SpellCheck(self.fields.comment, services.spelling, prompts)
        verb = "Countersign" if role is SignatureRole.MANAGER else "Sign"
        self.sign_button = QPushButton(verb)
        describe(self.sign_button, verb, f"{TITLES[role]}, now.")
        self.cancel_button = QPushButton("Cancel")
        describe(self.cancel_button, "Cancel", "Closes without signing.")
        for button in (self.sign_button, self.cancel_button):
            button.setAutoDefault(False)  # Enter in the name box must never sign
        self.sign_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)

        reading = QVBoxLayout()
        reading.setSpacing(8)
        reading.addWidget(heading("The record", 1.2))
        reading.addWidget(self.review, 1)

        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(10)
        side.addWidget(heading(TITLES[role], 1.2))
        side.addWidget(muted(NOTES[role]))
        self.steps = muted("")
        self.steps.setAccessibleName("Who has signed")
        side.addWidget(self.steps)
        side.addSpacing(4)
        side.addWidget(self.fields)
        side.addStretch(1)
        self._verb = verb
        self.when = muted("")
        self.when.setAccessibleName("When and what is signed")
        self.when.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        side.addWidget(self.when)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.sign_button)
        side.addLayout(buttons)
        panel = QWidget()
        panel.setLayout(side)
        panel.setFixedWidth(self.fontMetrics().averageCharWidth() * 62)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(24)
        layout.addLayout(reading, 1)
        layout.addWidget(panel)
        self._show_details(record)
        self._fit_screen()
        self.review.setFocus()

    def _show_details(self, record: SignedRecord) -> None:
        """Beside the review of the same read: who has signed, and the fingerprint signed."""
        self.record = record
        view = record.view
        self.setWindowTitle(f"Sign-off — {view.kind.label} — {view.observed_person_name}")
        self.steps.setText(_steps(record.signatures, self.role))
        fingerprint = record.content_hash
        self.when.setText(
            f"{WHEN_NOTE.format(button=self._verb)}\n"
            f"Record fingerprint (SHA-256): {fingerprint[:16]}…"
        )
        self.when.setToolTip(fingerprint)

    @classmethod
    def sign(
        cls,
        parent: QWidget | None,
        services: RecordServices,
        observation_id: uuid.UUID,
        prompts: Prompts,
    ) -> bool:
        """Signs for whoever is next; True when at least one signature was stored.

        After the observer signs, the practitioner can take over at once, as happens in
        the room.
        """
        signed = False
        while True:
            try:
                record = services.signoff.signed_record(observation_id)
                role = record.next_role
                dialog = (
                    None
                    if role is None
                    else cls(services, observation_id, role, prompts, parent, record=record)
                )
            except ObserverError as error:
                prompts.error(parent, str(error))
                return signed
            if dialog is None:
                if not signed:
                    prompts.information(parent, ALL_SIGNED)
                return signed
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            practitioner = dialog.practitioner_name
            dialog.deleteLater()
            if not accepted:
                return signed
            signed = True
            if role is not SignatureRole.OBSERVER:
                return True
            if not prompts.ask(parent, HAND_OVER.format(name=practitioner), default_yes=True):
                return True

    @property
    def practitioner_name(self) -> str:
        return self.record.view.observed_person_name

    def accept(self) -> None:
        """Signs what is shown, once the name is the signer's and the signer has confirmed;
        on a refusal says why and stays open with the name, the drawing and the comment as
        they were (and the new version, if the record changed)."""
        try:
            self._services.signoff.check_signer(
                self.observation_id, self.role, self.fields.typed_name()
            )
        except ObserverError as error:  # no name, or not the person who must sign
            self._prompts.error(self, str(error))
            return
        if not self._prompts.ask(self, CONFIRM[self.role], default_yes=False):
            return
        try:
            self.signature = self._services.signoff.sign(
                self.observation_id,
                self.role,
                self.fields.typed_name(),
                drawing_png=self.fields.drawing(),
                comment=self.fields.comment_text(),
                expected_hash=self.record.content_hash,
            )
        except StaleRecord:
            self._show_changed_record()
            return
        except NotReady as error:
            self._prompts.error(self, not_ready_message(error))
            return
        except ObserverError as error:
            if not self._turn_passed():
                self._prompts.error(self, str(error))
            return
        if self.role is SignatureRole.PRACTITIONER:
            self._prompts.information(self, LOCKED_NOW)
        super().accept()

    def _turn_passed(self, record: SignedRecord | None = None) -> bool:
        """Whether someone else signed in this role meanwhile; if so, says so and closes:
        signing again could only be refused."""
        if record is None:
            try:
                record = self._services.signoff.signed_record(self.observation_id)
            except ObserverError:
                return False
        if record.next_role is self.role:
            return False
        self._prompts.warning(self, SIGNED_ELSEWHERE.format(role=ROLE_LABELS[self.role].lower()))
        self.reject()
        return True

    def _show_changed_record(self) -> None:
        try:
            record = self._services.signoff.signed_record(self.observation_id)
        except ObserverError as error:
            self._prompts.error(self, str(error))
            self.reject()
            return
        if self._turn_passed(record):
            return
        self.review.show_record(record.view)
        self._show_details(record)
        self.review.setFocus()
        self._prompts.warning(self, RECORD_CHANGED)

    def _fit_screen(self) -> None:
        average = self.fontMetrics().averageCharWidth()
        line = self.fontMetrics().lineSpacing()
        width, height = average * 190, line * 56
        screen = self.screen()
        if screen is not None:
            room = screen.availableGeometry()
            width = min(width, room.width() - 40)
            height = min(height, room.height() - 60)
        self.resize(width, height)


def _name_for(view: ObservationView, role: SignatureRole) -> tuple[str, str]:
    """The name box's text and its placeholder for who is signing: the person the record
    names for the role (only they can sign in it), or, for a countersignature, empty."""
    if role is SignatureRole.OBSERVER:
        return view.observer_name, "The observer's full name"
    if role is SignatureRole.PRACTITIONER:
        return view.observed_person_name, "The practitioner's full name"
    return "", "Your full name"


def _steps(signatures: list[SignatureView], signing: SignatureRole) -> str:
    done = {s.role: s for s in signatures}
    lines = []
    for role in SignatureRole:
        label = ROLE_LABELS[role]
        if role in done:
            lines.append(f"✓  {label}: {done[role].name}, {uk_date_time(done[role].signed_at)}")
        elif role is signing:
            lines.append(f"→  {label}: signing now")
        elif role is SignatureRole.MANAGER:
            lines.append(f"○  {label}: later, if needed")
        else:
            lines.append(f"○  {label}: next")
    return "\n".join(lines)
