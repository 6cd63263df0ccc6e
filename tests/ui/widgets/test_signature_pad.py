"""The signature pad, drawn on with real mouse events; its image read back as a printer would."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from ui.widgets.signature_pad import ACCESSIBLE_NAME, SignaturePad

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def open_pad(qtbot: QtBot) -> SignaturePad:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(480, 160)
    pad.show()
    qtbot.waitExposed(pad)
    return pad


def draw(pad: SignaturePad, *points: tuple[int, int]) -> None:
    """One stroke, pressed at the first point and dragged through the rest."""
    first, *rest = (QPoint(x, y) for x, y in points)
    QTest.mousePress(pad, LEFT, NONE, first)
    for point in rest:
        QTest.mouseMove(pad, point)
    QTest.mouseRelease(pad, LEFT, NONE, rest[-1] if rest else first)


def decoded(png: bytes) -> QImage:
    image = QImage()
    assert image.loadFromData(png, "PNG")
    return image


def dark_pixels(image: QImage) -> int:
    """Pixels of visible dark ink: opaque enough and dark enough to print."""
    found = 0
    for y in range(image.height()):
        for x in range(image.width()):
            colour = image.pixelColor(x, y)
            if colour.alpha() > 128 and colour.lightness() < 80:
                found += 1
    return found


def test_an_empty_pad_has_nothing_to_export(qtbot: QtBot):
    pad = open_pad(qtbot)
    assert pad.is_empty()
    assert not pad.can_undo()
    assert not pad.can_redo()


def test_mouse_strokes_are_drawn_and_exported_as_a_printable_png(qtbot: QtBot):
    pad = open_pad(qtbot)
    with qtbot.waitSignal(pad.changed):
        draw(pad, (40, 100), (80, 60), (120, 110), (160, 50), (200, 105))

    assert not pad.is_empty()
    assert pad.stroke_count() == 1
    (stroke,) = pad.strokes()
    assert [(p.x(), p.y()) for p in stroke] == [
        (40, 100),
        (80, 60),
        (120, 110),
        (160, 50),
        (200, 105),
    ]
    png = pad.to_png()
    assert png.startswith(PNG_SIGNATURE)
    image = decoded(png)
    assert dark_pixels(image) > 100
    # Cropped to the stroke with a margin, not the whole pad.
    assert image.width() < 2 * 480
    assert image.height() < 2 * 160
    assert image.pixelColor(0, 0).alpha() == 0  # transparent around the ink


def test_a_finger_draws_one_stroke_not_a_second_one_from_made_up_mouse_events(qtbot: QtBot):
    pad = open_pad(qtbot)
    finger = QTest.createTouchDevice()
    QTest.touchEvent(pad, finger).press(0, QPoint(20, 50)).commit()
    QTest.touchEvent(pad, finger).move(0, QPoint(120, 80)).commit()
    QTest.touchEvent(pad, finger).move(0, QPoint(220, 40)).commit()
    QTest.touchEvent(pad, finger).release(0, QPoint(220, 40)).commit()

    assert pad.stroke_count() == 1
    assert len(pad.strokes()[0]) == 3
    assert dark_pixels(decoded(pad.to_png())) > 50


def test_undo_redo_and_clear_change_what_is_drawn(qtbot: QtBot):
    pad = open_pad(qtbot)
    draw(pad, (30, 90), (120, 95), (200, 92))
    one_stroke = pad.to_png()
    draw(pad, (260, 40), (300, 120), (420, 60))
    two_strokes = pad.to_png()
    assert pad.stroke_count() == 2
    assert two_strokes != one_stroke
    assert decoded(two_strokes).width() > decoded(one_stroke).width()

    pad.undo()
    assert pad.stroke_count() == 1
    assert pad.to_png() == one_stroke
    assert pad.can_redo()

    pad.redo()
    assert pad.to_png() == two_strokes

    pad.clear()
    assert pad.is_empty()
    pad.undo()  # a clear is undone as a whole
    assert pad.to_png() == two_strokes

    pad.undo()
    pad.undo()
    assert pad.is_empty()
    assert not pad.can_undo()


def test_a_new_stroke_after_undo_cannot_be_redone_over(qtbot: QtBot):
    pad = open_pad(qtbot)
    draw(pad, (30, 90), (120, 95))
    draw(pad, (150, 90), (220, 60))
    pad.undo()
    draw(pad, (250, 40), (260, 120))
    assert not pad.can_redo()
    assert pad.stroke_count() == 2


def test_a_click_without_moving_leaves_a_dot(qtbot: QtBot):
    pad = open_pad(qtbot)
    draw(pad, (100, 80))
    assert pad.stroke_count() == 1
    assert dark_pixels(decoded(pad.to_png())) > 0


def test_the_keyboard_undoes_and_redoes_in_the_pad(qtbot: QtBot):
    pad = open_pad(qtbot)
    draw(pad, (30, 90), (120, 95))
    draw(pad, (150, 90), (220, 60))
    pad.setFocus()

    QTest.keyClick(pad, Qt.Key.Key_Z, CTRL)
    assert pad.stroke_count() == 1
    QTest.keyClick(pad, Qt.Key.Key_Z, CTRL | SHIFT)
    assert pad.stroke_count() == 2


def test_the_pad_is_named_focusable_and_says_a_typed_name_will_do(qtbot: QtBot):
    pad = open_pad(qtbot)
    assert pad.accessibleName() == ACCESSIBLE_NAME == "Signature pad"
    assert "typed name" in pad.accessibleDescription()
    assert pad.focusPolicy() & Qt.FocusPolicy.TabFocus


def test_the_export_is_dark_ink_even_when_the_screen_ink_is_light(qtbot: QtBot):
    pad = open_pad(qtbot)
    palette = pad.palette()
    palette.setColor(palette.ColorRole.Text, Qt.GlobalColor.white)
    palette.setColor(palette.ColorRole.Base, Qt.GlobalColor.black)
    pad.setPalette(palette)
    draw(pad, (40, 100), (200, 60), (300, 110))

    on_screen = pad.grab().toImage()
    assert any(
        on_screen.pixelColor(x, y).lightness() > 200 for x in range(40, 300) for y in range(60, 110)
    ), "the ink on screen does not follow the palette"
    assert dark_pixels(decoded(pad.to_png())) > 100


def test_a_huge_signature_is_exported_at_a_sensible_size(qtbot: QtBot):
    pad = open_pad(qtbot)
    pad.resize(3000, 1200)
    draw(pad, (10, 10), (1500, 1100), (2990, 20))
    image = decoded(pad.to_png())
    assert image.width() <= 1200
    assert image.height() <= 400
