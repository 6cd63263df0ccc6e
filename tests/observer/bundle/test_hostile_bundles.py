"""Hostile bundles: imported whole and usable, or refused in one sentence with the store
exactly as it was. The one-field fuzz of a valid bundle is in test_bundle.py; these add
hostile values, records re-signed after a change, ids used twice, mangled files and a
store that cannot be written."""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from observer.bundle import export_bundle, import_bundle, read_bundle
from observer.documents.pdf.sample import signature_png
from observer.errors import InvalidBundle, ObserverError, StoreUnwritable
from observer.records.canonical import content_hash
from observer.services import Services, open_services
from tests.support.core import store_snapshot, trusting_bundle
from tests.support.fuzz import json_paths
from tests.support.hostile import (
    CHANGES,
    FUZZ,
    HUGE_TEXT,
    Change,
    edited,
    every_object,
    one_sentence,
    read_only,
)
from tests.support.passphrase import STORE_PASSPHRASE


def test_a_bundle_too_large_to_read_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("observer.bundle.importer.MAX_BUNDLE_BYTES", 1000)
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"format": "practice-observer-bundle", "x": "y" * 1000}))
    with pytest.raises(InvalidBundle, match=r"^huge\.json is larger than 1,000 bytes"):
        read_bundle(path)


class Stores:
    """The base bundle, and stores that already hold half of it, one at a time. A store an
    import was refused by is unchanged (each test checks it), so it serves the next example
    too; one an import changed is thrown away. (Fuzz tests take this rather than the bundle,
    whose repr would swamp the report of a failing example.)"""

    def __init__(self, base: dict[str, Any], template: Path, scratch: Path) -> None:
        self.base = base
        self.template = template
        self.scratch = scratch
        self._open: Services | None = None

    def bundle(self) -> dict[str, Any]:
        return copy.deepcopy(self.base)

    def bundle_file(self) -> bytes:
        """The base bundle as `observer export-json --plain` writes it."""
        return (json.dumps(self.base, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    def current(self) -> Services:
        if self._open is None:
            folder = Path(tempfile.mkdtemp(dir=self.scratch))
            shutil.copytree(self.template, folder, dirs_exist_ok=True)
            self._open = open_services(folder, STORE_PASSPHRASE)
        return self._open

    def discard(self) -> None:
        if self._open is not None:
            self._open.close()
            shutil.rmtree(self._open.data_dir)
            self._open = None


@pytest.fixture(scope="module")
def stores(
    tmp_path_factory: pytest.TempPathFactory, bundle_base: dict[str, Any]
) -> Iterator[Stores]:
    template = tmp_path_factory.mktemp("bad-input-template")
    lived_in = open_services(template, STORE_PASSPHRASE)
    try:
        trusting_bundle(lived_in, bundle_base)
        half = copy.deepcopy(bundle_base)
        half["observations"] = half["observations"][::2]
        import_bundle(lived_in.db, half, "Tester", "half.json")
    finally:
        lived_in.close()
    made = Stores(bundle_base, template, tmp_path_factory.mktemp("bad-input-stores"))
    yield made
    made.discard()


def reseal(record: dict[str, Any]) -> None:
    """Signs the record's changed content again, as someone forging a bundle would, so that
    the hash check does not hide what the change does further in. (New objects: a drawn
    list put in the record must not change after it was drawn.)"""
    try:
        digest = content_hash(record)
    except Exception:  # content no store could hold: the forger's tool fails too
        return
    for name in ("signatures", "addenda"):
        children = record.get(name)
        if isinstance(children, list):
            record[name] = [
                dict(child, content_hash=digest) if isinstance(child, dict) else child
                for child in children
            ]


def imports_or_refuses(stores: Stores, bundle: dict[str, Any]) -> None:
    """The promise: all of it imported and usable, or one sentence and nothing changed."""
    services = stores.current()
    before = store_snapshot(services.db)
    try:
        import_bundle(services.db, bundle, "Tester", "fuzz.json")
    except ObserverError as refused:
        one_sentence(refused)
        assert store_snapshot(services.db) == before
        return
    try:
        stored_records_are_sound(services)
    finally:
        stores.discard()


def stored_records_are_sound(services: Services) -> None:
    """Everything opens, every signature holds its record's hash as stored, and an export
    of the store imports back into it unchanged."""
    for row in services.recording.list():
        services.recording.get(row.id)
    services.people.list_workers()
    services.people.list_teams()
    exported = export_bundle(services.db)
    for record in exported["observations"]:
        digest = content_hash(record)
        assert all(g["content_hash"] == digest for g in record["signatures"]), record["id"]
    again = import_bundle(services.db, exported, "Tester", "again.json")
    assert again.added == again.updated == {}


@settings(max_examples=50, **FUZZ)
@given(
    collection=st.sampled_from(["observations", "observations", "people", "teams", "frameworks"]),
    which=st.integers(0, 100),
    change=CHANGES,
    newer=st.booleans(),
    signed_again=st.booleans(),
)
def test_a_bundle_with_hostile_values_imports_or_is_refused_cleanly(
    stores: Stores,
    collection: str,
    which: int,
    change: Change,
    newer: bool,
    signed_again: bool,
) -> None:
    """One hostile change to one record; an observation may also claim a newer revision
    (so that it replaces the copy in the store) and be signed again over its new content."""
    bundle = stores.bundle()
    record = bundle[collection][which % len(bundle[collection])]
    change.apply(record)
    if collection == "observations":
        if newer:
            record["revision"] = 99
        if signed_again:
            reseal(record)
    imports_or_refuses(stores, bundle)


ID_FIELDS = ("id", "observed_person_id", "observer_id", "owner_id", "manager_id", "team_id")


@settings(max_examples=30, **FUZZ)
@given(
    copies=st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), min_size=1, max_size=3
    ),
    newer=st.booleans(),
)
def test_an_id_used_twice_or_for_another_kind_of_record_is_imported_or_refused_cleanly(
    stores: Stores, copies: list[tuple[int, int]], newer: bool
) -> None:
    """Ids copied between records of one kind or of different kinds, in the bundle or
    already in the store (half the base bundle is)."""
    bundle = stores.bundle()
    every_id = sorted(
        {str(o["id"]) for o in every_object(bundle) if isinstance(o.get("id"), str)}
        | {str(uuid.UUID(int=0))}
    )
    paths = [
        path
        for name in ("teams", "people", "observations")
        for path in json_paths(bundle[name], (name,))
        if path[-1] in ID_FIELDS
    ]
    for where, which in copies:
        path = paths[where % len(paths)]
        target: Any = bundle
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = every_id[which % len(every_id)]
    if newer:
        for record in bundle["observations"]:
            record["revision"] += 1
    imports_or_refuses(stores, bundle)


def _signed(bundle: dict[str, Any]) -> dict[str, Any]:
    return next(o for o in bundle["observations"] if o["status"] == "signed" and o["actions"])


def _other_offset(record: dict[str, Any]) -> None:
    moment = datetime.fromisoformat(record["observed_at"])
    record["observed_at"] = moment.astimezone(timezone(timedelta(hours=1))).isoformat()


def _extra_field(record: dict[str, Any]) -> None:
    record["ratings"][0]["note"] = "added by another tool"


def _field_left_out(record: dict[str, Any]) -> None:
    del record["focus"]


def _basic_date(record: dict[str, Any]) -> None:
    action = record["actions"][0]
    action["due_date"] = (action["due_date"] or "2025-04-30").replace("-", "")


def _padded_level(record: dict[str, Any]) -> None:
    record["ratings"][0]["level"] = " good "


@pytest.mark.parametrize(
    "change", [_other_offset, _extra_field, _field_left_out, _basic_date, _padded_level]
)
def test_a_signed_record_whose_hash_only_fits_its_bundle_text_is_refused(
    services: Services, bundle_base: dict[str, Any], change: Callable[[dict[str, Any]], None]
) -> None:
    """Signed over text that the store keeps in another form (a time in another zone, a
    field it does not keep, a date written without dashes), the record would be altered as
    soon as it was stored: every later check of its signatures would fail."""
    bundle = copy.deepcopy(bundle_base)
    record = _signed(bundle)
    change(record)
    reseal(record)
    before = store_snapshot(services.db)

    with pytest.raises(InvalidBundle) as refused:
        import_bundle(services.db, bundle, "Tester", "bundle.json")

    assert "signatures[0].content_hash does not match the record's content" in one_sentence(
        refused.value
    )
    assert store_snapshot(services.db) == before


def test_a_signed_record_in_another_key_order_imports_and_verifies(
    services: Services, bundle_base: dict[str, Any]
) -> None:
    trusting_bundle(services, bundle_base)
    bundle = copy.deepcopy(bundle_base)
    bundle["observations"] = [
        dict(reversed(list(o.items()))) for o in reversed(bundle["observations"])
    ]
    import_bundle(services.db, bundle, "Tester", "bundle.json")
    stored_records_are_sound(services)


def test_a_record_the_practitioner_signed_before_the_observer_is_refused(
    services: Services, bundle_base: dict[str, Any]
) -> None:
    bundle = copy.deepcopy(bundle_base)
    record = _signed(bundle)
    by_role = {g["role"]: g for g in record["signatures"]}
    moment = datetime.fromisoformat(by_role["observer"]["signed_at"])
    by_role["practitioner"]["signed_at"] = (moment - timedelta(minutes=5)).isoformat()

    with pytest.raises(InvalidBundle, match="practitioner signed before the observer"):
        import_bundle(services.db, bundle, "Tester", "bundle.json")
    assert store_snapshot(services.db)["observations"] == []


def test_an_addendum_to_a_record_not_signed_is_refused(
    services: Services, bundle_base: dict[str, Any]
) -> None:
    bundle = copy.deepcopy(bundle_base)
    addendum = next(a for o in bundle["observations"] for a in o["addenda"])
    draft = next(o for o in bundle["observations"] if o["status"] == "draft")
    draft["addenda"] = [dict(addendum, id=str(uuid.uuid4()))]

    with pytest.raises(InvalidBundle, match="addenda are for signed records"):
        import_bundle(services.db, bundle, "Tester", "bundle.json")
    assert store_snapshot(services.db)["observations"] == []


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        (b"GIF89a" + b"\x00" * 50, "is not a PNG image"),
        (signature_png(3) + b"\x00" * 1_000_000, "is larger than 1,000,000 bytes"),
    ],
    ids=["not-png", "too-large"],
)
def test_a_drawn_signature_sign_off_would_refuse_is_refused(
    services: Services, bundle_base: dict[str, Any], image: bytes, reason: str
) -> None:
    import base64

    bundle = copy.deepcopy(bundle_base)
    signature = next(g for o in bundle["observations"] for g in o["signatures"] if g["image_png"])
    signature["image_png"] = base64.b64encode(image).decode("ascii")

    with pytest.raises(InvalidBundle, match=reason):
        import_bundle(services.db, bundle, "Tester", "bundle.json")


@pytest.mark.parametrize("kind", ["ratings", "actions", "signatures"])
def test_a_childs_id_that_belongs_to_another_record_here_is_refused_by_name(
    services: Services, bundle_base: dict[str, Any], kind: str
) -> None:
    trusting_bundle(services, bundle_base)
    import_bundle(services.db, copy.deepcopy(bundle_base), "Tester", "first.json")
    before = store_snapshot(services.db)
    bundle = copy.deepcopy(bundle_base)
    first, second, *_ = (o for o in bundle["observations"] if o[kind])
    second[kind][0]["id"] = first[kind][0]["id"]
    second["revision"] += 1
    reseal(second)
    bundle["observations"] = [second]

    with pytest.raises(InvalidBundle) as refused:
        import_bundle(services.db, bundle, "Tester", "second.json")

    assert one_sentence(refused.value) == (
        f"second.json: observations[0].{kind}[0].id is already the id of one of the "
        f"{kind} of another observation in this store."
    )
    assert store_snapshot(services.db) == before


def test_a_bundled_framework_that_is_malformed_or_clashes_is_one_sentence(
    services: Services, bundle_base: dict[str, Any]
) -> None:
    bundle = copy.deepcopy(bundle_base)
    bundle["frameworks"][0]["definition"]["version"] = 0
    with pytest.raises(InvalidBundle) as refused:
        import_bundle(services.db, bundle, "Tester", "bundle.json")
    assert one_sentence(refused.value) == (
        "bundle.json: frameworks[0].definition: version must be a whole number from 1 to 1,000,000."
    )

    bundle = copy.deepcopy(bundle_base)
    definition = bundle["frameworks"][0]["definition"]
    definition["name"] += " (edited)"
    with pytest.raises(InvalidBundle) as refused:
        import_bundle(services.db, bundle, "Tester", "bundle.json")
    assert one_sentence(refused.value).startswith(
        f"bundle.json: {definition['key']}: version 1 of {definition['key']} is already "
        "installed with different content"
    )
    assert store_snapshot(services.db)["observations"] == []


def test_a_bundle_of_many_people_is_written_in_a_few_statements(
    services: Services, bundle_base: dict[str, Any]
) -> None:
    """Large arrays are no error, and must not cost a statement a row: 100,000 people
    took half a minute that way."""
    bundle = copy.deepcopy(bundle_base)
    bundle["observations"] = []
    person = bundle["people"][0]
    bundle["people"] += [
        dict(person, id=str(uuid.UUID(int=n + 1)), staff_reference=None) for n in range(20_000)
    ]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(services.db.engine, "before_cursor_execute", count)
    try:
        result = import_bundle(services.db, bundle, "Tester", "everyone.json")
    finally:
        event.remove(services.db.engine, "before_cursor_execute", count)

    assert result.added["people"] == len(bundle["people"])
    assert len(statements) < 100


def test_huge_values_in_a_bundle_are_refused_quickly(
    services: Services, bundle_base: dict[str, Any]
) -> None:
    bundle = copy.deepcopy(bundle_base)
    record = bundle["observations"][0]
    record["strengths"] = HUGE_TEXT
    with pytest.raises(InvalidBundle, match=r"strengths is longer than 50,000 characters"):
        import_bundle(services.db, bundle, "Tester", "bundle.json")
    record["strengths"] = ""
    record["ratings"] = [dict(record["ratings"][0], id=str(uuid.uuid4())) for _ in range(100_000)]
    with pytest.raises(InvalidBundle, match=r"ratings\[1\]\.standard '1' is used twice"):
        import_bundle(services.db, bundle, "Tester", "bundle.json")
    assert store_snapshot(services.db)["observations"] == []


EDITS = st.tuples(
    st.sampled_from(["replace", "delete", "repeat", "insert"]),
    st.integers(0, 10**7),  # where, modulo the length
    st.integers(1, 2000),  # how many bytes
    st.binary(min_size=1, max_size=40),  # what goes in
)


@settings(max_examples=30, **FUZZ)
@given(edits=st.lists(EDITS, min_size=1, max_size=3))
def test_a_bundle_file_with_bytes_changed_imports_or_is_refused_cleanly(
    stores: Stores, edits: list[tuple[str, int, int, bytes]]
) -> None:
    content = stores.bundle_file()
    for edit in edits:
        content = edited(content, *edit)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bundle.json"
        path.write_bytes(content)
        try:
            bundle = read_bundle(path)
        except ObserverError as refused:
            one_sentence(refused)
            return
    imports_or_refuses(stores, bundle)


def _no_room_to_grow(services: Services) -> None:
    """SQLite may not grow the file: it reports a full disk, as it would on a real one."""
    engine = services.db.engine
    with engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()

    def limit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(engine, "connect", limit)
    engine.dispose()


def _make_read_only(services: Services) -> None:
    event.listen(services.db.engine, "connect", read_only)
    services.db.engine.dispose()


@pytest.mark.parametrize(
    ("unwritable", "reason"),
    [(_no_room_to_grow, "the disk is full"), (_make_read_only, "the data folder is read-only")],
    ids=["full-disk", "read-only"],
)
def test_an_import_into_a_store_that_cannot_be_written_is_one_sentence(
    services: Services,
    bundle_base: dict[str, Any],
    unwritable: Callable[[Services], None],
    reason: str,
) -> None:
    before = store_snapshot(services.db)
    unwritable(services)

    with pytest.raises(StoreUnwritable) as refused:
        import_bundle(services.db, copy.deepcopy(bundle_base), "Tester", "bundle.json")

    assert one_sentence(refused.value) == (
        f"The store could not be written because {reason}; nothing was changed."
    )
    assert store_snapshot(services.db) == before


@pytest.mark.parametrize("kind", ["people", "teams"])
def test_a_bundle_naming_someone_with_a_terminal_escape_is_refused(
    services: Services, bundle_base: dict[str, Any], kind: str
) -> None:
    bundle = copy.deepcopy(bundle_base)
    bundle[kind][0]["name"] = "Morag\x1b[2J Campbell"
    before = store_snapshot(services.db)

    with pytest.raises(InvalidBundle, match=r"name holds control characters"):
        import_bundle(services.db, bundle, "Tester", "escaped.json")

    assert store_snapshot(services.db) == before


def test_a_bundle_dating_an_observation_in_the_year_one_is_refused(
    services: Services, bundle_base: dict[str, Any]
) -> None:
    bundle = copy.deepcopy(bundle_base)
    bundle["observations"][0]["observed_at"] = "0001-01-01T00:00:00+00:00"
    before = store_snapshot(services.db)

    with pytest.raises(InvalidBundle, match=r"out of range \(from the year 1900 to 2199\)"):
        import_bundle(services.db, bundle, "Tester", "ancient.json")

    assert store_snapshot(services.db) == before
