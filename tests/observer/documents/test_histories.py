"""A worker's history PDF, read back as a manager (and anyone checking it) would.

Text comes back through poppler's pdftotext; the signature is checked with `observer
verify`, as on any other laptop.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from observer.documents.histories import HistoryCancelled, HistoryExportResult, export_history
from observer.errors import InvalidInput
from observer.governance.audit import describe_action
from observer.people.directory import PersonDetails
from observer.review.worker_history import HistoryFilter
from observer.services import Services
from observer.store.models import AuditEvent
from observer.vocabulary import Kind, Role, Status
from tests.support.core import RunCli, Staff, force_status
from tests.support.pdf import flat, metadata, page_count, pdf_text
from tests.support.review import Recorder, second_version

TODAY = date(2025, 6, 1)
FIRST, LAST = date(2025, 2, 1), date(2025, 4, 30)
RI = "requires_improvement"
WORKER = "Siobhán Walker"
MANAGER = "Priya Shah"


@dataclass(frozen=True)
class Seeded:
    worker: uuid.UUID
    inside: tuple[uuid.UUID, ...]  # oldest first
    before: uuid.UUID
    after: uuid.UUID


@pytest.fixture
def record(services: Services, staff: Staff) -> Recorder:
    services.profiles.set_up(MANAGER, Role.TEAM_MANAGER, "Northshire Council")
    return Recorder(services, staff)


def observed(
    record: Recorder,
    day: date,
    marker: str,
    *,
    status: Status = Status.SIGNED,
    **options: object,
) -> uuid.UUID:
    """An observation whose strengths say `marker`, so its summary can be found by it."""
    observation = record.observation(day, status=Status.DRAFT, **options)  # type: ignore[arg-type]
    record.services.recording.update(
        observation, {"strengths": f"Strengths {marker}.", "case_reference": f"CASE-{marker}"}
    )
    if status is not Status.DRAFT:
        force_status(record.services.db, observation, status)
    return observation


@pytest.fixture
def seeded(record: Recorder, staff: Staff) -> Seeded:
    """Observations before, on the first day of, inside, on the last day of, and after
    the period; a recurring theme inside it; actions open, overdue and done."""
    before = observed(record, date(2025, 1, 31), "BEFORE-MARKER", ratings={"2": RI})
    first = observed(
        record, FIRST, "FIRST-MARKER", ratings={"2": (RI, "Risk to the baby not named.")}
    )
    middle = observed(
        record,
        date(2025, 3, 15),
        "MIDDLE-MARKER",
        status=Status.READY,
        kind=Kind.DIRECT_WORK,
        ratings={"2": ("inadequate", "Did not ask who else stays at the house."), "1": "good"},
        overall="good",
    )
    last = observed(record, LAST, "LAST-MARKER", status=Status.DRAFT)
    after = observed(record, date(2025, 5, 1), "AFTER-MARKER", ratings={"2": "good"})
    record.action(before, "BEFORE-ACTION still open", date(2025, 2, 15))
    record.action(first, "Read the chronology before visiting", date(2025, 5, 20))
    record.action(middle, "Share the plan with the family", date(2025, 9, 1))
    done = record.action(first, "Book the genogram training", date(2025, 3, 1))
    record.services.actions.complete_action(done, "Morag Campbell")
    return Seeded(staff.worker, (first, middle, last), before, after)


def export(
    services: Services, seeded: Seeded, target: Path, **options: object
) -> HistoryExportResult:
    return export_history(
        services,
        seeded.worker,
        target,
        HistoryFilter(FIRST, LAST),
        today=TODAY,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def exported(services: Services, seeded: Seeded, tmp_path: Path) -> Path:
    """Every record, each with its whole summary: the fullest history there is."""
    target = tmp_path / "history.pdf"
    export(services, seeded, target, include_unsigned=True, full_summaries=True)
    return target


def text_of(path: Path, folder: Path, page: int | None = None) -> str:
    return flat(pdf_text(path.read_bytes(), folder, page))


# What the history shows


def test_every_observation_in_the_range_is_there_and_none_outside_it(
    exported: Path, tmp_path: Path
) -> None:
    text = text_of(exported, tmp_path)

    for marker in ("FIRST-MARKER", "MIDDLE-MARKER", "LAST-MARKER"):
        assert f"Strengths {marker}." in text
        assert f"CASE-{marker}" in text
    for outside in ("BEFORE-MARKER", "AFTER-MARKER", "BEFORE-ACTION"):
        assert outside not in text
    assert text.count("Practice observation summary") == 3
    # Oldest first, in the table and in the summaries that follow it.
    table = text.index("The observations")
    assert table < text.index("1 February 2025 Home visit") < text.index("15 March 2025")
    positions = [text.index(f"Strengths {m}-MARKER.") for m in ("FIRST", "MIDDLE", "LAST")]
    assert positions == sorted(positions)


def test_the_cover_gives_the_totals_and_each_recurring_theme_in_a_sentence(
    exported: Path, tmp_path: Path
) -> None:
    cover = text_of(exported, tmp_path, 1)

    assert f"Practice history {WORKER}, 1 February 2025 to 30 April 2025" in cover
    assert "Period covered 1 February 2025 to 30 April 2025" in cover
    assert f"Produced by {MANAGER}" in cover
    assert "Observations 3 (1 signed, 1 ready for sign-off, 1 draft)" in cover
    assert "By kind Direct work with a child: 1; Home visit: 2" in cover
    assert "Actions agreed in them 2 open (1 overdue); 1 done" in cover
    assert "A further 1 action from observations outside this period is still open" in cover
    assert (
        "2. Recognising and understanding risk: below Good in 2 of the latest 2 "
        "observations that rated it." in cover
    )


def test_development_themes_show_the_evidence_and_dates_behind_them(
    exported: Path, tmp_path: Path
) -> None:
    text = text_of(exported, tmp_path)
    themes = text[text.index("Development themes") : text.index("Actions and where they stand")]

    assert "2. Recognising and understanding risk" in themes
    assert "15 March 2025 Direct work with a child Inadequate" in themes
    assert "Did not ask who else stays at the house." in themes
    assert "Risk to the baby not named." in themes
    assert themes.index("15 March 2025") < themes.index("1 February 2025")  # newest first


def test_actions_say_in_words_which_are_overdue_open_and_done(
    exported: Path, tmp_path: Path
) -> None:
    text = text_of(exported, tmp_path)
    actions = text[
        text.index("Actions and where they stand") : text.index("Practice observation summary")
    ]

    overdue = actions.index("Overdue (1)")
    chronology = actions.index("Read the chronology before visiting")
    assert overdue < chronology < actions.index("Overdue", chronology)
    assert chronology < actions.index("Due 20 May 2025, still open") < actions.index("Open (1)")
    assert actions.index("Open (1)") < actions.index("Share the plan with the family")
    assert "Done (1) " in actions
    assert "Book the genogram training" in actions
    assert "by Morag Campbell" in actions
    assert "1 action from observations outside this period, still open, is not listed" in actions


def test_a_chart_for_each_framework_version_never_merged(
    services: Services, seeded: Seeded, record: Recorder, tmp_path: Path
) -> None:
    revised = second_version(services)
    observed(record, date(2025, 4, 2), "REVISED", ratings={"2": RI}, framework_id=revised)
    target = tmp_path / "versions.pdf"
    export(services, seeded, target, include_unsigned=True)
    text = text_of(target, tmp_path)
    trends = text[text.index("Trends in the ratings") : text.index("The observations")]

    assert "Direct work, version 2" in trends
    assert "Direct work, version 1" in trends
    assert trends.count("2. Recognising and understanding risk") == 2
    assert "1 rating; latest Requires improvement to be good" in trends  # version 2's own
    assert "2 ratings; latest Inadequate" in trends  # version 1's: the draft is not charted
    for level in ("Outstanding", "Good", "Requires improvement to be good", "Inadequate"):
        assert level in trends


def test_case_references_are_left_out_when_asked(
    services: Services, seeded: Seeded, tmp_path: Path
) -> None:
    target = tmp_path / "no-references.pdf"
    export(
        services,
        seeded,
        target,
        include_case_reference=False,
        include_unsigned=True,
        full_summaries=True,
    )
    text = text_of(target, tmp_path)

    assert "CASE-" not in text
    assert text.count("Case reference Not included in this copy") == 3
    assert "Strengths MIDDLE-MARKER." in text

    export(services, seeded, target, include_case_reference=False, include_unsigned=True)
    brief = text_of(target, tmp_path)
    assert "Strengths MIDDLE-MARKER." in brief
    assert "CASE-" not in brief
    assert "Case references Not included in this copy" in brief


def test_every_page_is_numbered_and_names_the_worker_and_period(
    exported: Path, tmp_path: Path, seeded: Seeded, services: Services
) -> None:
    pdf = exported.read_bytes()
    pages = page_count(pdf)
    head = f"Practice history: {WORKER}, 1 February 2025 to 30 April 2025"
    draft_pages = 0
    for page in range(1, pages + 1):
        text = text_of(exported, tmp_path, page)
        assert f"Page {page} of {pages}" in text
        assert head in text
        draft_pages += "DRAFT: not signed" in text
    assert draft_pages >= 1  # the draft's own pages, as in its own summary
    last = text_of(exported, tmp_path, pages)
    draft = seeded.inside[-1]
    assert f"Record {draft}" in last
    assert services.signoff.current_hash(draft) in last


def test_the_metadata_names_the_worker_period_and_count_for_verify(
    exported: Path, seeded: Seeded
) -> None:
    info = metadata(exported.read_bytes())

    assert info["/Keywords"] == (
        f"practice-observer history={seeded.worker} from=2025-02-01 to=2025-04-30 "
        "observations=3 records=any unsigned=2 detail=full"
    )
    assert info["/Title"] == f"Practice history: {WORKER}, 1 February 2025 to 30 April 2025"
    assert info["/Author"] == MANAGER
    assert info["/Subject"] == "History of observations of practice"
    outline = PdfFileReader(BytesIO(exported.read_bytes())).root["/Outlines"]
    assert int(outline["/Count"]) >= 6


# Signed, verified, audited


def test_the_history_is_signed_and_verify_says_whose_it_is(
    exported: Path, tmp_path: Path, data_dir: Path, run_cli: RunCli,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    assert run_cli(["--data-dir", str(data_dir), "verify", str(exported)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"Signer: {MANAGER}, Northshire Council" in lines
    assert "Intact: yes; nothing in the document has changed since it was signed." in lines
    assert (
        f"History: this PDF is a history of {WORKER}: observations from 1 February 2025 to "
        "30 April 2025 (3 observations; includes 2 unsigned records, each marked as not "
        "signed; each in full). A history holds many records, so there is no single record "
        "hash to compare; each observation shows its own record id and content hash." in lines
    )

    assert run_cli(["--data-dir", str(data_dir), "verify", "--json", str(exported)]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["history"]["worker"] == WORKER
    assert facts["history"]["observations"] == 3
    assert facts["record_id"] is None
    assert facts["exit_code"] == 0

    data = bytearray(exported.read_bytes())
    data[len(data) // 3] ^= 0x04
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    assert run_cli(["--data-dir", str(data_dir), "verify", str(tampered)]) == 1
    out = capsys.readouterr().out
    assert "Intact: no; " in out
    assert "as it is not intact, nothing shows it is what was exported" in out


def test_the_export_is_audited_by_id_dates_and_count_without_names(
    services: Services, exported: Path, seeded: Seeded
) -> None:
    with services.db.session() as s:
        event = (
            s.query(AuditEvent)
            .filter(AuditEvent.record_type == "history")
            .order_by(AuditEvent.sequence.desc())
            .first()
        )
    assert event is not None
    assert (event.action, event.record_id, event.actor) == ("export", seeded.worker, MANAGER)
    assert event.detail == (
        "3 observations, from 2025-02-01 to 2025-04-30; unsigned records included; "
        "signed, about to be written"
    )
    assert describe_action(event.action, event.record_type) == "Exported a history PDF"


def test_progress_reaches_the_end_and_cancelling_writes_nothing(
    services: Services, seeded: Seeded, tmp_path: Path
) -> None:
    heard: list[tuple[int, int]] = []
    export(
        services,
        seeded,
        tmp_path / "done.pdf",
        include_unsigned=True,
        progress=lambda d, n: heard.append((d, n)),
    )
    assert heard[-1] == (7, 7)  # three gathered, three laid out, signed
    assert [d for d, _ in heard] == sorted(d for d, _ in heard)

    target = tmp_path / "stopped.pdf"
    asked = iter(range(100))
    with pytest.raises(HistoryCancelled):
        export(services, seeded, target, include_unsigned=True, cancelled=lambda: next(asked) >= 4)
    assert list(tmp_path.glob("stopped*")) == []
    assert list(tmp_path.glob(".stopped*")) == []


def test_histories_can_be_built_on_several_threads_at_once(
    services: Services, seeded: Seeded, tmp_path: Path, staff: Staff
) -> None:
    results: dict[str, HistoryExportResult] = {}
    failures: list[BaseException] = []

    def run(name: str, person: uuid.UUID) -> None:
        try:
            results[name] = export_history(
                services,
                person,
                tmp_path / f"{name}.pdf",
                HistoryFilter(),
                today=TODAY,
                include_unsigned=True,
            )
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [
        threading.Thread(target=run, args=(name, person))
        for name, person in (("a", staff.worker), ("b", staff.worker), ("c", staff.senior))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert results["a"].observations == results["b"].observations == 5
    assert results["c"].observations == 0
    text = text_of(tmp_path / "c.pdf", tmp_path)
    assert "No observations in this period." in text


def test_a_range_that_ends_before_it_starts_is_refused(
    services: Services, seeded: Seeded, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput, match=r"The start of the date range is after its end\."):
        export_history(services, seeded.worker, tmp_path / "x.pdf", HistoryFilter(LAST, FIRST))
    assert not (tmp_path / "x.pdf").exists()


# The command line


def test_the_command_finds_the_worker_by_staff_reference_and_writes_a_signed_pdf(
    services: Services, seeded: Seeded, staff: Staff, data_dir: Path, tmp_path: Path,
    run_cli: RunCli, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    current = services.people.get_person(staff.worker)
    services.people.update_person(
        staff.worker, PersonDetails(current.name, current.role, current.team_id, "SW-1042")
    )
    target = tmp_path / "by-reference.pdf"
    args = ["history", "sw-1042", "-o", str(target), "--from", "2025-02-01", "--to", "2025-04-30"]

    assert run_cli(["--data-dir", str(data_dir), *args, "--no-case-reference", "--full"]) == 0
    assert "observations=1 records=signed unsigned=0 detail=full" in str(
        metadata(target.read_bytes())["/Keywords"]
    )
    out = capsys.readouterr().out
    assert out.startswith("Wrote a signed history of 1 observation (")
    assert f"to {target}, signed by {MANAGER}." in out
    text = text_of(target, tmp_path)
    assert "Staff reference SW-1042" in text
    assert "CASE-" not in text


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("history", "Nobody Here", "-o", "x.pdf"),
         "observer: No one called 'Nobody Here' is in this store.\n"),
        (("history", WORKER, "-o", "x.pdf", "--from", "2025-05-01", "--to", "2025-04-01"),
         "observer: The start of the date range is after its end.\n"),
        (("history", "Twin Name", "-o", "x.pdf"), "observer: 2 people are called 'Twin Name'"),
        (("history", WORKER, "-o", "no-such-folder/x.pdf"),
         "observer: The folder no-such-folder does not exist.\n"),
    ],
)  # fmt: skip
def test_command_line_mistakes_are_one_line_and_exit_2(
    services: Services, seeded: Seeded, data_dir: Path, run_cli: RunCli, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...], error: str,
) -> None:  # fmt: skip
    for _ in range(2):
        services.people.add_person(PersonDetails("Twin Name", Role.SOCIAL_WORKER))
    monkeypatch.chdir(tmp_path)
    assert run_cli(["--data-dir", str(data_dir), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(error)
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("2025-13-01", "There is no month 13: the month comes second, from 1 to 12"),
        ("1/2", "'1/2' is not a date: type the day first, then month and year, as in 07/12/2026"),
    ],
)
def test_a_date_that_is_not_a_date_is_a_usage_error(
    data_dir: Path, run_cli: RunCli, capsys: pytest.CaptureFixture[str], bad: str, why: str
) -> None:
    with pytest.raises(SystemExit) as raised:
        run_cli(["--data-dir", str(data_dir), "history", WORKER, "-o", "x.pdf", "--to", bad])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert why in err
    assert err.count("\n") == 1


# What is in it, and how it is laid out


def test_by_default_only_signed_observations_are_in_it_and_it_says_so(
    services: Services, seeded: Seeded, tmp_path: Path
) -> None:
    target = tmp_path / "signed-only.pdf"
    result = export(services, seeded, target)
    text = text_of(target, tmp_path)

    assert result.observations == 1
    assert "Strengths FIRST-MARKER." in text
    assert "MIDDLE-MARKER" not in text  # ready for sign-off
    assert "LAST-MARKER" not in text  # a draft
    assert "not signed" not in text.lower()
    assert "Records included Signed observations only" in text
    assert "Observations 1 signed" in text
    assert metadata(target.read_bytes())["/Keywords"].endswith(
        "observations=1 records=signed unsigned=0 detail=compact"
    )


def test_unsigned_records_on_request_each_carry_a_banner(
    services: Services, seeded: Seeded, tmp_path: Path
) -> None:
    target = tmp_path / "with-unsigned.pdf"
    export(services, seeded, target, include_unsigned=True)
    text = text_of(target, tmp_path)

    banners = (("MIDDLE", "Ready for sign-off — not signed"), ("LAST", "Draft — not signed"))
    for marker, banner in banners:
        entry = text[: text.index(f"Strengths {marker}-MARKER.")]
        entry = entry[entry.rindex("Observation ") :]
        assert banner in entry
    assert text.count("— not signed") == 2
    assert "Signed observations and 2 records not yet signed" in text


def test_a_page_never_holds_a_lone_row_of_a_table(
    services: Services, record: Recorder, staff: Staff, tmp_path: Path
) -> None:
    """However many actions there are, a table broken across pages leaves at least two
    of its rows on each page (its header repeats on the next)."""
    visit = observed(record, date(2025, 3, 3), "ACTIONS")
    made = 0
    for count in range(12, 44, 3):
        while made < count:
            made += 1
            record.action(visit, f"ACT{made:02d} Read the chronology again", date(2025, 9, 1))
        for full in (False, True):
            target = tmp_path / f"actions-{count}-{full}.pdf"
            only = Seeded(staff.worker, (visit,), visit, visit)
            export(services, only, target, full_summaries=full)
            pdf = target.read_bytes()
            for page in range(1, page_count(pdf) + 1):
                rows = set(re.findall(r"ACT\d\d", text_of(target, tmp_path, page)))
                assert len(rows) != 1, f"{count} actions, full={full}: page {page} holds {rows}"
