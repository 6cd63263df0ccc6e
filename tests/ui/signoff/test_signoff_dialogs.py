"""Sign-off in the room, driven as the observer and the practitioner drive it; every check
reads the store back."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session

from observer.people.directory import PersonDetails
from observer.records.merge import Change
from observer.records.sign_off import PNG_MAGIC
from observer.services import Services
from observer.store.models import AuditEvent, Observation
from observer.vocabulary import Role, SignatureRole, Status
from tests.support.core import CONSENT
from tests.support.prompts import FakePrompts
from tests.support.qt import type_text
from tests.ui.conftest import Cast
from ui.editor.sign_off_part import COUNTERSIGNED_CHIP, FROZEN_BANNER
from ui.editor.window import LOCKED_BANNER, EditorWindow
from ui.signoff import AddendumDialog, SignOffDialog
from ui.signoff.sign_dialog import (
    CONFIRM,
    HAND_OVER,
    LOCKED_NOW,
    RECORD_CHANGED,
    SIGNED_ELSEWHERE,
)
from ui.widgets.signature_pad import SignaturePad

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier
MARKUP = 'Said <b>"no"</b> & meant it <script>alert(1)</script>'

Step = Callable[[QDialog], None]


# Filling a record, drawing, and driving the dialogs


def complete(services: Services, observation_id: uuid.UUID) -> None:
    """Everything sign-off needs, plus words in the narrative to read back."""
    view = services.recording.get(observation_id)
    for rating in view.ratings:
        services.recording.set_rating(
            observation_id,
            rating.standard_code,
            level_code="good",
            evidence=f"Evidence seen for standard {rating.standard_code}.",
        )
    services.recording.update(
        observation_id,
        {
            "strengths": MARKUP,
            "child_voice": "He said his room is the best bit of the house.",
            "overall_level": "requires_improvement",
            "overall_rationale": "Warm, but the plan was not revisited.",
            **CONSENT,
        },
    )


def draw(pad: SignaturePad) -> None:
    """A signature-like stroke, drawn with real mouse events."""
    points = [QPoint(30 + 25 * i, 90 + (25 if i % 2 else -20)) for i in range(12)]
    QTest.mousePress(pad, LEFT, NONE, points[0])
    for point in points[1:]:
        QTest.mouseMove(pad, point)
    QTest.mouseRelease(pad, LEFT, NONE, points[-1])


def type_name(qtbot: QtBot, box: QLineEdit, name: str) -> None:
    box.setFocus()
    box.selectAll()
    QTest.keyClick(box, Qt.Key.Key_Delete)
    type_text(box, name)


def shown(qtbot: QtBot, dialog: QDialog) -> None:
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)


def driving(
    monkeypatch: pytest.MonkeyPatch, qtbot: QtBot, dialog_class: type[QDialog], steps: list[Step]
) -> list[QDialog]:
    """Stands in for `exec`: shows each dialog and does the next step in it, as a user."""
    opened: list[QDialog] = []

    def exec_(dialog: QDialog) -> int:
        opened.append(dialog)
        shown(qtbot, dialog)
        steps.pop(0)(dialog)
        result = dialog.result()
        dialog.hide()
        return result

    monkeypatch.setattr(dialog_class, "exec", exec_)
    return opened


def sign_as(qtbot: QtBot, name: str | None, comment: str = "") -> Step:
    def step(dialog: QDialog) -> None:
        assert isinstance(dialog, SignOffDialog)
        if name is not None:
            type_name(qtbot, dialog.fields.name, name)
        draw(dialog.fields.pad)
        if comment:
            assert dialog.fields.comment is not None
            dialog.fields.comment.setFocus()
            type_text(dialog.fields.comment, comment)
        qtbot.mouseClick(dialog.sign_button, LEFT)

    return step


def open_editor(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation_id: uuid.UUID
) -> EditorWindow:
    window = EditorWindow(services.for_record(), prompts, observation_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def add_manager(services: Services) -> None:
    """A team manager, who may countersign."""
    services.people.add_person(PersonDetails("Ștefan Ionescu", Role.TEAM_MANAGER))


def sign_in_store(services: Services, observation_id: uuid.UUID, *roles: SignatureRole) -> None:
    if SignatureRole.MANAGER in roles:
        add_manager(services)
    names = {
        SignatureRole.OBSERVER: "Priya Shah",
        SignatureRole.PRACTITIONER: "Zoë Łukasiewicz",
        SignatureRole.MANAGER: "Ștefan Ionescu",
    }
    for role in roles:
        services.signoff.sign(observation_id, role, names[role])


# Signing in the room


def test_observer_then_practitioner_sign_and_the_editor_locks_and_lists_both(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
):
    complete(services, observation)
    services.recording.mark_ready(observation)
    window = open_editor(qtbot, services, prompts, observation)
    assert window.sign_off.sign_button.isVisible()
    seen: dict[str, object] = {}

    def observer_signs(dialog: QDialog) -> None:
        assert isinstance(dialog, SignOffDialog)
        assert dialog.role is SignatureRole.OBSERVER
        seen["observer name"] = dialog.fields.name.text()
        sign_as(qtbot, None)(dialog)

    def practitioner_reads_and_signs(dialog: QDialog) -> None:
        assert isinstance(dialog, SignOffDialog)
        assert dialog.role is SignatureRole.PRACTITIONER
        assert dialog.fields.name.text() == "Zoë Łukasiewicz"  # real text, not a hint
        seen["review"] = dialog.review.toPlainText()
        seen["review read-only"] = dialog.review.isReadOnly()
        sign_as(qtbot, "Zoë Łukasiewicz", "I agree & will use the <tool> next time.")(dialog)

    driving(monkeypatch, qtbot, SignOffDialog, [observer_signs, practitioner_reads_and_signs])
    # The observer confirms, hands the laptop over at once, and the practitioner confirms.
    prompts.answers = [True, True, True]
    qtbot.mouseClick(window.sign_off.sign_button, LEFT)

    assert seen["observer name"] == "Priya Shah"  # the record's observer
    assert seen["review read-only"] is True
    review = str(seen["review"])
    assert MARKUP in review  # exactly as typed, not as markup
    assert "Evidence seen for standard 1." in review
    assert "Requires improvement" in review  # ratings as words
    assert "Use the three houses tool with the younger child" in review
    assert [m for m in prompts.shown if m[0] == "ask"] == [
        ("ask", CONFIRM[SignatureRole.OBSERVER]),
        ("ask", HAND_OVER.format(name="Zoë Łukasiewicz")),
        ("ask", CONFIRM[SignatureRole.PRACTITIONER]),
    ]
    assert ("information", LOCKED_NOW) in prompts.shown

    signatures = services.signoff.signatures(observation)
    assert [(s.role, s.name) for s in signatures] == [
        (SignatureRole.OBSERVER, "Priya Shah"),
        (SignatureRole.PRACTITIONER, "Zoë Łukasiewicz"),
    ]
    record_hash = services.signoff.current_hash(observation)
    for signature in signatures:
        assert signature.drawing_png is not None
        assert signature.drawing_png.startswith(PNG_MAGIC)
        assert signature.content_hash == record_hash
    assert signatures[1].comment == "I agree & will use the <tool> next time."
    assert services.recording.get(observation).status is Status.SIGNED

    assert window.status is Status.SIGNED
    assert window.status_chip.text() == Status.SIGNED.label
    assert window.page.read_only
    assert window.banner.text() == LOCKED_BANNER
    card = window.sign_off.signatures_card
    assert card.isVisible()
    assert card.names == ["Priya Shah", "Zoë Łukasiewicz"]
    assert card.findChildren(QWidget, "ink")  # the drawn images are shown
    assert window.sign_off.addendum_button.isVisible()
    # The practice lead's laptop: a countersignature is the worker's manager's to make.
    assert not window.sign_off.sign_button.isVisible()
    assert not window.sign_off.sign_action.isEnabled()


def test_after_the_observer_signs_the_editor_is_frozen_until_the_practitioner_signs(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
):
    complete(services, observation)
    services.recording.mark_ready(observation)
    window = open_editor(qtbot, services, prompts, observation)
    driving(monkeypatch, qtbot, SignOffDialog, [sign_as(qtbot, "Priya Shah")])
    prompts.answers = [True, False]  # the observer confirms; the practitioner signs later

    window.sign_off.sign_action.trigger()

    assert [s.role for s in services.signoff.signatures(observation)] == [SignatureRole.OBSERVER]
    assert window.page.read_only
    assert window.banner.isVisible()
    assert window.banner.text() == FROZEN_BANNER
    assert window.windowTitle() == "Home visit — Zoë Łukasiewicz (signed by the observer)"
    assert not window.save_action.isEnabled()
    assert not window.add_action_action.isEnabled()
    assert window.sign_off.signatures_card.names == ["Priya Shah"]
    before = services.recording.get(observation)
    strengths = window.page.bindings["strengths"].widget
    strengths.setFocus()
    QTest.keyClicks(strengths, "changed")
    assert not window.autosaver.has_pending()
    assert services.recording.get(observation) == before

    # A window opened afterwards shows the same.
    again = open_editor(qtbot, services, prompts, observation)
    assert again.page.read_only
    assert again.banner.isVisible()
    assert again.banner.text() == FROZEN_BANNER
    assert again.windowTitle() == "Home visit — Zoë Łukasiewicz (signed by the observer)"
    assert not again.ready_button.isVisible()
    assert again.sign_off.sign_button.isVisible()


def test_a_record_not_ready_is_not_signed_and_the_dialog_says_what_is_missing(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    dialog = SignOffDialog(services.for_record(), observation, SignatureRole.OBSERVER, prompts)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog)
    draw(dialog.fields.pad)
    assert dialog.fields.comment is not None
    dialog.fields.comment.setPlainText("Ready when you are.")
    prompts.answers = [True]  # signs, if it can

    qtbot.mouseClick(dialog.sign_button, LEFT)

    assert services.signoff.signatures(observation) == []
    kind, message = prompts.shown[-1]
    assert kind == "error"
    assert "not ready for sign-off" in message
    assert "Choose the overall judgement." in message
    assert "Give the rationale for the overall judgement." in message
    assert dialog.isVisible()  # still open, nothing lost
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.fields.name.text() == "Priya Shah"
    assert dialog.fields.pad.stroke_count() == 1
    assert dialog.fields.comment.toPlainText() == "Ready when you are."


def test_signing_without_a_name_is_refused_and_the_drawing_is_kept(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    complete(services, observation)
    sign_in_store(services, observation, SignatureRole.OBSERVER)
    dialog = SignOffDialog(services.for_record(), observation, SignatureRole.PRACTITIONER, prompts)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog)
    type_name(qtbot, dialog.fields.name, "")
    draw(dialog.fields.pad)
    prompts.answers = [True]  # would sign, were it asked

    qtbot.mouseClick(dialog.sign_button, LEFT)

    assert prompts.shown == [("error", "Type your name to sign.")]
    assert dialog.isVisible()
    assert dialog.fields.pad.stroke_count() == 1
    assert len(services.signoff.signatures(observation)) == 1


def test_the_practitioners_name_is_filled_in_as_text_and_signs_as_it_is(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    complete(services, observation)
    sign_in_store(services, observation, SignatureRole.OBSERVER)
    dialog = SignOffDialog(services.for_record(), observation, SignatureRole.PRACTITIONER, prompts)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog)
    assert dialog.fields.name.text() == "Zoë Łukasiewicz"
    prompts.answers = [True]

    qtbot.mouseClick(dialog.sign_button, LEFT)

    assert [(s.role, s.name) for s in services.signoff.signatures(observation)][-1] == (
        SignatureRole.PRACTITIONER,
        "Zoë Łukasiewicz",
    )
    assert dialog.result() == QDialog.DialogCode.Accepted


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            SignatureRole.OBSERVER,
            "Only Priya Shah, the record's observer, can sign as the observer; nothing was signed.",
        ),
        (
            SignatureRole.PRACTITIONER,
            "Only Zoë Łukasiewicz, the person observed, can sign as the practitioner; "
            "nothing was signed.",
        ),
    ],
)
def test_someone_elses_name_is_refused_with_a_message_naming_who_signs(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    role: SignatureRole,
    expected: str,
):
    complete(services, observation)
    if role is SignatureRole.PRACTITIONER:
        sign_in_store(services, observation, SignatureRole.OBSERVER)
    before = services.signoff.signatures(observation)
    dialog = SignOffDialog(services.for_record(), observation, role, prompts)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog)
    type_name(qtbot, dialog.fields.name, "Someone Else")
    prompts.answers = [True]  # would sign, were it asked

    qtbot.mouseClick(dialog.sign_button, LEFT)

    assert prompts.shown == [("error", expected)]  # refused before any confirmation
    assert services.signoff.signatures(observation) == before
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.fields.name.text() == "Someone Else"


def test_a_countersignature_in_a_name_that_is_no_team_managers_is_refused(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    complete(services, observation)
    sign_in_store(services, observation, SignatureRole.OBSERVER, SignatureRole.PRACTITIONER)
    add_manager(services)
    dialog = SignOffDialog(services.for_record(), observation, SignatureRole.MANAGER, prompts)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog)
    assert dialog.fields.name.text() == ""
    type_name(qtbot, dialog.fields.name, "Priya Shah")  # a practice lead
    prompts.answers = [True]

    qtbot.mouseClick(dialog.sign_button, LEFT)

    kind, message = prompts.shown[-1]
    assert kind == "error"
    assert message.startswith("Only a team manager in this store can countersign")
    assert len(services.signoff.signatures(observation)) == 2
    assert dialog.isVisible()


@pytest.mark.parametrize("role", [SignatureRole.OBSERVER, SignatureRole.PRACTITIONER])
def test_signing_asks_a_final_confirmation_and_no_signs_nothing(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    role: SignatureRole,
):
    complete(services, observation)
    if role is SignatureRole.PRACTITIONER:
        sign_in_store(services, observation, SignatureRole.OBSERVER)
    before = services.signoff.signatures(observation)
    status = services.recording.get(observation).status
    dialog = SignOffDialog(services.for_record(), observation, role, prompts)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog)
    draw(dialog.fields.pad)
    prompts.answers = [False]

    qtbot.mouseClick(dialog.sign_button, LEFT)

    assert prompts.shown == [("ask", CONFIRM[role])]
    assert services.signoff.signatures(observation) == before
    assert sign_events(services, observation) == [
        f"sign:{r.value}" for r in (g.role for g in before)
    ]
    assert services.recording.get(observation).status is status
    assert dialog.isVisible()  # still open, the drawing kept
    assert dialog.fields.pad.stroke_count() == 1


def test_the_confirmations_say_plainly_what_signing_does():
    assert "can no longer change" in CONFIRM[SignatureRole.OBSERVER]
    assert "locked" in CONFIRM[SignatureRole.PRACTITIONER]


def test_a_confirmation_defaults_to_no(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
):
    complete(services, observation)
    asked: list[bool] = []

    def ask(parent: QWidget | None, question: str, *, default_yes: bool = False) -> bool:
        asked.append(default_yes)
        return False

    monkeypatch.setattr(prompts, "ask", ask)
    dialog = SignOffDialog(services.for_record(), observation, SignatureRole.OBSERVER, prompts)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog)

    qtbot.mouseClick(dialog.sign_button, LEFT)

    assert asked == [False]
    assert services.signoff.signatures(observation) == []


def test_enter_in_the_name_box_does_not_sign(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    complete(services, observation)
    dialog = SignOffDialog(services.for_record(), observation, SignatureRole.OBSERVER, prompts)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog)
    dialog.fields.name.setFocus()
    QTest.keyClick(dialog.fields.name, Qt.Key.Key_Return)
    assert services.signoff.signatures(observation) == []
    assert dialog.isVisible()


def test_a_typed_name_alone_is_a_signature(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    complete(services, observation)
    dialog = SignOffDialog(services.for_record(), observation, SignatureRole.OBSERVER, prompts)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog)
    prompts.answers = [True]
    qtbot.mouseClick(dialog.sign_button, LEFT)

    (signature,) = services.signoff.signatures(observation)
    assert signature.name == "Priya Shah"
    assert signature.drawing_png is None
    assert dialog.result() == QDialog.DialogCode.Accepted


def manager_uses_this_laptop(services: Services, cast: Cast) -> uuid.UUID:
    """Ștefan Ionescu manages the worker's team and is this laptop's user now."""
    manager = services.people.add_person(
        PersonDetails("Ștefan Ionescu", Role.TEAM_MANAGER, team_id=cast.team)
    )
    services.people.update_team(cast.team, "Assessment North", manager)
    services.profiles.use_person(manager, "Northshire County Council")
    return manager


def menu_texts(window: EditorWindow) -> list[str]:
    return [a.text() for menu in window.menuBar().findChildren(QMenu) for a in menu.actions()]


def test_a_practice_lead_is_not_offered_the_countersignature_of_their_signed_record(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID, cast: Cast
):
    complete(services, observation)
    sign_in_store(services, observation, SignatureRole.OBSERVER, SignatureRole.PRACTITIONER)
    window = open_editor(qtbot, services, prompts, observation)

    assert window.status is Status.SIGNED
    assert not window.sign_off.sign_button.isVisible()
    assert not window.sign_off.sign_action.isEnabled()
    assert not [t for t in menu_texts(window) if "ountersign" in t.replace("&", "")]
    assert window.sign_off.addendum_button.isVisible()  # her correction is still hers to add

    # Nor is a team manager of another team.
    other = services.people.add_team("Fostering")
    manager = services.people.add_person(PersonDetails("Dana Lewis", Role.TEAM_MANAGER, other))
    services.people.update_team(other, "Fostering", manager)
    services.profiles.use_person(manager, "Northshire County Council")
    window = open_editor(qtbot, services, prompts, observation)
    assert not window.sign_off.sign_button.isVisible()

    # The worker's own team's manager is.
    manager_uses_this_laptop(services, cast)
    window = open_editor(qtbot, services, prompts, observation)
    assert window.sign_off.sign_button.isVisible()
    assert window.sign_off.sign_button.text() == "Countersign…"
    assert window.sign_off.sign_action.isEnabled()


def test_a_manager_countersigns_a_signed_record(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
    cast: Cast,
):
    complete(services, observation)
    sign_in_store(services, observation, SignatureRole.OBSERVER, SignatureRole.PRACTITIONER)
    manager_uses_this_laptop(services, cast)
    window = open_editor(qtbot, services, prompts, observation)
    assert window.sign_off.sign_button.text() == "Countersign…"
    opened = driving(monkeypatch, qtbot, SignOffDialog, [sign_as(qtbot, "Ștefan Ionescu")])
    prompts.answers = [True]

    qtbot.mouseClick(window.sign_off.sign_button, LEFT)

    assert ("ask", CONFIRM[SignatureRole.MANAGER]) in prompts.shown

    assert opened[0].role is SignatureRole.MANAGER  # type: ignore[attr-defined]
    signatures = services.signoff.signatures(observation)
    assert [s.role for s in signatures][-1] is SignatureRole.MANAGER
    assert signatures[-1].name == "Ștefan Ionescu"
    assert window.sign_off.signatures_card.names[-1] == "Ștefan Ionescu"
    assert window.status_chip.text() == COUNTERSIGNED_CHIP
    assert not window.sign_off.sign_button.isVisible()
    assert not window.sign_off.sign_action.isEnabled()


# Addenda


def test_an_addendum_on_a_signed_record_is_stored_and_shown_after_it(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
):
    complete(services, observation)
    sign_in_store(services, observation, SignatureRole.OBSERVER, SignatureRole.PRACTITIONER)
    window = open_editor(qtbot, services, prompts, observation)
    assert not window.sign_off.addenda_card.isVisible()
    correction = "The visit lasted 50 minutes, not 45 <as typed> & agreed."

    def adds(dialog: QDialog) -> None:
        assert isinstance(dialog, AddendumDialog)
        assert dialog.fields.name.text() == "Priya Shah"
        dialog.text.setFocus()
        type_text(dialog.text, correction)
        draw(dialog.fields.pad)
        qtbot.mouseClick(dialog.save_button, LEFT)

    driving(monkeypatch, qtbot, AddendumDialog, [adds])
    qtbot.mouseClick(window.sign_off.addendum_button, LEFT)

    (addendum,) = services.signoff.addenda(observation)
    assert addendum.text == correction
    assert addendum.author_name == "Priya Shah"
    assert addendum.drawing_png is not None
    assert addendum.drawing_png.startswith(PNG_MAGIC)
    assert window.sign_off.addenda_card.isVisible()
    assert window.sign_off.addenda_card.texts == [correction]
    assert window.statusBar().currentMessage() == "Addendum added."


def test_an_empty_addendum_is_refused_and_the_dialog_stays_open(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    complete(services, observation)
    sign_in_store(services, observation, SignatureRole.OBSERVER, SignatureRole.PRACTITIONER)
    dialog = AddendumDialog(services.for_record(), observation, prompts)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog)
    draw(dialog.fields.pad)

    qtbot.mouseClick(dialog.save_button, LEFT)

    assert prompts.shown == [("error", "An addendum needs some text.")]
    assert dialog.isVisible()
    assert services.signoff.addenda(observation) == []


def test_no_addendum_is_offered_before_the_record_is_signed(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    window = open_editor(qtbot, services, prompts, observation)
    assert not window.sign_off.addendum_button.isVisible()
    assert not window.sign_off.addendum_action.isEnabled()
    assert not window.sign_off.sign_button.isVisible()  # a draft: the checklist comes first
    assert not window.sign_off.signatures_card.isVisible()


# Accessibility


INPUTS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractButton, SignaturePad)


def inputs_of(dialog: QDialog) -> list[QWidget]:
    return [
        w
        for w in dialog.findChildren(QWidget)
        if isinstance(w, INPUTS)
        and not w.objectName().startswith("qt_")
        and not isinstance(w.parentWidget(), QLineEdit)
    ]


@pytest.mark.parametrize("which", ["sign", "addendum"])
def test_every_input_in_the_dialogs_has_a_name_and_a_description(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID, which: str
):
    complete(services, observation)
    if which == "addendum":
        sign_in_store(services, observation, SignatureRole.OBSERVER, SignatureRole.PRACTITIONER)
        dialog: QDialog = AddendumDialog(services.for_record(), observation, prompts)
    else:
        dialog = SignOffDialog(services.for_record(), observation, SignatureRole.OBSERVER, prompts)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog)

    inputs = inputs_of(dialog)
    assert any(isinstance(w, SignaturePad) for w in inputs)
    for widget in inputs:
        assert widget.accessibleName(), f"{type(widget).__name__} has no accessible name"
        assert widget.accessibleDescription(), widget.accessibleName()


def test_the_keyboard_reaches_the_pad_and_undoes_there(
    qtbot: QtBot, services: Services, prompts: FakePrompts, observation: uuid.UUID
):
    complete(services, observation)
    dialog = SignOffDialog(services.for_record(), observation, SignatureRole.OBSERVER, prompts)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog)
    draw(dialog.fields.pad)
    dialog.fields.name.setFocus()

    QTest.keyClick(dialog.fields.name, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.fields.pad
    QTest.keyClick(dialog.fields.pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert dialog.fields.pad.is_empty()
    assert dialog.fields.redo_button.isEnabled()
    assert not dialog.fields.clear_button.isEnabled()


# What is shown is what is signed


def sign_events(services: Services, observation_id: uuid.UUID) -> list[str]:
    with services.db.session() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.record_id == observation_id))
        return [a for a in actions if a.startswith("sign:")]


def test_a_record_changed_while_the_sign_dialog_is_open_is_not_signed_and_is_shown_anew(
    qtbot: QtBot,
    services: Services,
    other_laptop_window: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
):
    complete(services, observation)
    dialog = SignOffDialog(services.for_record(), observation, SignatureRole.OBSERVER, prompts)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog)
    read = dialog.when.toolTip()
    assert "Added in the other window" not in dialog.review.toPlainText()
    draw(dialog.fields.pad)
    other_laptop_window.recording.save(
        observation, [Change("development_areas", "", "Added in the other window.")]
    )
    prompts.answers = [True, True]  # confirms each time Sign is pressed

    qtbot.mouseClick(dialog.sign_button, LEFT)

    assert ("warning", RECORD_CHANGED) in prompts.shown
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert services.signoff.signatures(observation) == []
    assert sign_events(services, observation) == []
    assert "Added in the other window." in dialog.review.toPlainText()
    now = services.signoff.current_hash(observation)
    assert dialog.when.toolTip() == now != read
    assert not dialog.fields.pad.is_empty()  # the signature drawn is kept

    qtbot.mouseClick(dialog.sign_button, LEFT)  # having read the new version

    (signature,) = services.signoff.signatures(observation)
    assert signature.content_hash == now
    assert sign_events(services, observation) == ["sign:observer"]


def test_a_signature_made_elsewhere_while_the_dialog_is_open_closes_it_signing_nothing(
    qtbot: QtBot,
    services: Services,
    other_laptop_window: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
):
    """Its turn has passed: signing again as the observer could only be refused, so the
    dialog says who signed and closes rather than leaving the signer stuck."""
    complete(services, observation)
    dialog = SignOffDialog(services.for_record(), observation, SignatureRole.OBSERVER, prompts)
    qtbot.addWidget(dialog)
    shown(qtbot, dialog)
    draw(dialog.fields.pad)
    other_laptop_window.signoff.sign(observation, SignatureRole.OBSERVER, "Priya Shah")
    prompts.answers = [True]

    qtbot.mouseClick(dialog.sign_button, LEFT)

    assert ("warning", SIGNED_ELSEWHERE.format(role="observer")) in prompts.shown
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.isVisible()
    assert [s.role for s in services.signoff.signatures(observation)] == [SignatureRole.OBSERVER]
    assert sign_events(services, observation) == ["sign:observer"]


def test_the_sign_dialog_shows_and_signs_from_one_read_of_the_record(
    qtbot: QtBot,
    services: Services,
    prompts: FakePrompts,
    observation: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
):
    """Each read of the record is a separate moment another window may write between, so
    the review, the steps and the fingerprint come from one."""
    complete(services, observation)
    services.recording.mark_ready(observation)
    window = open_editor(qtbot, services, prompts, observation)
    reads: dict[str, set[int]] = {"opening": set(), "after signing": set()}
    moment = ["opening"]

    def record_read(state: ORMExecuteState) -> None:
        mapper = state.bind_mapper
        of_the_record = mapper is not None and mapper.class_ is Observation
        if state.is_select and not state.is_relationship_load and of_the_record:
            reads[moment[0]].add(id(state.session))

    def signs(dialog: QDialog) -> None:
        moment[0] = "signing"
        reads["signing"] = set()
        sign_as(qtbot, None)(dialog)
        moment[0] = "after signing"

    driving(monkeypatch, qtbot, SignOffDialog, [signs])
    prompts.answers = [True, False]  # the observer confirms; the practitioner signs later
    event.listen(Session, "do_orm_execute", record_read)
    try:
        window.sign_off.sign_action.trigger()
    finally:
        event.remove(Session, "do_orm_execute", record_read)

    assert len(reads["opening"]) == 1
    assert len(reads["after signing"]) == 1
    (signature,) = services.signoff.signatures(observation)
    assert signature.content_hash == services.signoff.current_hash(observation)
