"""Moderation records and the Board's commentary in a bundle: written out, and read back with
every field checked before anything is written (observer/bundle/quality_import.py writes).

A moderation travels as made: its own hash and the moderator's laptop's digital signature
with it, its ratings as framework codes; the notes raising it with the observer travel with
it. A sample travels with the observations it chose (ids only). A commentary is the QA
lead's words for one period and scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from observer.records.canonical import b64, iso, record_fields, ref
from observer.service.commentary import MAX_CHARACTERS
from observer.service.moderation_record import MAX_COMMENT, MAX_NAME, MAX_NOTE
from observer.service.moderation_sample import MAX_REASON, MAX_SEED
from observer.store.commentary import ALL_TEAMS, BoardCommentary
from observer.store.models import Framework, RatingLevel, Standard
from observer.store.moderation_tables import Moderation, ModerationSample

SAMPLES, MODERATIONS, COMMENTARIES = "moderation_samples", "moderations", "board_commentaries"


# Writing


def quality_json(s: Session, observation_ids: Collection[uuid.UUID] | None) -> dict[str, Any]:
    """The moderation records and commentaries to export: all of them, or (for some workers'
    records) the moderations of those observations only; samples and commentaries are about
    the whole service and go only with every record."""
    moderations = select(Moderation).options(
        selectinload(Moderation.ratings), selectinload(Moderation.notes)
    )
    if observation_ids is not None:
        moderations = moderations.where(Moderation.observation_id.in_(list(observation_ids)))
    codes = framework_codes(s)
    found: dict[str, Any] = {
        MODERATIONS: [
            moderation_json(m, codes)
            for m in s.scalars(moderations.order_by(Moderation.signed_at, Moderation.id))
        ]
    }
    if observation_ids is None:
        samples = select(ModerationSample).options(selectinload(ModerationSample.items))
        found[SAMPLES] = [
            sample_json(sample) for sample in s.scalars(samples.order_by(ModerationSample.drawn_at))
        ]
        commentaries = select(BoardCommentary).order_by(
            BoardCommentary.period_first, BoardCommentary.scope
        )
        found[COMMENTARIES] = [commentary_json(c) for c in s.scalars(commentaries)]
    return found


def framework_codes(s: Session) -> dict[uuid.UUID, Any]:
    """Frameworks as (key, version), standards and levels as codes, by id."""
    found: dict[uuid.UUID, Any] = {
        row.id: (row.key, row.version)
        for row in s.execute(select(Framework.id, Framework.key, Framework.version))
    }
    for model in (Standard, RatingLevel):
        found |= {row.id: row.code for row in s.execute(select(model.id, model.code))}
    return found


def moderation_json(m: Moderation, codes: dict[uuid.UUID, Any]) -> dict[str, Any]:
    key, version = codes[m.framework_id]
    return {
        **record_fields(m),
        "observation_id": str(m.observation_id),
        "sample_id": ref(m.sample_id),
        "observation_hash": m.observation_hash,
        "framework": {"key": key, "version": version},
        "moderator_id": str(m.moderator_id),
        "moderator_name": m.moderator_name,
        "ratings": sorted(
            (
                {
                    "standard": codes[r.standard_id],
                    "level": None if r.level_id is None else codes[r.level_id],
                }
                for r in m.ratings
            ),
            key=lambda r: str(r["standard"]),
        ),
        "overall_level": None if m.overall_level_id is None else codes[m.overall_level_id],
        "comment": m.comment,
        "signed_at": iso(m.signed_at),
        "content_hash": m.content_hash,
        "certificate": b64(m.certificate),
        "digital_signature": b64(m.digital_signature),
        "notes": [
            {
                **record_fields(n),
                "text": n.text,
                "author_name": n.author_name,
                "written_at": iso(n.written_at),
                "content_hash": n.content_hash,
            }
            for n in m.notes
        ],
    }


def sample_json(sample: ModerationSample) -> dict[str, Any]:
    return {
        **record_fields(sample),
        "period_from": iso(sample.period_from),
        "period_to": iso(sample.period_to),
        "percent": sample.percent,
        "seed": sample.seed,
        "drawn_by": sample.drawn_by,
        "drawn_at": iso(sample.drawn_at),
        "supersedes_id": ref(sample.supersedes_id),
        "reason": sample.reason,
        "content_hash": sample.content_hash,
        "observations": [
            {
                "observation_id": str(item.observation_id),
                "observer_id": str(item.observer_id),
                "position": item.position,
            }
            for item in sample.items
        ],
    }


def commentary_json(c: BoardCommentary) -> dict[str, Any]:
    return {
        **record_fields(c),
        "period_first": iso(c.period_first),
        "period_last": iso(c.period_last),
        "scope": c.scope,
        "text": c.text,
        "written_by": c.written_by,
    }


# Reading


class QualityReader:
    """Checks the moderation records and commentaries of a decoded bundle, field by field."""

    def __init__(self, reader: Any) -> None:
        """`reader`: the BundleReader reading the rest (its record, sha256 and binary
        checks), which imports this module."""
        self.r = reader
        self.f = reader.f

    def read(self, data: dict[str, Any]) -> tuple[list[Any], list[Any], list[Any]]:
        f = self.f
        samples = [
            self.sample(item, f"{SAMPLES}[{i}]")
            for i, item in enumerate(f.array(data.get(SAMPLES, []), SAMPLES, 0, 100_000))
        ]
        moderations = [
            self.moderation(item, f"{MODERATIONS}[{i}]")
            for i, item in enumerate(f.array(data.get(MODERATIONS, []), MODERATIONS))
        ]
        commentaries = [
            self.commentary(item, f"{COMMENTARIES}[{i}]")
            for i, item in enumerate(f.array(data.get(COMMENTARIES, []), COMMENTARIES, 0, 100_000))
        ]
        for name, records in (
            (SAMPLES, samples),
            (MODERATIONS, moderations),
            (COMMENTARIES, commentaries),
        ):
            f.unique([str(r["id"]) for r in records], name, "id")
        f.unique(
            [f"{c['period_first']} {c['period_last']} {c['scope']}" for c in commentaries],
            COMMENTARIES,
            "period and scope",
        )
        seen: set[uuid.UUID] = set()
        for i, m in enumerate(moderations):
            for j, note in enumerate(m["notes"]):
                if note["id"] in seen:
                    raise f.fail(f"{MODERATIONS}[{i}].notes[{j}].id", f"{note['id']} is used twice")
                seen.add(note["id"])
        return samples, moderations, commentaries

    def sample(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        values = {
            **self.r.record(obj, where),
            "period_from": self._day(obj, "period_from", where),
            "period_to": self._day(obj, "period_to", where),
            "percent": f.integer(obj, "percent", where, low=1, high=100),
            "seed": f.integer(obj, "seed", where, low=0, high=MAX_SEED),
            "drawn_by": f.text(obj, "drawn_by", where, max_len=MAX_NAME, strip=False),
            "drawn_at": f.moment(obj, "drawn_at", where),
            "supersedes_id": f.identifier(obj, "supersedes_id", where, required=False),
            "reason": f.text(obj, "reason", where, required=False, max_len=MAX_REASON, strip=False),
            "content_hash": self.r.sha256(obj, where),
        }
        if values["period_to"] < values["period_from"]:
            raise f.fail(f"{where}.period_to", "is before the period's first day")
        here = f"{where}.observations"
        items = []
        for i, entry in enumerate(f.array(obj.get("observations", []), here, 0, 100_000)):
            there = f"{here}[{i}]"
            given = f.mapping(entry, there)
            items.append(
                {
                    "observation_id": f.identifier(given, "observation_id", there),
                    "observer_id": f.identifier(given, "observer_id", there),
                    "position": f.integer(given, "position", there, low=0, high=100_000),
                }
            )
        f.unique([str(i["observation_id"]) for i in items], here, "observation_id")
        values["items"] = items
        return values

    def moderation(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        framework = f.mapping(obj.get("framework"), f"{where}.framework")
        values: dict[str, Any] = {
            **self.r.record(obj, where),
            "observation_id": f.identifier(obj, "observation_id", where),
            "sample_id": f.identifier(obj, "sample_id", where, required=False),
            "observation_hash": self.r.sha256(obj, where, "observation_hash"),
            "framework": (
                f.text(framework, "key", f"{where}.framework", max_len=60),
                f.integer(framework, "version", f"{where}.framework", low=1),
            ),
            "moderator_id": f.identifier(obj, "moderator_id", where),
            "moderator_name": f.text(obj, "moderator_name", where, max_len=MAX_NAME, strip=False),
            "overall_level": f.text(obj, "overall_level", where, max_len=40, strip=False),
            "comment": f.text(
                obj, "comment", where, required=False, max_len=MAX_COMMENT, strip=False
            ),
            "signed_at": f.moment(obj, "signed_at", where),
            "content_hash": self.r.sha256(obj, where),
            "certificate": self.r.binary(obj, "certificate", where, 64_000),
            "digital_signature": self.r.binary(obj, "digital_signature", where, 2_000),
        }
        here = f"{where}.ratings"
        ratings: list[dict[str, Any]] = []
        for i, entry in enumerate(f.array(obj.get("ratings", []), here, 0, 200)):
            there = f"{here}[{i}]"
            given = f.mapping(entry, there)
            ratings.append(
                {
                    "standard": f.text(given, "standard", there, max_len=20, strip=False),
                    "level": f.text(given, "level", there, required=False, max_len=40) or None,
                }
            )
        f.unique([str(r["standard"]) for r in ratings], here, "standard")
        values["ratings"] = ratings
        here = f"{where}.notes"
        values["notes"] = [
            self.note(entry, f"{here}[{i}]")
            for i, entry in enumerate(f.array(obj.get("notes", []), here, 0, 1000))
        ]
        return values

    def note(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        return {
            **self.r.record(obj, where),
            "text": f.text(obj, "text", where, max_len=MAX_NOTE, strip=False),
            "author_name": f.text(obj, "author_name", where, max_len=MAX_NAME, strip=False),
            "written_at": f.moment(obj, "written_at", where),
            "content_hash": self.r.sha256(obj, where),
        }

    def commentary(self, item: Any, where: str) -> dict[str, Any]:
        f = self.f
        obj = f.mapping(item, where)
        values = {
            **self.r.record(obj, where),
            "period_first": self._day(obj, "period_first", where),
            "period_last": self._day(obj, "period_last", where),
            "scope": f.text(obj, "scope", where, max_len=32),
            "text": f.text(obj, "text", where, required=False, max_len=MAX_CHARACTERS, strip=False),
            "written_by": f.text(obj, "written_by", where, max_len=MAX_NAME, strip=False),
        }
        if values["period_last"] < values["period_first"]:
            raise f.fail(f"{where}.period_last", "is before the period's first day")
        scope = values["scope"]
        if scope != ALL_TEAMS:
            try:
                known = uuid.UUID(hex=scope).hex == scope
            except ValueError:
                known = False
            if not known:
                raise f.fail(f"{where}.scope", f"must be {ALL_TEAMS!r} or a team's id in hex")
        return values

    def _day(self, obj: dict[str, Any], name: str, where: str) -> Any:
        found = self.f.day(obj, name, where)
        if found is None:
            raise self.f.fail(f"{where}.{name}", "is missing")
        return found
