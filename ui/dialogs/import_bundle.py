"""File → Import records from a bundle…: the `observer import` of the window.

The same service call as the command line (`services.bundles.import_file`), on the thread
pool: a large bundle, or a sealed one (its key is derived slowly on purpose), takes longer
than a frame. All or nothing: a bundle refused is one sentence and changes nothing. A
sealed bundle is opened with this laptop's passphrase first, as the command line does,
and otherwise with the passphrase it was sealed with, asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow

from observer.bundle.importer import ImportResult
from ui.formatting import count
from ui.latest_result import LatestResult
from ui.prompts import Prompts

if TYPE_CHECKING:
    from observer.services import Services

CAPTION = "Import records from a bundle"
FILE_FILTER = "Bundles (*.json);;All files (*)"
ASK_PASSPHRASE = (
    "This laptop's passphrase does not open {name}. Type the passphrase it was sealed with "
    "(ask whoever exported it):"
)


@dataclass(frozen=True)
class Imported:
    """What an import did, and whether the laptop has joined a team server."""

    name: str
    result: ImportResult
    joined: bool


@dataclass(frozen=True)
class _WrongPassphrase:
    """The passphrase tried does not open the bundle (or the file was altered)."""

    sentence: str


class BundleImport(QObject):
    """One import at a time, from the window's File menu; `done` once it has ended either
    way (for tests), after its dialog."""

    done = Signal()
    imported = Signal()  # something came in: the window reads what it shows of the store

    def __init__(
        self,
        window: QMainWindow,
        services: Services,
        prompts: Prompts,
        action: QAction,
        catch_up: Callable[[], None],
    ) -> None:
        """`action` is the menu's, off while an import runs; `catch_up` tells open
        records that the store moved on under them."""
        super().__init__(window)
        self._window = window
        self._action = action
        self._catch_up = catch_up
        self._services = services
        self._prompts = prompts
        self._path: Path | None = None
        self._typed = False  # whether the passphrase tried is one typed for this bundle
        self._work = LatestResult(self)
        self._work.ready.connect(self._arrived)
        self._work.failed.connect(self._refused)

    @property
    def running(self) -> bool:
        return self._work.busy

    def start(self) -> bool:
        """Asks for a bundle and starts importing it; False when none was chosen."""
        if self.running:
            return False
        chosen = self._prompts.open_file(self._window, CAPTION, FILE_FILTER)
        if chosen is None:
            return False
        self._path = chosen
        self._typed = False
        self._run(self._services.passphrase)
        return True

    def _run(self, passphrase: str) -> None:
        path = self._path
        assert path is not None
        bundles, sync = self._services.bundles, self._services.sync  # made on this thread

        def work() -> Imported | _WrongPassphrase:  # on the pool's thread
            from observer.bundle.sealed import WrongBundlePassphrase

            try:
                result = bundles.import_file(path, passphrase)
            except WrongBundlePassphrase as wrong:
                return _WrongPassphrase(str(wrong))
            return Imported(path.name, result, sync.status().server is not None)

        self._action.setEnabled(False)
        self._window.statusBar().showMessage(f"Importing {path.name}…")
        self._work.request(work)

    def _arrived(self, outcome: Imported | _WrongPassphrase) -> None:
        path = self._path
        assert path is not None
        if isinstance(outcome, _WrongPassphrase):
            if self._typed:  # asked once: a damaged file must not ask for ever
                self._refused(outcome.sentence)
                return
            typed = self._prompts.passphrase(self._window, ASK_PASSPHRASE.format(name=path.name))
            if typed:
                self._typed = True
                self._run(typed)
                return
            self._end()
            self.done.emit()
            return
        self._end()
        if changed(outcome.result):
            self._catch_up()  # an open record may have been updated
            self.imported.emit()
        self._prompts.information(self._window, import_words(outcome))
        self.done.emit()

    def _refused(self, sentence: str) -> None:
        self._end()
        self._prompts.warning(self._window, sentence)
        self.done.emit()

    def _end(self) -> None:
        self._window.statusBar().clearMessage()
        self._action.setEnabled(True)


def changed(result: ImportResult) -> bool:
    return any(
        sum(table.values())
        for table in (result.added, result.updated, result.merged, result.restored)
    )


def import_words(imported: Imported) -> str:
    """The import as a practice lead reads it: what came in, what waits to be settled,
    what was left out, and where the changes go next."""
    result = imported.result
    lines = [f"Imported {imported.name}."]
    merged = result.merged.get("observations", 0)
    if observations := _outcomes(result, "observations"):
        lines.append(f"Observations: {observations}.")
    elif not (merged or result.restored.get("observations")):
        lines.append("No observation in it was new here.")
    if merged:
        was = "was" if merged == 1 else "were"
        conflicts = result.conflicts
        lines.append(
            f"{count(merged, 'observation')} changed here too {was} merged; "
            f"{count(conflicts, 'conflict')} {'waits' if conflicts == 1 else 'wait'} to be "
            f"settled in {'the record' if merged == 1 else 'each record'}'s window."
            if conflicts
            else f"{count(merged, 'observation')} changed here too {was} merged, with no conflict."
        )
    if restored := result.restored.get("observations", 0):
        are = "is" if restored == 1 else "are"
        lines.append(
            f"{count(restored, 'observation')} deleted here but edited elsewhere {are} back."
        )
    if stays := result.stays_deleted.get("observations", 0):
        lines.append(
            f"{count(stays, 'observation')} deleted here {'stays' if stays == 1 else 'stay'} "
            "deleted."
        )
    others = [
        f"{what}: {words}"
        for what, kind in (("People", "people"), ("Teams", "teams"), ("Frameworks", "frameworks"))
        if (words := _outcomes(result, kind, quiet_when_unchanged=True))
    ]
    if others:
        lines.append("; ".join(others) + ".")
    if left_out := result.left_out():
        lines.append(left_out)
    if imported.joined and changed(result):
        lines.append("The changes will be sent to the team server at the next sync.")
    return "\n".join(lines)


def _outcomes(result: ImportResult, kind: str, *, quiet_when_unchanged: bool = False) -> str:
    """ "3 added, 1 updated, 2 already here", leaving out what is none."""
    added, updated = result.added.get(kind, 0), result.updated.get(kind, 0)
    unchanged = result.unchanged.get(kind, 0)
    words = [f"{added} added"] if added else []
    words += [f"{updated} updated"] if updated else []
    if unchanged and not (quiet_when_unchanged and not words):
        words.append(f"{unchanged} already here")
    return ", ".join(words)
