"""Exporting the summary of one observation to a file, or of several to a folder, in the
background.

The window stays responsive while summaries are built and signed in a process of its own
(ui/export_process.py): that work holds the interpreter's lock, and on a thread here would
keep the window from painting. The progress bar moves with each file, and Cancel stops
after the file in hand, so no file is ever left half-written; a process that stops
unexpectedly is said so in one sentence. Summaries of signed records are signed with the key
that the store's passphrase protects, so exporting asks for no passphrase; the process
opens that key before the first summary.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from observer.documents.summaries import Summaries
from observer.records.recording import ObservationSummary
from observer.vocabulary import Status
from ui.export_process import ExportProcess
from ui.formatting import count
from ui.prompts import Prompts
from ui.settings import app_settings
from ui.widgets.layout import grow_with_text

UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
EARLIER_PASSPHRASE = (
    "Your signing key is still protected by the passphrase you chose for signing before. "
    "Type that passphrase once; from then on the passphrase that opens Practice Observer "
    "protects the key as well:"
)
NOT_EARLIER = "That passphrase does not open your signing key either; nothing was exported."
OPENING_KEY = "Opening your signing key…"
CANCELLING = "Cancelling after the summary in hand…"
ADOPTED = (
    "Your signing key is now protected by the passphrase that opens Practice Observer; "
    "its old passphrase is no longer needed."
)


FOLDER_KEY = "export/folder"
PDF_FILTER = "PDF documents (*.pdf)"


def start_folder() -> Path:
    """Where the file picker opens: the folder last exported to, else the user's Documents."""
    last = app_settings().value(FOLDER_KEY, "", type=str)
    if isinstance(last, str) and last and Path(last).is_dir():
        return Path(last)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


def remember_folder(folder: Path) -> None:
    app_settings().setValue(FOLDER_KEY, str(folder))


def grouped_fingerprint(fingerprint: str) -> str:
    """A fingerprint of colon-joined pairs on two lines: unbroken, it is wider than the
    dialog and wrapping cannot break it."""
    pairs = fingerprint.split(":")
    half = (len(pairs) + 1) // 2
    return ":".join(pairs[:half]) + "\n" + ":".join(pairs[half:])


def file_name(record: ObservationSummary) -> str:
    """A name a person can find in a folder: date, worker, kind, and a short record id."""
    day = record.observed_at.astimezone().strftime("%Y-%m-%d")
    name = f"{day} {record.worker} - {record.kind.label} - {str(record.id)[:8]}.pdf"
    return UNSAFE.sub("_", name)


class ExportSummariesDialog(QDialog):
    def __init__(
        self,
        summaries: Summaries,
        prompts: Prompts,
        records: list[ObservationSummary],
        folder: Path,
        parent: QWidget | None = None,
        *,
        target: Path | None = None,
    ) -> None:
        """Exports `records` into `folder`, each under its own file_name; or, when `target`
        is given, the one record to that file."""
        super().__init__(parent)
        self._summaries = summaries
        self._prompts = prompts
        self._records = {r.id: r for r in records}
        self._folder = target.parent if target is not None else folder
        self._target = target
        self._process: ExportProcess | None = None
        self._items: list[tuple[ObservationSummary, Path]] = []
        self._cancelling = False
        self.exported: list[Path] = []
        self._notes: list[str] = []
        self.setWindowTitle("Export summary" if target is not None else "Export summaries")
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)

        self._ready_text = (
            f"Export the summary to {target}."
            if target is not None
            else f"Export {count(len(records), 'summary', 'summaries')} to {folder}."
        )
        self.intro = QLabel(self._ready_text)
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.intro.setAccessibleName("Export")
        self.intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.leave_out_references = QCheckBox(
            "Leave the case reference out of the summary"
            if target is not None
            else "Leave case references out of the summaries"
        )
        self.leave_out_references.setAccessibleDescription(
            "The summary then says that the case reference is not included."
        )
        self.progress = QProgressBar()
        self.progress.setRange(0, len(records))
        self.progress.setValue(0)
        self.progress.setAccessibleName("Export progress")
        self.progress.setVisible(False)
        self.problems = QListWidget()
        self.problems.setAccessibleName("Summaries not exported")
        self.problems.setVisible(False)
        self.buttons = QDialogButtonBox()
        self.start_button = QPushButton("Export")
        self.start_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.buttons.addButton(self.start_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self._cancel_or_close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(self.intro)
        layout.addWidget(self.leave_out_references)
        layout.addWidget(self.progress)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        grow_with_text(self)

    @classmethod
    def export(
        cls,
        parent: QWidget | None,
        summaries: Summaries,
        prompts: Prompts,
        records: list[ObservationSummary],
    ) -> list[Path]:
        """Asks where (a file for one summary, a folder for several), then exports;
        returns the files written."""
        if not records:
            return []
        if len(records) == 1:
            suggested = start_folder() / file_name(records[0])
            target = prompts.save_file(parent, "Export summary", suggested, PDF_FILTER)
            if target is None:
                return []
            if target.suffix.lower() != ".pdf":
                target = target.with_name(target.name + ".pdf")
            remember_folder(target.parent)
            dialog = cls(summaries, prompts, records, target.parent, parent, target=target)
        else:
            folder = prompts.folder(parent, "Export summaries to", start_folder())
            if folder is None:
                return []
            remember_folder(folder)
            dialog = cls(summaries, prompts, records, folder, parent)
        dialog.exec()
        return dialog.exported

    def running(self) -> bool:
        return self._process is not None

    def process_id(self) -> int | None:
        """The export process's id while it runs (for a support person, and the tests)."""
        return self._process.process.processId() if self._process is not None else None

    def start(self) -> None:
        if self.running():
            return
        self.start_button.setEnabled(False)
        self.leave_out_references.setEnabled(False)
        self._run_process(earlier=None)

    def _run_process(self, earlier: str | None) -> None:
        """Starts the process that builds and signs the summaries (ui/export_process.py).
        Summaries of signed records are signed: the process opens the signing key first
        (or makes it, the first time); `earlier` is the passphrase a key from before the
        store had one is still under."""
        sign = any(r.status is Status.SIGNED for r in self._records.values())
        records = self._records.values()
        self._items = [(r, self._target or self._folder / file_name(r)) for r in records]
        job = self._summaries.export_job(
            [(r.id, target) for r, target in self._items],
            sign=sign,
            include_case_reference=not self.leave_out_references.isChecked(),
            earlier=earlier,
        )
        process = self._process = ExportProcess(job)
        process.identity.connect(self._key_opened)
        process.earlier.connect(self._earlier_needed)
        process.earlier_refused.connect(self._earlier_refused)
        process.refused.connect(self._key_refused)
        process.step.connect(self._stepped)
        process.finished.connect(self._finished)
        process.stopped.connect(self._stopped)
        if sign:
            self.intro.setText(OPENING_KEY)
        else:
            self._exporting()
        process.start()

    def _exporting(self) -> None:
        self.progress.setVisible(True)
        self.intro.setText(f"Exporting to {self._folder}…")

    def _ended(self) -> None:
        """The process has said its last; it goes once it has exited (ui/export_process.py)."""
        self._process = None

    # The signing key, opened with the store's passphrase once before the batch, or made.
    # A key from before the store had a passphrase is asked for once, by the passphrase
    # chosen for it then, and protected by the store's from then on.

    def _key_opened(self, name: str, fingerprint: str, created: bool, adopted: bool) -> None:
        if adopted:
            self._notes.append(ADOPTED)
        if created:
            self._notes.append(
                f"A signing key was made for {name}; its certificate's SHA-256 "
                f"fingerprint is:\n{grouped_fingerprint(fingerprint)}"
            )
        if self._cancelling:
            self.intro.setText(CANCELLING)
        else:
            self._exporting()

    def _earlier_needed(self) -> None:
        self._ended()
        if self._cancelling:
            self._finished(0, cancelled=True)
            return
        earlier = self._prompts.passphrase(self, EARLIER_PASSPHRASE)
        if earlier is None:
            self._not_started()
            return
        self._run_process(earlier)

    def _earlier_refused(self) -> None:
        self._ended()
        self._prompts.error(self, NOT_EARLIER)
        self._not_started()

    def _key_refused(self, sentence: str) -> None:
        self._ended()
        self._prompts.error(self, sentence)
        self._not_started()

    def _not_started(self) -> None:
        """Nothing was exported: the dialog is as it was before Export was chosen."""
        self.intro.setText(self._ready_text)
        self.start_button.setEnabled(True)
        self.leave_out_references.setEnabled(True)

    def _stepped(self, index: int, problem: str) -> None:
        record, target = self._items[index]
        if problem:
            self.problems.addItem(f"{record.worker}, {record.kind.label}: {problem}")
            self.problems.setVisible(True)
        else:
            self.exported.append(target)
        done = index + 1
        self.progress.setValue(done)
        self.progress.setFormat(f"{done} of {len(self._items)}")

    def _finished(self, done: int, cancelled: bool) -> None:
        self._ended()
        self._cancelling = False
        summaries, where = self._what_was_exported()
        if cancelled:
            self.intro.setText(f"Cancelled: {summaries} exported to {where}.")
        else:
            self.intro.setText(f"Done: {summaries} exported to {where}.")
        self._closable()

    def _stopped(self, done: int) -> None:
        """The process ended without finishing: killed, or it crashed."""
        self._ended()
        self._cancelling = False
        summaries, where = self._what_was_exported()
        self.intro.setText(
            f"The export stopped unexpectedly: {summaries} exported to {where}, "
            "the others not; the details are in the log."
        )
        self._closable()

    def _what_was_exported(self) -> tuple[str, Path]:
        written = len(self.exported)
        if self._target is not None:
            return ("the summary was" if written else "no summary was"), self._target
        return count(written, "summary", "summaries"), self._folder

    def _closable(self) -> None:
        if self._notes:
            self.intro.setText("\n".join([self.intro.text(), *self._notes]))
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)
        self.cancel_button.setFocus()

    def _cancel_or_close(self) -> None:
        if self._process is not None:
            self._process.cancel()
            self._cancelling = True
            self.intro.setText(CANCELLING)
            self.cancel_button.setEnabled(False)
            return
        self.accept() if self.exported else self.reject()

    def reject(self) -> None:
        if self.running():  # Escape while running cancels; the dialog stays to say so
            self._cancel_or_close()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._process is not None:  # closing the window stops after the summary in hand
            self._cancel_or_close()
            event.ignore()
            return
        super().closeEvent(event)
