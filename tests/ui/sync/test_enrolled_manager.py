"""A team manager enrolled on the server with `observer-server enrol --role team_manager
--team T` becomes T's manager everywhere: their own laptop, after its first sync, opens the
Team overview on T with T's workers (and them in it, not "No team"), and the practice
lead's laptop names them T's manager. A real server, real laptops, real windows."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from observer.vocabulary import Role
from tests.observer.server.test_cli import run
from tests.support.prompts import FakePrompts
from tests.support.sync import TEAM, Laptop, LiveServer
from tests.ui.sync.test_sync_window import window_of
from tests.ui.sync.test_team_laptops import team_of
from ui.dialogs.teams import TeamsDialog

OTHER_TEAM = "Fostering"


def test_an_enrolled_manager_sees_their_team_and_the_lead_sees_them_as_its_manager(
    qtbot: QtBot, prompts: FakePrompts, live_server: LiveServer, make_laptop: Laptop
) -> None:
    db = live_server.db
    team, other = db.team(TEAM), db.team(OTHER_TEAM)
    db.person("Siobhán Walker", team)
    db.person("Ifan Morgan", team, role="senior_practitioner")
    db.person("Ruth Okafor", other)
    db.person("Dana Lewis", role="team_manager")  # in no team yet, as IT added her
    db.person("Aled Hughes", role="practice_lead")
    lead = make_laptop("Aled Hughes")
    lead.sync.join(live_server.url, live_server.code_for("Aled Hughes", teams=(TEAM,)))
    lead.sync.sync()

    enrolled = run(
        ["enrol", "--person", "Dana Lewis", "--role", "team_manager", "--team", TEAM], db.url()
    )
    assert enrolled.exit_code == 0, enrolled
    assert f"Dana Lewis is now the manager of {TEAM}, on every laptop at its next sync." in (
        enrolled.stdout
    )
    code = enrolled.stdout.strip().rsplit(" ", 1)[1]
    manager = make_laptop("Dana Lewis", Role.TEAM_MANAGER)
    manager.sync.join(live_server.url, code)
    manager.sync.sync()  # her first sync

    window = window_of(qtbot, manager, prompts)
    panel = team_of(qtbot, window)
    qtbot.waitUntil(lambda: panel.team.currentText() == TEAM, timeout=10000)
    shown = {row.name: row.team_name for row in panel.shown()}
    assert shown == {"Dana Lewis": TEAM, "Ifan Morgan": TEAM, "Siobhán Walker": TEAM}
    everyone = {
        panel.model.record(r).name: panel.model.record(r).team_name
        for r in range(panel.model.rowCount())
    }
    assert everyone == {**shown, "Ruth Okafor": OTHER_TEAM}  # All teams still offers hers

    lead.sync.sync()
    teams = TeamsDialog(lead.people, prompts)
    qtbot.addWidget(teams)
    rows = {
        teams.model.index(r, 0).data(): teams.model.index(r, 1).data()
        for r in range(teams.model.rowCount())
    }
    assert rows == {TEAM: "Dana Lewis", OTHER_TEAM: "No manager"}
