"""Full-text search: what is found, in what order, with which words marked, and what is not."""

from __future__ import annotations

import json
import shutil
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from observer.errors import InvalidInput
from observer.governance import retention
from observer.governance.retention import RetentionPolicy
from observer.paths import database_path
from observer.people.directory import PersonDetails
from observer.search import sqlite_index as search_sqlite
from observer.search.query import MAX_QUERY_CHARS, SEARCHED_FIELDS, Term, parse_marked, parse_query
from observer.search.service import SearchHit, search
from observer.search.sqlite_index import MARK_CLOSE, MARK_OPEN, fts5_query
from observer.services import Services, open_services
from observer.store.filters import ObservationFilter
from observer.vocabulary import Kind, SignatureRole
from tests.support.core import NewDraft, RunCli, Staff
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.paths import FIXTURES

CODES = ["1", "2", "3", "4", "5", "6", "7"]  # the direct-work framework of a home visit
FIXTURE_0001 = FIXTURES / "schema-0001.sqlite"


def found(services: Services, words: str, **filters: object) -> list[uuid.UUID]:
    query = ObservationFilter(**filters) if filters else None  # type: ignore[arg-type]
    return [hit.observation_id for hit in search(services.db, words, filters=query)]


def matched_words(hit: SearchHit) -> list[str]:
    return [hit.snippet[start:end] for start, end in hit.highlights]


def signed_record(services: Services, new_draft: NewDraft, staff: Staff) -> uuid.UUID:
    record = new_draft()
    recording = services.recording
    recording.update(record, {"overall_level": "good", "overall_rationale": "Warm, clear."})
    for code in CODES:
        recording.set_rating(record, code, level_code="good", evidence=f"Seen in part {code}.")
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    services.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker")
    return record


def index_holds(services: Services, words: str) -> bool:
    """Whether the words are anywhere the index keeps text: the words it reads for snippets
    (gathered from the records) and those it keeps of records changed since it was brought
    up to date."""
    columns = " || ' ' || ".join(f"coalesce({name}, '')" for name in SEARCHED_FIELDS)
    with services.db.session() as s:
        rows = [
            *s.execute(text(f"SELECT {columns} FROM search_words")).scalars(),
            *s.execute(text(f"SELECT {columns} FROM search_pending")).scalars(),
        ]
        return any(words in row for row in rows)


def index_bytes_hold(services: Services, word: bytes) -> bool:
    """Whether the index's own pages still hold the word, deleted or not."""
    with services.db.session() as s:
        blocks = s.execute(text("SELECT block FROM search_text_data")).scalars()
        return any(word in bytes(block) for block in blocks if block)


def index_is_intact(services: Services) -> None:
    with services.db.session() as s, s.begin():
        s.execute(text("INSERT INTO search_text(search_text, rank) VALUES ('integrity-check', 1)"))


# Ranking and snippets


def test_a_record_mentioning_the_words_in_several_fields_ranks_first(
    services: Services, new_draft: NewDraft
) -> None:
    once = new_draft(focus="Whether the chronology is up to date before the review meeting.")
    often = new_draft(focus="How the chronology was used in the visit with the family.")
    services.recording.update(
        often,
        {
            "strengths": "Referred to the chronology when the mother disputed the dates.",
            "development_areas": "Add the last two incidents to the chronology this week.",
        },
    )
    services.recording.update(once, {"strengths": "Warm, unhurried and clear with the family."})

    assert found(services, "chronology") == [often, once]
    hits = search(services.db, "chronology")
    assert hits[0].score > hits[1].score


def test_results_come_a_page_at_a_time_without_gaps_or_repeats(
    services: Services, new_draft: NewDraft
) -> None:
    for n in range(7):
        new_draft(focus="The chronology " + "and the chronology " * n + "before the meeting.")
    everything = [hit.observation_id for hit in search(services.db, "chronology", limit=10)]

    pages = [
        [hit.observation_id for hit in search(services.db, "chronology", limit=3, offset=start)]
        for start in (0, 3, 6, 9)
    ]

    assert len(everything) == 7
    assert [len(page) for page in pages] == [3, 3, 1, 0]
    assert [hit for page in pages for hit in page] == everything
    assert [h.observation_id for h in services.search.find("chronology", 3, None, 3)] == pages[1]
    with pytest.raises(InvalidInput):
        search(services.db, "chronology", offset=-1)


def test_words_in_very_many_records_rank_the_best_of_the_newest(
    services: Services, new_draft: NewDraft, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the window (2,000 records in the app; 3 here), only the newest records with
    the words are ranked, best first, page after page; fewer are all ranked."""
    monkeypatch.setattr(search_sqlite, "RANK_WINDOW", 3)
    monkeypatch.setattr(search_sqlite, "PHRASE_WINDOW", 3)
    day = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    oldest_and_best = new_draft(
        focus="The chronology, the chronology and the chronology.", when=day
    )
    newer = [
        new_draft(
            focus=f"The chronology was read before visit {n} to the family home.",
            when=day + timedelta(days=n + 1),
        )
        for n in range(2)
    ]
    newest_and_better = new_draft(
        focus="The chronology and the chronology at the meeting.", when=day + timedelta(days=9)
    )

    hits = [hit.observation_id for hit in search(services.db, "chronology")]
    assert hits[0] == newest_and_better
    assert oldest_and_best not in hits  # past the window, though it says it most
    assert set(hits) == {newest_and_better, *newer}
    pages = [search(services.db, "chronology", limit=2, offset=start) for start in (0, 2)]
    assert [hit.observation_id for page in pages for hit in page] == hits
    assert [hit.observation_id for hit in search(services.db, '"the chronology"')] == hits
    assert set(found(services, "chronology family")) == set(newer)  # two: all are ranked
    assert found(services, "chronology meeting") == [newest_and_better]


def test_a_snippet_marks_each_matched_word_and_keeps_the_text_as_typed(
    services: Services, new_draft: NewDraft, staff: Staff
) -> None:
    record = new_draft()
    services.recording.update(
        record,
        {"child_voice": 'A. said <b>"I feel safe at Nan\'s"</b> and drew the house twice.'},
    )

    [hit] = search(services.db, "safe nan")

    assert hit.observation_id == record
    assert hit.field == "child_voice"
    assert hit.field_label == "The child's voice and lived experience"
    assert hit.snippet == 'A. said <b>"I feel safe at Nan\'s"</b> and drew the house twice.'
    assert matched_words(hit) == ["safe", "Nan"]
    assert hit.marked_snippet.marked("[", "]").startswith('A. said <b>"I feel [safe] at [Nan]')
    assert hit.worker == "Siobhán Walker"
    assert hit.observer == "Aled Hughes"
    assert hit.kind is Kind.HOME_VISIT


def test_a_phrase_is_marked_as_a_whole_and_found_only_in_that_order(
    services: Services, new_draft: NewDraft
) -> None:
    in_order = new_draft(focus="Listening to the voice of the child in the assessment.")
    new_draft(focus="The child had a hoarse voice after the party.")

    [hit] = search(services.db, '"voice of the child"')

    assert hit.observation_id == in_order
    assert matched_words(hit) == ["voice of the child"]


def test_a_long_field_gives_a_short_snippet_around_the_match(
    services: Services, new_draft: NewDraft
) -> None:
    record = new_draft()
    padding = " ".join(["Routine discussion of the plan."] * 40)
    services.recording.update(record, {"reflection": f"{padding} The genogram helped. {padding}"})

    [hit] = search(services.db, "genogram")

    assert hit.snippet.startswith("…")
    assert hit.snippet.endswith("…")
    assert len(hit.snippet) < 160
    assert matched_words(hit) == ["genogram"]


def test_words_are_found_whatever_their_ending_case_or_accents(
    services: Services, new_draft: NewDraft
) -> None:
    record = new_draft(focus="Visited the family café; the children were playing.")

    for words in ("visits", "CHILDREN", "cafe", "play*", '"the children"'):
        assert found(services, words) == [record], words


# Every field, evidence, actions and addenda


def test_evidence_actions_and_addenda_are_found_and_named(
    services: Services, new_draft: NewDraft, staff: Staff
) -> None:
    draft = new_draft()
    services.recording.set_rating(draft, "2", evidence="Noticed the bruise and asked about it.")
    services.recording.add_action(draft, "Book the interpreter for Tuesday", staff.worker)
    signed = signed_record(services, new_draft, staff)
    services.signoff.add_addendum(signed, "The meeting was moved to the library.", "Aled Hughes")

    [evidence] = search(services.db, "bruise")
    [action] = search(services.db, "interpreter")
    [addendum] = search(services.db, "library")

    assert (evidence.observation_id, evidence.field) == (draft, "evidence")
    assert evidence.field_label == "Evidence for Recognising and understanding risk"
    assert (action.observation_id, action.field, action.field_label) == (
        draft,
        "actions",
        "Agreed actions",
    )
    assert (addendum.observation_id, addendum.field) == (signed, "addenda")
    assert matched_words(addendum) == ["library"]


def test_every_narrative_field_is_searched(services: Services, new_draft: NewDraft) -> None:
    record = new_draft()
    narrative = [name for name in SEARCHED_FIELDS if name not in ("evidence", "actions", "addenda")]
    services.recording.update(record, {name: f"Marker{n}word" for n, name in enumerate(narrative)})

    for n, name in enumerate(narrative):
        [hit] = search(services.db, f"marker{n}word")
        assert (hit.observation_id, hit.field) == (record, name)


# What must not be found


def test_edits_are_found_at_once_and_replaced_words_are_gone(
    services: Services, new_draft: NewDraft, staff: Staff
) -> None:
    record = new_draft(focus="Planning the contact arrangements.")
    services.recording.set_rating(record, "3", evidence="Used the wishes and feelings cards.")
    action = services.recording.add_action(record, "Chase the school nurse", staff.worker)
    assert found(services, "contact") == [record]

    services.recording.update(record, {"focus": "Planning the transition to secondary school."})
    services.recording.set_rating(record, "3", evidence="Used the three houses tool.")
    services.recording.remove_action(action)

    assert found(services, "contact") == []
    assert found(services, "transition") == [record]
    assert found(services, "cards") == []
    assert found(services, "houses") == [record]
    assert found(services, "nurse") == []
    assert not index_holds(services, "wishes and feelings")
    index_is_intact(services)


def test_a_search_neither_waits_for_a_writer_nor_blocks_one(
    services: Services, new_draft: NewDraft
) -> None:
    """Another window or command writing (an autosave, an import) holds the store's write
    lock; a search of an index that is up to date only reads, so it answers at once, and
    a change made meanwhile is found by the next search."""
    record = new_draft(focus="Planning the contact arrangements.")
    assert found(services, "contact") == [record]
    writer = services.db.engine.raw_connection()
    try:
        writer.driver_connection.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        assert found(services, "contact") == [record]
        assert time.monotonic() - started < 1.0  # not the store's 5 s wait for the lock
        writer.driver_connection.execute("ROLLBACK")
    finally:
        writer.close()
    services.recording.update(record, {"focus": "Planning the transition to secondary school."})
    assert found(services, "transition") == [record]
    assert found(services, "contact") == []


def test_a_deleted_draft_leaves_the_index(services: Services, new_draft: NewDraft) -> None:
    kept = new_draft(focus="A sibling assessment was discussed.")
    deleted = new_draft(focus="A sibling assessment, with the neighbour's dog barking.")
    services.recording.set_rating(deleted, "1", evidence="The neighbour's dog again.")

    services.recording.delete_draft(deleted)

    assert found(services, "sibling") == [kept]
    assert found(services, "dog") == []
    assert not index_holds(services, "barking")
    with services.db.session() as s:
        assert s.scalar(text("SELECT count(*) FROM search_rows")) == 1
    index_is_intact(services)


@pytest.mark.parametrize("one_by_one", [100, 0], ids=["one by one", "all at once"])
def test_records_removed_by_retention_leave_the_index(
    services: Services,
    new_draft: NewDraft,
    staff: Staff,
    one_by_one: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search_sqlite, "ERASE_ONE_BY_ONE", one_by_one)
    signed = signed_record(services, new_draft, staff)
    services.signoff.add_addendum(signed, "Corrected the trampoline incident date.", "Aled Hughes")
    stays = new_draft(person=staff.asye, focus="The trampoline in the garden.")
    assert set(found(services, "trampoline")) == {signed, stays}
    person = services.people.get_person(staff.worker)
    services.people.update_person(
        staff.worker,
        PersonDetails(
            person.name,
            person.role,
            person.team_id,
            person.staff_reference,
            False,
            date(2020, 1, 31),
        ),
    )
    retention.set_policy(services.db, RetentionPolicy(1), "Priya Shah")
    today = date(2026, 1, 1)

    retention.apply(services.db, today, "Priya Shah", retention.preview(services.db, today))

    assert found(services, "trampoline") == [stays]
    assert not index_holds(services, "incident date")
    assert not index_bytes_hold(services, b"incident")
    index_is_intact(services)
    with services.db.session() as s:
        assert s.scalar(text("SELECT v FROM search_text_config WHERE k = 'secure-delete'")) == 1


def test_a_removed_records_words_are_erased_from_the_index_itself(
    services: Services, new_draft: NewDraft, staff: Staff
) -> None:
    new_draft(focus="Ordinary words about the visit.")
    gone = new_draft(focus="Zyxwvutsalpha was visited.")
    assert found(services, "zyxwvutsalpha") == [gone]
    # Each change is indexed (the row rewritten) before the next search.
    services.recording.set_rating(gone, "1", evidence="Qwertzuiopbeta was noted.")
    assert found(services, "qwertzuiopbeta") == [gone]
    services.recording.add_action(gone, "Ask about Plmoknijgamma", staff.worker)
    assert found(services, "plmoknijgamma") == [gone]
    assert index_bytes_hold(services, b"yxwvutsalpha")

    services.recording.delete_draft(gone)

    for word in (b"yxwvutsalpha", b"wertzuiopbeta", b"lmoknijgamma"):
        assert not index_bytes_hold(services, word), word


# Filters and limits


def test_filters_narrow_the_search_to_those_observations(
    services: Services, new_draft: NewDraft, staff: Staff
) -> None:
    worker = new_draft(focus="Core group preparation.")
    asye = new_draft(person=staff.asye, focus="Core group preparation.")
    supervision = new_draft(kind=Kind.SUPERVISION_INDIVIDUAL, focus="Core group preparation.")

    assert set(found(services, "core group")) == {worker, asye, supervision}
    assert found(services, "core group", person_ids=(staff.asye,)) == [asye]
    assert found(services, "core group", kind=Kind.SUPERVISION_INDIVIDUAL) == [supervision]
    assert found(services, "core group", person_ids=(staff.senior,)) == []


@pytest.mark.parametrize("window", [3, 2_000])
def test_a_filter_that_keeps_every_record_finds_what_no_filter_finds(
    services: Services, new_draft: NewDraft, monkeypatch: pytest.MonkeyPatch, window: int
) -> None:
    """A search of every record and a filtered one are built differently (the first as
    plain SQL): the same records, scores, pages and snippets, within the window or past it."""
    monkeypatch.setattr(search_sqlite, "RANK_WINDOW", window)
    monkeypatch.setattr(search_sqlite, "PHRASE_WINDOW", window)
    day = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    for n in range(7):
        record = new_draft(
            focus="The safety plan " + "and the safety plan " * (n % 3) + f"at visit {n}.",
            when=day + timedelta(days=n),
        )
        strengths = "Safeguarding was discussed; the plan was reviewed. " * (n % 2 + 1)
        services.recording.update(record, {"strengths": strengths})
    everything = ObservationFilter()
    for words in ("plan", "safety plan", '"safety plan"', "safeg*", '"the plan" visit'):
        for limit, offset in ((50, 0), (2, 0), (2, 2), (2, 6)):
            plain = search(services.db, words, limit, offset=offset)
            filtered = search(services.db, words, limit, filters=everything, offset=offset)
            assert plain == filtered, (words, limit, offset)
        assert search(services.db, words), words


def test_the_limit_keeps_the_best_matches(services: Services, new_draft: NewDraft) -> None:
    best = new_draft(focus="Respite, respite and respite again.")
    for _ in range(4):
        new_draft(focus="Respite was mentioned once in a long planning discussion today.")

    hits = search(services.db, "respite", limit=2)

    assert len(hits) == 2
    assert hits[0].observation_id == best
    with pytest.raises(InvalidInput, match="between 1 and 500"):
        search(services.db, "respite", limit=0)


def test_a_store_from_before_search_has_its_records_indexed_on_upgrade(
    tmp_path: Path,
) -> None:
    data = tmp_path / "old"
    data.mkdir()
    shutil.copyfile(FIXTURE_0001, database_path(data))
    services = open_services(data, STORE_PASSPHRASE)
    try:
        [hit] = search(services.db, "patient")
        assert hit.snippet == "Warm & patient <with> the child"
        assert [hit.field for hit in search(services.db, "floor")] == ["evidence"]
    finally:
        services.close()


# Reading what people type


def test_plain_words_phrases_and_prefixes_become_terms() -> None:
    query = parse_query('  core group  "voice of the child" safeg* co-worker\'s ')

    assert query.terms == (
        Term(("core",)),
        Term(("group",)),
        Term(("voice", "of", "the", "child"), quoted=True),
        Term(("safeg",), prefix=True),
        Term(("co", "worker", "s")),
    )
    assert fts5_query(query) == '"core" "group" "voice of the child" "safeg"* "co worker s"'


def test_common_words_are_left_out_unless_there_is_nothing_else() -> None:
    assert parse_query("the chronology of the family").terms == (
        Term(("chronology",)),
        Term(("family",)),
    )
    assert parse_query("the").terms == (Term(("the",)),)
    assert parse_query('"the end"').terms == (Term(("the", "end"), quoted=True),)


@pytest.mark.parametrize(
    "typed", ["", "   ", '""', "*", "!!! ???", "AND OR NOT", "(", '"', "-", "^", "NEAR(", ":"]
)
def test_text_with_nothing_to_search_for_finds_nothing(services: Services, typed: str) -> None:
    if any(c.isalpha() for c in typed):
        assert search(services.db, typed) == []
    else:
        assert parse_query(typed).terms == ()
        assert search(services.db, typed) == []


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        ("ch*", "at least 3 letters before a *"),
        ("x" * (MAX_QUERY_CHARS + 1), "at most 500 characters"),
        (" ".join(f"word{n}" for n in range(17)), "at most 16 words"),
    ],
)
def test_searches_that_cannot_run_are_one_sentence(
    services: Services, typed: str, sentence: str
) -> None:
    with pytest.raises(InvalidInput, match=sentence):
        search(services.db, typed)


@given(st.text(max_size=80))
def test_any_text_parses_to_terms_or_one_sentence(typed: str) -> None:
    try:
        query = parse_query(typed)
    except InvalidInput as error:
        refusal = str(error)
    else:
        refusal = ""
    if refusal:
        assert refusal.endswith(".")
        return
    for term in query.terms:
        assert term.words
        assert all(word.strip() for word in term.words)
    assert fts5_query(query).count('"') % 2 == 0


_SEARCH_ALPHABET = st.sampled_from(list("ab \"*-()^:+.,'\\_NEAROT\u00e9\u0301\ue000\ue001\u00b2\t"))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=st.text(max_size=40) | st.text(_SEARCH_ALPHABET, max_size=30))
def test_any_text_searched_gives_hits_or_one_sentence(
    services: Services, new_draft: NewDraft, typed: str
) -> None:
    if not services.recording.count():
        new_draft(focus='Ab a b é N.E.A.R. ab_ab ²² café ab-ab (ab) "ab" ab* OR AND NOT')
    hits: list[SearchHit] = []
    try:
        hits = search(services.db, typed)
    except InvalidInput as error:
        refusal = str(error)
    else:
        refusal = ""
    assert "could not be run" not in refusal  # the parser, not the index, refused it
    assert all(isinstance(hit, SearchHit) for hit in hits)


@given(st.text(), st.text(max_size=3))
def test_any_marked_snippet_reads_back_with_spans_inside_it(body: str, extra: str) -> None:
    snippet = parse_marked(MARK_OPEN + body + MARK_CLOSE + extra, MARK_OPEN, MARK_CLOSE)
    for start, end in snippet.highlights:
        assert 0 <= start < end <= len(snippet.text)
    assert MARK_OPEN not in snippet.text or MARK_OPEN in body + extra


# The command line


def test_cli_json_is_a_ranked_array_of_hits(
    services: Services, new_draft: NewDraft, run_cli: RunCli, capsys: pytest.CaptureFixture[str]
) -> None:
    once = new_draft(focus="Talked about the contact centre.")
    twice = new_draft(focus="Contact with dad; contact with mum next week.")
    services.close()

    assert run_cli(["--data-dir", str(services.data_dir), "search", "contact", "--json"]) == 0

    hits = json.loads(capsys.readouterr().out)
    assert [hit["observation_id"] for hit in hits] == [str(twice), str(once)]
    assert hits[0]["score"] > hits[1]["score"]
    first = hits[0]
    assert first["snippet"] == "Contact with dad; contact with mum next week."
    assert first["highlights"] == [[0, 7], [18, 25]]
    assert {"field", "field_label", "worker", "date", "observed_at", "kind", "status"} <= set(first)
    assert first["kind"] == "home_visit"
    assert first["worker"] == "Siobhán Walker"


def test_cli_lists_matches_readably_and_refuses_bad_searches_in_one_line(
    services: Services, new_draft: NewDraft, run_cli: RunCli, capsys: pytest.CaptureFixture[str]
) -> None:
    record = new_draft(focus="Talked about the contact centre.")
    services.close()
    where = ["--data-dir", str(services.data_dir)]

    assert run_cli([*where, "search", "contact"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert str(record) in lines[0]
    assert "Siobhán Walker" in lines[0]
    assert lines[1].strip() == "Agreed focus: Talked about the contact centre."

    assert run_cli([*where, "search", "nothing like this"]) == 0
    assert capsys.readouterr().out == "No observation matches.\n"

    assert run_cli([*where, "search", "co*"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "at least 3 letters" in error
