"""Reading a bundle: every field of every record checked before anything is written."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass, field
from typing import Any

from observer.bundle.export import FORMAT_NAME, FORMAT_VERSION
from observer.errors import InvalidBundle, InvalidFramework
from observer.records.frameworks import parse_framework
from observer.records.recording import TEXT_FIELDS, text_limit
from observer.service.plan import ImprovementPlan, InvalidPlan, parse_plan
from observer.store.models import MAX_REVISION
from observer.validation import Fields, shown
from observer.vocabulary import (
    ActionStatus,
    Kind,
    Role,
    SignatureRole,
    Status,
    observation_day,
)

# A drawing is held to what sign-off accepts (observer.records.sign_off, which imports this
# package).
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_DRAWING_BYTES = 1_000_000
MAX_CERTIFICATE_BYTES = 64_000


@dataclass
class CheckedBundle:
    frameworks: list[dict[str, Any]]
    teams: list[dict[str, Any]]
    people: list[dict[str, Any]]
    observations: list[dict[str, Any]]
    # Who exported it (optional: bundles before it lack it), shown beside its conflicts.
    exported_by: str = ""
    # The improvement plan's versions, oldest first (optional: bundles before it lack them).
    improvement_plans: list[ImprovementPlan] = field(default_factory=list)
    # Moderation records and the Board's commentaries (optional: observer/bundle/quality.py).
    moderation_samples: list[dict[str, Any]] = field(default_factory=list)
    moderations: list[dict[str, Any]] = field(default_factory=list)
    commentaries: list[dict[str, Any]] = field(default_factory=list)


class BundleReader:
    """Turns decoded JSON into plain column values, checking every field on the way."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.f = Fields(lambda where, reason: InvalidBundle(f"{source}: {where} {reason}."))

    def read(self, data: dict[str, Any]) -> CheckedBundle:
        f = self.f
        if data.get("format") != FORMAT_NAME:
            raise InvalidBundle(f"{self.source} is not a Practice Observer bundle.")
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise InvalidBundle(
                f"{self.source} has bundle format {shown(version)}; this version of Practice "
                f"Observer reads format {FORMAT_VERSION}."
            )
        bundle = CheckedBundle(
            frameworks=[
                self.framework(item, f"frameworks[{i}]")
                for i, item in enumerate(f.array(data.get("frameworks", []), "frameworks"))
            ],
            teams=[
                self.team(item, f"teams[{i}]")
                for i, item in enumerate(f.array(data.get("teams", []), "teams"))
            ],
            people=[
                self.person(item, f"people[{i}]")
                for i, item in enumerate(f.array(data.get("people", []), "people"))
            ],
            observations=[
                self.observation(item, f"observations[{i}]")
                for i, item in enumerate(f.array(data.get("observations", []), "observations"))
            ],
            exported_by=f.text(data, "exported_by", "bundle", required=False, max_len=200) or "",
            improvement_plans=[
                self.improvement_plan(item, f"improvement_plans[{i}]")
                for i, item in enumerate(
                    f.array(data.get("improvement_plans", []), "improvement_plans", 0, 1000)
                )
            ],
        )
        from observer.bundle.quality import QualityReader

        (
            bundle.moderation_samples,
            bundle.moderations,
            bundle.commentaries,
        ) = QualityReader(self).read(data)
        for name in ("teams", "people", "observations"):
            records = getattr(bundle, name)
            f.unique([str(r["id"]) for r in records], name, "id")
        f.unique([r["name"].casefold() for r in bundle.teams], "teams", "name")
        for child in ("ratings", "actions", "signatures", "addenda"):
            seen: set[uuid.UUID] = set()
            for index, o in enumerate(bundle.observations):
                for position, record in enumerate(o[child]):
                    if record["id"] in seen:
                        raise f.fail(
                            f"observations[{index}].{child}[{position}].id",
                            f"{record['id']} is used twice",
                        )
                    seen.add(record["id"])
        return bundle

    def record(self, obj: dict[str, Any], where: str) -> dict[str, Any]:
        f = self.f
        return {
            "id": f.identifier(obj, "id", where),
            "created_at": f.moment(obj, "created_at", where),
            "updated_at": f.moment(obj, "updated_at", where),
            # Any revision a store can hold (observer.store.models.MAX_REVISION): a record
            # edited after arriving at a high revision must still travel on.
            "revision": f.integer(obj, "revision", where, low=1, high=MAX_REVISION),
        }

    def framework(self, item: Any, where: str) -> dict[str, Any]:
        obj = self.f.mapping(item, where)
        definition_source = f"{self.source}: {where}.definition"
        try:
            definition = parse_framework(obj.get("definition"), definition_source)
        except InvalidFramework as exc:
            raise InvalidBundle(str(exc)) from None
        return {"definition": definition}

    def improvement_plan(self, item: Any, where: str) -> ImprovementPlan:
        """A version of the plan, checked as a plan file is (the standards it maps are
        checked against the frameworks once those of the bundle are installed)."""
        obj = self.f.mapping(item, where)
        try:
            plan = parse_plan(obj.get("definition"), f"{self.source}: {where}.definition")
        except InvalidPlan as exc:
            raise InvalidBundle(str(exc)) from None
        given = obj.get("content_hash")
        if given is not None and given != plan.content_hash():
            raise self.f.fail(f"{where}.content_hash", "does not match its definition")
        return plan

    def team(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        return {
            **self.record(obj, where),
            "name": f.name(obj, where),
            "manager_id": f.identifier(obj, "manager_id", where, required=False),
        }

    def person(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        reference = f.text(obj, "staff_reference", where, required=False, max_len=60)
        return {
            **self.record(obj, where),
            "name": f.name(obj, where),
            "role": f.choice(obj, "role", where, {r.value for r in Role}),
            "team_id": f.identifier(obj, "team_id", where, required=False),
            "staff_reference": reference or None,
            "active": f.boolean(obj, "active", where),
            # Optional: bundles written before these existed lack them.
            "left_on": f.day(obj, "left_on", where),
            "asye_started_on": f.day(obj, "asye_started_on", where),
        }

    def observation(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        framework = f.mapping(obj.get("framework"), f"{where}.framework")
        values: dict[str, Any] = {
            **self.record(obj, where),
            "framework": (
                f.text(framework, "key", f"{where}.framework", max_len=60),
                f.integer(framework, "version", f"{where}.framework", low=1),
            ),
            "observed_person_id": f.identifier(obj, "observed_person_id", where),
            "observer_id": f.identifier(obj, "observer_id", where),
            "kind": f.choice(obj, "kind", where, {k.value for k in Kind}),
            "observed_at": f.moment(obj, "observed_at", where),
            "duration_minutes": f.integer(
                obj, "duration_minutes", where, required=False, low=1, high=24 * 60
            ),
            "family_present": f.boolean(obj, "family_present", where),
            "status": f.choice(obj, "status", where, {s.value for s in Status}),
            "overall_level": f.text(obj, "overall_level", where, required=False, max_len=40)
            or None,
        }
        for name in TEXT_FIELDS:
            values[name] = f.text(
                obj, name, where, required=False, max_len=text_limit(name), strip=False
            )
        values["based_on"] = self.based_on(obj, where)
        values["shown_at_signing"] = self.shown_at_signing(obj, where)
        values["wording_at_signing"] = self.wording_at_signing(obj, where)
        values["ratings"] = [
            self.rating(r, f"{where}.ratings[{i}]")
            for i, r in enumerate(f.array(obj.get("ratings", []), f"{where}.ratings"))
        ]
        f.unique([r["standard"] for r in values["ratings"]], f"{where}.ratings", "standard")
        values["actions"] = [
            self.action(a, f"{where}.actions[{i}]")
            for i, a in enumerate(f.array(obj.get("actions", []), f"{where}.actions"))
        ]
        kept = self.ids_at_signing(obj, where)
        if kept:
            values["held_as"] = self.held_as(values, kept)
        values["signatures"] = [
            self.signature(x, f"{where}.signatures[{i}]")
            for i, x in enumerate(f.array(obj.get("signatures", []), f"{where}.signatures"))
        ]
        # A record signed before this rule keeps what was signed: its content cannot change,
        # and refusing it would leave it on one laptop for good.
        day = observation_day(values["observed_at"])
        for i, action in enumerate(values["actions"]):
            if values["signatures"] or action["due_date"] is None or action["due_date"] >= day:
                continue
            raise f.fail(
                f"{where}.actions[{i}].due_date",
                f"is {action['due_date'].isoformat()}, before the observation's date "
                f"({day.isoformat()}), and an action cannot be due before it was agreed",
            )
        values["addenda"] = [
            self.addendum(x, f"{where}.addenda[{i}]")
            for i, x in enumerate(f.array(obj.get("addenda", []), f"{where}.addenda"))
        ]
        # Whether each signature holds the content it signed is checked on the record as
        # stored (importer), since that is the content its hash is taken of from then on.
        self.check_signing(values, where)
        return values

    def rating(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        return {
            **self.record(obj, where),
            "standard": f.text(obj, "standard", where, max_len=20),
            "level": f.text(obj, "level", where, required=False, max_len=40) or None,
            "evidence": f.text(obj, "evidence", where, required=False, max_len=50_000, strip=False),
        }

    def action(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        standards = [
            f.string(code, f"{where}.standards[{index}]", max_len=20)
            for index, code in enumerate(
                f.array(obj.get("standards", []), f"{where}.standards", 0, 50)
            )
        ]
        return {
            **self.record(obj, where),
            "description": f.text(obj, "description", where, max_len=50_000, strip=False),
            "owner_id": f.identifier(obj, "owner_id", where, required=False),
            "due_date": f.day(obj, "due_date", where),
            "status": f.choice(obj, "status", where, {s.value for s in ActionStatus}),
            "done_at": f.moment(obj, "done_at", where, required=False),
            "done_by": f.text(obj, "done_by", where, required=False, max_len=200),
            "position": f.integer(obj, "position", where, low=0),
            "standards": sorted(set(standards)),
        }

    def ids_at_signing(self, obj: dict[str, Any], where: str) -> dict[str, Any] | None:
        """The ids a signed record was signed with that a merge of people has replaced since
        (optional: the pull feed carries it; docs/sync-protocol.md)."""
        f = self.f
        here = f"{where}.ids_at_signing"
        if obj.get("ids_at_signing") is None:
            return None
        given = f.mapping(obj["ids_at_signing"], here)
        kept: dict[str, Any] = {}
        for name in ("observed_person_id", "observer_id"):
            found = f.identifier(given, name, here, required=False)
            if found is not None:
                kept[name] = str(found)
        where_owners = f"{here}.action_owners"
        owners = f.mapping(given.get("action_owners", {}), where_owners)
        if owners:
            kept["action_owners"] = {
                str(f.identifier({key: key}, key, where_owners)): str(
                    f.identifier(owners, key, where_owners)
                )
                for key in owners
            }
        return kept

    @staticmethod
    def held_as(values: dict[str, Any], kept: dict[str, Any]) -> dict[str, Any]:
        """Puts the ids the record was signed with in `values` (what its signatures cover,
        as a stored record's document has them) and returns what the store references:
        the people named now, with `kept` as the record's `ids_at_signing`."""
        held = {
            "references": {
                "observed_person_id": values["observed_person_id"],
                "observer_id": values["observer_id"],
                "ids_at_signing": kept,
            },
            "owners": {action["id"]: action["owner_id"] for action in values["actions"]},
        }
        for name in ("observed_person_id", "observer_id"):
            if name in kept:
                values[name] = uuid.UUID(kept[name])
        owners = kept.get("action_owners", {})
        for action in values["actions"]:
            if str(action["id"]) in owners:
                action["owner_id"] = uuid.UUID(owners[str(action["id"])])
        return held

    def based_on(self, obj: dict[str, Any], where: str) -> list[str]:
        """The content hashes of the states the exporting store shared the record in,
        newest first (optional: bundles before it lack it)."""
        here = f"{where}.based_on"
        return [
            self.sha256({"hash": item}, here, "hash")
            for item in self.f.array(obj.get("based_on", []), here, 0, 50)
        ]

    def shown_at_signing(self, obj: dict[str, Any], where: str) -> dict[str, Any] | None:
        """The names and framework wording kept when the observer signed, or None."""
        if obj.get("shown_at_signing") is None:
            return None
        f = self.f
        here = f"{where}.shown_at_signing"
        shown = f.mapping(obj["shown_at_signing"], here)
        owners = f.mapping(shown.get("action_owners", {}), f"{here}.action_owners")
        framework = f.mapping(shown.get("framework"), f"{here}.framework")
        return {
            "observed_person": f.text(shown, "observed_person", here, max_len=200),
            "observer": f.text(shown, "observer", here, max_len=200),
            "action_owners": {
                f.string(key, f"{here}.action_owners", max_len=100, strip=False): f.text(
                    owners, key, f"{here}.action_owners", max_len=200
                )
                for key in owners
            },
            "framework": {
                "name": f.text(framework, "name", f"{here}.framework", max_len=200),
                "version": f.integer(framework, "version", f"{here}.framework", low=1),
                "content_hash": f.text(framework, "content_hash", f"{here}.framework", max_len=64),
            },
        }

    def wording_at_signing(self, obj: dict[str, Any], where: str) -> dict[str, Any] | None:
        """The names and wording kept when the observer signed (schema 0008), or None."""
        if obj.get("wording_at_signing") is None:
            return None
        f = self.f
        here = f"{where}.wording_at_signing"
        wording = f.mapping(obj["wording_at_signing"], here)
        names = self.shown_at_signing({"shown_at_signing": wording}, where)
        assert names is not None

        def words(name: str, limit: int) -> dict[str, str]:
            given = f.mapping(wording.get(name, {}), f"{here}.{name}")
            return {
                f.string(key, f"{here}.{name}", max_len=40, strip=False): f.text(
                    given, key, f"{here}.{name}", max_len=limit, strip=False
                )
                for key in given
            }

        return {**names, "standards": words("standards", 300), "levels": words("levels", 100)}

    def check_signing(self, values: dict[str, Any], where: str) -> None:
        """Signatures in the order sign-off allows, each role once, agreeing with the status;
        addenda only on a signed record."""
        roles = [signature["role"] for signature in values["signatures"]]
        self.f.unique(roles, f"{where}.signatures", "role")
        signed = set(roles)
        locked = values["status"] == Status.SIGNED.value
        if values["addenda"] and not locked:
            raise self.f.fail(f"{where}.addenda", "are for signed records, and this one is not")
        # Both sign in the room, on one laptop, so one clock: the observer signs first. (A
        # manager may countersign later on another laptop, whose clock may differ.)
        times = {signature["role"]: signature["signed_at"] for signature in values["signatures"]}
        observer, practitioner = SignatureRole.OBSERVER.value, SignatureRole.PRACTITIONER.value
        if observer in times and practitioner in times and times[practitioner] < times[observer]:
            raise self.f.fail(
                f"{where}.signatures",
                "are out of turn: the practitioner signed before the observer",
            )
        both = {SignatureRole.OBSERVER.value, SignatureRole.PRACTITIONER.value}
        if locked and not both <= signed:
            raise self.f.fail(
                f"{where}.status",
                "is signed, but the observer and the practitioner have not both signed",
            )
        if not locked and signed & {SignatureRole.PRACTITIONER.value, SignatureRole.MANAGER.value}:
            raise self.f.fail(
                f"{where}.status",
                "is not signed, but the record carries a practitioner's or manager's signature",
            )
        if signed and SignatureRole.OBSERVER.value not in signed:
            raise self.f.fail(
                f"{where}.signatures", "lack the observer's signature, which comes first"
            )

    def signature(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        return {
            **self.record(obj, where),
            "role": f.choice(obj, "role", where, {r.value for r in SignatureRole}),
            "name": f.name(obj, where),
            "image_png": self.image(obj, where),
            "signed_at": f.moment(obj, "signed_at", where),
            "comment": f.text(obj, "comment", where, required=False, max_len=5000, strip=False),
            "content_hash": self.sha256(obj, where),
            **self.sealed(obj, where),
        }

    def addendum(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        return {
            **self.record(obj, where),
            "text": f.text(obj, "text", where, max_len=50_000, strip=False),
            "author_name": f.text(obj, "author_name", where, max_len=200),
            "image_png": self.image(obj, where),
            "signed_at": f.moment(obj, "signed_at", where),
            "content_hash": self.sha256(obj, where),
            **self.sealed(obj, where),
        }

    def sealed(self, obj: dict[str, Any], where: str) -> dict[str, Any]:
        """A sign-off's own hash and the digital signature on it with the certificate of the
        laptop where it was made (schema 0008; absent from earlier bundles)."""
        own = obj.get("own_hash") or ""
        if own:
            own = self.sha256(obj, where, "own_hash")
        return {
            "own_hash": own,
            "certificate": self.binary(obj, "certificate", where, MAX_CERTIFICATE_BYTES),
            "digital_signature": self.binary(obj, "digital_signature", where, 2_000),
        }

    def binary(self, obj: dict[str, Any], name: str, where: str, limit: int) -> bytes | None:
        text = self.f.text(obj, name, where, required=False, max_len=limit * 2)
        if not text:
            return None
        try:
            value = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise self.f.fail(f"{where}.{name}", "is not base64") from None
        if len(value) > limit:
            raise self.f.fail(f"{where}.{name}", f"is larger than {limit:,} bytes")
        return value

    def image(self, obj: dict[str, Any], where: str) -> bytes | None:
        text = self.f.text(obj, "image_png", where, required=False, max_len=MAX_DRAWING_BYTES * 2)
        if not text:
            return None
        try:
            image = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise self.f.fail(f"{where}.image_png", "is not base64") from None
        if not image.startswith(PNG_MAGIC):
            raise self.f.fail(f"{where}.image_png", "is not a PNG image")
        if len(image) > MAX_DRAWING_BYTES:
            raise self.f.fail(f"{where}.image_png", f"is larger than {MAX_DRAWING_BYTES:,} bytes")
        return image

    def sha256(self, obj: dict[str, Any], where: str, name: str = "content_hash") -> str:
        value = self.f.text(obj, name, where, max_len=64)
        if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
            raise self.f.fail(f"{where}.{name}", "is not a SHA-256 in hexadecimal")
        return value
