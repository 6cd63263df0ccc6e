"""The editor's save: only what changed, one transaction, and nobody's typing lost."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from observer.errors import InvalidInput, NotFound, RecordLocked, StoreBusy, StoreUnwritable
from observer.records import recording as recording_module
from observer.records.fields import MAX_TEXT
from observer.records.merge import Change
from observer.services import Services
from observer.text import merge_text
from observer.vocabulary import Kind, Status
from tests.support.core import NewDraft, Staff, audit_trail, force_status
from tests.support.races import started_during_flush

# Merging text


@pytest.mark.parametrize(
    ("base", "ours", "theirs", "merged"),
    [
        pytest.param("", "Ours.", "Theirs.", "Ours.\n\nTheirs.", id="both-from-empty"),
        pytest.param("Warm.", "Warm. Calm.", "Warm. Kind.", "Warm. Calm.\n\nKind.", id="same-line"),
        pytest.param(
            "Intro",
            "Intro\n\nOur para.\n\n",
            "Intro\n\n\nTheir para.\n",
            "Intro\n\nOur para.\n\nTheir para.",
            id="paragraphs",
        ),
        pytest.param(
            "Old text", "Rewritten by us", "Rewritten by them", None, id="no-shared-start"
        ),
        pytest.param("Text", "Text and more", "", "Text and more", id="they-cleared"),
        pytest.param("Text", "", "Text and theirs", "Text and theirs", id="we-cleared"),
        pytest.param("A", "A B", "A B", "A B", id="same-edit"),
    ],
)
def test_merged_text_keeps_every_word_of_both(
    base: str, ours: str, theirs: str, merged: str | None
) -> None:
    result = merge_text(base, ours, theirs)
    assert result == (merged if merged is not None else f"{ours}\n\n{theirs}")
    for word in (ours + " " + theirs).split():
        assert word in result


def test_two_editors_typing_into_the_same_field_keep_both_texts(
    services: Services, other_laptop_window: Services, new_draft: NewDraft
) -> None:
    draft = new_draft()
    services.recording.update(draft, {"strengths": "Warm."})

    first = services.recording.save(draft, [Change("strengths", "Warm.", "Warm. Knelt down.")])
    second = other_laptop_window.recording.save(
        draft, [Change("strengths", "Warm.", "Warm. Used the three houses.")]
    )

    stored = services.recording.get(draft).strengths
    assert stored == "Warm. Used the three houses.\n\nKnelt down."  # the saver's first
    assert first.merged == {}
    assert second.merged == {"strengths": stored}


def test_rating_evidence_and_action_text_are_merged_too(
    services: Services, new_draft: NewDraft
) -> None:
    recording = services.recording
    draft = new_draft()
    action = recording.add_action(draft, "Read")
    recording.save(
        draft,
        [
            Change("rating:2:evidence", "", "Named the risk."),
            Change(f"action:{action}:description", "Read", "Read the chronology"),
        ],
    )

    outcome = recording.save(
        draft,
        [
            Change("rating:2:evidence", "", "Asked about Dad."),
            Change(f"action:{action}:description", "Read", "Read the plan"),
        ],
    )

    view = recording.get(draft)
    assert view.ratings[1].evidence == "Asked about Dad.\n\nNamed the risk."
    assert view.actions[0].description == "Read the plan\n\nthe chronology"
    assert outcome.merged == {
        "rating:2:evidence": view.ratings[1].evidence,
        f"action:{action}:description": view.actions[0].description,
    }


def test_stale_editors_saving_different_fields_keep_both(
    services: Services, other_laptop_window: Services, staff: Staff, new_draft: NewDraft
) -> None:
    draft = new_draft()
    action = services.recording.add_action(draft, "Shadow a conference")
    loaded = services.recording.get(draft)  # both editors open this revision

    services.recording.save(
        draft,
        [
            Change("strengths", loaded.strengths, "Calm."),
            Change("rating:1:level", None, "good"),
            Change(f"action:{action}:owner", None, staff.worker),
        ],
    )
    outcome = other_laptop_window.recording.save(
        draft,
        [
            Change("focus", loaded.focus, "Contact plans"),
            Change("rating:1:evidence", "", "Explained thresholds."),
            Change(f"action:{action}:due", None, date(2025, 5, 1)),
        ],
    )

    view = services.recording.get(draft)
    assert (view.strengths, view.focus) == ("Calm.", "Contact plans")
    assert (view.ratings[0].level_code, view.ratings[0].evidence) == (
        "good",
        "Explained thresholds.",
    )
    assert (view.actions[0].owner_id, view.actions[0].due_date) == (staff.worker, date(2025, 5, 1))
    assert outcome.merged == {}


def test_for_a_choice_changed_by_both_the_last_save_wins(
    services: Services, new_draft: NewDraft
) -> None:
    draft = new_draft()
    services.recording.save(draft, [Change("overall_level", None, "good")])

    outcome = services.recording.save(draft, [Change("overall_level", None, "inadequate")])

    assert services.recording.get(draft).overall_level_code == "inadequate"
    assert outcome.merged == {}


def test_text_too_long_to_merge_keeps_the_savers_words_and_says_so(
    services: Services, new_draft: NewDraft
) -> None:
    draft = new_draft()
    theirs, ours = "t" * (MAX_TEXT - 10), "o" * 20
    services.recording.save(draft, [Change("reflection", "", theirs)])

    outcome = services.recording.save(draft, [Change("reflection", "", ours)])

    assert services.recording.get(draft).reflection == ours
    assert outcome.merged == {"reflection": ours}


# One save, one transaction


def test_one_save_of_many_targets_is_one_new_revision(
    services: Services, staff: Staff, new_draft: NewDraft
) -> None:
    recording = services.recording
    draft = new_draft()
    action = recording.add_action(draft, "Book training")
    before = recording.get(draft).revision
    when = datetime(2025, 3, 13, 9, tzinfo=UTC)

    outcome = recording.save(
        draft,
        [
            Change("kind", "home_visit", Kind.DIRECT_WORK.value),
            Change("observed_at", None, when),
            Change("duration_minutes", None, 45),
            Change("family_present", False, True),
            Change("child_voice", "", "She drew her house."),
            Change("overall_level", None, "requires_improvement"),
            Change("rating:4:level", None, "outstanding"),
            Change(f"action:{action}:owner", None, staff.worker),
        ],
    )

    view = recording.get(draft)
    assert view.revision == outcome.revision == before + 1
    assert (view.kind, view.observed_at, view.duration_minutes) == (Kind.DIRECT_WORK, when, 45)
    assert (view.family_present, view.child_voice) == (True, "She drew her house.")
    assert view.overall_level_code == "requires_improvement"
    assert view.ratings[3].level_code == "outstanding"
    assert view.actions[0].owner_name == "Siobhán Walker"
    assert outcome.merged == {}


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(Change("kind", "home_visit", "coffee_morning"), id="kind"),
        pytest.param(Change("observed_at", None, datetime(2025, 3, 1, 10)), id="naive-time"),
        pytest.param(Change("duration_minutes", None, 0), id="duration"),
        pytest.param(Change("focus", "", 42), id="number-as-text"),
        pytest.param(Change("case_reference", "", "x" * 61), id="text-too-long"),
        pytest.param(Change("overall_level", None, "excellent"), id="overall"),
        pytest.param(Change("rating:1:level", None, "excellent"), id="rating-level"),
        pytest.param(Change("rating:99:evidence", "", "Seen"), id="unknown-standard"),
        pytest.param(Change("status", "draft", "signed"), id="unknown-field"),
        pytest.param(Change("action:not-an-id:owner", None, None), id="bad-action-id"),
        pytest.param(Change("ACTION:owner", None, uuid.uuid4()), id="bad-owner"),
        pytest.param(Change("ACTION:due", None, "next Tuesday"), id="bad-due"),
    ],
)
def test_an_invalid_value_in_a_save_writes_nothing_of_it(
    services: Services, new_draft: NewDraft, bad: Change
) -> None:
    recording = services.recording
    draft = new_draft()
    action = recording.add_action(draft, "Read the chronology")
    bad = Change(bad.target.replace("ACTION", f"action:{action}"), bad.base, bad.value)
    before = recording.get(draft)

    with pytest.raises(InvalidInput):
        recording.save(
            draft,
            [
                Change("strengths", "", "Kept only if all is well."),
                Change("rating:2:level", None, "good"),
                bad,
            ],
        )

    assert recording.get(draft) == before


def test_saving_into_a_signed_record_is_refused_and_writes_nothing(
    services: Services, new_draft: NewDraft
) -> None:
    draft = new_draft()
    force_status(services.db, draft, Status.SIGNED)
    before = services.recording.get(draft)

    with pytest.raises(RecordLocked):
        services.recording.save(draft, [Change("strengths", "", "Too late")])

    assert services.recording.get(draft) == before


def test_saving_into_an_observation_not_in_the_store_is_refused(services: Services) -> None:
    with pytest.raises(NotFound):
        services.recording.save(uuid.uuid4(), [Change("strengths", "", "Lost")])


def test_a_change_to_an_action_removed_elsewhere_is_skipped_and_reported(
    services: Services, new_draft: NewDraft
) -> None:
    recording = services.recording
    draft = new_draft()
    gone = recording.add_action(draft, "Removed in the other window")
    recording.remove_action(gone)

    outcome = recording.save(
        draft,
        [
            Change(f"action:{gone}:description", "Removed in the other window", "Edited here"),
            Change("strengths", "", "Still saved"),
        ],
    )

    view = recording.get(draft)
    assert outcome.merged == {f"action:{gone}:description": None}
    assert (view.actions, view.strengths) == ((), "Still saved")


# Saves racing each other, and privacy


def test_a_save_arriving_during_another_save_waits_for_it_and_is_merged_not_lost(
    services: Services, other_laptop_window: Services, new_draft: NewDraft
) -> None:
    """A save takes the write lock before it reads, so another window's save cannot land
    between its read and its write (it did, when transactions began at the first write):
    the other save waits, then merges with what this one wrote."""
    draft = new_draft()

    def theirs() -> None:
        other_laptop_window.recording.save(draft, [Change("reflection", "", "Theirs.")])

    with started_during_flush(theirs, "this one") as outcome:
        services.recording.save(draft, [Change("reflection", "", "Ours.")])

    assert outcome == [None]
    # The later save merges what it found into its own: its words first.
    assert services.recording.get(draft).reflection == "Theirs.\n\nOurs."


def test_merging_logs_counts_and_ids_but_no_words(
    services: Services, new_draft: NewDraft, caplog: pytest.LogCaptureFixture
) -> None:
    draft = new_draft()
    services.recording.save(draft, [Change("child_voice", "", "Jayden misses his nan")])

    with caplog.at_level(logging.DEBUG):
        services.recording.save(draft, [Change("child_voice", "", "Scared of the dog")])

    assert f"merged 1 concurrent edits into observation {draft}" in caplog.messages
    assert not any("nan" in m or "dog" in m for m in caplog.messages)


LONG_FIELDS = ("reflection", "child_voice", "family_feedback", "development_areas")


def test_a_full_disk_is_one_sentence_and_the_record_is_unchanged(
    services: Services, new_draft: NewDraft
) -> None:
    draft = new_draft()
    services.recording.save(draft, [Change("strengths", "", "Warm and clear with the child.")])
    before = services.recording.get(draft)
    engine = services.db.engine
    with engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()

    def no_room_to_grow(dbapi_connection: Any, _record: Any) -> None:
        # The file may not grow: SQLite reports a full disk, as it would on a real one.
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(engine, "connect", no_room_to_grow)
    engine.dispose()

    with pytest.raises(StoreUnwritable, match="the disk is full; nothing was changed"):
        services.recording.save(
            draft,
            [Change(field, "", "A long reflection. " * 2500) for field in LONG_FIELDS],
        )

    after = services.recording.get(draft)
    assert (after.reflection, after.revision) == ("", before.revision)


# A ready record that loses what sign-off needs: the edit and the move to draft together


def ready_record(services: Services, new_draft: NewDraft) -> uuid.UUID:
    """A home visit with everything sign-off needs, marked ready for sign-off."""
    recording = services.recording
    draft = new_draft()
    recording.update(draft, {"overall_level": "good", "overall_rationale": "Warm, clear."})
    for code in ("1", "2", "3", "4", "5", "6", "7"):
        recording.set_rating(draft, code, level_code="good", evidence=f"Seen in part {code}.")
    recording.mark_ready(draft)
    return draft


def test_an_edit_that_takes_a_ready_record_back_to_draft_is_one_new_revision(
    services: Services, new_draft: NewDraft
) -> None:
    draft = ready_record(services, new_draft)
    before = services.recording.get(draft)

    outcome = services.recording.save(draft, [Change("overall_rationale", "Warm, clear.", " ")])

    after = services.recording.get(draft)
    assert (after.status, after.overall_rationale) == (Status.DRAFT, " ")
    assert outcome.status is Status.DRAFT
    assert after.revision == outcome.revision == before.revision + 1
    assert audit_trail(services.db, draft)[-3:] == ["ready", "edit", "return_to_draft"]


def test_a_failure_while_moving_back_to_draft_leaves_the_edit_unwritten_too(
    services: Services, new_draft: NewDraft, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = ready_record(services, new_draft)
    before = services.recording.get(draft)
    trail = audit_trail(services.db, draft)

    def store_gone_busy(*_: Any) -> None:
        raise StoreBusy("The store is busy; nothing was changed.")

    monkeypatch.setattr(recording_module, "missing_for_sign_off", store_gone_busy)
    with pytest.raises(StoreBusy):
        services.recording.save(draft, [Change("overall_rationale", "Warm, clear.", " ")])
    monkeypatch.undo()

    assert services.recording.get(draft) == before
    assert audit_trail(services.db, draft) == trail


def test_another_writer_taking_the_store_after_the_edit_cannot_strand_it_in_ready(
    services: Services, other_laptop_window: Services, new_draft: NewDraft
) -> None:
    """The moment this save commits, another app process takes the write lock: the edit
    and the move back to draft are already both in the store."""
    draft = ready_record(services, new_draft)
    lock = other_laptop_window.db.engine.raw_connection()

    def other_takes_the_store(session: Session) -> None:
        if session.get_bind() is services.db.engine and not lock.in_transaction:
            lock.execute("BEGIN IMMEDIATE")

    event.listen(Session, "after_commit", other_takes_the_store)
    try:
        outcome = services.recording.save(
            draft, [Change("overall_rationale", "Warm, clear.", " ")], wait_ms=200
        )
        after = services.recording.get(draft)  # readers are not blocked by a writer
    finally:
        event.remove(Session, "after_commit", other_takes_the_store)
        lock.rollback()
        lock.close()

    assert (after.status, after.overall_rationale) == (Status.DRAFT, " ")
    assert outcome.status is Status.DRAFT
    assert audit_trail(services.db, draft)[-2:] == ["edit", "return_to_draft"]
