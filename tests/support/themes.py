"""Improvement plans for tests: the shipped one as JSON, changed a little, written out, and
what the store holds of plans."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from observer.service.plan import SHIPPED_PLAN
from observer.services import Services
from observer.store.models import AuditEvent
from observer.store.plans import ImprovementPlanVersion, ImprovementTheme, theme_standards


def shipped_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SHIPPED_PLAN.read_text(encoding="utf-8"))
    return document


def moved(document: dict[str, Any], code: str, to: int) -> dict[str, Any]:
    """The plan with direct-work-practice v1's standard `code` moved to theme `to`."""
    changed = copy.deepcopy(document)
    for theme in changed["themes"]:
        for group in theme["standards"]:
            if group["framework"] == "direct-work-practice" and code in group["codes"]:
                group["codes"].remove(code)
    changed["themes"] = [
        {**t, "standards": [g for g in t["standards"] if g["codes"]]} for t in changed["themes"]
    ]
    changed["themes"][to]["standards"].append(
        {"framework": "direct-work-practice", "version": 1, "codes": [code]}
    )
    return changed


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def plan_rows(services: Services) -> tuple[int, int, int, int]:
    """How many plan versions, themes, mapped standards and audit events the store holds."""
    with services.db.session() as s:
        return (
            s.scalar(select(func.count()).select_from(ImprovementPlanVersion)) or 0,
            s.scalar(select(func.count()).select_from(ImprovementTheme)) or 0,
            s.scalar(select(func.count()).select_from(theme_standards)) or 0,
            s.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        )
