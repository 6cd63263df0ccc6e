"""File → Import records from a bundle…: a practice lead brings in records a colleague
exported on another laptop. Bundles are written by the app's own export; only the file
picker (and the passphrase asked for) is stood in for, through ui/prompts.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from observer.people.directory import PersonDetails
from observer.services import Services
from observer.vocabulary import Role
from tests.support.cli import run_cli
from tests.support.core import store_snapshot
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.prompts import FakePrompts
from tests.support.qt import row_texts
from tests.support.sync import Laptop, Lead, make_laptop  # noqa: F401
from ui.dialogs.import_bundle import ASK_PASSPHRASE
from ui.main_window import MainWindow

OTHER_PASSPHRASE = "sealed on Bethan's laptop, not this one"


def window_of(qtbot: QtBot, laptop: Services, prompts: FakePrompts) -> MainWindow:
    window = MainWindow(laptop, prompts)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.first_data_loaded, timeout=10000):
        window.show()
        window.load_data()
    qtbot.waitExposed(window)
    return window


def import_through_the_menu(qtbot: QtBot, window: MainWindow, prompts: FakePrompts) -> str:
    """Chooses File → Import records from a bundle… and waits for its one dialog."""
    shown = len(prompts.shown)
    assert window.import_bundle_action in window.file_menu.actions()
    window.import_bundle_action.trigger()
    assert window.bundle_import is not None
    with qtbot.waitSignal(window.bundle_import.done, timeout=30000):
        pass
    said = [m for kind, m in prompts.shown[shown:] if kind in ("information", "warning", "error")]
    assert len(said) == 1, prompts.shown[shown:]
    assert window.import_bundle_action.isEnabled()
    return said[0]


def worker_names(window: MainWindow) -> list[str]:
    view = window.workers_panel.table.view
    return [row_texts(view, row)["Name"] for row in range(view.model().rowCount())]


def colleague_with_a_record(make_laptop: Laptop) -> Lead:  # noqa: F811
    """Bethan's laptop: a team, a worker, and a draft of hers."""
    from observer.records.merge import Change
    from observer.records.recording import DraftDetails
    from observer.vocabulary import Kind
    from tests.support.core import CONSENT, WHEN

    laptop = make_laptop("Bethan Price")
    team = laptop.people.add_team("Children in Care")
    worker = laptop.people.add_person(
        PersonDetails("Siobhán Walker", Role.SOCIAL_WORKER, team, staff_reference="SW-4")
    )
    me = laptop.profiles.current().person_id  # type: ignore[union-attr]
    draft = laptop.recording.create_draft(
        DraftDetails(worker, me, Kind.HOME_VISIT, WHEN, focus="Planning the review.", **CONSENT)
    )
    laptop.recording.save(draft, [Change("strengths", "", "Calm with the family.")])
    return Lead(laptop, draft, worker)


def test_a_sealed_bundle_imports_off_the_gui_thread_and_the_lists_show_it(
    qtbot: QtBot,
    prompts: FakePrompts,
    make_laptop: Laptop,  # noqa: F811
    tmp_path: Path,
) -> None:
    colleague = colleague_with_a_record(make_laptop)
    bundle = tmp_path / "Bethan's records.json"
    colleague.laptop.bundles.export(bundle, STORE_PASSPHRASE)  # sealed, as by default
    me = make_laptop("Aled Hughes")
    window = window_of(qtbot, me, prompts)
    assert "Siobhán Walker" not in worker_names(window)
    prompts.paths.append(bundle)

    said = import_through_the_menu(qtbot, window, prompts)

    assert ("picker", "Import records from a bundle") in prompts.shown
    assert said == (
        "Imported Bethan's records.json.\nObservations: 1 added.\nPeople: 2 added; Teams: 1 added."
    )
    assert me.recording.get(colleague.draft).strengths == "Calm with the family."
    qtbot.waitUntil(lambda: "Siobhán Walker" in worker_names(window))
    window.show_section(1)
    view = window.observations_panel.table.view
    qtbot.waitUntil(lambda: view.model().rowCount() == 1)

    # The same bundle again changes nothing, and says so.
    prompts.paths.append(bundle)
    said = import_through_the_menu(qtbot, window, prompts)
    assert said.splitlines()[1:] == ["Observations: 1 already here."]


def test_a_bundle_of_sample_records_makes_the_window_say_sample_data(
    qtbot: QtBot,
    prompts: FakePrompts,
    make_laptop: Laptop,  # noqa: F811
    tmp_path: Path,
) -> None:
    from observer.store.sample import mark_sample_store

    colleague = colleague_with_a_record(make_laptop)
    with colleague.laptop.db.session() as s, s.begin():
        mark_sample_store(s)
    bundle = tmp_path / "sample.json"
    colleague.laptop.bundles.export(bundle, None)
    window = window_of(qtbot, make_laptop("Aled Hughes"), prompts)
    assert not window.sample_label.isVisible()
    prompts.paths.append(bundle)

    import_through_the_menu(qtbot, window, prompts)

    assert window.sample_label.isVisible()
    assert window.windowTitle().startswith("Northshire County Council — Sample data")


def test_a_bundle_sealed_with_another_passphrase_asks_for_it(
    qtbot: QtBot,
    prompts: FakePrompts,
    make_laptop: Laptop,  # noqa: F811
    tmp_path: Path,
) -> None:
    colleague = colleague_with_a_record(make_laptop)
    bundle = tmp_path / "sealed elsewhere.json"
    colleague.laptop.bundles.export(bundle, OTHER_PASSPHRASE)
    me = make_laptop("Aled Hughes")
    window = window_of(qtbot, me, prompts)

    prompts.paths.append(bundle)
    prompts.passphrases.append("not the one it was sealed with")
    said = import_through_the_menu(qtbot, window, prompts)
    asked = ("passphrase", ASK_PASSPHRASE.format(name=bundle.name))
    assert prompts.shown[-2:] == [asked, ("warning", said)]
    assert said == (
        "That passphrase does not open sealed elsewhere.json, or the file has been altered."
    )

    prompts.paths.append(bundle)
    prompts.passphrases.append(OTHER_PASSPHRASE)
    said = import_through_the_menu(qtbot, window, prompts)
    assert prompts.shown[-2] == asked
    assert said.startswith("Imported sealed elsewhere.json.\nObservations: 1 added.")

    # Cancelled when asked: nothing imported, and nothing more said.
    other = make_laptop("Carys Evans")
    before = store_snapshot(other.db)
    window = window_of(qtbot, other, prompts)
    prompts.paths.append(bundle)
    shown = len(prompts.shown)
    window.import_bundle_action.trigger()
    assert window.bundle_import is not None
    with qtbot.waitSignal(window.bundle_import.done, timeout=30000):
        pass  # the import runs on the thread pool: nothing is done before the loop turns
    assert prompts.shown[shown:] == [("picker", "Import records from a bundle"), asked]
    assert window.import_bundle_action.isEnabled()
    assert store_snapshot(other.db) == before


def signed_by_both(lead: Lead) -> None:
    from observer.vocabulary import SignatureRole

    recording = lead.laptop.recording
    for rating in recording.get(lead.draft).ratings:
        recording.set_rating(
            lead.draft, rating.standard_code, level_code="good", evidence="Seen on the visit."
        )
    recording.update(lead.draft, {"overall_level": "good", "overall_rationale": "Clear."})
    lead.laptop.signoff.sign(lead.draft, SignatureRole.OBSERVER, "Bethan Price")
    lead.laptop.signoff.sign(lead.draft, SignatureRole.PRACTITIONER, "Siobhán Walker")


def truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(
    ("case", "sealed"),
    [
        ("not JSON", False),
        ("another format", False),
        ("truncated", False),
        ("truncated", True),
        ("a folder", False),
        ("gone", False),
    ],
)
def test_a_bad_file_gets_one_sentence_and_changes_nothing(
    qtbot: QtBot,
    prompts: FakePrompts,
    make_laptop: Laptop,  # noqa: F811
    tmp_path: Path,
    case: str,
    sealed: bool,
) -> None:
    colleague = colleague_with_a_record(make_laptop)
    bundle = tmp_path / "bundle.json"
    colleague.laptop.bundles.export(bundle, STORE_PASSPHRASE if sealed else None)
    if case == "not JSON":
        bundle.write_text("Observation notes, typed in a word processor\n")
    elif case == "another format":
        bundle.write_text(json.dumps({"format": "somebody-elses-export", "records": []}))
    elif case == "truncated":
        truncated(bundle)
    elif case == "a folder":
        bundle.unlink()
        bundle.mkdir()
    else:
        bundle.unlink()
    me = make_laptop("Aled Hughes")
    before = store_snapshot(me.db)
    window = window_of(qtbot, me, prompts)
    prompts.paths.append(bundle)
    if sealed:  # as if altered: the passphrase it was sealed with is asked for
        prompts.passphrases.append(STORE_PASSPHRASE)

    said = import_through_the_menu(qtbot, window, prompts)

    assert prompts.shown[-1][0] == "warning"
    assert "\n" not in said
    assert "Traceback" not in said
    assert "bundle.json" in said
    assert said.endswith(".")
    assert said.count(". ") == 0  # one sentence
    assert store_snapshot(me.db) == before


def test_a_signed_record_altered_after_signing_is_refused_with_the_clis_sentence(
    qtbot: QtBot,
    prompts: FakePrompts,
    make_laptop: Laptop,  # noqa: F811
    tmp_path: Path,
) -> None:
    colleague = colleague_with_a_record(make_laptop)
    signed_by_both(colleague)
    bundle = tmp_path / "altered.json"
    colleague.laptop.bundles.export(bundle, None)
    data = json.loads(bundle.read_text())
    [record] = data["observations"]
    record["strengths"] = "Words added after both had signed."
    bundle.write_text(json.dumps(data))
    me = make_laptop("Aled Hughes")
    before = store_snapshot(me.db)
    window = window_of(qtbot, me, prompts)
    prompts.paths.append(bundle)

    said = import_through_the_menu(qtbot, window, prompts)

    assert "the record was changed after it was signed; nothing was imported." in said
    assert store_snapshot(me.db) == before
    code, _out, err = run_cli(
        ["--data-dir", str(me.data_dir), "import", str(bundle)],
        {"OBSERVER_PASSPHRASE": STORE_PASSPHRASE},
    )
    assert code == 2
    assert err.strip() == f"observer: {said}"


def test_import_is_offered_once_in_the_file_menu(
    qtbot: QtBot,
    prompts: FakePrompts,
    make_laptop: Laptop,  # noqa: F811
) -> None:
    window = window_of(qtbot, make_laptop("Aled Hughes"), prompts)
    titles = [a.text() for a in window.file_menu.actions()]
    assert titles.count("&Import records from a bundle…") == 1
    assert titles.index("&Import records from a bundle…") == titles.index("&Verify a summary…") + 1


def test_the_worker_page_in_view_shows_what_the_import_brought(
    qtbot: QtBot,
    prompts: FakePrompts,
    make_laptop: Laptop,  # noqa: F811
    tmp_path: Path,
) -> None:
    from datetime import timedelta

    from observer.records.recording import DraftDetails
    from observer.vocabulary import Kind
    from tests.support.core import CONSENT, WHEN

    colleague = colleague_with_a_record(make_laptop)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    colleague.laptop.bundles.export(first, None)
    me = make_laptop("Aled Hughes")
    me.bundles.import_file(first, None)
    bethan = colleague.laptop.profiles.current().person_id  # type: ignore[union-attr]
    colleague.laptop.recording.create_draft(
        DraftDetails(
            colleague.worker, bethan, Kind.DIRECT_WORK, WHEN + timedelta(days=7), **CONSENT
        )
    )
    colleague.laptop.bundles.export(second, None)
    window = window_of(qtbot, me, prompts)
    window.open_worker(colleague.worker)
    page = window.worker_page
    page.tabs.setCurrentWidget(page.timeline.parentWidget())  # a tab is filled when seen
    timeline = page.timeline.view
    qtbot.waitUntil(lambda: timeline.model().rowCount() == 1)
    prompts.paths.append(second)

    said = import_through_the_menu(qtbot, window, prompts)

    assert said.splitlines()[1] == "Observations: 1 added, 1 already here."
    qtbot.waitUntil(lambda: timeline.model().rowCount() == 2)
    assert window.showing_worker_page()


def test_a_record_changed_on_both_laptops_is_merged_and_its_conflict_waits_to_be_settled(
    qtbot: QtBot,
    prompts: FakePrompts,
    make_laptop: Laptop,  # noqa: F811
    tmp_path: Path,
) -> None:
    from observer.records.merge import Change

    colleague = colleague_with_a_record(make_laptop)
    shared, changed = tmp_path / "shared.json", tmp_path / "changed.json"
    colleague.laptop.bundles.export(shared, None)
    me = make_laptop("Aled Hughes")
    me.bundles.import_file(shared, None)
    base = "Calm with the family."
    colleague.laptop.recording.save(colleague.draft, [Change("strengths", base, "Calm, warm.")])
    colleague.laptop.bundles.export(changed, None)
    me.recording.save(colleague.draft, [Change("strengths", base, "Calm and clear.")])
    window = window_of(qtbot, me, prompts)
    prompts.paths.append(changed)

    said = import_through_the_menu(qtbot, window, prompts)

    assert said == (
        "Imported changed.json.\n1 observation changed here too was merged; 1 conflict waits "
        "to be settled in the record's window."
    )
    assert len(me.conflicts.open()) == 1


def test_the_words_say_every_outcome_in_plain_sentences() -> None:
    from observer.bundle.importer import ImportResult
    from ui.dialogs.import_bundle import Imported, import_words

    result = ImportResult(
        added={"observations": 12, "people": 3},
        updated={"observations": 2},
        unchanged={"observations": 30, "teams": 2},
        merged={"observations": 2},
        restored={"observations": 1},
        stays_deleted={"observations": 2},
        conflicts=3,
        outside_scope=4,
    )
    assert import_words(Imported("north.json", result, joined=True)).splitlines() == [
        "Imported north.json.",
        "Observations: 12 added, 2 updated, 30 already here.",
        "2 observations changed here too were merged; 3 conflicts wait to be settled in each "
        "record's window.",
        "1 observation deleted here but edited elsewhere is back.",
        "2 observations deleted here stay deleted.",
        "People: 3 added.",
        "4 records were not imported: they are of workers outside your teams on the team server.",
        "The changes will be sent to the team server at the next sync.",
    ]
    nothing = ImportResult(unchanged={"observations": 5, "people": 2})
    assert import_words(Imported("again.json", nothing, joined=True)).splitlines() == [
        "Imported again.json.",
        "Observations: 5 already here.",
    ]
