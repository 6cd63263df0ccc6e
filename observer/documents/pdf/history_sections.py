"""The parts of a history PDF before the observations' own summaries: the cover, the table
of observations, the development themes and the actions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    LongTable,
    Paragraph,
    Spacer,
    TableStyle,
)

from observer.documents.pdf.content import HistoryContent
from observer.documents.pdf.formatting import local_date, markup, uk_date, uk_datetime
from observer.documents.pdf.parts import Rows, cell_pieces, heading, text
from observer.documents.pdf.sections import BASE_TABLE, HEADER_ROW, beside_logo
from observer.documents.pdf.styles import ACCENT, FRAME_WIDTH, RULE, Styles
from observer.review.trends import RecurringArea
from observer.review.worker_history import HistoryAction, WorkerHistory
from observer.vocabulary import ActionStatus

TITLE = "Practice history"
NO_THEMES = (
    "None: no standard was rated below Good in at least two of the latest three "
    "observations that rated it, in this period."
)


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def actions_in_words(open_count: int, overdue: int, done: int) -> str:
    """ "2 open (1 overdue); 3 done", "None open; 1 done", "1 open, none overdue; none done" """
    if not open_count:
        opened = "None open"
    elif overdue:
        opened = f"{open_count} open ({overdue} overdue)"
    else:
        opened = f"{open_count} open, none overdue"
    return f"{opened}; {done or 'none'} done"


# The cover


def cover(content: HistoryContent, styles: Styles) -> list[Flowable]:
    """Who, which period, who made it; the totals, and the recurring themes in a sentence."""
    return [
        *_masthead(content, styles),
        *_about(content, styles),
        *_at_a_glance(content, styles),
        *_themes_in_brief(content.history.recurring_areas, styles),
        Spacer(0, 8),
        text(
            "What follows: the trends in the ratings, the observations in this period, the "
            "development themes with the evidence behind them, the actions agreed and where "
            "they stand, and then "
            + (
                "each observation's summary in full, oldest first."
                if content.full_summaries
                else "each observation in brief (its judgement, ratings, strengths, areas "
                "for development and actions), oldest first."
            ),
            styles.small,
        ),
    ]


def _masthead(content: HistoryContent, styles: Styles) -> list[Flowable]:
    left: list[Flowable] = []
    if content.organisation:
        left.append(text(content.organisation, styles.organisation))
    left.append(text(TITLE, styles.title))
    left.append(text(f"{content.worker}, {content.period}", styles.judgement))
    parts = beside_logo(left, content.logo_path)
    parts.append(Spacer(0, 6))
    parts.append(HRFlowable(width=FRAME_WIDTH, thickness=1.2, color=ACCENT, spaceAfter=4))
    return parts


def _about(content: HistoryContent, styles: Styles) -> list[Flowable]:
    profile = content.history.profile
    entries = content.entries
    if entries:
        span = f"{uk_date(entries[0].observed_on)} to {uk_date(entries[-1].observed_on)}"
        if len(entries) == 1:
            span = uk_date(entries[0].observed_on)
    else:
        span = "None"
    role = profile.role_label + ("" if profile.active else " (no longer works here)")
    items = [
        ("Worker", profile.name),
        ("Role", role),
        ("Team", profile.team_name or "No team"),
    ]
    if profile.staff_reference:
        items.append(("Staff reference", profile.staff_reference))
    items.append(("Period covered", content.period[:1].upper() + content.period[1:]))
    if content.narrowed_to:
        items.append(("Only", "; ".join(content.narrowed_to)))
    items.append(("Records included", records_included(content)))
    items += [
        ("Observations dated", span),
        ("Produced by", content.generated_by or "Practice Observer"),
        ("Produced on", uk_datetime(content.generated_at)),
    ]
    if not content.include_case_reference:
        items.append(("Case references", "Not included in this copy"))
    return [*heading("About this history", styles), facts_table(items, styles)]


def records_included(content: HistoryContent) -> str:
    """Which records the history holds, in words; its Keywords say the same for verify."""
    if content.signed_only:
        return (
            "Signed observations only: records not yet signed by both the observer and the "
            "practitioner are left out."
        )
    if not content.unsigned:
        return "Records of any status were asked for; every one in this period is signed."
    return (
        f"Signed observations and {plural(content.unsigned, 'record')} not yet signed, "
        "each marked “not signed” where it appears."
    )


def _at_a_glance(content: HistoryContent, styles: Styles) -> list[Flowable]:
    history = content.history
    totals = history.totals
    if content.signed_only:
        observations = f"{totals.observations} signed"
    else:
        observations = (
            f"{totals.observations} ({totals.signed} signed, {totals.ready} ready for "
            f"sign-off, {plural(totals.drafts, 'draft')})"
        )
    by_kind = "; ".join(f"{c.label}: {c.count}" for c in history.counts_by_kind) or "None"
    open_count, overdue, done = content.action_counts()
    actions = actions_in_words(open_count, overdue, done)
    elsewhere = content.open_elsewhere
    if elsewhere:
        late = sum(a.overdue for a in elsewhere)
        actions += (
            f". A further {plural(len(elsewhere), 'action')} from observations "
            f"{_not_here(content)} {'is' if len(elsewhere) == 1 else 'are'} still open "
            f"({late} overdue): not shown here"
        )
    items = [
        ("Observations", observations),
        ("By kind", by_kind),
        ("Actions agreed in them", actions),
    ]
    if history.asye is not None:
        items.append(("ASYE year", f"{history.asye.summary()} (for the whole ASYE year)"))
    return [*heading("At a glance", styles), facts_table(items, styles)]


def _not_here(content: HistoryContent) -> str:
    return (
        "outside this period or not yet signed" if content.signed_only else ("outside this period")
    )


def _themes_in_brief(areas: Sequence[RecurringArea], styles: Styles) -> list[Flowable]:
    """One sentence a theme, under the framework version it belongs to."""
    parts = heading("Recurring development themes", styles)
    if not areas:
        return [*parts, text(NO_THEMES, styles.empty)]
    bullet = ParagraphStyle("theme", parent=styles.body, leftIndent=10, bulletIndent=0)
    versions: dict[tuple[str, int], list[RecurringArea]] = {}
    for area in areas:
        versions.setdefault((area.framework_name, area.framework_version), []).append(area)
    for (name, version), found in versions.items():
        parts.append(text(f"{name}, version {version}", styles.subheading))
        for area in found:
            sentence = area.sentence()
            parts.append(
                Paragraph(
                    markup(
                        f"{area.standard_code}. {area.standard_title}: "
                        f"{sentence[0].lower()}{sentence[1:]}"
                    ),
                    bullet,
                    bulletText="•",
                )
            )
    return parts


def facts_table(items: Sequence[tuple[str, str]], styles: Styles) -> LongTable:
    """Labels on the left, values on the right, a rule under each: like a summary's details."""
    label_width = 130.0
    value_width = FRAME_WIDTH - label_width
    rows = Rows()
    for label, value in items:
        pieces = cell_pieces(value, value_width, styles.cell)
        rows.add([text(label, styles.label), pieces[0]])
        for piece in pieces[1:]:
            rows.add_continuation(["", piece])
        rows.style("LINEBELOW", (0, len(rows.data) - 1), (-1, len(rows.data) - 1), 0.4, RULE)
    table = LongTable(rows.data, colWidths=[label_width, value_width])
    table.setStyle(TableStyle(BASE_TABLE + rows.finished(0)))
    return table


# The observations


def observations_table(content: HistoryContent, styles: Styles) -> list[Flowable]:
    parts = heading("The observations", styles, room=160)
    entries = content.entries
    if not entries:
        return [*parts, text("No observations in this period.", styles.empty)]
    parts.append(
        text(
            f"{plural(len(entries), 'observation')}, oldest first; each follows in the same "
            f"order, {'its summary in full' if content.full_summaries else 'in brief'}.",
            styles.small,
        )
    )
    parts.append(Spacer(0, 4))
    widths = [104.0, 120.0, 89.0, 116.0]
    widths.append(FRAME_WIDTH - sum(widths))
    rows = Rows()
    heads = ("Date", "Kind", "Observer", "Overall judgement", "Status")
    rows.add([text(h, styles.column_head) for h in heads])
    for entry in entries:
        row = rows.add(
            [
                text(uk_date(entry.observed_on), styles.cell),
                text(entry.kind.label, styles.cell),
                text(entry.observer_name, styles.cell),
                text(
                    entry.overall or "Not yet judged",
                    styles.cell if entry.overall else styles.empty,
                ),
                text(entry.status.label, styles.cell),
            ]
        )
        if row > 1:
            rows.style("LINEABOVE", (0, row), (-1, row), 0.5, RULE)
    table = LongTable(rows.data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(BASE_TABLE + HEADER_ROW + rows.finished()))
    return [*parts, table]


# Development themes


def development_themes(history: WorkerHistory, styles: Styles) -> list[Flowable]:
    """Each recurring area with the date, rating and evidence of each rating below Good."""
    parts = heading("Development themes", styles, room=200)
    if not history.recurring_areas:
        return [*parts, text(NO_THEMES, styles.empty)]
    parts.append(
        text(
            "A standard is a recurring development theme when it was rated below Good in at "
            "least two of the latest three observations that rated it. The evidence behind "
            "each rating below Good follows, newest first.",
            styles.small,
        )
    )
    for area in history.recurring_areas:
        parts += _theme(area, styles)
    return parts


def _theme(area: RecurringArea, styles: Styles) -> list[Flowable]:
    title = text(f"{area.standard_code}. {area.standard_title}", styles.subheading)
    where = text(
        f"{area.framework_name}, version {area.framework_version}. {area.sentence()}",
        styles.small,
    )
    date_width, rating_width = 104.0, 110.0
    evidence_width = FRAME_WIDTH - date_width - rating_width
    rows = Rows()
    rows.add([text(h, styles.column_head) for h in ("Observation", "Rating", "Evidence")])
    for rating in area.below_good:
        evidence = rating.evidence.strip()
        style = styles.cell if evidence else styles.empty
        pieces = cell_pieces(evidence or "No evidence recorded.", evidence_width, style)
        first = rows.add(
            [
                text(f"{uk_date(rating.observed_on)}\n{rating.kind.label}", styles.cell),
                text(rating.level_label, styles.cell_bold),
                pieces[0],
            ]
        )
        for piece in pieces[1:]:
            rows.add_continuation(["", "", piece])
        if first > 1:
            rows.style("LINEABOVE", (0, first), (-1, first), 0.5, RULE)
    table = LongTable(rows.data, colWidths=[date_width, rating_width, evidence_width], repeatRows=1)
    table.setStyle(TableStyle(BASE_TABLE + HEADER_ROW + rows.finished()))
    return [CondPageBreak(150), title, where, Spacer(0, 3), table]


# Actions


def actions(content: HistoryContent, styles: Styles) -> list[Flowable]:
    """The actions agreed in the period's observations: overdue, open, then done."""
    parts = heading("Actions and where they stand", styles, room=200)
    found = content.actions
    open_count, overdue, done = content.action_counts()
    summary = f"{actions_in_words(open_count, overdue, done)}."
    if content.open_elsewhere:
        summary += (
            f" {plural(len(content.open_elsewhere), 'action')} from observations "
            f"{_not_here(content)}, still open, "
            f"{'is' if len(content.open_elsewhere) == 1 else 'are'} not listed here."
        )
    parts.append(text(summary, styles.small))
    if not found:
        return [*parts, text("No actions were agreed in this period.", styles.empty)]
    groups = (
        ("Overdue", [a for a in found if a.overdue]),
        ("Open", [a for a in found if a.status is ActionStatus.OPEN and not a.overdue]),
        ("Done", [a for a in found if a.status is ActionStatus.DONE]),
    )
    group_heading = ParagraphStyle("group", parent=styles.subheading, keepWithNext=0)
    for title, group in groups:
        if group:
            parts += [
                CondPageBreak(110),
                text(f"{title} ({len(group)})", group_heading),
                _actions_table(group, styles),
            ]
    return parts


def _actions_table(found: Sequence[HistoryAction], styles: Styles) -> LongTable:
    """Each action with where it came from, its owner and due date below it; its status
    in words beside it."""
    status_width = 140.0
    what_width = FRAME_WIDTH - status_width
    rows = Rows()
    rows.add([text(h, styles.column_head) for h in ("Action", "Status")])
    for action in found:
        pieces: list[Any] = cell_pieces(action.description, what_width, styles.cell)
        pieces[-1] = [pieces[-1], text(_action_details(action), styles.small)]
        first = rows.add([pieces[0], _status_cell(action, styles)])
        for piece in pieces[1:]:
            rows.add_continuation([piece, ""])
        rows.style("BOTTOMPADDING", (0, len(rows.data) - 1), (-1, len(rows.data) - 1), 6)
        if first > 1:
            rows.style("LINEABOVE", (0, first), (-1, first), 0.5, RULE)
    table = LongTable(rows.data, colWidths=[what_width, status_width], repeatRows=1)
    table.setStyle(TableStyle(BASE_TABLE + HEADER_ROW + rows.finished()))
    return table


def _status_cell(action: HistoryAction, styles: Styles) -> list[Flowable]:
    words = action_status(action)
    if action.overdue:
        head, _, rest = words.partition(": ")
        return [text(head, styles.cell_bold), text(rest[:1].upper() + rest[1:], styles.small)]
    return [text(words, styles.cell)]


def _action_details(action: HistoryAction) -> str:
    due = f"due {uk_date(action.due_date)}" if action.due_date else "no due date"
    owner = f"owner {action.owner_name}" if action.owner_name else "no owner set"
    return (
        f"From the observation of {uk_date(action.observation_observed_on)} "
        f"({action.observation_kind.label}); {owner}; {due}."
    )


def action_status(action: HistoryAction) -> str:
    """ "Overdue: due 3 May 2025, still open", "Open", "Done 3 May 2025 by Jo Bloggs" """
    if action.status is ActionStatus.DONE:
        when = f" {local_date(action.done_at)}" if action.done_at else ""
        who = f" by {action.done_by}" if action.done_by else ""
        return f"Done{when}{who}"
    if action.overdue and action.due_date is not None:
        return f"Overdue: due {uk_date(action.due_date)}, still open"
    return "Open"
