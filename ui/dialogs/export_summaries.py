"""Exporting the summary of one observation to a file, or of several to a folder, in the
background.

The window stays responsive while summaries are built and signed on the thread pool; the
progress bar moves with each file, and Cancel stops after the file in hand, so no file is
ever left half-written. Summaries of signed records are signed with the key that the
store's passphrase protects, so exporting asks for no passphrase; that key is opened on
the thread pool too (the first time, what signs is loaded with it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
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
from observer.signing import IdentityInfo
from observer.vocabulary import Status
from ui.background import BatchJob
from ui.formatting import count
from ui.latest_result import LatestResult
from ui.memory import set_aside_what_is_loaded
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
        self._job: BatchJob[ObservationSummary] | None = None
        self._opening: LatestResult | None = None
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
        return self._job is not None or self._opening is not None

    def start(self) -> None:
        if self.running():
            return
        self.start_button.setEnabled(False)
        self.leave_out_references.setEnabled(False)
        if any(r.status is Status.SIGNED for r in self._records.values()):
            self._open_key(_prepared_signing(self._summaries), self._key_opened)
        else:
            self._export()

    def _export(self) -> None:
        include_reference = not self.leave_out_references.isChecked()
        summaries = self._summaries
        folder = self._folder
        chosen = self._target

        def export_one(record: ObservationSummary) -> None:
            target = chosen or folder / file_name(record)
            summaries.export(record.id, target, include_case_reference=include_reference)
            self.exported.append(target)
            # What builds and signs PDFs is loaded now, for as long as the app runs.
            set_aside_what_is_loaded("summary export", collect_first=False)

        self._job = BatchJob(list(self._records.values()), export_one)
        self._job.signals.progress.connect(self._moved)
        self._job.signals.step_failed.connect(self._refused)
        self._job.signals.finished.connect(self._finished)
        self.progress.setVisible(True)
        self.intro.setText(f"Exporting to {folder}…")
        self._job.start()

    # The signing key, opened with the store's passphrase once before the batch, or made.
    # A key from before the store had a passphrase is asked for once, by the passphrase
    # chosen for it then, and protected by the store's from then on.

    def _open_key(
        self, work: Callable[[], IdentityInfo | None], then: Callable[[object], None]
    ) -> None:
        """Runs `work` on the thread pool: opening the key (and, the first time, loading
        what signs) takes a moment the window must not freeze for."""
        self.intro.setText(OPENING_KEY)
        opening = self._opening = LatestResult(self)
        opening.ready.connect(then)
        opening.failed.connect(self._key_refused)
        opening.request(work)

    def _opened(self) -> None:
        if self._opening is not None:
            self._opening.deleteLater()
            self._opening = None

    def _key_opened(self, identity: object) -> None:
        self._opened()
        if identity is None:  # still under the passphrase chosen for signing before
            earlier = self._prompts.passphrase(self, EARLIER_PASSPHRASE)
            if earlier is None:
                self._not_started()
                return
            self._open_key(_adopted(self._summaries, earlier), self._earlier_key_adopted)
            return
        self._ready_to_sign(identity)

    def _earlier_key_adopted(self, identity: object) -> None:
        self._opened()
        if identity is None:
            self._prompts.error(self, NOT_EARLIER)
            self._not_started()
            return
        self._notes.append(ADOPTED)
        self._ready_to_sign(identity)

    def _ready_to_sign(self, identity: object) -> None:
        assert isinstance(identity, IdentityInfo)
        if identity.created:
            self._notes.append(
                f"A signing key was made for {identity.name}; its certificate's SHA-256 "
                f"fingerprint is:\n{grouped_fingerprint(identity.fingerprint)}"
            )
        self._export()

    def _key_refused(self, sentence: str) -> None:
        self._opened()
        self._prompts.error(self, sentence)
        self._not_started()

    def _not_started(self) -> None:
        """Nothing was exported: the dialog is as it was before Export was chosen."""
        self.intro.setText(self._ready_text)
        self.start_button.setEnabled(True)
        self.leave_out_references.setEnabled(True)

    def _moved(self, done: int, total: int) -> None:
        self.progress.setValue(done)
        self.progress.setFormat(f"{done} of {total}")

    def _refused(self, record: object, problem: str) -> None:
        assert isinstance(record, ObservationSummary)
        self.problems.addItem(f"{record.worker}, {record.kind.label}: {problem}")
        self.problems.setVisible(True)

    def _finished(self, done: int, cancelled: bool) -> None:
        self._job = None
        written = len(self.exported)
        summaries = count(written, "summary", "summaries")
        where = self._folder
        if self._target is not None:
            summaries = "the summary was" if written else "no summary was"
            where = self._target
        if cancelled:
            self.intro.setText(f"Cancelled: {summaries} exported to {where}.")
        else:
            self.intro.setText(f"Done: {summaries} exported to {where}.")
        if self._notes:
            self.intro.setText("\n".join([self.intro.text(), *self._notes]))
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)
        self.cancel_button.setFocus()

    def _cancel_or_close(self) -> None:
        if self._opening is not None:  # nothing is exported yet: it ends here
            self._opening.forget()
            self._opened()
            self._finished(0, cancelled=True)
            return
        if self._job is not None:
            self._job.cancel()
            self.intro.setText("Cancelling after the summary in hand…")
            self.cancel_button.setEnabled(False)
            return
        self.accept() if self.exported else self.reject()

    def reject(self) -> None:
        if self.running():  # Escape while running cancels; the dialog stays to say so
            self._cancel_or_close()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._opening is not None:
            self._cancel_or_close()
            event.ignore()
            return
        if self._job is not None:  # closing the window stops the export after the file in hand
            self._job.cancel()
            event.ignore()
            self.intro.setText("Cancelling after the summary in hand…")
            return
        super().closeEvent(event)


# On the thread pool: a result of None means the key is still under the passphrase chosen
# for signing before the store had one; other refusals are raised, for LatestResult to say.


def _prepared_signing(summaries: Summaries) -> Callable[[], IdentityInfo | None]:
    def prepare() -> IdentityInfo | None:
        from observer.signing import WrongPassphrase

        try:
            return summaries.prepare_signing()
        except WrongPassphrase:
            return None

    return prepare


def _adopted(summaries: Summaries, earlier: str) -> Callable[[], IdentityInfo | None]:
    """The key put under the store's passphrase; None if `earlier` does not open it."""

    def adopt() -> IdentityInfo | None:
        from observer.signing import WrongPassphrase

        try:
            summaries.adopt_identity(earlier)
            return summaries.prepare_signing()
        except WrongPassphrase:
            return None

    return adopt
