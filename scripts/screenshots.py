"""Saves screenshots of each main-window panel, the editor and its readiness panel.

The editor shots use the demo data: a record ready for sign-off, filled in, and a draft
with gaps for the readiness panel. The manager's review shots are the team overview and
the worker page: of the worker with the most recurring development areas (their areas,
then their trends) and of a newly qualified worker (their ASYE year and actions).

Run under a real display, for example:
    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/screenshots.py --data-dir DIR
"""

from __future__ import annotations

import argparse
import math
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QPoint, Qt, QThreadPool  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import select  # noqa: E402

from observer.cli.main import passphrase_from_environment  # noqa: E402
from observer.errors import ObserverError  # noqa: E402
from observer.governance.retention import RetentionPolicy  # noqa: E402
from observer.people.directory import PersonDetails  # noqa: E402
from observer.records.recording import ObservationFilter  # noqa: E402
from observer.review.asye import AsyeState  # noqa: E402
from observer.services import Services, open_services  # noqa: E402
from observer.vocabulary import Role, SignatureRole, Status  # noqa: E402
from ui.app import application  # noqa: E402
from ui.dialogs.audit_trail import AuditTrailDialog  # noqa: E402
from ui.dialogs.moderation import ModerateDialog, ModerationDialog  # noqa: E402
from ui.dialogs.passphrase import Attempt, UnlockDialog  # noqa: E402
from ui.dialogs.retention import RetentionDialog  # noqa: E402
from ui.editor.window import EditorWindow  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.panels.service import ServicePanel  # noqa: E402
from ui.panels.team import TeamPanel  # noqa: E402
from ui.prompts import Prompts  # noqa: E402
from ui.signoff import SignOffDialog  # noqa: E402
from ui.widgets.signature_pad import SignaturePad  # noqa: E402
from ui.worker_page import WorkerPage  # noqa: E402

SECTIONS = ("workers", "observations", "actions")
IN_PROGRESS = (AsyeState.ON_TRACK, AsyeState.BEHIND)


def scribble(pad: SignaturePad, seed: float) -> None:
    """Draws a signature-like stroke with real mouse events."""
    width, height = pad.width(), pad.height()
    points = [
        QPoint(
            int(40 + t / 59 * width * 0.55),
            int(height * 0.58 - 28 * math.sin(t / 59 * 9 + seed) - 10 * math.cos(t / 59 * 23)),
        )
        for t in range(60)
    ]
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
    for point in points[1:]:
        QTest.mouseMove(pad, point)
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])


def sign_off_shot(app: QApplication, services: Services, path: Path) -> None:
    """The practitioner's sign-off of a record the observer has signed (this signs the
    newest record ready for sign-off in the store, so use a throwaway demo store)."""
    ready = services.recording.list(ObservationFilter(status=Status.READY), limit=1)[0]
    view = services.recording.get(ready.id)
    pad = SignaturePad()
    pad.resize(480, 150)
    pad.show()
    scribble(pad, 0.0)
    services.signoff.sign(
        ready.id, SignatureRole.OBSERVER, view.observer_name, drawing_png=pad.to_png()
    )
    pad.close()
    dialog = SignOffDialog(services, ready.id, SignatureRole.PRACTITIONER, Prompts())
    dialog.resize(1140, 780)
    dialog.show()
    for _ in range(5):
        app.processEvents()
    dialog.fields.name.setText(view.observed_person_name)
    scribble(dialog.fields.pad, 1.3)
    dialog.fields.comment.setPlainText("I agree with the record; the plan is clearer now.")
    for _ in range(5):
        app.processEvents()
    dialog.grab().save(str(path))
    dialog.close()


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def loaded(app: QApplication, panel: TeamPanel | WorkerPage | ServicePanel) -> None:
    """Waits for the panel's load on the thread pool, then for what it shows."""
    settle(app)
    while panel.loading:
        QThreadPool.globalInstance().waitForDone(20)
        app.processEvents()
    settle(app)


def review_shots(
    app: QApplication, window: MainWindow, services: Services, out: Path, prefix: str
) -> list[Path]:
    """The team overview, then the worker page of the worker with the most recurring
    development areas (areas, trends) and of a newly qualified worker (ASYE, actions)."""
    team = window.team_panel
    window.show_section(window.stack.indexOf(team))
    loaded(app, team)
    paths = [out / f"{prefix}team.png"]
    window.grab().save(str(paths[0]))
    paths += service_shots(app, window, out, prefix)
    histories = [services.worker_history.of(row.person_id) for row in team.shown()]
    themes = max(histories, key=lambda h: (len(h.recurring_areas), h.totals.observations))
    asye = max(
        (h for h in histories if h.asye is not None and h.asye.started_on is not None),
        key=lambda h: (h.asye is not None and h.asye.state in IN_PROGRESS, -len(h.asye.done)),
    )
    page = window.worker_page
    for name, history, tab in (
        ("worker-page", themes, page.areas),
        ("worker-page-trends", themes, page.chart),
        ("worker-page-asye", asye, page.actions_view),
    ):
        window.open_worker(history.profile.id)
        loaded(app, page)
        page.tabs.setCurrentWidget(tab.parentWidget())
        settle(app)
        paths.append(out / f"{prefix}{name}.png")
        window.grab().save(str(paths[-1]))
    page.back_button.click()
    settle(app)
    return paths


def service_shots(app: QApplication, window: MainWindow, out: Path, prefix: str) -> list[Path]:
    """The Service section for the latest quarter holding ratings: its standards, then its
    development areas."""
    service = window.service_panel
    window.show_section(window.stack.indexOf(service))
    loaded(app, service)
    for _ in range(8):  # back to the latest quarter with something to show
        if service.figures is not None and service.figures.rated_observations:
            break
        service.step_quarter(-1)
        service.reload()
        loaded(app, service)
    paths = []
    for name, tab in (("service", 0), ("service-areas", 2)):
        service.tabs.setCurrentIndex(tab)
        settle(app)
        paths.append(out / f"{prefix}{name}.png")
        window.grab().save(str(paths[-1]))
    service.tabs.setCurrentIndex(0)
    return paths


def board_shots(
    app: QApplication, window: MainWindow, services: Services, out: Path, prefix: str
) -> list[Path]:
    """Moderation and the Board report for the quarter the Service section shows: the
    quarter's sample drawn and most of it moderated (seeded, fictional), the Moderation
    dialog, a record as the moderator reads it (no ratings), the Board report tab with a
    commentary, and the report's cover and standards pages (poppler's pdftoppm)."""
    import random
    import subprocess
    import tempfile

    from benchmarks.board_report import nearby
    from observer.service.period import ServiceFilter
    from observer.store.models import Observation, Rating, RatingLevel, Standard

    service = window.service_panel
    period = service.period
    moderation = services.moderation
    sample = moderation.sample(period.first, period.last) or moderation.draw_sample(
        period.first, period.last, 20, 17
    )
    profile = services.profiles.current()
    assert profile is not None
    shuffle = random.Random(17)
    waiting = []
    for number, item in enumerate(sample.observations):
        if number % 7 == 3 or moderation.moderators_of([item.observation_id]):
            waiting.append(item.observation_id)
            continue
        with services.db.session() as s:
            observation = s.get(Observation, item.observation_id)
            assert observation is not None
            levels = [
                lv
                for lv in s.scalars(
                    select(RatingLevel)
                    .where(RatingLevel.framework_id == observation.framework_id)
                    .order_by(RatingLevel.position)
                )
                if lv.score is not None
            ]
            rated = s.execute(
                select(Standard.code, RatingLevel.code)
                .select_from(Rating)
                .join(Standard, Standard.id == Rating.standard_id)
                .outerjoin(RatingLevel, RatingLevel.id == Rating.level_id)
                .where(Rating.observation_id == item.observation_id)
            ).all()
            overall = next(
                (lv.code for lv in levels if lv.id == observation.overall_level_id), None
            )
        codes = [lv.code for lv in levels]
        try:
            moderation.moderate(
                item.observation_id,
                {code: nearby(level, codes, shuffle) for code, level in rated},
                nearby(overall, codes, shuffle),
                "Read the record without its ratings; the evidence supports these levels.",
                profile.name,
            )
        except ObserverError:
            waiting.append(item.observation_id)
    paths = []
    dialog = ModerationDialog(services, Prompts(), today=period.first)
    dialog.resize(1100, 700)
    dialog.show()
    settle(app)
    while dialog.loading:
        QThreadPool.globalInstance().waitForDone(20)
        app.processEvents()
    settle(app)
    paths.append(out / f"{prefix}moderation.png")
    dialog.grab().save(str(paths[-1]))
    if waiting:
        blind = ModerateDialog(services, Prompts(), moderation.blind_record(waiting[0]), dialog)
        blind.resize(1100, 740)
        blind.show()
        settle(app)
        paths.append(out / f"{prefix}moderate.png")
        blind.grab().save(str(paths[-1]))
        blind.close()
    dialog.close()

    services.commentaries.save(
        period,
        None,
        services.commentaries.read(period).text
        or (
            "Practice is improving where it matters most: more direct work hears the "
            "child's voice, and plans are more purposeful than last quarter.\n\n"
            "Management oversight is not yet good enough in two teams; supervision audits "
            "start next month, and the moderation results below show observers' judgements "
            "mostly agree with a second reader's."
        ),
        based_on=services.commentaries.read(period).revision,
        actor=services.actor(),
    )
    service.reload()
    loaded(app, service)
    service.tabs.setCurrentWidget(service.board_report)
    settle(app)
    paths.append(out / f"{prefix}service-board.png")
    window.grab().save(str(paths[-1]))
    service.tabs.setCurrentIndex(0)
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "board.pdf"
        services.board_reports.export(ServiceFilter(period), pdf)
        for page in (1, 3):
            stem = out / f"{prefix}board-report-{page}"
            subprocess.run(
                ["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", str(page), "-l",
                 str(page), str(pdf), str(stem)],
                check=True,
            )  # fmt: skip
            paths.append(stem.with_suffix(".png"))
    return paths


def protection_shots(app: QApplication, services: Services, out: Path, prefix: str) -> None:
    """The unlock screen after a wrong passphrase, the audit trail, and the retention
    policy with two people due (this marks two workers as having left: a throwaway store)."""
    unlock = UnlockDialog(lambda _typed: Attempt("That passphrase does not open the store."))
    unlock.show()
    unlock.passphrase.setText("not quite")
    unlock.accept()
    settle(app)
    unlock.grab().save(str(out / f"{prefix}unlock.png"))
    unlock.close()

    trail = AuditTrailDialog(services.audit, Prompts())
    trail.resize(1100, 560)
    trail.show()
    for _ in range(50):
        app.processEvents()
        QThreadPool.globalInstance().waitForDone(20)
    trail.grab().save(str(out / f"{prefix}audit-trail.png"))
    trail.close()

    today = date.today()
    workers = [p for p in services.people.list_people() if p.role is Role.SOCIAL_WORKER]
    for worker, years in zip(workers[:2], (7, 9), strict=True):
        left = PersonDetails(
            worker.name,
            worker.role,
            worker.team_id,
            worker.staff_reference,
            active=False,
            left_on=today.replace(year=today.year - years),
        )
        services.people.update_person(worker.id, left)
    services.retention.set_policy(RetentionPolicy(6))
    retention = RetentionDialog(services, Prompts())
    retention.resize(900, 520)
    retention.show()
    settle(app)
    retention.grab().save(str(out / f"{prefix}retention.png"))
    retention.close()
    for name in ("unlock", "audit-trail", "retention"):
        print(out / f"{prefix}{name}.png")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--size", default="1366x740", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--prefix", default="", help="put before each file name")
    args = parser.parse_args(argv)
    width, height = (int(n) for n in args.size.split("x"))

    app = application()
    services = open_services(args.data_dir, passphrase_from_environment())
    try:
        window = MainWindow(services, Prompts())
        window.resize(width, height)
        window.show()
        window.load_data()
        args.out.mkdir(parents=True, exist_ok=True)
        for number, name in enumerate(SECTIONS):
            window.show_section(number)
            for _ in range(5):
                app.processEvents()
            path = args.out / f"{args.prefix}{name}.png"
            if not window.grab().save(str(path)):
                print(f"Could not save {path}.", file=sys.stderr)
                return 1
            print(path)
        for path in review_shots(app, window, services, args.out, args.prefix):
            print(path)
        for path in board_shots(app, window, services, args.out, args.prefix):
            print(path)
        for name, status in (("editor", Status.READY), ("readiness", Status.DRAFT)):
            records = services.recording.list(ObservationFilter(status=status), limit=100)
            if name == "readiness":
                records = [r for r in records if services.recording.readiness(r.id)]
            if not records:
                print(f"No {status.value} record for the {name} shot.", file=sys.stderr)
                return 1
            editor = EditorWindow(services.for_record(), Prompts(), records[0].id)
            editor.resize(width, height)
            editor.show()
            if name == "readiness":
                editor.show_readiness()
            for _ in range(5):
                app.processEvents()
            if name == "editor":
                editor.go_to("standards")
                for _ in range(5):
                    app.processEvents()
            path = args.out / f"{args.prefix}{name}.png"
            editor.grab().save(str(path))
            print(path)
            editor.close()
        path = args.out / f"{args.prefix}sign-off.png"
        sign_off_shot(app, services, path)
        print(path)
        protection_shots(app, services, args.out, args.prefix)
        window.close()
    finally:
        services.close()
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
