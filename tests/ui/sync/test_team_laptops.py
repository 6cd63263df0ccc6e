"""The team overview says when each laptop of the team last synced, from a real pull from a
real team server: a manager reads at a glance which laptop may hold records not yet sent,
the line moves on when a sync brings news, and it says nothing to a practice lead (who sees
only their own laptop) or before joining."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.support.prompts import FakePrompts
from tests.support.sync import Laptop, LiveServer
from tests.support.team_laptops import team_with_laptops
from tests.ui.sync.test_sync_window import control_of, sync_and_wait, window_of
from ui.main_window import TEAM, MainWindow
from ui.panels.team import TeamPanel


def team_of(qtbot: QtBot, window: MainWindow) -> TeamPanel:
    window.show_section(TEAM)
    panel = window.team_panel
    qtbot.waitUntil(lambda: not panel.loading, timeout=10000)
    return panel


def test_a_manager_sees_which_laptop_has_not_synced_for_days_and_it_moves_on(
    qtbot: QtBot, prompts: FakePrompts, live_server: LiveServer, make_laptop: Laptop
) -> None:
    team = team_with_laptops(live_server, make_laptop)
    team.set_back(team.lead, days=9)
    team.manager.sync.sync()  # a real pull brings the manager's laptop the news

    window = window_of(qtbot, team.manager, prompts)
    control = control_of(qtbot, window, team.manager, prompts)
    line = team_of(qtbot, window).laptops
    assert line is not None
    qtbot.waitUntil(line.isVisible, timeout=10000)
    assert line.shown is not None
    assert line.shown.plain == (
        "Laptops: Aled Hughes's laptop last synced 9 days ago, may hold records not yet sent."
    )
    assert "<b>Aled Hughes&#x27;s laptop last synced 9 days ago" in line.text()  # in bold
    assert "Priya" not in line.shown.tooltip  # another team's laptop is not told of

    team.lead.sync.sync()  # Aled's laptop is back on the network
    sync_and_wait(qtbot, control)  # Sync now on the manager's laptop
    qtbot.waitUntil(
        lambda: (
            line.shown is not None
            and line.shown.plain == "Laptops: Aled Hughes's laptop synced just now."
        ),
        timeout=10000,
    )
    assert "<b>" not in line.text()  # calm again
    # Shown as rich text still: "Hughes's", not "Hughes&#x27;s" as it is written.
    assert line.textFormat() is Qt.TextFormat.RichText


def test_a_practice_lead_and_a_laptop_not_joined_see_no_line(
    qtbot: QtBot, prompts: FakePrompts, live_server: LiveServer, make_laptop: Laptop
) -> None:
    team = team_with_laptops(live_server, make_laptop)
    for laptop, known in ((team.other_lead, ["Priya Shah"]), (make_laptop("Gwen Pryce"), [])):
        window = window_of(qtbot, laptop, prompts)
        line = team_of(qtbot, window).laptops
        assert line is not None
        assert [lap.person_name for lap in line.laptops] == known  # read, and only her own
        assert not line.isVisible()
        assert line.shown is None
