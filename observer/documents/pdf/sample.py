"""A fictional, fixed summary: for the golden test, the picture in docs/, and a quick look.

Every id, time and drawing is fixed, so with `invariant=True` the PDF is the same bytes on
every run. No real person, child or case is described.

    python -m observer.documents.pdf.sample FILE.pdf [--draft]
"""

from __future__ import annotations

import hashlib
import math
import struct
import sys
import uuid
import zlib
from datetime import UTC, date, datetime
from pathlib import Path

from observer.documents.pdf.content import SummaryContent
from observer.records.frameworks import FrameworkInfo
from observer.records.recording import ActionView, LevelView, ObservationView, RatingView
from observer.records.sign_off import AddendumView, SignatureView
from observer.vocabulary import ActionStatus, Kind, SignatureRole, Status

RECORD_ID = uuid.UUID("5b0c9e57-3f7a-4a3e-9d1c-2e8f4b6a7c10")
OBSERVER_ID = uuid.UUID("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
PRACTITIONER_ID = uuid.UUID("1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e")
CONTENT_HASH = hashlib.sha256(b"practice-observer sample record").hexdigest()

LEVELS = (
    LevelView("outstanding", "Outstanding", "", 4),
    LevelView("good", "Good", "", 3),
    LevelView("requires_improvement", "Requires improvement to be good", "", 2),
    LevelView("inadequate", "Inadequate", "", 1),
    LevelView("not_observed", "Not observed", "", None),
)

RATINGS = (
    (
        "1",
        "Thresholds and the response to need",
        "good",
        "Ioana explained clearly why the family is receiving help under a child in need plan "
        "and checked that Ελένη understood what her consent means. She linked the level of "
        "support to what has changed since the last review: the school reports better "
        "attendance, but the housing position is still uncertain.",
    ),
    (
        "2",
        "Recognising and understanding risk",
        "requires_improvement",
        "The new partner was mentioned twice by K and once by his mother. Ioana noted it but "
        "did not explore who he is, how often he stays, or whether checks are needed. "
        "The risk may be low; the point is that it was not yet known.",
    ),
    (
        "3",
        "Quality of direct work with children and parents",
        "outstanding",
        "The direct work with K was skilful and warm. Ioana used the “three houses” tool at "
        "his pace, let him choose the colours, and returned to his worries about school "
        "lunches without leading him.\n"
        "She spoke with Ελένη separately and acknowledged how tired she is.",
    ),
    (
        "4",
        "The child's voice and lived experience",
        "good",
        "K's own words were recorded (“I like it when Mum & me cook pasta”) and his worry "
        "about the noise at night was taken seriously. His day-to-day experience came "
        "through clearly.",
    ),
    (
        "5",
        "Quality of plans and their review",
        "good",
        "The plan was discussed in plain language and the family knew who does what. "
        "Two actions from the last review had slipped; Ioana named this openly.",
    ),
    ("6", "Management oversight", "not_observed", ""),
    ("7", "The response to escalating risk", "not_observed", ""),
)

STRENGTHS = (
    "A calm, unhurried visit. Ioana sat at the kitchen table with K and let him lead the "
    "conversation, coming back to difficult topics gently.\n\n"
    "Her explanation of the plan to Ελένη was honest and free of jargon, and she checked "
    "understanding through the interpreter, Наталья, rather than assuming it."
)
DEVELOPMENT = (
    "Explore new adults in the household straight away: who they are, their role in the "
    "child's life, and whether checks are needed.\n"
    "Record the analysis behind the judgement, not only what was seen."
)
CHILD_VOICE = (
    "K (7) said he feels “safe at home but not at night when it is loud next door”. He "
    "drew his mum, his nan and his dog in the house of good things. He wants to keep "
    "going to football club on Saturdays."
)
FAMILY_FEEDBACK = (
    "Ελένη said the visit “felt like a conversation, not an inspection” and that she "
    "would like written copies of the plan in Greek."
)
REFLECTION = (
    "I was so focused on the direct work with K that I let the comment about the new "
    "partner pass. I will follow this up before the core group and talk it through in "
    "supervision. — Ioana"
)
RATIONALE = (
    "The relationship-based practice and the quality of direct work were strong, and K's "
    "voice is at the centre of the record. The judgement is Good rather than Outstanding "
    "because a possible new adult in the household was not explored."
)


def sample_content(
    *, status: Status = Status.SIGNED, logo_path: Path | None = None
) -> SummaryContent:
    """A realistic, fictional home visit; signed unless another status is asked for."""
    observation = ObservationView(
        id=RECORD_ID,
        revision=14,
        status=status,
        kind=Kind.HOME_VISIT,
        observed_at=datetime(2025, 3, 12, 10, 30, tzinfo=UTC),
        duration_minutes=75,
        observed_person_id=PRACTITIONER_ID,
        observed_person_name="Ioana Ștefănescu",
        observer_id=OBSERVER_ID,
        observer_name="Zoë Łukasiewicz",
        framework=FrameworkInfo(
            id=uuid.UUID("9d6f3f1e-1c55-5c1f-9a38-0d2e6e8b9c01"),
            key="direct-work-practice",
            version=1,
            name="Practice observation of direct work",
            short_name="Direct work",
            standards=len(RATINGS),
            in_force_from=date(2024, 1, 1),
            in_force_until=None,
        ),
        levels=LEVELS,
        ratings=tuple(
            RatingView(code, title, "", (), level, evidence)
            for code, title, level, evidence in RATINGS
        ),
        actions=(
            ActionView(
                id=uuid.UUID("7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"),
                description="Find out who the new partner is and whether checks are needed; "
                "record the outcome on the child's file.",
                owner_id=PRACTITIONER_ID,
                owner_name="Ioana Ștefănescu",
                due_date=date(2025, 3, 19),
                status=ActionStatus.DONE,
                done_at=datetime(2025, 3, 18, 15, 0, tzinfo=UTC),
                done_by="Ioana Ștefănescu",
            ),
            ActionView(
                id=uuid.UUID("8d2e3f4a-5b6c-4d7e-9f8a-0b1c2d3e4f5a"),
                description="Arrange for the plan to be translated into Greek for Ελένη.",
                owner_id=OBSERVER_ID,
                owner_name="Zoë Łukasiewicz",
                due_date=date(2025, 4, 2),
                status=ActionStatus.OPEN,
                done_at=None,
                done_by="",
            ),
        ),
        case_reference="CIN-4417-K",
        others_present="Наталья Петрова (interpreter); K's nan",
        family_present=True,
        consent_given_by="Ελένη Παπαδοπούλου (K's mother)",
        consent_how="Verbally at the start of the visit, through the interpreter",
        focus="How K's wishes and feelings are heard and reflected in the plan",
        strengths=STRENGTHS,
        development_areas=DEVELOPMENT,
        child_voice=CHILD_VOICE,
        family_feedback=FAMILY_FEEDBACK,
        reflection=REFLECTION,
        overall_level_code="good",
        overall_rationale=RATIONALE,
    )
    signed = status is Status.SIGNED
    signatures = [
        SignatureView(
            role=SignatureRole.OBSERVER,
            name="Zoë Łukasiewicz",
            signed_at=datetime(2025, 3, 12, 12, 5, tzinfo=UTC),
            comment="",
            content_hash=CONTENT_HASH,
            drawing_png=signature_png(1),
        )
    ]
    if signed:
        signatures.append(
            SignatureView(
                role=SignatureRole.PRACTITIONER,
                name="Ioana Ștefănescu",
                signed_at=datetime(2025, 3, 12, 12, 20, tzinfo=UTC),
                comment="I agree with the record and the actions.",
                content_hash=CONTENT_HASH,
                drawing_png=signature_png(2),
            )
        )
    addenda = [
        AddendumView(
            id=uuid.UUID("6e3f4a5b-6c7d-4e8f-a09b-1c2d3e4f5a6b"),
            text="Correction to “Others present”: K's nan was there for about the first "
            "twenty minutes only, not for the whole visit.",
            author_name="Zoë Łukasiewicz",
            signed_at=datetime(2025, 3, 14, 9, 12, tzinfo=UTC),
            content_hash=CONTENT_HASH,
            drawing_png=None,
        )
    ]
    return SummaryContent(
        organisation="Northshire County Council · Children's Services",
        logo_path=logo_path,
        observation=observation,
        signatures=signatures if status is not Status.DRAFT else [],
        addenda=addenda if signed else [],
        content_hash=CONTENT_HASH,
        record_id=RECORD_ID,
        generated_at=datetime(2025, 3, 19, 9, 30, tzinfo=UTC),
    )


def signature_png(seed: int, width: int = 360, height: int = 110) -> bytes:
    """A fixed squiggle that stands in for a drawn signature: dark ink on transparent."""
    ink = (0x1F, 0x2F, 0x4A, 0xFF)
    pixels = [[(0, 0, 0, 0)] * width for _ in range(height)]
    for step in range(4000):
        t = step / 4000
        x = 14 + t * (width - 28)
        y = height / 2 + 26 * math.sin(t * (11 + seed) + seed) * math.cos(t * 3.1 * seed)
        y += 12 * math.sin(t * 37 + seed * 2)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                px, py = int(x) + dx, int(y) + dy
                if 0 <= px < width and 0 <= py < height:
                    pixels[py][px] = ink
    raw = b"".join(b"\x00" + bytes(v for px in row for v in px) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print("usage: python -m observer.documents.pdf.sample FILE.pdf [--draft]", file=sys.stderr)
        return 2
    from observer.documents.pdf.summary import build_summary

    content = sample_content(status=Status.DRAFT if "--draft" in argv else Status.SIGNED)
    Path(argv[0]).write_bytes(build_summary(content, invariant=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
