"""The PDF summary: what it shows, that typed text stays text, and that long text flows.

Text is read back with poppler's pdftotext, as anyone checking a summary would.

The golden test compares a deterministic (`invariant`) build of the fixed sample record
with tests/fixtures/golden/summary.pdf. After an intended change to the layout, look at
the new PDF, then regenerate the golden copy with:

    OBSERVER_UPDATE_GOLDEN=1 .venv/bin/pytest tests/observer/test_summary_pdf.py -k golden
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from observer.documents.pdf.content import SummaryContent
from observer.documents.pdf.formatting import chunks, clean, duration, markup, uk_datetime
from observer.documents.pdf.sample import sample_content, signature_png
from observer.documents.pdf.summary import build_summary
from observer.documents.summary_content import summary_content
from observer.people.directory import PersonDetails
from observer.people.profile import PROFILE_KEY
from observer.records.recording import DraftDetails
from observer.services import Services
from observer.store.models import Setting
from observer.vocabulary import NARRATIVE_SECTIONS, Kind, Role, SignatureRole
from tests.support.paths import FIXTURES
from tests.support.pdf import flat, images_drawn, metadata, page_count, pdf_text

GOLDEN = FIXTURES / "golden" / "summary.pdf"
UPDATE_GOLDEN = "OBSERVER_UPDATE_GOLDEN"

ORGANISATION = "Northshire Council — Children's Services"
OBSERVER = "Zoë Łukasiewicz"
PRACTITIONER = "Ana Ștefănescu"
MANAGER = "Şükrü Yılmaz"
MARKUP = "<b>&amp; \"quotes\" 'single' <script>"
SECTION_TEXT = {
    "strengths": "Warm, curious questions; Ελένη felt listened to.",
    "development_areas": f"{MARKUP}\nExplore who else stays at the house.",
    "child_voice": "K said he likes cooking pasta with his mum.",
    "family_feedback": "Наталья said the visit felt like a conversation.",
    "reflection": "I let the comment about the new partner pass.",
}
RATIONALE = "Strong direct work; one risk left unexplored."
KEYWORDS = re.compile(r"^practice-observer record=([0-9a-f-]{36}) content-sha256=([0-9a-f]{64})$")


# Records made through the services


@pytest.fixture
def people(services: Services) -> tuple[uuid.UUID, uuid.UUID]:
    """The observer (this laptop's user) and the practitioner they observe."""
    profile = services.profiles.set_up(OBSERVER, Role.PRACTICE_LEAD, ORGANISATION)
    worker = services.people.add_person(PersonDetails(PRACTITIONER, Role.SOCIAL_WORKER))
    return profile.person_id, worker


@pytest.fixture
def record(services: Services, people: tuple[uuid.UUID, uuid.UUID]) -> uuid.UUID:
    """A draft with every standard rated, every section written, ready to be signed."""
    observer, worker = people
    observation_id = services.recording.create_draft(
        DraftDetails(
            observed_person_id=worker,
            observer_id=observer,
            kind=Kind.HOME_VISIT,
            observed_at=datetime(2025, 3, 12, 10, 30, tzinfo=UTC),
            duration_minutes=75,
            case_reference="CIN-4417-K",
            others_present="Наталья Петрова (interpreter)",
            family_present=True,
            consent_given_by="Ελένη (mother)",
            consent_how="Verbally, through the interpreter",
            focus="How K's wishes are heard",
        )
    )
    view = services.recording.get(observation_id)
    levels = [level.code for level in view.levels]
    for n, rating in enumerate(view.ratings):
        level = levels[n % len(levels)]
        evidence = (
            "" if level == "not_observed" else f"Evidence for standard {rating.standard_code}."
        )
        services.recording.set_rating(
            observation_id, rating.standard_code, level_code=level, evidence=evidence
        )
    services.recording.update(
        observation_id,
        {**SECTION_TEXT, "overall_level": "good", "overall_rationale": RATIONALE},
    )
    services.recording.add_action(observation_id, "Read the chronology before visiting.", worker)
    return observation_id


def sign_both(services: Services, observation_id: uuid.UUID) -> None:
    services.signoff.sign(
        observation_id, SignatureRole.OBSERVER, OBSERVER, drawing_png=signature_png(1)
    )
    services.signoff.sign(
        observation_id,
        SignatureRole.PRACTITIONER,
        PRACTITIONER,
        comment="I agree with the record.",
        drawing_png=signature_png(2),
    )


def summary(services: Services, observation_id: uuid.UUID, **options: bool) -> bytes:
    return build_summary(summary_content(services, observation_id, **options))


# What a summary shows


def test_summary_shows_every_part_of_the_record_as_typed(
    services: Services, record: uuid.UUID, tmp_path: Path
) -> None:
    sign_both(services, record)
    services.people.add_person(PersonDetails(MANAGER, Role.TEAM_MANAGER))
    services.signoff.sign(record, SignatureRole.MANAGER, MANAGER, comment="Countersigned.")
    pdf = summary(services, record)
    text = flat(pdf_text(pdf, tmp_path))

    for name in (OBSERVER, PRACTITIONER, MANAGER, "Ελένη", "Наталья Петрова", ORGANISATION):
        assert name in text
    assert MARKUP in text  # typed markup is shown, never interpreted
    for field, typed in SECTION_TEXT.items():
        assert NARRATIVE_SECTIONS[field] in text
        assert flat(typed) in text
    assert RATIONALE in text
    view = services.recording.get(record)
    for rating in view.ratings:
        assert rating.title in text
    for level in view.levels:  # the five words of the scale, one per standard
        assert level.label in text
    assert f"{view.framework.name}, version {view.framework.version}" in text
    assert "Read the chronology before visiting." in text
    assert "Countersigning manager" in text
    assert "I agree with the record." in text
    assert "CIN-4417-K" in text
    content_hash = services.signoff.current_hash(record)
    assert f"Content SHA-256 {content_hash}" in text
    assert f"Record {record}" in text


def test_parts_come_in_the_order_of_the_record_and_addenda_after_it(
    services: Services, record: uuid.UUID, tmp_path: Path
) -> None:
    """The judgement and its rationale come straight after who, when and what: read first."""
    sign_both(services, record)
    services.signoff.add_addendum(record, "Correction: the visit lasted 80 minutes.", OBSERVER)
    text = flat(pdf_text(summary(services, record), tmp_path))

    order = [
        "About the observation",
        "Overall judgement",
        NARRATIVE_SECTIONS["overall_rationale"],
        "Ratings against the standards",
        NARRATIVE_SECTIONS["strengths"],
        NARRATIVE_SECTIONS["reflection"],
        "Agreed actions",
        "Signatures",
        "Addenda",
        "Correction: the visit lasted 80 minutes.",
        "Record integrity",
    ]
    positions = [text.index(heading) for heading in order]
    assert positions == sorted(positions)


def test_the_overall_judgement_and_its_rationale_are_on_the_first_page(
    services: Services, record: uuid.UUID, tmp_path: Path
) -> None:
    services.recording.update(
        record,
        {
            "strengths": "A long account of strengths. " * 120,
            "overall_rationale": "RATIONALE-MARKER: the child was seen and heard.",
        },
    )
    pdf = summary(services, record)
    first = flat(pdf_text(pdf, tmp_path, 1))

    assert page_count(pdf) >= 2
    assert "Overall judgement" in first
    assert "RATIONALE-MARKER: the child was seen and heard." in first


def test_case_reference_can_be_left_out(
    services: Services, record: uuid.UUID, tmp_path: Path
) -> None:
    text = flat(pdf_text(summary(services, record, include_case_reference=False), tmp_path))
    assert "CIN-4417-K" not in text
    assert "Case reference Not included in this copy" in text


def test_without_family_present_consent_says_so(
    services: Services, record: uuid.UUID, tmp_path: Path
) -> None:
    services.recording.update(record, {"family_present": False})
    text = flat(pdf_text(summary(services, record), tmp_path))
    assert "Consent No child or family member was present" in text


def test_every_page_has_its_number_record_id_and_hash(
    services: Services, record: uuid.UUID, tmp_path: Path
) -> None:
    pdf = summary(services, record)
    pages = page_count(pdf)
    content_hash = services.signoff.current_hash(record)
    assert pages >= 2
    for page in range(1, pages + 1):
        text = pdf_text(pdf, tmp_path, page)
        assert f"Page {page} of {pages}" in text
        assert f"Record {record}" in text
        assert content_hash in text


def test_a_draft_is_watermarked_on_every_page_and_a_signed_record_is_not(
    services: Services, record: uuid.UUID, tmp_path: Path
) -> None:
    draft = summary(services, record)
    assert page_count(draft) >= 2
    for page in range(1, page_count(draft) + 1):
        assert "DRAFT" in pdf_text(draft, tmp_path, page)

    services.signoff.sign(record, SignatureRole.OBSERVER, OBSERVER)
    awaiting_practitioner = pdf_text(summary(services, record), tmp_path)
    assert "DRAFT" in awaiting_practitioner

    services.signoff.sign(record, SignatureRole.PRACTITIONER, PRACTITIONER)
    signed = summary(services, record)
    assert "DRAFT" not in pdf_text(signed, tmp_path)
    assert "Signed by the observer and the practitioner" in flat(pdf_text(signed, tmp_path))


def test_metadata_names_the_record_and_its_hash_in_a_fixed_form(
    services: Services, record: uuid.UUID
) -> None:
    sign_both(services, record)
    info = metadata(summary(services, record))

    match = KEYWORDS.match(info["/Keywords"])
    assert match is not None, info["/Keywords"]
    assert match.group(1) == str(record)
    assert match.group(2) == services.signoff.current_hash(record)
    assert info["/Title"] == f"Practice observation: Home visit — {PRACTITIONER}, 12 March 2025"
    assert info["/Author"] == OBSERVER
    assert info["/Subject"] == "Observation summary"
    assert info["/Creator"] == "Practice Observer"


def test_drawn_signatures_and_the_logo_are_embedded(
    services: Services, record: uuid.UUID, tmp_path: Path
) -> None:
    without = summary(services, record)
    (services.data_dir / "logo.png").write_bytes(signature_png(3, 200, 80))
    sign_both(services, record)
    pdf = summary(services, record)
    assert images_drawn(without) == 0
    assert images_drawn(pdf) == 3  # the logo, the observer's and the practitioner's drawings
    text = flat(pdf_text(pdf, tmp_path))
    assert "No drawn signature" not in text


def test_a_damaged_logo_or_drawing_does_not_stop_the_summary(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    content = sample_content(logo_path=logo)
    png = signature_png(1)
    middle = len(png) // 2
    truncated = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    garbled = (
        png[:middle] + bytes(b ^ 0x5A for b in png[middle : middle + 200]) + png[middle + 200 :]
    )
    content = replace(
        content,
        signatures=[
            replace(content.signatures[0], drawing_png=truncated),
            replace(content.signatures[1], drawing_png=garbled),
        ],
    )
    text = flat(pdf_text(build_summary(content), tmp_path))
    assert text.count("No drawn signature") == 2
    assert "Practice observation summary" in text


def test_without_a_profile_the_organisation_is_left_blank(
    services: Services, record: uuid.UUID
) -> None:
    assert summary_content(services, record).organisation == ORGANISATION
    with services.db.session() as s, s.begin():
        s.delete(s.get(Setting, PROFILE_KEY))
    assert summary_content(services, record).organisation == ""


# Long text


def test_long_text_flows_across_pages_without_losing_its_end(
    services: Services, record: uuid.UUID, tmp_path: Path
) -> None:
    prose = words(49_900) + " and the last words."
    lines = "\n".join(f"line {n}" for n in range(3000))
    standard = services.recording.get(record).ratings[0].standard_code
    services.recording.set_rating(record, standard, evidence=prose.replace("last", "final"))
    services.recording.update(record, {"strengths": prose, "reflection": lines})
    pdf = summary(services, record)

    assert page_count(pdf) > 10
    text = flat(pdf_text(pdf, tmp_path))
    assert "and the last words." in text
    assert "and the final words." in text
    assert "line 2999" in text
    last_word = prose.split()[-5]
    assert text.count(f"{last_word} and the") == 2  # nothing cut at a page or cell boundary


def words(limit: int) -> str:
    """Distinct words, observed0 observed1 ..., as many as fit in `limit` characters."""
    text, n = "", 0
    while len(text) + len(f" observed{n}") <= limit:
        text, n = f"{text} observed{n}", n + 1
    return text.strip()


def test_pathological_text_neither_crashes_nor_clips(tmp_path: Path) -> None:
    content = sample_content()
    unbroken = "Ж" * 20_000 + "END"
    ratings = (replace(content.observation.ratings[0], evidence=unbroken),)
    observation = replace(
        content.observation,
        ratings=ratings + content.observation.ratings[1:],
        focus="\n".join(["x"] * 400) + "\nlast line of the focus",
        others_present=unbroken,
    )
    name = "N" * 200
    signature = replace(content.signatures[0], name=name, comment="c\n" * 999 + "comment end")
    pdf = build_summary(
        replace(
            content,
            observation=observation,
            signatures=[signature, *content.signatures[1:]],
            organisation="O" * 200,
        )
    )
    text = "".join(pdf_text(pdf, tmp_path).split())
    assert text.count("Ж") == 40_000  # in the ratings table and the details table
    assert text.count("ЖEND") == 2
    assert "lastlineofthefocus" in text
    assert "commentend" in text
    assert name in text


# The formatting rules


@given(st.text(max_size=3000), st.integers(min_value=8, max_value=120))
def test_chunks_keep_every_character_and_stay_small(text: str, line_chars: int) -> None:
    pieces = chunks(text, line_chars)
    assert "".join("".join(p.split()) for p in pieces) == "".join(clean(text).split())
    for piece in pieces:
        assert sum(1 + len(line) // line_chars for line in piece.split("\n")) <= 24


def test_markup_escapes_and_keeps_line_breaks() -> None:
    assert markup(MARKUP + "\r\nnext") == (
        "&lt;b&gt;&amp;amp; \"quotes\" 'single' &lt;script&gt;<br/>next"
    )


@pytest.fixture
def london_clock() -> Iterator[None]:
    """This laptop's clock set to UK time, as the summaries' readers keep it."""
    if not hasattr(time, "tzset"):
        pytest.skip("the time zone can only be set for a test on POSIX")
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/London"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.usefixtures("london_clock")
def test_times_are_uk_local_with_their_zone() -> None:
    assert uk_datetime(datetime(2025, 7, 1, 9, 5, tzinfo=UTC)) == "1 July 2025, 10:05 BST"
    assert (
        uk_datetime(datetime(2025, 1, 3, 9, 5, tzinfo=UTC), weekday=True)
        == "Friday 3 January 2025, 09:05 GMT"
    )
    assert duration(75) == "1 hour 15 minutes"
    assert duration(60) == "1 hour"
    assert duration(1) == "1 minute"
    assert duration(None) == "Not recorded"


# Golden output and start-up cost


@pytest.mark.usefixtures("london_clock")
def test_golden_summary(tmp_path: Path) -> None:
    content: SummaryContent = sample_content()
    pdf = build_summary(content, invariant=True)
    assert build_summary(content, invariant=True) == pdf
    if os.environ.get(UPDATE_GOLDEN):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_bytes(pdf)
        pytest.skip(f"wrote {GOLDEN}; look at it before committing it")
    assert GOLDEN.is_file(), (
        f"{GOLDEN} is missing; create it with {UPDATE_GOLDEN}=1 .venv/bin/pytest "
        "tests/observer/test_summary_pdf.py -k golden"
    )
    if pdf != GOLDEN.read_bytes():
        built = tmp_path / "summary.pdf"
        built.write_bytes(pdf)
        pytest.fail(
            f"The summary no longer matches {GOLDEN}. The new one is {built}: look at it "
            f"(pdftoppm -png -r 80 {built} page). If the change is intended, regenerate with "
            f"{UPDATE_GOLDEN}=1 .venv/bin/pytest tests/observer/test_summary_pdf.py -k golden"
        )


def test_reportlab_runs_its_c_accelerators() -> None:
    """rl_accel (a dependency) replaces reportlab's pure-Python string widths, number
    formatting and ASCII85; without it every summary takes about a quarter longer."""
    from reportlab.lib import rl_accel

    for name in ("fp_str", "instanceStringWidthTTF", "asciiBase85Encode", "calcChecksum"):
        assert getattr(rl_accel, name) is rl_accel._c_funcs[name], name


def test_gathering_content_does_not_load_reportlab() -> None:
    code = (
        "import json, sys\n"
        "import observer.documents.summary_content, observer.documents.pdf.formatting\n"
        "import observer.documents.pdf.sample\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = {name.split(".")[0] for name in json.loads(done.stdout)}
    assert not loaded & {"reportlab", "PySide6"}


def test_sample_module_writes_a_summary(tmp_path: Path) -> None:
    from observer.documents.pdf.sample import main

    target = tmp_path / "sample.pdf"
    assert main([str(target), "--draft"]) == 0
    assert "DRAFT" in pdf_text(target.read_bytes(), tmp_path)
    assert main([]) == 2
