"""Sign-off inside the editor: the Sign and addendum commands, the frozen and locked states,
and the signatures and addenda shown after the record.

Once the observer has signed, the store refuses every change, so the editor shows the
record read-only from then on, with a notice of who signs next.
"""

from __future__ import annotations

import logging
import uuid
from typing import Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStatusBar,
    QWidget,
)

from observer.errors import ObserverError
from observer.records.sign_off import ROLE_ORDER, AddendumView, SignatureView
from observer.services import RecordServices
from observer.vocabulary import SignatureRole, Status
from ui.editor.page import EditorPage
from ui.prompts import Prompts
from ui.signoff.addendum_dialog import AddendumDialog
from ui.signoff.cards import AddendaCard, SignaturesCard
from ui.signoff.sign_dialog import SignOffDialog
from ui.widgets.cards import describe

log = logging.getLogger(__name__)

FROZEN_BANNER = "Signed by the observer; waiting for the practitioner."
FROZEN_CHIP = "Signed by the observer"
COUNTERSIGNED_CHIP = "Signed and countersigned"
NOT_SAVED = "Your latest changes are not saved yet, so the record cannot be signed."


class EditorHost(Protocol):
    """What the sign-off part needs of the editor window it sits in (ui.editor.window's
    EditorWindow, a QMainWindow): named here so that this module does not import it."""

    observation_id: uuid.UUID
    page: EditorPage
    outline: QListWidget
    ready_button: QPushButton
    save_action: QAction
    add_action_action: QAction
    readiness_action: QAction
    readiness: QWidget
    banner: QLabel
    status_chip: QLabel
    status: Status

    def statusBar(self) -> QStatusBar: ...

    def save_now(self) -> bool: ...

    def sign_off_changed(self, status: Status) -> None: ...


class SignOffPart(QObject):
    def __init__(self, window: EditorHost, services: RecordServices, prompts: Prompts) -> None:
        super().__init__(window)
        self._window = window
        self._services = services
        self._prompts = prompts
        self.signatures: list[SignatureView] = []
        self.addenda: list[AddendumView] = []
        # Only the manager of the worker's team is offered the countersignature.
        self.may_countersign = False
        self._outline_items: dict[str, QListWidgetItem] = {}

        self.sign_button = QPushButton("Sign…")
        describe(
            self.sign_button,
            "Sign",
            "Opens the record read-only for the observer, then the practitioner, to sign.",
        )
        self.addendum_button = QPushButton("Add addendum…")
        describe(
            self.addendum_button,
            "Add addendum",
            "Adds a dated, signed correction after the signed record.",
        )
        for button in self.buttons:
            button.setAutoDefault(False)
            button.setVisible(False)
        self.sign_button.clicked.connect(self.sign)
        self.addendum_button.clicked.connect(self.add_addendum)
        self.sign_action = QAction("Si&gn…", window)
        self.sign_action.triggered.connect(self.sign)
        self.addendum_action = QAction("Add adde&ndum…", window)
        self.addendum_action.triggered.connect(self.add_addendum)

        self.signatures_card = SignaturesCard()
        self.addenda_card = AddendaCard()
        page = window.page
        layout = page.layout()
        for key, card in (("signatures", self.signatures_card), ("addenda", self.addenda_card)):
            layout.insertWidget(layout.count() - 1, card)  # before the closing stretch
            page.cards[key] = card
        self.reload()

    @property
    def buttons(self) -> tuple[QPushButton, QPushButton]:
        return self.sign_button, self.addendum_button

    def add_to_menu(self, menu: QMenu) -> None:
        menu.addSeparator()
        menu.addAction(self.sign_action)
        menu.addAction(self.addendum_action)

    @property
    def frozen(self) -> bool:
        """The observer has signed: the content can no longer change."""
        return bool(self.signatures)

    def next_role(self) -> SignatureRole | None:
        signed = {s.role for s in self.signatures}
        return next((role for role in ROLE_ORDER if role not in signed), None)

    def reload(self) -> None:
        observation_id = self._window.observation_id
        try:
            record = self._services.signoff.signed_record(observation_id, user=self._user())
        except ObserverError as error:
            log.warning("could not read the sign-off of %s: %s", observation_id, error)
            return
        self.signatures, self.addenda = record.signatures, record.addenda
        self.may_countersign = record.countersigner

    def _user(self) -> uuid.UUID | None:
        profile = self._services.profiles.current()
        return None if profile is None else profile.person_id

    # Commands

    def sign(self) -> None:
        window = self._window
        if not window.page.read_only and not window.save_now():
            self._prompts.error(window, NOT_SAVED)
            return
        signed = SignOffDialog.sign(window, self._services, window.observation_id, self._prompts)
        if signed:
            self._after_change()

    def add_addendum(self) -> None:
        window = self._window
        if window.status is not Status.SIGNED:
            return
        if AddendumDialog.add(window, self._services, window.observation_id, self._prompts):
            self._after_change()
            window.statusBar().showMessage("Addendum added.", 5000)

    def _after_change(self) -> None:
        window = self._window
        try:
            record = self._services.signoff.signed_record(window.observation_id, user=self._user())
        except ObserverError as error:
            self._prompts.error(window, str(error))
            return
        self.signatures, self.addenda = record.signatures, record.addenda
        self.may_countersign = record.countersigner
        window.sign_off_changed(record.view.status)

    # The window's state

    def show_state(self) -> None:
        """Called whenever the window shows its status: applies what sign-off means to it."""
        window = self._window
        status = window.status
        role = self.next_role()
        # The observer and the practitioner sign before the lock; a manager only after it,
        # and only on the laptop of the worker's team's manager.
        manager = role is SignatureRole.MANAGER
        can_sign = role is not None and manager == (status is Status.SIGNED)
        can_sign = can_sign and (not manager or self.may_countersign)
        self.sign_action.setEnabled(can_sign)
        countersign = manager and self.may_countersign  # nobody else sees the word
        self.sign_action.setText("Counter&sign…" if countersign else "Si&gn…")
        self.sign_button.setText("Countersign…" if countersign else "Sign…")
        self.sign_button.setVisible(can_sign and (status is not Status.DRAFT or self.frozen))
        signed = status is Status.SIGNED
        self.addendum_action.setEnabled(signed)
        self.addendum_button.setVisible(signed)

        window.ready_button.setVisible(not (self.frozen or status is Status.SIGNED))
        if self.frozen and status is not Status.SIGNED:
            window.page.set_read_only(True)
            window.ready_button.setEnabled(False)
            for action in (window.save_action, window.add_action_action, window.readiness_action):
                action.setEnabled(False)
            window.readiness.setVisible(False)
            window.banner.setText(FROZEN_BANNER)
            window.banner.setVisible(True)
            window.status_chip.setText(FROZEN_CHIP)
        elif status is Status.SIGNED and role is None:
            window.status_chip.setText(COUNTERSIGNED_CHIP)
        self.signatures_card.show_signatures(self.signatures)
        self.addenda_card.show_addenda(self.addenda)
        self._list_in_outline("signatures", "Signatures", bool(self.signatures))
        self._list_in_outline("addenda", "Addenda", bool(self.addenda))

    def _list_in_outline(self, anchor: str, title: str, shown: bool) -> None:
        item = self._outline_items.get(anchor)
        if item is None and shown:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, anchor)  # the window's anchor role
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            self._window.outline.addItem(item)
            self._outline_items[anchor] = item
        if item is not None:
            item.setHidden(not shown)
