"""The record as the people signing it read it: every section, ratings in words, read-only.

What people typed is escaped before it goes into the page, so `<`, `>` and `&` read
exactly as typed and nothing typed can become markup or a link.
"""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QTextBrowser, QWidget

from observer.records.recording import ObservationView
from observer.records.sections import (
    CONSENT,
    observed_label,
    others_present_label,
    section_title,
    shown,
)
from observer.vocabulary import NARRATIVE_SECTIONS
from ui.formatting import uk_date, uk_date_time, yes_no

NOTHING = "Nothing recorded."
NOT_RATED = "Not rated"


def text(value: str) -> str:
    """Typed text as HTML that shows it verbatim, line breaks kept."""
    return escape(value, quote=True).replace("\r\n", "\n").replace("\n", "<br>")


def record_html(view: ObservationView, muted: str = "#666666") -> str:
    levels = {level.code: level.label for level in view.levels}
    quiet = f'style="color: {muted};"'

    def paragraph(value: str) -> str:
        if not value.strip():
            return f"<p {quiet}><i>{NOTHING}</i></p>"
        return f"<p>{text(value)}</p>"

    def rating(code: str | None) -> str:
        return escape(levels.get(code, code) if code else NOT_RATED)

    framework = view.framework
    details = [
        (observed_label(view.kind), view.observed_person_name),
        ("Observer", view.observer_name),
        ("When", uk_date_time(view.observed_at)),
        ("Duration", f"{view.duration_minutes} minutes" if view.duration_minutes else ""),
        ("Kind", view.kind.label),
        ("Case reference", view.case_reference),
        (others_present_label(view.kind), view.others_present),
    ]
    if shown(view, CONSENT):
        details.append(("Child or family present", yes_no(view.family_present)))
        if view.family_present:
            details += [("Consent given by", view.consent_given_by), ("How", view.consent_how)]
    details.append(("Framework", f"{framework.name}, version {framework.version}"))
    rows = "".join(
        f'<tr><td {quiet} width="28%">{escape(label)}</td><td>{text(value) or "—"}</td></tr>'
        for label, value in details
    )
    parts = [
        f"<h2>{escape(view.kind.label)} — {escape(view.observed_person_name)}</h2>",
        f'<table cellspacing="0" cellpadding="3" width="100%">{rows}</table>',
        "<h3>Agreed focus</h3>",
        paragraph(view.focus),
        "<h3>Practice standards</h3>",
    ]
    for standard in view.ratings:
        parts += [
            f"<h4>{escape(standard.standard_code)}&nbsp;&nbsp;{escape(standard.title)}</h4>",
            f"<p><b>Rating: {rating(standard.level_code)}</b></p>",
            paragraph(standard.evidence),
        ]
    for field in NARRATIVE_SECTIONS:
        if field != "overall_rationale" and shown(view, field):
            title = section_title(view.kind, field)
            parts += [f"<h3>{escape(title)}</h3>", paragraph(getattr(view, field))]
    parts += [
        "<h3>Overall judgement</h3>",
        f"<p><b>{rating(view.overall_level_code)}</b></p>",
        paragraph(view.overall_rationale),
        "<h3>Agreed actions</h3>",
    ]
    if view.actions:
        items = []
        for action in view.actions:
            who = [action.owner_name or "No owner"]
            if action.due_date:
                who.append(f"due {uk_date(action.due_date)}")
            who.append(action.status.label.lower())
            items.append(
                f"<li>{text(action.description) or '—'}"
                f"<br><span {quiet}>{escape(', '.join(who))}</span></li>"
            )
        parts.append(f"<ul>{''.join(items)}</ul>")
    else:
        parts.append(f"<p {quiet}><i>No actions agreed.</i></p>")
    return "".join(parts)


class ReviewView(QTextBrowser):
    """A read-only page of the whole record; no links followed, nothing editable."""

    def __init__(self, view: ObservationView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.document().setDocumentMargin(16)
        self.setAccessibleName("The record being signed")
        self.setAccessibleDescription(
            "The whole observation, read-only: exactly what is signed. "
            "Use the arrow keys or Page Down to read it."
        )
        self.show_record(view)

    def show_record(self, view: ObservationView) -> None:
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
        self.setHtml(record_html(view, muted))
