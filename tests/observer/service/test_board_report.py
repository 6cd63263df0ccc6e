"""The Board report as the Improvement Board, a data protection officer and the council's
reporting tools would read it: signed, anonymised, its CSV tables agreeing with the app.

Made from a seeded fictional demo store; the PDF is read back with poppler's pdftotext and
checked with `observer verify`, as on any other laptop.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from observer.demo.generator import generate
from observer.documents.board_reports import NamesSomeone
from observer.errors import StaleRecord
from observer.review.team_overview import Period
from observer.service.period import ServiceFilter, quarter_of, shift_quarter
from observer.services import Services
from observer.store.models import AuditEvent, Person, Team
from observer.vocabulary import Role
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.pdf import flat, metadata, pdf_text

SIGNER = "Rhian Pritchard"  # the QA lead: no worker or observer in the demo store


@pytest.fixture
def demo(services: Services) -> Services:
    services.profiles.set_up(SIGNER, Role.PRACTICE_LEAD, "Northshire County Council")
    generate(services, workers=40, observations=400, seed=7)
    return services


@pytest.fixture
def quarter() -> Period:
    return shift_quarter(quarter_of(date.today()), -1)


def people(services: Services) -> list[str]:
    with services.db.session() as s:
        return [n for (n,) in s.execute(select(Person.name)) if n != SIGNER]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_report_names_teams_and_no_worker_or_observer(
    demo: Services, quarter: Period, tmp_path: Path, data_dir: Path
) -> None:
    target = tmp_path / "board.pdf"
    result = demo.board_reports.export(ServiceFilter(quarter), target)
    assert result.observations > 30
    text = flat(pdf_text(target.read_bytes(), tmp_path))
    names = people(demo)
    assert len(names) > 40
    for name in names:
        assert name not in text, name
    with demo.db.session() as s:
        teams = [n for (n,) in s.execute(select(Team.name))]
    assert all(team in text for team in teams)
    assert "Quality of practice across the service" in text
    assert "[c]" in text  # a quarter of a small service has small numbers to hold back
    assert metadata(target.read_bytes())["/Keywords"].startswith("practice-observer board-report")
    from tests.support.cli import run_cli as run_cli_captured

    ran = run_cli_captured(
        ["--data-dir", str(data_dir), "verify", str(target)],
        env={"OBSERVER_PASSPHRASE": STORE_PASSPHRASE},
    )
    assert ran.exit_code == 0
    assert "Intact: yes" in ran.stdout
    assert f"Report: the Board report for {quarter.first.day} " in ran.stdout
    assert f"{result.observations} observations counted; anonymised" in ran.stdout


def test_the_csv_tables_hold_the_app_figures_and_no_small_count(
    demo: Services, quarter: Period, tmp_path: Path
) -> None:
    folder = tmp_path / "tables"
    query = ServiceFilter(quarter)
    result = demo.board_reports.export(query, None, csv_folder=folder)
    assert sorted(p.name for p in folder.iterdir()) == [
        "about.csv",
        "actions_by_theme.csv",
        "child_voice.csv",
        "coverage.csv",
        "development_areas.csv",
        "moderation_agreement.csv",
        "standard_levels.csv",
        "standards.csv",
        "supervision_standard_levels.csv",
        "supervision_standards.csv",
    ]
    assert result.csv_files == 10
    figures = demo.board_reports.figures(query, date.today())
    app = {
        (f.framework_key, str(f.framework_version), f.code): f
        for f in _service_figures(demo, query).standards
    }
    rows = read_csv(folder / "standards.csv")
    assert len(rows) == len(app) == len(figures.tables.standards)
    for row in rows:
        expected = app[(row["framework"], row["framework_version"], row["standard"])]
        if row["rated"] != "[c]":
            assert int(row["rated"]) == expected.rated
        if row["good_or_better_percent"] not in ("[c]", "[x]"):
            assert float(row["good_or_better_percent"]) == pytest.approx(
                expected.share * 100, abs=0.05
            )
    coverage = read_csv(folder / "coverage.csv")
    app_coverage = {t.team_name: t for t in _service_figures(demo, query).coverage}
    for row in coverage:
        if row["workers"] != "[c]":
            assert int(row["workers"]) == app_coverage[row["team"]].workers
    for name in folder.glob("*.csv"):
        for row in read_csv(name):
            for column, value in row.items():
                if (
                    column
                    in {
                        "rated",
                        "workers",
                        "observed",
                        "overdue",
                        "observations",
                        "open",
                        "done",
                        "below_good",
                        "pairs",
                    }
                    and value.isdigit()
                ):
                    assert not 0 < int(value) < 5, (name.name, column, value)
    about = {r["item"]: r["value"] for r in read_csv(folder / "about.csv")}
    assert about["period_from"] == quarter.first.isoformat()
    assert about["observations_counted"] == str(result.observations)


def _service_figures(services: Services, query: ServiceFilter):  # type: ignore[no-untyped-def]
    from observer.service.quality import ServiceView

    return ServiceView(services.db).figures(query, date.today())


def test_the_commentary_is_printed_and_one_naming_a_person_is_refused_before_anything_is_written(
    demo: Services, quarter: Period, tmp_path: Path
) -> None:
    commentaries = demo.commentaries
    saved = commentaries.save(
        quarter, None, "Supervision is more reflective this quarter.", based_on=0, actor=SIGNER
    )
    target = tmp_path / "board.pdf"
    demo.board_reports.export(ServiceFilter(quarter), target)
    assert "Supervision is more reflective this quarter." in flat(
        pdf_text(target.read_bytes(), tmp_path)
    )
    named = people(demo)[5]
    commentaries.save(
        quarter,
        None,
        f"Thanks to {named} for the good work.",
        based_on=saved.revision,
        actor=SIGNER,
    )
    with demo.db.session() as s:
        exports_before = s.scalars(
            select(AuditEvent).where(AuditEvent.record_type == "board_report")
        ).all()
    again = tmp_path / "again.pdf"
    with pytest.raises(NamesSomeone, match="anonymised"):
        demo.board_reports.export(ServiceFilter(quarter), again, csv_folder=tmp_path / "c")
    assert not again.exists()
    assert not (tmp_path / "c").exists()
    with demo.db.session() as s:
        exports_after = s.scalars(
            select(AuditEvent).where(AuditEvent.record_type == "board_report")
        ).all()
    assert len(exports_after) == len(exports_before)


def test_a_commentary_saved_against_a_stale_copy_is_refused_and_its_saves_are_audited_without_text(
    demo: Services, quarter: Period
) -> None:
    commentaries = demo.commentaries
    first = commentaries.save(quarter, None, "First words.", based_on=0, actor=SIGNER)
    commentaries.save(quarter, None, "Second words.", based_on=first.revision, actor=SIGNER)
    with pytest.raises(StaleRecord):
        commentaries.save(
            quarter, None, "Overwriting words.", based_on=first.revision, actor=SIGNER
        )
    assert commentaries.read(quarter).text == "Second words."
    with demo.db.session() as s:
        details = [
            e.detail
            for e in s.scalars(
                select(AuditEvent).where(AuditEvent.record_type == "board_commentary")
            )
        ]
    assert len(details) == 2
    assert not any("words" in d for d in details)


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["--from", "2026-09-30", "--to", "2026-07-01", "-o", "x.pdf"], "after its end"),
        (["--from", "2026-07-01", "--to", "2026-09-30"], "Say where to write"),
        (
            ["--from", "2026-07-01", "--to", "2026-09-30", "--team", "Nowhere", "-o", "x.pdf"],
            "Nowhere",
        ),
        (["--from", "2026-07-41", "--to", "2026-09-30", "-o", "x.pdf"], "no day 41"),
    ],
)
def test_bad_input_to_service_report_is_one_sentence_and_exit_2(
    store_dir: Path, arguments: list[str], says: str, tmp_path: Path
) -> None:
    from tests.support.cli import run_cli

    ran = run_cli(
        ["--data-dir", str(store_dir), "service-report", *arguments],
        env={"OBSERVER_PASSPHRASE": STORE_PASSPHRASE},
        cwd=tmp_path,
    )
    assert ran.exit_code == 2
    assert says in ran.stderr
    assert "Traceback" not in ran.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_actions_linked_to_no_standard_count_under_the_plans_theme_for_them(
    demo: Services, quarter: Period
) -> None:
    from observer.service.action_themes import NO_STANDARD

    query = ServiceFilter(quarter)
    bare = demo.service_view.figures(query, date.today())
    unlinked = next(a for a in bare.actions.themes if a.name == NO_STANDARD)
    assert unlinked.open + unlinked.done > 0
    planned = demo.service_view.figures(query, date.today(), demo.themes.for_figures())
    names = [a.name for a in planned.actions.themes]
    assert names == ["Practice", "Performance", "People", "Partnerships"]
    practice = planned.actions.themes[0]
    assert practice.open >= unlinked.open
    assert practice.done >= unlinked.done
    assert sum(a.open for a in planned.actions.themes) >= sum(
        a.open for a in bare.actions.themes if a.name != NO_STANDARD
    )


def test_the_reports_figures_worked_out_at_once_are_those_worked_out_one_by_one(
    demo: Services, quarter: Period
) -> None:
    from observer.service.board_tables import agreement_rows, board_tables

    query = ServiceFilter(quarter)
    today = date.today()
    plan = demo.themes.for_figures()
    one_by_one = board_tables(
        demo.service_view.figures(query, today, plan),
        demo.service_view.figures(ServiceFilter(quarter, supervision=True), today, plan),
        agreement_rows(demo.moderation.results(quarter.first, quarter.last, by_observer=False)),
    )
    for _ in range(3):
        assert demo.board_reports.figures(query, today).tables == one_by_one
