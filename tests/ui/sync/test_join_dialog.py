"""File → Join a team server… against a real server: what each field is, what is refused
before anything is sent, joining off the GUI thread with the dialog busy, and what
success and failure say."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from observer.sync.joining import Joined
from tests.support.prompts import FakePrompts
from tests.support.sync import Laptop, LiveServer
from ui.sync.join_dialog import JoinDialog


def dialog_for(qtbot: QtBot, join: object, prompts: FakePrompts) -> JoinDialog:
    dialog = JoinDialog(join, prompts)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def never(*_: object) -> Joined:
    raise AssertionError("nothing may be sent")


def test_what_is_missing_or_unsafe_is_refused_in_one_sentence_before_anything_is_sent(
    qtbot: QtBot, prompts: FakePrompts
) -> None:
    dialog = dialog_for(qtbot, never, prompts)
    dialog.join_button.click()
    dialog.address.setText("http://observer.northshire.example")
    dialog.code.setText("7KQ2M9XD")
    dialog.join_button.click()
    dialog.address.setText("https://observer.northshire.example")
    dialog.code.setText("  ")
    dialog.join_button.click()
    assert prompts.shown == [
        ("error", "Type the team server's address, which IT gave you (it starts with https://)."),
        (
            "error",
            "http://observer.northshire.example is not encrypted (http); a team server must be "
            "reached over https, except on this computer itself.",
        ),
        ("error", "Type the one-time code that IT gave you."),
    ]
    assert dialog.isVisible()
    assert not dialog.busy


def test_joining_through_the_dialog_says_who_the_server_knows_you_as(
    qtbot: QtBot, prompts: FakePrompts, live_server: LiveServer, make_laptop: Laptop
) -> None:
    laptop = make_laptop("Aled Hughes")
    live_server.db.team("Children in Care")
    code = live_server.code_for("Aled Hughes", "practice_lead", ("Children in Care",))
    calls: list[str] = []

    def join(url: str, typed: str) -> Joined:
        calls.append(typed)
        return laptop.sync.join(url, typed)

    dialog = dialog_for(qtbot, join, prompts)
    dialog.address.setText(live_server.url)
    dialog.code.setText(code)
    with qtbot.waitSignal(dialog.joined, timeout=20000):
        dialog.join_button.click()
        assert dialog.busy
        assert not dialog.join_button.isEnabled()
        assert not dialog.address.isEnabled()
        assert dialog.join_button.text() == "Joining…"
        dialog.join_button.click()  # a second click while it runs does nothing
        dialog.start()
    assert calls == [code]
    assert prompts.shown == [
        (
            "information",
            f"This laptop has joined the team server at {live_server.url}. The server knows "
            "you as Aled Hughes, practice lead in Children in Care. Your records on this laptop "
            "are sent at the first sync, which starts now.",
        )
    ]
    assert not dialog.isVisible()
    assert laptop.sync.status().server == live_server.url


def test_a_code_the_server_refuses_is_one_sentence_and_the_laptop_has_not_joined(
    qtbot: QtBot, prompts: FakePrompts, live_server: LiveServer, make_laptop: Laptop
) -> None:
    laptop = make_laptop("Aled Hughes")
    dialog = dialog_for(qtbot, laptop.sync.join, prompts)
    dialog.address.setText(live_server.url)
    dialog.code.setText("WRONG-CODE")
    dialog.join_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20000)
    ((kind, sentence),) = prompts.shown
    assert kind == "error"
    assert sentence.startswith("The team server refused (")
    assert "\n" not in sentence
    assert dialog.isVisible()
    assert dialog.join_button.isEnabled()
    assert dialog.code.text() == "WRONG-CODE"  # kept, to correct
    assert laptop.sync.status().server is None


def test_the_codes_example_has_the_shape_of_a_code_the_server_prints(
    qtbot: QtBot, prompts: FakePrompts
) -> None:
    from observer.server.enrolment import CODE_ALPHABET, new_code

    dialog = dialog_for(qtbot, never, prompts)
    example = dialog.code.placeholderText().removeprefix("For example ")
    printed = new_code()
    assert len(example) == len(printed)
    assert [i for i, c in enumerate(example) if c == "-"] == [
        i for i, c in enumerate(printed) if c == "-"
    ]
    assert set(example.replace("-", "")) <= set(CODE_ALPHABET)
