"""Every label of the dialogs a practice lead meets shows its whole text, at the default
font and at a large one."""

from __future__ import annotations

import shutil

import pytest

from observer.store.encryption import check_new_passphrase
from tests.support.prompts import FakePrompts
from tests.support.text_fits import LARGE_FONT_POINTS, app_font, clipped_labels
from ui.dialogs.export_summaries import ExportSummariesDialog
from ui.dialogs.passphrase import Attempt, NewPassphraseDialog, UnlockDialog

FONTS = pytest.mark.parametrize("points", [None, LARGE_FONT_POINTS], ids=["default", "large"])


@FONTS
@pytest.mark.parametrize("earlier", [False, True])
def test_protect_your_records_shows_its_whole_intro(qtbot, points, earlier) -> None:
    with app_font(points):
        dialog = NewPassphraseDialog(check_new_passphrase, earlier_store=earlier)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert clipped_labels(dialog) == []
        dialog.first.setText("short")
        dialog.accept()
        assert dialog.problem.isVisible()
        assert clipped_labels(dialog) == []


@FONTS
@pytest.mark.parametrize("locked", [False, True])
def test_try_again_in_seconds_shows_whole(qtbot, points, locked) -> None:
    with app_font(points):
        dialog = UnlockDialog(
            lambda _typed: Attempt("That passphrase does not open the store.", 8), locked=locked
        )
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert clipped_labels(dialog) == []
        dialog.passphrase.setText("wrong")
        dialog.accept()
        assert "Try again in 8 seconds." in dialog.problem.text()
        assert clipped_labels(dialog) == []


@FONTS
def test_the_export_done_message_shows_the_whole_fingerprint(
    qtbot, services, cast, tmp_path, points
) -> None:
    from tests.ui.dialogs.test_summaries import finished, signed_record

    record = signed_record(services, cast)
    shutil.rmtree(services.data_dir / "signing")  # so that exporting makes a signing key
    with app_font(points):
        dialog = ExportSummariesDialog(
            services.summaries, FakePrompts(), [record], tmp_path, target=tmp_path / "a.pdf"
        )
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.start()
        qtbot.waitUntil(lambda: finished(dialog), timeout=30_000)

        assert "fingerprint" in dialog.intro.text()
        assert clipped_labels(dialog) == []


def _every_dialog(services, cast, observation, tmp_path):
    """Each dialog a user can open, made as the app makes it: (name, maker)."""
    from observer.vocabulary import SignatureRole
    from tests.ui.dialogs.test_summaries import signed_record
    from ui.dialogs.about import AboutDialog
    from ui.dialogs.audit_trail import AuditTrailDialog
    from ui.dialogs.change_passphrase import ChangePassphraseDialog
    from ui.dialogs.first_run import FirstRunDialog
    from ui.dialogs.new_observation import NewObservationDialog
    from ui.dialogs.person import PersonDialog
    from ui.dialogs.retention import RetentionDialog
    from ui.dialogs.review_settings import ReviewSettingsDialog
    from ui.dialogs.teams import TeamDialog, TeamsDialog
    from ui.dialogs.verify_summary import VerifySummaryDialog
    from ui.signoff import AddendumDialog, SignOffDialog

    prompts = FakePrompts()
    records = services.recording.list()
    return {
        "about": lambda: AboutDialog(services.data_dir),
        "audit trail": lambda: AuditTrailDialog(services.audit, prompts),
        "change passphrase": lambda: ChangePassphraseDialog(services, prompts),
        "first run": lambda: FirstRunDialog(services.profiles, prompts),
        "new observation": lambda: NewObservationDialog(
            services.recording, services.people, cast.observer, prompts
        ),
        "person": lambda: PersonDialog(services.people, prompts),
        "retention": lambda: RetentionDialog(services, prompts),
        "review settings": lambda: ReviewSettingsDialog(services, prompts),
        "team": lambda: TeamDialog(services.people, prompts),
        "teams": lambda: TeamsDialog(services.people, prompts),
        "verify": lambda: VerifySummaryDialog(
            tmp_path / "a summary with a long name of the kind people give.pdf",
            ["Signed by Priya Shah, Practice lead, Northshire County Council.", "Intact."],
            True,
        ),
        "export summaries": lambda: ExportSummariesDialog(
            services.summaries, prompts, records, tmp_path / "supervision files"
        ),
        "sign-off": lambda: SignOffDialog(
            services.for_record(), observation, SignatureRole.OBSERVER, prompts
        ),
        "addendum": lambda: AddendumDialog(
            services.for_record(), signed_record(services, cast).id, prompts
        ),
    }


DIALOGS = [
    "about",
    "audit trail",
    "change passphrase",
    "first run",
    "new observation",
    "person",
    "retention",
    "review settings",
    "team",
    "teams",
    "verify",
    "export summaries",
    "sign-off",
    "addendum",
]


@FONTS
@pytest.mark.parametrize("name", DIALOGS)
def test_no_dialog_cuts_off_a_label(qtbot, services, cast, observation, tmp_path, points, name):
    with app_font(points):
        dialog = _every_dialog(services, cast, observation, tmp_path)[name]()
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert clipped_labels(dialog) == []
