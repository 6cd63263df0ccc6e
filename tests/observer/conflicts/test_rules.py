"""The conflict rules one by one, on plain record states (no store): both arrival orders
wherever the order could matter."""

from __future__ import annotations

import uuid

import pytest

from observer.conflicts.rules import (
    ConflictKind,
    Outcome,
    Side,
    SignedContentDiffers,
    merge_observation,
)
from tests.observer.conflicts.states import (
    NOW,
    draft,
    edited,
    progressed,
    rated,
    signed,
    with_addendum,
)


def merge(base, here, incoming, **kwargs):  # type: ignore[no-untyped-def]
    return merge_observation(base, here, incoming, now=NOW, **kwargs)


def both_orders(base, one, other):  # type: ignore[no-untyped-def]
    return merge(base, one, other), merge(base, other, one)


@pytest.mark.parametrize("base_known", [True, False])
def test_different_fields_never_conflict(base_known: bool) -> None:
    base = draft()
    office = edited(base, strengths="Warm and clear. Listened to the child first.")
    home = edited(base, child_voice="She wants to stay at her school.")

    for result in both_orders(base if base_known else None, office, home):
        assert result.outcome is Outcome.MERGED
        assert result.record is not None
        assert result.record["strengths"] == "Warm and clear. Listened to the child first."
        assert result.record["child_voice"] == "She wants to stay at her school."
        assert [c for c in result.conflicts if c.kind is not ConflictKind.TEXT] == []
        assert result.record["revision"] == 7


@pytest.mark.parametrize("base_known", [True, False])
def test_the_same_text_changed_on_both_sides_keeps_both_peoples_words(base_known: bool) -> None:
    base = draft()
    office = edited(base, strengths="Warm and clear. Listened to the child first.")
    home = edited(base, minutes=2, strengths="Warm and clear. Kept the plan in view.")

    first, second = both_orders(base if base_known else None, office, home)

    assert first.record is not None
    assert second.record is not None
    assert first.record["strengths"] == second.record["strengths"]
    text = first.record["strengths"]
    assert "Listened to the child first." in text
    assert "Kept the plan in view." in text
    assert text.count("Warm and clear.") == 1
    (conflict,) = first.conflicts
    assert (conflict.kind, conflict.target, conflict.kept) == (
        ConflictKind.TEXT,
        "strengths",
        Side.BOTH,
    )


@pytest.mark.parametrize(
    ("office_revision", "home_revision", "winner"),
    [(6, 7, "home"), (7, 6, "office"), (6, 6, "incoming")],
)
def test_a_rating_changed_on_both_sides_the_later_wins_and_a_conflict_keeps_both(
    office_revision: int, home_revision: int, winner: str
) -> None:
    base = draft()
    office = rated(base, "S1", "good")
    office["revision"] = office_revision
    home = rated(base, "S1", "requires_improvement")
    home["revision"] = home_revision

    for here, incoming in ((office, home), (home, office)):
        result = merge(base, here, incoming)
        expected = {"office": office, "home": home, "incoming": incoming}[winner]
        assert result.record is not None
        level = {r["standard"]: r["level"] for r in result.record["ratings"]}["S1"]
        assert level == expected["ratings"][0]["level"]
        (conflict,) = result.conflicts
        assert conflict.kind is ConflictKind.VALUE
        assert conflict.target == "rating:S1:level"
        assert (conflict.here, conflict.incoming) == (
            here["ratings"][0]["level"],
            incoming["ratings"][0]["level"],
        )


def test_a_rating_changed_on_one_side_only_is_taken_without_a_conflict() -> None:
    base = draft()
    office = rated(base, "S1", "good")
    home = edited(base, minutes=3, reflection="I would slow down next time.")

    for result in both_orders(base, office, home):
        assert result.record is not None
        assert result.record["ratings"][0]["level"] == "good"
        assert result.record["reflection"] == "I would slow down next time."
        assert result.conflicts == ()


@pytest.mark.parametrize("base_known", [True, False])
def test_an_unsigned_edit_of_a_record_signed_elsewhere_is_set_aside_in_either_order(
    base_known: bool,
) -> None:
    base = draft()
    in_the_room = signed(base)
    late_edit = edited(base, strengths="Warm and clear. Also: a good ending to the visit.")

    for here, incoming in ((in_the_room, late_edit), (late_edit, in_the_room)):
        result = merge(base if base_known else None, here, incoming)
        assert result.record is not None
        assert result.record["strengths"] == "Warm and clear."
        assert result.record["status"] == "signed"
        assert len(result.record["signatures"]) == 2
        (conflict,) = result.conflicts
        assert conflict.kind is ConflictKind.SET_ASIDE
        edit = conflict.incoming if here is in_the_room else conflict.here
        assert edit == {"strengths": "Warm and clear. Also: a good ending to the visit."}
        assert conflict.kept is (Side.HERE if here is in_the_room else Side.INCOMING)
    assert merge(base, in_the_room, late_edit).writes is False


def test_a_copy_left_as_shared_sets_nothing_aside_when_the_other_side_signed() -> None:
    base = draft()
    finished = signed(edited(base, reflection="Talked it through."))

    for result in both_orders(base, base, finished):
        assert result.record is not None
        assert result.record["reflection"] == "Talked it through."
        assert result.conflicts == ()


def test_both_signed_with_different_content_is_refused() -> None:
    base = draft()
    with pytest.raises(SignedContentDiffers):
        merge(base, signed(base), signed(edited(base, focus="Something else.")))


def test_signatures_and_addenda_are_joined_by_id() -> None:
    record = signed(draft())
    office = with_addendum(record, 200, "A date was wrong: it was the 3rd.")
    home = with_addendum(record, 201, "The family asked for a copy.")

    for result in both_orders(None, office, home):
        assert result.record is not None
        texts = sorted(a["text"] for a in result.record["addenda"])
        assert texts == ["A date was wrong: it was the 3rd.", "The family asked for a copy."]
        assert len(result.record["signatures"]) == 2
        assert result.conflicts == ()


def test_a_draft_deleted_here_and_edited_elsewhere_comes_back() -> None:
    base = draft()
    edited_there = edited(base, reflection="Kept going after the visit.")

    result = merge(base, None, edited_there, deleted_here=True)

    assert result.outcome is Outcome.RESTORED
    assert result.record is not None
    assert result.record["reflection"] == "Kept going after the visit."
    assert merge(None, None, edited_there, deleted_here=True).outcome is Outcome.RESTORED


def test_a_draft_deleted_here_stays_deleted_when_the_copy_arriving_is_as_shared() -> None:
    base = draft()
    result = merge(base, None, base, deleted_here=True)
    assert (result.outcome, result.record) == (Outcome.STAYS_DELETED, None)


def test_action_progress_changed_on_both_sides_keeps_both_events() -> None:
    record = signed(draft())
    office = progressed(record, "done", "Office")
    home = progressed(record, "done", "Home", minutes=2)
    home["revision"] += 1

    for result in both_orders(record, office, home):
        assert result.record is not None
        assert result.record["actions"][0]["done_by"] == "Home"
        (conflict,) = result.conflicts
        assert conflict.kind is ConflictKind.PROGRESS
        assert {conflict.here[2], conflict.incoming[2]} == {"Office", "Home"}


def test_action_progress_from_one_side_moves_a_signed_record_on() -> None:
    record = signed(draft())
    done = progressed(record, "done", "Office")

    for result in both_orders(record, record, done):
        assert result.record is not None
        assert result.record["actions"][0]["status"] == "done"
        assert result.conflicts == ()


def test_an_action_removed_on_one_side_and_edited_on_the_other_stays() -> None:
    base = draft()
    removed = edited(base, actions=[])
    reworded = edited(base, minutes=2)
    reworded["actions"][0]["description"] = "Read the plan with the family and the school."

    for result in both_orders(base, removed, reworded):
        assert result.record is not None
        assert [a["description"] for a in result.record["actions"]] == [
            "Read the plan with the family and the school."
        ]


def test_an_action_removed_on_one_side_and_left_alone_on_the_other_goes() -> None:
    base = draft()
    removed = edited(base, actions=[])
    other = edited(base, minutes=2, focus="Planning with the family and school.")

    for result in both_orders(base, removed, other):
        assert result.record is not None
        assert result.record["actions"] == []


def test_the_same_record_is_unchanged_and_a_later_copy_is_an_update() -> None:
    base = draft()
    later = edited(base, reflection="More thoughts.")

    assert merge(base, base, base).outcome is Outcome.UNCHANGED
    assert merge(None, base, later).outcome is Outcome.UPDATED
    assert merge(base, base, later).outcome is Outcome.UPDATED
    assert merge(base, later, base).outcome is Outcome.UNCHANGED
    assert merge(None, base, None).outcome is Outcome.UNCHANGED
    assert merge(None, None, base).outcome is Outcome.ADDED


@pytest.mark.parametrize("base_known", [True, False])
def test_words_that_happen_to_sit_inside_the_other_sides_are_still_kept(base_known: bool) -> None:
    base = draft()
    home = edited(base, child_voice="She said she is unhappy at school.")
    office = edited(base, minutes=2, child_voice="happy at school.")

    for result in both_orders(base if base_known else None, home, office):
        assert result.record is not None
        words = result.record["child_voice"]
        assert "She said she is unhappy at school." in words
        assert words.count("happy at school.") == 2  # the office's own words, kept as typed
        assert [c.target for c in result.conflicts] == ["child_voice"]


def test_a_signed_records_rating_ids_stay_as_signed_when_the_other_side_rated_first_too() -> None:
    base = draft()
    here = signed(rated(base, "S1", "good"))
    incoming = progressed(edited(base), "done", "Tom")
    for rating in incoming["ratings"]:  # the other laptop rated these standards first too
        rating["id"] = uuid.UUID(int=int(rating["id"]) - 5)

    for result in both_orders(base, here, incoming):
        assert result.record is not None
        signed_ids = {r["standard"]: r["id"] for r in here["ratings"]}
        assert {r["standard"]: r["id"] for r in result.record["ratings"]} == signed_ids
