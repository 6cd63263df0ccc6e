"""Stories of the sync state machine (test_sync_invariants.py) that its random ones reach
rarely: records retention removes while laptops hold changes of them, a bundle carrying a
removed record back, and a draft its writer deleted after a bundle carried it to the
manager. Each is one TeamSync, whose teardown syncs all three laptops fully and checks
every invariant."""

from __future__ import annotations

from tests.observer.sync.test_sync_invariants import (  # noqa: F401  (team_server: fixture)
    Server,
    TeamSync,
    team_server,
)
from tests.support.team_retention import outbox_of
from tests.support.team_world import TEAM, WORKERS


def _records_removed_while_laptops_hold_changes_of_them_go_everywhere_and_say_so() -> None:
    """Retention removes a worker's records while lead A holds an edit, a sign-off and an
    addendum of them and the manager an action done, none sent: A's push is refused in one
    sentence, the manager learns of it by pulling; after a full sync nothing of them is
    anywhere, and both laptops show the sentence (teardown checks)."""
    story = TeamSync()
    try:
        worker = next(name for name, team in WORKERS.items() if team == TEAM)
        edited, signing, signed = (story.create_draft("A", worker) for _ in range(3))
        story.observer_signs(signed)
        story.practitioner_signs(signed)
        story.laptop_syncs("A")
        story.laptop_syncs("M")
        story.edit_text(edited, "strengths")
        story.observer_signs(signing)
        story.add_addendum(signed)
        story.action_progress(edited, "M", True)
        assert "addendum" in story.typed[signed].words
        assert set(outbox_of(story.laptop("A"), story.typed)) == {edited, signing, signed}
        assert set(outbox_of(story.laptop("M"), story.typed)) == {edited}
        story.worker_leaves_or_returns(worker, True)
        story.administrator_applies_retention(1)
        assert story.removed == {edited, signing, signed}
        story.laptop_pushes("A")
        story.laptop_pulls("M")
    finally:
        story.teardown()


def _a_bundle_does_not_bring_back_a_record_retention_removed() -> None:
    """Lead B has dropped a removed record; lead A, not yet synced, still holds it and
    carries it to B in a bundle: B's push of it is refused in one sentence, and B drops it
    again (the server's tombstone is behind B's cursor, so no pull would)."""
    story = TeamSync()
    try:
        worker = next(name for name, team in WORKERS.items() if team == TEAM)
        record = story.create_draft("A", worker)
        story.laptop_syncs("A")
        story.laptop_syncs("B")
        story.worker_leaves_or_returns(worker, True)
        story.administrator_applies_retention(1)
        story.laptop_syncs("B")
        assert story.held("B", record) is None
        story.carry_a_bundle("A", "B", worker)
        assert story.held("B", record) is not None
        story.laptop_syncs("B")
    finally:
        story.teardown()


def _a_draft_its_writer_deleted_leaves_the_laptop_a_bundle_carried_it_to() -> None:
    """Lead B's draft reaches the manager's laptop in a bundle before any pull; B deletes
    it. The manager's push of it is refused (only its writer may bring a deleted draft
    back), and the manager's copy must go all the same (it stayed for good)."""
    story = TeamSync()
    try:
        worker = next(name for name, team in WORKERS.items() if team == TEAM)
        record = story.create_draft("B", worker)
        story.laptop_syncs("B")
        story.carry_a_bundle("B", "M", worker)
        story.delete_draft(record)
        story.laptop_syncs("B")
        story.laptop_syncs("M")
    finally:
        story.teardown()


def test_retention_and_deletion_stories_the_random_ones_reach_rarely(
    team_server: Server,  # noqa: F811  (the fixture imported above)
) -> None:
    """One after another on the one world (each story a fresh copy of it): a world costs
    seconds to make, a copy a fraction of one."""
    TeamSync.server = team_server
    _records_removed_while_laptops_hold_changes_of_them_go_everywhere_and_say_so()
    _a_bundle_does_not_bring_back_a_record_retention_removed()
    _a_draft_its_writer_deleted_leaves_the_laptop_a_bundle_carried_it_to()
