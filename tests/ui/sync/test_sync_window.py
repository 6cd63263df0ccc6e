"""Sync in the main window against a real team server: Sync now, the status line in each
state, changes refused by the server, and a background sync while someone types in an
editor (their words survive and reach the server)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from observer.records.merge import Change
from observer.server import enrolment, schema
from observer.services import Services, open_services
from observer.store.sync_tables import REFUSED, sync_outbox
from tests.support.editor import text_box, type_into
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.prompts import FakePrompts
from tests.support.restored_laptop import RESTORED_SAID, restore_from_backup
from tests.support.sync import Laptop, Lead, LiveServer, lead_with_a_draft
from tests.support.team_retention import apply_retention, record_leaving
from tests.ui.conftest import OFFSCREEN_NOISE
from ui.main_window import MainWindow
from ui.sync.control import SyncControl
from ui.sync.join_dialog import JoinDialog
from ui.sync.words import Attempt

HOUR_MS = 3600 * 1000
RAISE_NOISE = r"^This plugin does not support raise\(\)$"


def window_of(qtbot: QtBot, laptop: Services, prompts: FakePrompts) -> MainWindow:
    window = MainWindow(laptop, prompts)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.first_data_loaded, timeout=10000):
        window.show()
        window.load_data()
    qtbot.waitExposed(window)
    return window


def control_of(
    qtbot: QtBot, window: MainWindow, laptop: Services, prompts: FakePrompts
) -> SyncControl:
    """The window's sync, its background timer far off so that only the test starts one."""
    control = SyncControl(window, laptop, prompts, every_ms=HOUR_MS, first_after_ms=HOUR_MS)
    qtbot.waitUntil(lambda: control.status is not None, timeout=10000)
    return control


def sync_and_wait(qtbot: QtBot, control: SyncControl) -> None:
    with (
        qtbot.waitSignal(control.status_read, timeout=30000),
        qtbot.waitSignal(control.finished, timeout=30000),
    ):
        assert control.sync_now()
    qtbot.waitUntil(lambda: not control.running)


@pytest.fixture
def lead(live_server: LiveServer, make_laptop: Laptop) -> Lead:
    return lead_with_a_draft(live_server, make_laptop)


def test_before_joining_the_line_is_hidden_and_sync_now_is_off(
    qtbot: QtBot, prompts: FakePrompts, make_laptop: Laptop
) -> None:
    laptop = make_laptop("Aled Hughes")
    window = window_of(qtbot, laptop, prompts)
    control = control_of(qtbot, window, laptop, prompts)
    assert not control.line.isVisible()
    assert not control.sync_action.isEnabled()
    assert control.join_action.isVisible()
    titles = [a.text() for a in window.file_menu.actions()]
    assert titles[titles.index("&Join a team server…") + 1] == "S&ync now"


def test_sync_now_sends_what_waits_and_the_line_says_so_as_it_changes(
    qtbot: QtBot, prompts: FakePrompts, lead: Lead, live_server: LiveServer
) -> None:
    window = window_of(qtbot, lead.laptop, prompts)
    control = control_of(qtbot, window, lead.laptop, prompts)
    assert control.line.isVisible()
    assert control.line.plain().startswith("Not synced yet · ")
    assert control.sync_action.isEnabled()
    assert not control.join_action.isVisible()

    with qtbot.waitSignal(control.synced, timeout=30000):
        control.sync_action.trigger()
        assert control.line.plain() == "Syncing…"
        assert not control.sync_action.isEnabled()
        assert not control.sync_now(), "never two syncs at once"
    qtbot.waitUntil(lambda: control.line.plain() == "Synced just now", timeout=10000)
    assert control.sync_action.isEnabled()

    lead.laptop.recording.save(
        lead.draft, [Change("strengths", "Calm with the family.", "Calm and kind.")]
    )
    qtbot.waitUntil(
        lambda: control.line.plain() == "Synced just now · 1 change waiting", timeout=10000
    )

    live_server.stop()
    sync_and_wait(qtbot, control)
    assert control.attempt is Attempt.OFFLINE
    assert control.line.plain() == "Offline: 1 change waiting"
    assert "could not be reached" in control.line.toolTip()
    assert prompts.shown == [], "a background problem is told on the line, not in a box"


def test_a_change_the_server_refused_is_counted_and_its_reason_shown_on_click(
    qtbot: QtBot, prompts: FakePrompts, lead: Lead
) -> None:
    with lead.laptop.db.session() as s, s.begin():
        s.execute(
            update(sync_outbox)
            .where(sync_outbox.c.record_id == lead.draft)
            .values(state=REFUSED, message="This record is not yours to change.")
        )
    window = window_of(qtbot, lead.laptop, prompts)
    control = control_of(qtbot, window, lead.laptop, prompts)
    assert control.line.plain().endswith(" · 1 change not accepted")
    assert '<a href="refused">1 change not accepted</a>' in control.line.text()
    control.line.linkActivated.emit("refused")  # what a click on the link does
    ((kind, message),) = prompts.shown
    assert kind == "information"
    assert message.startswith("1 change made on this laptop was not accepted by the team server")
    assert "Home visit — Siobhán Walker: This record is not yours to change." in message


def test_a_revoked_laptop_says_why_its_sync_did_not_finish_on_a_click(
    qtbot: QtBot, prompts: FakePrompts, lead: Lead, live_server: LiveServer
) -> None:
    window = window_of(qtbot, lead.laptop, prompts)
    control = control_of(qtbot, window, lead.laptop, prompts)
    with live_server.db.owner.begin() as conn:
        (laptop_id,) = conn.execute(select(schema.laptops.c.id)).scalars().all()
        enrolment.revoke(conn, str(laptop_id))
    sync_and_wait(qtbot, control)
    assert control.attempt is Attempt.REFUSED
    waiting = lead.laptop.sync.status().waiting
    assert waiting > 0
    assert control.line.plain() == f"Sync did not finish · {waiting} changes waiting"
    assert control.line.text().startswith('<a href="problem">Sync did not finish')
    assert prompts.shown == [], "a background problem is told on the line, not in a box"
    control.line.linkActivated.emit("problem")  # what a click on the link does
    assert prompts.shown == [
        (
            "warning",
            f"The team server at {live_server.url} no longer accepts this laptop (IT revoked "
            "it, or the server was restored from a backup); the changes waiting stay on this "
            "laptop: ask IT for a new enrolment code and join the server again with it.",
        )
    ]


def test_a_revoked_laptop_joins_again_from_the_file_menu_and_sends_what_waited(
    qtbot: QtBot, prompts: FakePrompts, lead: Lead, live_server: LiveServer
) -> None:
    lead.laptop.sync.sync()
    window = window_of(qtbot, lead.laptop, prompts)
    control = control_of(qtbot, window, lead.laptop, prompts)
    assert not control.join_action.isVisible(), "nothing to join again while it syncs"
    with live_server.db.owner.begin() as conn:
        (laptop_id,) = conn.execute(select(schema.laptops.c.id)).scalars().all()
        enrolment.revoke(conn, str(laptop_id))
    lead.laptop.recording.save(lead.draft, [Change("strengths", "Calm with the family.", "Kind.")])
    sync_and_wait(qtbot, control)
    assert control.attempt is Attempt.REFUSED
    assert control.join_action.isVisible()
    assert control.join_action.text() == "Join the team server &again…"

    dialog = JoinDialog(lead.laptop.sync.join, prompts, window, live_server.url)
    qtbot.addWidget(dialog)
    assert dialog.address.text() == live_server.url, "the server it had joined"
    dialog.code.setText(live_server.code_for("Aled Hughes"))
    with qtbot.waitSignal(dialog.joined, timeout=20000):
        dialog.join_button.click()
    assert prompts.shown[-1] == (
        "information",
        f"This laptop has joined the team server at {live_server.url} again. The server "
        "knows you as Aled Hughes, practice lead. What waited on this laptop is sent at the "
        "sync, which starts now.",
    )
    control.not_accepted = False  # as File → Join… does once the dialog says yes
    control.read_status()
    sync_and_wait(qtbot, control)
    qtbot.waitUntil(lambda: control.line.plain() == "Synced just now · joined again", timeout=10000)
    assert not control.join_action.isVisible()
    assert "joined the team server again" in control.line.toolTip()


@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, RAISE_NOISE)
def test_a_background_sync_while_typing_keeps_every_word_and_sends_it(
    qtbot: QtBot,
    prompts: FakePrompts,
    lead: Lead,
    live_server: LiveServer,
    make_laptop: Laptop,
) -> None:
    lead.laptop.sync.sync()
    other = make_laptop("Aled Hughes")
    other.sync.join(live_server.url, live_server.code_for("Aled Hughes"))
    other.sync.sync()
    window = window_of(qtbot, lead.laptop, prompts)
    control = control_of(qtbot, window, lead.laptop, prompts)
    editor = window.editors.open(lead.draft)
    assert editor is not None
    qtbot.waitExposed(editor)

    other.recording.save(
        lead.draft,
        [Change("development_areas", "", "Check the chronology first.")],
    )
    other.recording.save(
        lead.draft,
        [Change("strengths", "Calm with the family.", "Calm with the family. Warm at the door.")],
    )
    other.sync.sync()

    box = text_box(editor, "strengths")
    type_into(qtbot, box, " Listened to the child.")  # not saved yet: the sync starts mid-typing
    assert editor.autosaver.has_pending()
    with qtbot.waitSignal(control.synced, timeout=30000):
        control._next.start(0)  # the background timer fires
        type_into(qtbot, box, " Named her worries.")  # typing goes on during the sync
    qtbot.waitUntil(lambda: not control.running)
    qtbot.waitUntil(lambda: not editor.autosaver.has_pending(), timeout=10000)

    shown = text_box(editor, "strengths").toPlainText()
    for words in ("Warm at the door.", "Listened to the child.", "Named her worries."):
        assert words in shown
    assert text_box(editor, "development_areas").toPlainText() == "Check the chronology first.", (
        "a field not being typed in shows what arrived"
    )
    stored = lead.laptop.recording.get(lead.draft).strengths
    assert stored == shown

    sync_and_wait(qtbot, control)
    other.sync.sync()
    reached = other.recording.get(lead.draft).strengths
    for words in ("Warm at the door.", "Listened to the child.", "Named her worries."):
        assert words in reached
    editor.close()


def test_a_laptop_restored_from_its_own_backup_says_so_once_on_the_line(
    qtbot: QtBot, prompts: FakePrompts, lead: Lead
) -> None:
    lead.laptop.sync.sync()
    folder, _lost = restore_from_backup(lead)
    restored = open_services(folder, STORE_PASSPHRASE)
    try:
        window = window_of(qtbot, restored, prompts)
        control = control_of(qtbot, window, restored, prompts)
        sync_and_wait(qtbot, control)
        assert control.attempt is Attempt.DONE, control.problem
        # The status is read again after each sync, on another thread: wait for its answer.
        qtbot.waitUntil(
            lambda: control.line.plain() == "Synced just now · restored from a backup",
            timeout=10000,
        )
        assert control.line.toolTip().startswith(RESTORED_SAID)
        sync_and_wait(qtbot, control)
        qtbot.waitUntil(lambda: control.line.plain() == "Synced just now", timeout=10000)
    finally:
        window.close()
        restored.close()


def test_the_longest_line_fits_a_1366_pixel_laptop_beside_the_sample_data_banner(
    qtbot: QtBot, prompts: FakePrompts, lead: Lead
) -> None:
    with lead.laptop.db.session() as s, s.begin():
        s.execute(
            update(sync_outbox)
            .where(sync_outbox.c.record_id == lead.draft)
            .values(state=REFUSED, message="Not yours.")
        )
    window = window_of(qtbot, lead.laptop, prompts)
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMaximized)
    window.resize(1366, 740)
    window.sample_label.setVisible(True)
    control = control_of(qtbot, window, lead.laptop, prompts)
    control.attempt = Attempt.OFFLINE
    control.status = replace(control.status, waiting=28, open_conflicts=12)  # type: ignore[type-var]
    control._show()
    qtbot.waitUntil(lambda: control.line.width() >= control.line.sizeHint().width())
    assert control.line.plain() == (
        "Offline: 28 changes waiting · 1 change not accepted · 12 conflicts to settle"
    )
    assert window.user_label.width() >= window.user_label.sizeHint().width()


def test_changes_to_a_record_retention_removed_are_said_not_kept_and_the_record_goes(
    qtbot: QtBot, prompts: FakePrompts, lead: Lead, live_server: LiveServer
) -> None:
    """The lead edits a draft the server holds; its administrator then removes the
    worker's records under the retention policy. The sync drops the draft and its change
    (retention removes for good), and the line's link says, in one sentence, why."""
    lead.laptop.sync.sync()
    window = window_of(qtbot, lead.laptop, prompts)
    control = control_of(qtbot, window, lead.laptop, prompts)
    lead.laptop.recording.save(
        lead.draft, [Change("strengths", "Calm with the family.", "Calm and kind.")]
    )
    record_leaving(live_server.db, lead.worker, True)
    assert apply_retention(live_server.db, 1) == {lead.draft}

    sync_and_wait(qtbot, control)
    assert control.line.plain() == "Synced just now · 1 change not accepted"
    assert lead.laptop.recording.list() == []
    control.line.linkActivated.emit("refused")
    ((kind, message),) = prompts.shown
    assert kind == "information"
    assert (
        f"• An observation no longer on this laptop: Observation {lead.draft} was removed "
        "from the team server under its retention policy and cannot be added again; nothing "
        "of this change was written."
    ) in message
