"""The Board report's figures, anonymised: what the PDF shows and the CSV files hold.

Made from the Service section's figures (observer/service/quality.py), so the report and
the app count alike; teams are named, workers and observers never; small numbers are held
back by observer/service/disclosure.py's rule. Every table here is what the CSV files hold,
row for row, and what the PDF lays out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from observer.service.action_themes import ActionCount
from observer.service.agreement import Interval
from observer.service.child_voice import ChildVoice
from observer.service.disclosure import (
    SMALLEST_SHOWN,
    Cell,
    count_cell,
    not_available,
    protect_column,
    protect_parts,
    share_cell,
    share_shown,
    text,
)
from observer.service.moderation_results import AgreementRow as ModerationAgreement
from observer.service.moderation_results import ModerationResults
from observer.service.quality import ServiceFigures
from observer.service.standards import StandardFigures


@dataclass(frozen=True)
class StandardRow:
    framework: str  # "Direct work, version 2"
    framework_key: str
    framework_version: int
    code: str
    title: str
    rated: Cell
    levels: tuple[tuple[str, Cell], ...]  # the scale, best first
    share: Cell  # Good or better
    previous_share: Cell
    change: Cell  # in percentage points


@dataclass(frozen=True)
class CoverageRow:
    team: str
    workers: Cell
    observed: Cell
    share: Cell
    overdue: Cell


@dataclass(frozen=True)
class AreaRow:
    framework: str
    code: str
    title: str
    below_good: Cell
    rated: Cell
    share: Cell


@dataclass(frozen=True)
class ActionRow:
    theme: str
    open: Cell
    overdue: Cell
    done: Cell


@dataclass(frozen=True)
class VoiceFigures:
    direct_work: Cell
    with_voice: Cell
    voice_share: Cell
    with_feedback: Cell
    feedback_share: Cell


@dataclass(frozen=True)
class AgreementRow:
    """Moderators' agreement with observers: overall, or for one standard."""

    label: str
    pairs: Cell
    exact: Cell  # share of pairs rated the same
    within_one: Cell
    kappa: Cell
    kappa_interval: Cell  # "0.52 to 0.81"
    alpha: Cell  # Krippendorff's alpha, ordinal
    alpha_interval: Cell
    higher: Cell  # pairs the observer rated higher than the moderator
    lower: Cell


@dataclass(frozen=True)
class Table:
    """One CSV file: its name, columns and rows."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class BoardTables:
    standards: tuple[StandardRow, ...]
    supervision: tuple[StandardRow, ...]
    coverage: tuple[CoverageRow, ...]
    areas: tuple[AreaRow, ...]
    actions: tuple[ActionRow, ...]
    voice: VoiceFigures | None
    agreement: tuple[AgreementRow, ...]  # overall first; empty without moderations

    def csv_tables(self) -> tuple[Table, ...]:
        return (
            _standards_table("standards", self.standards),
            _levels_table("standard_levels", self.standards),
            _standards_table("supervision_standards", self.supervision),
            _levels_table("supervision_standard_levels", self.supervision),
            Table(
                "coverage",
                ("team", "workers", "observed", "observed_percent", "overdue"),
                tuple(
                    (text(r.team), r.workers, r.observed, r.share, r.overdue) for r in self.coverage
                ),
            ),
            Table(
                "development_areas",
                ("framework", "standard", "title", "below_good", "rated", "below_good_percent"),
                tuple(
                    (text(r.framework), text(r.code), text(r.title), r.below_good, r.rated, r.share)
                    for r in self.areas
                ),
            ),
            Table(
                "actions_by_theme",
                ("theme", "open", "overdue", "done"),
                tuple((text(r.theme), r.open, r.overdue, r.done) for r in self.actions),
            ),
            Table(
                "child_voice",
                (
                    "direct_work_observations",
                    "with_child_voice",
                    "with_child_voice_percent",
                    "with_feedback",
                    "with_feedback_percent",
                ),
                ()
                if self.voice is None
                else (
                    (
                        self.voice.direct_work,
                        self.voice.with_voice,
                        self.voice.voice_share,
                        self.voice.with_feedback,
                        self.voice.feedback_share,
                    ),
                ),
            ),
            Table(
                "moderation_agreement",
                (
                    "scope",
                    "pairs",
                    "exact_percent",
                    "within_one_percent",
                    "weighted_kappa",
                    "kappa_95_interval",
                    "krippendorff_alpha",
                    "alpha_95_interval",
                    "observer_higher",
                    "observer_lower",
                ),
                tuple(
                    (
                        text(r.label),
                        r.pairs,
                        r.exact,
                        r.within_one,
                        r.kappa,
                        r.kappa_interval,
                        r.alpha,
                        r.alpha_interval,
                        r.higher,
                        r.lower,
                    )
                    for r in self.agreement
                ),
            ),
        )


def board_tables(
    figures: ServiceFigures,
    supervision: ServiceFigures,
    agreement: Sequence[AgreementRow] = (),
) -> BoardTables:
    return BoardTables(
        standards=tuple(standard_row(f) for f in figures.standards),
        supervision=tuple(standard_row(f) for f in supervision.standards),
        coverage=_coverage(figures),
        areas=tuple(
            AreaRow(
                framework=a.standard.framework_name,
                code=a.standard.code,
                title=a.standard.title,
                below_good=count_cell(a.below_good),
                rated=count_cell(a.rated),
                share=share_cell(a.below_good, a.rated),
            )
            for a in figures.development_areas
        ),
        actions=tuple(_action_row(a) for a in figures.actions.themes),
        voice=None if figures.child_voice is None else _voice(figures.child_voice),
        agreement=tuple(agreement),
    )


def standard_row(f: StandardFigures) -> StandardRow:
    counts = [level.count for level in f.levels]
    good = [i for i, level in enumerate(f.levels) if level.good_or_better]
    below = [i for i, level in enumerate(f.levels) if not level.good_or_better]
    hidden_total = f.rated < 5
    shared = share_shown(f.good_or_better, f.rated)
    # With the share shown, each side of Good adds up to a figure a reader can work out;
    # without it, only the whole row does.
    cells = protect_parts(counts, [good, below] if shared else [good + below])
    if hidden_total:
        cells = [Cell(None) if c.value else c for c in cells]
    share = share_cell(f.good_or_better, f.rated)
    previous = share_cell(f.previous_good_or_better, f.previous_rated)
    if share.suppressed or previous.suppressed:
        change = Cell(None, "points")
    elif f.too_few_to_compare or share.value is None or previous.value is None:
        change = not_available("points")
    else:
        change = Cell(
            (f.good_or_better / f.rated - f.previous_good_or_better / f.previous_rated) * 100,
            "points",
        )
    return StandardRow(
        framework=f.framework_name,
        framework_key=f.framework_key,
        framework_version=f.framework_version,
        code=f.code,
        title=f.title,
        rated=count_cell(f.rated),
        levels=tuple((level.label, cell) for level, cell in zip(f.levels, cells, strict=True)),
        share=share,
        previous_share=previous,
        change=change,
    )


def _coverage(figures: ServiceFigures) -> tuple[CoverageRow, ...]:
    teams = figures.coverage
    # The rows add up to the service's whole, which the report states, so each column is
    # protected as a whole as well as cell by cell.
    workers = protect_column([t.workers for t in teams], total_shown=True)
    observed = protect_column([t.observed for t in teams], total_shown=True)
    overdue = protect_column([len(t.overdue) for t in teams], total_shown=True)
    rows = []
    for team, w, o, late in zip(teams, workers, observed, overdue, strict=True):
        share = (
            share_cell(team.observed, team.workers)
            if not (w.suppressed or o.suppressed)
            else Cell(None, "share")
        )
        rows.append(CoverageRow(team.team_name, w, o, share, late))
    return tuple(rows)


def _action_row(count: ActionCount) -> ActionRow:
    return ActionRow(
        theme=count.name,
        open=count_cell(count.open),
        overdue=count_cell(count.overdue),
        done=count_cell(count.done),
    )


def _voice(voice: ChildVoice) -> VoiceFigures:
    return VoiceFigures(
        direct_work=count_cell(voice.direct_work),
        with_voice=count_cell(voice.with_voice),
        voice_share=share_cell(voice.with_voice, voice.direct_work),
        with_feedback=count_cell(voice.with_feedback),
        feedback_share=share_cell(voice.with_feedback, voice.with_voice),
    )


def _standards_table(name: str, rows: Sequence[StandardRow]) -> Table:
    return Table(
        name,
        (
            "framework",
            "framework_version",
            "standard",
            "title",
            "rated",
            "good_or_better_percent",
            "previous_good_or_better_percent",
            "change_points",
        ),
        tuple(
            (
                text(r.framework_key),
                Cell(r.framework_version),
                text(r.code),
                text(r.title),
                r.rated,
                r.share,
                r.previous_share,
                r.change,
            )
            for r in rows
        ),
    )


def _levels_table(name: str, rows: Sequence[StandardRow]) -> Table:
    return Table(
        name,
        ("framework", "framework_version", "standard", "level", "observations"),
        tuple(
            (text(r.framework_key), Cell(r.framework_version), text(r.code), text(label), cell)
            for r in rows
            for label, cell in r.levels
        ),
    )


def agreement_rows(results: ModerationResults) -> tuple[AgreementRow, ...]:
    """Moderation's agreement for the report: every standard pooled, the overall judgement,
    then each standard; never per observer (few observers would be recognised by their
    figures, however lettered)."""
    rows = [("All standards", results.standards), ("Overall judgement", results.judgement)]
    rows += [(row.label, row) for row in results.by_standard]
    return tuple(_agreement_row(label, row) for label, row in rows if row.paired.pairs)


def _agreement_row(label: str, row: ModerationAgreement) -> AgreementRow:
    paired = row.paired
    pairs = paired.pairs
    shown = pairs >= SMALLEST_SHOWN

    def share(value: float | None) -> Cell:
        if value is None:
            return not_available("share")
        return share_cell(round(value * pairs), pairs)

    def statistic(value: float | None) -> Cell:
        if not shown:
            return Cell(None, "statistic")
        return not_available("statistic") if value is None else Cell(value, "statistic")

    def interval(bounds: Interval | None) -> Cell:
        if not shown:
            return Cell(None, "text")
        if bounds is None:
            return not_available("text")
        return text(f"{bounds.low:.2f} to {bounds.high:.2f}")

    direction = paired.direction
    return AgreementRow(
        label=label,
        pairs=count_cell(pairs),
        exact=share(paired.exact),
        within_one=share(paired.within_one),
        kappa=statistic(paired.kappa.value),
        kappa_interval=interval(paired.kappa.interval),
        alpha=statistic(row.alpha.value),
        alpha_interval=interval(row.alpha.interval),
        higher=count_cell(direction.higher) if direction else not_available(),
        lower=count_cell(direction.lower) if direction else not_available(),
    )
