"""Every label of the dialogs a practice lead meets shows its whole text, at the default
font and at a large one."""

from __future__ import annotations

import shutil

import pytest

from observer.store.encryption import check_new_passphrase
from tests.support.text_fits import LARGE_FONT_POINTS, app_font, clipped_labels
from tests.support.prompts import FakePrompts
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
