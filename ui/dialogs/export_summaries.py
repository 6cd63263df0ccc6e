"""Exporting summaries of several observations to a folder, in the background.

The window stays responsive while summaries are built and signed on the thread pool; the
progress bar moves with each file, and Cancel stops after the file in hand, so no file is
ever left half-written. Summaries of signed records are signed with the key that the
store's passphrase protects, so exporting asks for no passphrase.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
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

from observer.recording import ObservationSummary
from observer.services import Services
from observer.signing import IdentityInfo
from observer.vocabulary import Status
from ui.formatting import count
from ui.prompts import Prompts
from ui.workers import BatchJob

UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
EARLIER_PASSPHRASE = (
    "Your signing key is still protected by the passphrase you chose for signing before. "
    "Type that passphrase once; from then on the passphrase that opens Practice Observer "
    "protects the key as well:"
)
NOT_EARLIER = "That passphrase does not open your signing key either; nothing was exported."
ADOPTED = (
    "Your signing key is now protected by the passphrase that opens Practice Observer; "
    "its old passphrase is no longer needed."
)


def file_name(record: ObservationSummary) -> str:
    """A name a person can find in a folder: date, worker, kind, and a short record id."""
    day = record.observed_at.astimezone().strftime("%Y-%m-%d")
    name = f"{day} {record.worker} - {record.kind.label} - {str(record.id)[:8]}.pdf"
    return UNSAFE.sub("_", name)


class ExportSummariesDialog(QDialog):
    def __init__(
        self,
        services: Services,
        prompts: Prompts,
        records: list[ObservationSummary],
        folder: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._prompts = prompts
        self._records = {r.id: r for r in records}
        self._folder = folder
        self._job: BatchJob[ObservationSummary] | None = None
        self.exported: list[Path] = []
        self._notes: list[str] = []
        self.setWindowTitle("Export summaries")
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)

        self.intro = QLabel(f"Export {count(len(records), 'summary', 'summaries')} to {folder}.")
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.leave_out_references = QCheckBox("Leave case references out of the summaries")
        self.leave_out_references.setAccessibleDescription(
            "The summaries then say that the case reference is not included."
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

    @classmethod
    def export(
        cls,
        parent: QWidget | None,
        services: Services,
        prompts: Prompts,
        records: list[ObservationSummary],
    ) -> list[Path]:
        """Asks for a folder, then exports; returns the files written."""
        if not records:
            return []
        folder = prompts.folder(parent, "Export summaries to")
        if folder is None:
            return []
        dialog = cls(services, prompts, records, folder, parent)
        dialog.exec()
        return dialog.exported

    def running(self) -> bool:
        return self._job is not None

    def start(self) -> None:
        signing = any(r.status is Status.SIGNED for r in self._records.values())
        if signing and not self._ready_to_sign():
            return
        include_reference = not self.leave_out_references.isChecked()
        services = self._services
        folder = self._folder

        def export_one(record: ObservationSummary) -> None:
            from observer.summaries import export_summary

            target = folder / file_name(record)
            export_summary(services, record.id, target, include_case_reference=include_reference)
            self.exported.append(target)

        self._job = BatchJob(list(self._records.values()), export_one)
        self._job.signals.progress.connect(self._moved)
        self._job.signals.step_failed.connect(self._refused)
        self._job.signals.finished.connect(self._finished)
        self.start_button.setEnabled(False)
        self.leave_out_references.setEnabled(False)
        self.progress.setVisible(True)
        self.intro.setText(f"Exporting to {folder}…")
        self._job.start()

    def _ready_to_sign(self) -> bool:
        """Opens the signing key with the store's passphrase once before the batch, or makes
        one. A key from before the store had a passphrase is asked for once, by the
        passphrase chosen for it then, and protected by the store's from then on."""
        from observer.errors import ObserverError
        from observer.signing import WrongPassphrase
        from observer.summaries import prepare_signing

        identity: IdentityInfo | None
        try:
            identity = prepare_signing(self._services)
        except WrongPassphrase:
            identity = self._adopt_earlier_key()
        except ObserverError as error:
            self._prompts.error(self, str(error))
            return False
        if identity is None:
            return False
        if identity.created:
            self._notes.append(
                f"A signing key was made for {identity.name}; its certificate's SHA-256 "
                f"fingerprint is {identity.fingerprint}."
            )
        return True

    def _adopt_earlier_key(self) -> IdentityInfo | None:
        from observer.errors import ObserverError
        from observer.signing import WrongPassphrase, adopt_identity
        from observer.summaries import prepare_signing

        earlier = self._prompts.passphrase(self, EARLIER_PASSPHRASE)
        if earlier is None:
            return None
        try:
            adopt_identity(self._services.data_dir, earlier, self._services.passphrase)
            identity = prepare_signing(self._services)
        except WrongPassphrase:
            self._prompts.error(self, NOT_EARLIER)
            return None
        except ObserverError as error:
            self._prompts.error(self, str(error))
            return None
        self._notes.append(ADOPTED)
        return identity

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
        if cancelled:
            self.intro.setText(f"Cancelled: {summaries} exported to {self._folder}.")
        else:
            self.intro.setText(f"Done: {summaries} exported to {self._folder}.")
        if self._notes:
            self.intro.setText("\n".join([self.intro.text(), *self._notes]))
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)
        self.cancel_button.setFocus()

    def _cancel_or_close(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.intro.setText("Cancelling after the summary in hand…")
            self.cancel_button.setEnabled(False)
            return
        self.accept() if self.exported else self.reject()

    def reject(self) -> None:
        if self._job is not None:  # Escape while running cancels; the dialog stays to say so
            self._cancel_or_close()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._job is not None:  # closing the window stops the export after the file in hand
            self._job.cancel()
            event.ignore()
            self.intro.setText("Cancelling after the summary in hand…")
            return
        super().closeEvent(event)
