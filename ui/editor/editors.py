"""The open editors: at most one window per record, remembered so a crash reopens them.

Opening a record that already has a window brings that window forward, so the same draft
is never edited in two windows of one app. (Two apps on one store still lose nothing: the
store keeps both people's words, see observer.records.merge.)
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from observer.errors import NotFound, ObserverError
from observer.services import Services
from observer.vocabulary import Status
from ui.prompts import Prompts

if TYPE_CHECKING:
    from ui.editor.window import EditorWindow

log = logging.getLogger(__name__)


class Editors(QObject):
    changed = Signal(uuid.UUID)  # a record was saved, created or moved on

    def __init__(self, services: Services, prompts: Prompts, parent: QWidget) -> None:
        super().__init__(parent)
        self._services = services
        self._prompts = prompts
        self._parent = parent
        self.windows: dict[uuid.UUID, EditorWindow] = {}

    def save_all(self) -> int:
        """Writes what each open editor holds now; returns how many could not be saved yet
        (their typing stays on screen and the autosaver keeps trying)."""
        open_windows = [w for w in self.windows.values() if isValid(w)]
        return sum(not window.autosaver.flush() for window in open_windows)

    def catch_up(self) -> None:
        """The store moved on under the open editors (a sync pulled changes): each saves
        what is typed, merged with what arrived, then shows the rest as stored."""
        for window in [w for w in self.windows.values() if isValid(w)]:
            window.catch_up()

    def open(self, observation_id: uuid.UUID) -> EditorWindow | None:
        window = self.windows.get(observation_id)
        if window is not None:
            window.showNormal() if window.isMinimized() else window.show()
            window.raise_()
            window.activateWindow()
            return window
        from ui.editor.window import EditorWindow

        try:
            window = EditorWindow(self._services.for_record(), self._prompts, observation_id)
        except NotFound:
            self._prompts.error(self._parent, "That observation is no longer in this store.")
            return None
        window.closed.connect(self._closed)
        window.changed.connect(self.changed)
        window.new_requested.connect(lambda: self.start_new(parent=window))
        self.windows[observation_id] = window
        if window.status is not Status.SIGNED:
            self._services.workspace.opened(observation_id)
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def start_new(
        self, person_id: uuid.UUID | None = None, parent: QWidget | None = None
    ) -> EditorWindow | None:
        from ui.dialogs.new_observation import NewObservationDialog

        profile = self._services.profiles.current()
        if profile is None:
            self._prompts.error(self._parent, "Set up who uses this laptop first.")
            return None
        created, accepted = NewObservationDialog.start(
            parent or self._parent,
            self._services.recording,
            self._services.people,
            profile.person_id,
            self._prompts,
            person_id=person_id,
            spelling=self._services.spelling,
        )
        if not accepted or created is None:
            return None
        self.changed.emit(created)
        return self.open(created)

    def duplicate(self, observation_id: uuid.UUID) -> EditorWindow | None:
        profile = self._services.profiles.current()
        if profile is None:
            self._prompts.error(self._parent, "Set up who uses this laptop first.")
            return None
        try:
            copy = self._services.recording.duplicate(
                observation_id, profile.person_id, datetime.now(UTC)
            )
        except ObserverError as error:
            self._prompts.error(self._parent, str(error))
            return None
        self.changed.emit(copy)
        return self.open(copy)

    def reopen_left_open(self) -> int:
        """Reopens the drafts that were open when the app last stopped without closing them."""
        left = [i for i in self._services.workspace.left_open() if i not in self.windows]
        for observation_id in left:
            self.open(observation_id)
        if left:
            log.info("reopened %d draft(s) left open", len(left))
        return len(left)

    def release(self, observation_id: uuid.UUID) -> bool:
        """Closes the record's editor, saving first; False if the user kept it open."""
        window = self.windows.get(observation_id)
        return window is None or window.close()

    def close_all(self) -> bool:
        """Closes every editor, saving first; False if the user kept one open."""
        return all(window.close() for window in list(self.windows.values()))

    def _closed(self, observation_id: uuid.UUID) -> None:
        self.windows.pop(observation_id, None)
        self._services.workspace.closed(observation_id)
        self.changed.emit(observation_id)
