"""Moderation in the app, as the QA lead would use it: draw the quarter's sample, open one,
read it without its ratings, rate it, sign, and raise a disagreement (names fictional)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

import pytest
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from observer.services import Services
from observer.vocabulary import Role, SignatureRole
from tests.support.core import NewDraft, Staff
from tests.support.prompts import FakePrompts
from tests.support.signing import CODES, filled
from ui.dialogs.moderation import CHOOSE, ModerateDialog, ModerationDialog

QA_LEAD = "Priya Raman"
LEVEL_LABELS = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")


@dataclass
class TextPrompts(FakePrompts):
    """Answers text prompts from a script, and remembers what they asked."""

    texts: list[str | None] = field(default_factory=list)

    def text(self, parent: QWidget | None, label: str, value: str = "") -> str | None:
        self.shown.append(("text", label))
        return self.texts.pop(0) if self.texts else None


@pytest.fixture
def text_prompts() -> TextPrompts:
    return TextPrompts()


@pytest.fixture
def signed(services: Services, new_draft: NewDraft, staff: Staff) -> uuid.UUID:
    """A home visit of 12 March 2025, rated Good throughout, signed by both in the room; then
    the QA lead uses the laptop."""
    record = filled(services, new_draft, staff)
    services.recording.update(
        record, {"strengths": "Sat at the child's level and used the three houses tool."}
    )
    services.signoff.sign(record, SignatureRole.OBSERVER, "Aled Hughes")
    services.signoff.sign(record, SignatureRole.PRACTITIONER, "Siobhán Walker")
    services.profiles.set_up(QA_LEAD, Role.QA_LEAD, "Northshire County Council")
    return record


def test_the_quarter_is_the_default_period(qtbot: QtBot, services: Services) -> None:
    for today, quarter in (
        (date(2025, 3, 12), (date(2025, 1, 1), date(2025, 3, 31))),
        (date(2025, 11, 2), (date(2025, 10, 1), date(2025, 12, 31))),
    ):
        dialog = ModerationDialog(services, FakePrompts(), today=today)
        qtbot.addWidget(dialog)
        assert dialog.period() == quarter


def test_the_qa_lead_draws_a_sample_moderates_blind_and_raises_a_disagreement(
    qtbot: QtBot, services: Services, text_prompts: TextPrompts, signed: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    dialog = ModerationDialog(services, text_prompts, today=date(2025, 3, 12))
    qtbot.addWidget(dialog)
    assert dialog.about.text() == "No sample drawn for this period yet."
    dialog.seed.setText("17")
    dialog.draw_button.click()
    qtbot.waitUntil(lambda: not dialog.drawing)
    assert dialog.about.text().startswith(
        "1 observation by 1 observer: 10% of each observer's signed observations, at least "
        "one each, seed 17; drawn by Priya Raman on "
    )
    assert [dialog.table.item(0, c).text() for c in range(3)] == [
        "12/03/2025",
        "Aled Hughes",
        "Not yet",
    ]

    opened: list[ModerateDialog] = []

    def moderate(self: ModerateDialog) -> int:
        opened.append(self)
        # What the moderator reads names no level: the ratings and judgement are left out.
        read = self.record.toPlainText()
        assert "Sat at the child's level and used the three houses tool." in read
        assert "Seen in part 1." in read
        for label in LEVEL_LABELS:
            assert label not in read
        assert "Warm, clear." not in read  # the judgement's rationale
        assert self.overall.itemText(0) == CHOOSE
        self.sign_button.click()  # nothing chosen yet
        assert text_prompts.shown[-1] == (
            "warning",
            "Choose a level for standard 1, or Not observed.",
        )
        for code, combo in self.ratings.items():
            combo.setCurrentIndex(combo.findText("Inadequate" if code == "1" else "Good"))
        self.overall.setCurrentIndex(self.overall.findText("Requires improvement to be good"))
        self.comment.setPlainText("Risk to the child is not evidenced.")
        self.name.setText(QA_LEAD)
        text_prompts.answers.append(True)
        text_prompts.texts.append("Please look again at standard 1.")
        self.sign_button.click()
        return self.result()

    monkeypatch.setattr(ModerateDialog, "exec", moderate)
    dialog.moderate_button.click()
    assert len(opened) == 1
    assert opened[0].result() == QDialog.DialogCode.Accepted
    assert (
        "ask",
        "Your moderation differs from the record (standard 1: 2 levels apart; a different "
        "overall judgement). Raise it with the observer, who may add an addendum to their "
        "record?",
    ) in text_prompts.shown
    (made,) = services.moderation.moderations_of(signed)
    assert made.moderator_name == QA_LEAD
    assert dict(made.ratings) == {code: "inadequate" if code == "1" else "good" for code in CODES}
    assert made.overall == "requires_improvement"
    assert [n.text for n in made.notes] == ["Please look again at standard 1."]
    assert dialog.table.item(0, 2).text() == f"by {QA_LEAD}"
    qtbot.waitUntil(lambda: not dialog.loading)
    assert dialog.results.text().startswith("1 moderation of observations in this period.")
    assert "Overall judgement: exact agreement 0%" in dialog.results.text()


def test_drawing_again_on_other_terms_asks_why_and_a_cancel_draws_nothing(
    qtbot: QtBot, services: Services, text_prompts: TextPrompts, signed: uuid.UUID
) -> None:
    dialog = ModerationDialog(services, text_prompts, today=date(2025, 3, 12))
    qtbot.addWidget(dialog)
    dialog.draw_button.click()
    qtbot.waitUntil(lambda: not dialog.drawing)
    first = dialog.sample
    assert first is not None
    dialog.percent.setValue(50)
    dialog.draw_button.click()  # the text prompt is cancelled
    qtbot.waitUntil(lambda: not dialog.drawing)
    assert text_prompts.shown[-1][0] == "text"
    assert "is kept, so it is not drawn again" in text_prompts.shown[-1][1]
    assert dialog.sample == first
    assert len(services.moderation.samples()) == 1
    text_prompts.texts.append("The first was drawn before the last visits were signed.")
    dialog.draw_button.click()
    qtbot.waitUntil(lambda: not dialog.drawing)
    assert dialog.sample is not None
    assert dialog.sample.supersedes_id == first.id
    assert "It replaced an earlier sample because: The first was drawn" in dialog.about.text()


def test_an_observer_is_told_they_cannot_moderate_their_own_record(
    qtbot: QtBot, services: Services, text_prompts: TextPrompts, signed: uuid.UUID,
    staff: Staff,
) -> None:  # fmt: skip
    services.profiles.use_person(staff.lead, "Northshire County Council")
    dialog = ModerationDialog(services, text_prompts, today=date(2025, 3, 12))
    qtbot.addWidget(dialog)
    dialog.draw_button.click()
    qtbot.waitUntil(lambda: not dialog.drawing)
    dialog.moderate_button.click()
    assert text_prompts.shown[-1] == (
        "error",
        "You cannot moderate an observation you made or were observed in; another practice "
        "lead or the QA lead moderates it.",
    )


def test_drawing_a_sample_runs_off_the_gui_thread_and_the_dialog_says_so(
    qtbot: QtBot,
    services: Services,
    text_prompts: TextPrompts,
    signed: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Drawing reads every signed observation of the period (seconds on a large store): the
    window must keep answering meanwhile."""
    import threading

    moderation = services.moderation
    draw = moderation.draw_sample
    threads: list[bool] = []

    def drawing(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread() is threading.main_thread())
        return draw(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(moderation, "draw_sample", drawing)
    dialog = ModerationDialog(services, text_prompts, today=date(2025, 3, 20))
    qtbot.addWidget(dialog)
    dialog.draw_button.click()
    assert dialog.about.text() == "Drawing the sample…"
    assert not dialog.draw_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.drawing)
    assert threads == [False]
    assert dialog.draw_button.isEnabled()
    assert dialog.about.text().startswith("1 observation by 1 observer")
