"""Two real laptop stores exchanging real bundles through `observer export-json` and
`observer import`, each editing the same draft in between (issue 16): nobody's words are
lost, a value changed on both keeps the later and shows a conflict, a signature made in the
room is never undone, and a draft deleted on one laptop comes back when edited on the other.
`observer conflicts` lists what is left to settle."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from observer.conflicts.service import Choice
from observer.records.merge import Change
from observer.services import Services, open_services
from observer.vocabulary import Role, SignatureRole
from tests.support.commands import observer, one_line_error
from tests.support.core import NewDraft, Staff, audit_trail, trusting
from tests.support.passphrase import STORE_PASSPHRASE
from tests.support.signing import filled


@dataclass
class Laptops:
    office: Services
    home: Services
    record: uuid.UUID
    folder: Path
    sent: int = 0

    def send(self, source: Services, target: Services) -> str:
        """`observer export-json` on one laptop, `observer import` on the other."""
        self.sent += 1
        bundle = self.folder / f"bundle-{self.sent}.json"
        done = observer(source.data_dir, "export-json", "-o", str(bundle))
        assert done.returncode == 0, done.stderr
        done = observer(target.data_dir, "import", str(bundle))
        assert done.returncode == 0, done.stderr
        return done.stdout

    def conflicts(self, laptop: Services) -> list[dict[str, object]]:
        done = observer(laptop.data_dir, "conflicts", "--json")
        assert done.returncode == 0, done.stderr
        found: list[dict[str, object]] = json.loads(done.stdout)
        return found


def _type(laptop: Services, record: uuid.UUID, field: str, added: str) -> None:
    """The editor's autosave of words added to a field."""
    before = getattr(laptop.recording.get(record), field)
    laptop.recording.save(record, [Change(field, before, f"{before} {added}".strip())])


def _rate(laptop: Services, record: uuid.UUID, code: str, level: str) -> None:
    before = next(
        r.level_code for r in laptop.recording.get(record).ratings if r.standard_code == code
    )
    laptop.recording.save(record, [Change(f"rating:{code}:level", before, level)])


def _level(laptop: Services, record: uuid.UUID, code: str) -> str | None:
    return next(
        r.level_code for r in laptop.recording.get(record).ratings if r.standard_code == code
    )


@pytest.fixture
def laptops(
    services: Services, new_draft: NewDraft, staff: Staff, tmp_path: Path
) -> Iterator[Laptops]:
    """The office laptop's draft at revision 5, copied to the home laptop by bundle."""
    services.profiles.set_up("Aled Hughes", Role.PRACTICE_LEAD, "Northshire County Council")
    record = filled(services, new_draft, staff)
    while services.recording.get(record).revision < 5:
        _type(services, record, "focus", "Planning.")
    pair = Laptops(services, services, record, tmp_path)
    home_dir = tmp_path / "home"
    pair.send(services, _Pending(home_dir))  # type: ignore[arg-type]
    pair.home = open_services(home_dir, STORE_PASSPHRASE)
    assert pair.home.recording.get(record).revision == services.recording.get(record).revision
    yield pair
    pair.home.close()


@dataclass
class _Pending:
    """A laptop whose store the first import makes."""

    data_dir: Path


def test_two_laptops_editing_revision_5_of_one_draft_both_keep_both_peoples_words(
    laptops: Laptops,
) -> None:
    office, home, record = laptops.office, laptops.home, laptops.record
    _type(office, record, "strengths", "Office: listened to the child first.")
    _type(home, record, "strengths", "Home: kept the plan in view.")
    assert office.recording.get(record).revision == home.recording.get(record).revision

    said = laptops.send(office, home)
    laptops.send(home, office)

    assert "observations: 0 added, 0 updated, 1 merged with 1 conflict, 0 unchanged" in said
    for laptop in (office, home):
        words = laptop.recording.get(record).strengths
        assert "Office: listened to the child first." in words
        assert "Home: kept the plan in view." in words
    assert office.recording.get(record).strengths == home.recording.get(record).strengths


def test_a_rating_changed_on_both_laptops_keeps_the_later_and_shows_a_conflict(
    laptops: Laptops,
) -> None:
    office, home, record = laptops.office, laptops.home, laptops.record
    _rate(office, record, "1", "requires_improvement")
    _rate(home, record, "1", "outstanding")
    _type(home, record, "reflection", "Talked it through afterwards.")  # home's is later

    laptops.send(home, office)
    laptops.send(office, home)

    for laptop in (office, home):
        assert _level(laptop, record, "1") == "outstanding"
        assert laptop.recording.get(record).reflection == "Talked it through afterwards."
    (shown,) = laptops.conflicts(office)
    assert shown["field"] == "rating:1:level"
    assert shown["label"] == "Rating for 1"
    assert shown["this_laptop"]["value"] == "requires_improvement"  # type: ignore[index]
    assert shown["other"]["value"] == "outstanding"  # type: ignore[index]
    assert shown["record_holds"] == "incoming"
    listed = observer(office.data_dir, "conflicts")
    assert listed.returncode == 0, listed.stderr
    assert "Rating for 1" in listed.stdout
    assert "this laptop (revision" in listed.stdout
    assert ": requires_improvement" in listed.stdout

    office.conflicts.settle(office.conflicts.open()[0].id, Choice.THIS)

    assert _level(office, record, "1") == "requires_improvement"
    trail = audit_trail(office.db, record)
    assert trail.index("merge_conflicts") < trail.index("resolve_conflict")
    assert laptops.conflicts(office) == []
    assert observer(office.data_dir, "conflicts").stdout == "No open conflicts.\n"


@pytest.mark.parametrize("signed_first", [True, False], ids=["signed-first", "edit-first"])
def test_a_signature_made_in_the_room_is_never_undone_by_an_edit_made_elsewhere(
    laptops: Laptops, signed_first: bool
) -> None:
    office, home, record = laptops.office, laptops.home, laptops.record
    office.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    office.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker")
    signed = office.recording.get(record).strengths
    trusting(home, office)
    _type(home, record, "strengths", "Also: a good ending to the visit.")

    if signed_first:  # the edited draft arrives where the record was signed
        laptops.send(home, office)
        laptops.send(office, home)
    else:  # the signed record arrives where the draft was edited
        laptops.send(office, home)
        laptops.send(home, office)

    for laptop in (office, home):
        view = laptop.recording.get(record)
        assert (view.status.value, view.strengths) == ("signed", signed)
    # Its author sees the edit set aside, whichever arrived first; where the edit reached the
    # signed record itself (signed first), that laptop lists it too.
    for laptop in (home, office) if signed_first else (home,):
        (conflict,) = laptop.conflicts.open(record)
        assert conflict.kind.value == "set_aside"
        assert "Also: a good ending to the visit." in conflict.edit_words()
    assert laptops.conflicts(home)[0]["label"] == "An edit set aside from the signed record"

    (conflict,) = home.conflicts.open(record)
    home.signoff.add_addendum(record, conflict.edit_words(), "Aled Hughes")
    home.conflicts.settled_by_addendum(conflict.id)

    assert home.conflicts.open() == []
    (addendum,) = home.signoff.addenda(record)
    assert "Also: a good ending to the visit." in addendum.text
    assert home.recording.get(record).strengths == signed


def test_a_draft_deleted_on_one_laptop_and_edited_on_the_other_comes_back(
    laptops: Laptops,
) -> None:
    office, home, record = laptops.office, laptops.home, laptops.record
    office.recording.delete_draft(record)
    _type(home, record, "reflection", "Written at home after the visit.")

    said = laptops.send(home, office)

    assert "1 deleted here and edited elsewhere, back" in said
    assert office.recording.get(record).reflection == "Written at home after the visit."


def test_a_draft_deleted_here_stays_deleted_when_the_copy_arriving_is_unchanged(
    laptops: Laptops,
) -> None:
    office, home, record = laptops.office, laptops.home, laptops.record
    office.recording.delete_draft(record)

    said = laptops.send(home, office)

    assert "1 deleted here, left deleted" in said
    assert office.recording.list() == []


def test_the_conflicts_of_a_folder_with_no_store_are_one_sentence(tmp_path: Path) -> None:
    done = observer(tmp_path / "nothing-here", "conflicts")
    assert one_line_error(done).endswith(".")


def test_a_bundle_written_before_based_on_still_merges_keeping_both_peoples_words(
    laptops: Laptops,
) -> None:
    office, home, record = laptops.office, laptops.home, laptops.record
    _type(office, record, "strengths", "Office: listened to the child first.")
    _type(home, record, "strengths", "Home: kept the plan in view.")
    bundle = laptops.folder / "older.json"
    done = observer(home.data_dir, "export-json", "-o", str(bundle), "--plain")
    assert done.returncode == 0, done.stderr
    older = json.loads(bundle.read_text(encoding="utf-8"))
    del older["exported_by"]
    for o in older["observations"]:
        o.pop("based_on", None)
    bundle.write_text(json.dumps(older), encoding="utf-8")

    done = observer(office.data_dir, "import", str(bundle))

    assert done.returncode == 0, done.stderr
    assert "1 merged with 1 conflict" in done.stdout
    words = office.recording.get(record).strengths
    assert "Office: listened to the child first." in words
    assert "Home: kept the plan in view." in words
    (shown,) = laptops.conflicts(office)
    assert shown["other"]["exported_by"] is None  # type: ignore[index]


def test_a_draft_marked_ready_on_one_laptop_is_ready_on_the_other(laptops: Laptops) -> None:
    office, home, record = laptops.office, laptops.home, laptops.record
    home.recording.mark_ready(record)

    said = laptops.send(home, office)

    assert "0 unchanged" in said  # its status differs: never reported unchanged
    assert office.recording.get(record).status.value == "ready"


def test_an_action_done_on_one_laptop_is_done_on_the_other(laptops: Laptops) -> None:
    office, home, record = laptops.office, laptops.home, laptops.record
    action = home.recording.get(record).actions[0].id
    home.actions.complete_action(action, "Aled Hughes")

    laptops.send(home, office)

    done = next(a for a in office.recording.get(record).actions if a.id == action)
    assert done.status.value == "done"
