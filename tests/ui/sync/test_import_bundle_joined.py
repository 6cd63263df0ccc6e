"""File → Import records from a bundle… on a laptop that has joined a team server: the
records of workers outside the lead's teams there are left out, in the command line's
sentence; what was imported waits to be pushed, the status line says so, and the next
sync sends it (the server decides what it accepts, as for any change)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.observer.sync.test_import_scope import ONE_LEFT_OUT, Story, held, story  # noqa: F401
from tests.support.prompts import FakePrompts
from tests.ui.dialogs.test_import_bundle import import_through_the_menu
from tests.ui.sync.test_sync_window import control_of, sync_and_wait, window_of


def test_records_outside_the_leads_teams_are_left_out_and_the_rest_wait_to_be_sent(
    qtbot: QtBot,
    prompts: FakePrompts,
    story: Story,  # noqa: F811
) -> None:
    lead = story.lead
    window = window_of(qtbot, lead, prompts)
    control = control_of(qtbot, window, lead, prompts)
    assert "waiting" not in control.line.plain()
    prompts.paths.append(story.bundle)

    said = import_through_the_menu(qtbot, window, prompts)

    assert said.splitlines() == [
        "Imported colleague.json.",
        "Observations: 1 added, 1 already here.",
        "People: 1 added, 3 already here.",
        ONE_LEFT_OUT,
        "The changes will be sent to the team server at the next sync.",
    ]
    assert held(lead, story.colleague_inside)
    assert not held(lead, story.colleague_outside)
    qtbot.waitUntil(lambda: "changes waiting" in control.line.plain(), timeout=10000)
    assert control.status is not None
    assert control.status.waiting >= 2  # the record, and its observer new here

    sync_and_wait(qtbot, control)
    assert control.status.waiting == 0
    assert "waiting" not in control.line.plain()
    # The colleague's record went up, and the server, where a practice lead writes only
    # what they observed, refused it: the line says so, as for any change it refuses.
    [refused] = control.status.refused
    assert refused.record_id == story.colleague_inside
    assert "1 change not accepted" in control.line.plain()
