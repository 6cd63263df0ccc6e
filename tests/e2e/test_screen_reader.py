"""What a Linux screen reader is told about New observation, read over AT-SPI from outside.

Qt's combo boxes used to be announced by their current choice ("Direct work with a child,
combo box"); they must be announced by what they choose ("Kind, combo box").
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.atspi import AtspiReader, Node, private_desktop

pytestmark = pytest.mark.e2e

DRIVER = Path(__file__).with_name("new_observation_driver.py")
LABELS = {
    ("combo box", "Practitioner observed"),
    ("combo box", "Kind"),
    ("combo box", "Framework"),
    ("text", "Date and time"),
    ("spin box", "Duration"),
    ("text", "Case reference"),
    ("check box", "A child or family member was present"),
    ("push button", "Add a person"),
}


def _has_the_form(tree: list[Node]) -> bool:
    dialog = any(node.role == "dialog" and "New observation" in node.name for node in tree)
    return dialog and any(node.role == "push button" and node.name == "Cancel" for node in tree)


def test_kind_and_framework_are_announced_by_their_labels(store_dir: Path, tmp_path: Path):
    with private_desktop(tmp_path) as env:
        app = subprocess.Popen(
            [sys.executable, str(DRIVER), str(store_dir)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert app.stdout is not None
            assert app.stdout.readline().strip() == "shown", app.stderr
            reader = AtspiReader(env["DBUS_SESSION_BUS_ADDRESS"])
            try:
                tree = reader.wait_for(_has_the_form)
                combos = {node.name: node for node in tree if node.role == "combo box"}
                # The choice is still there to be read, where Orca looks for it.
                assert reader.chosen(combos["Kind"]) == "Direct work with a child"
                person = tree.index(combos["Practitioner observed"])
                assert ("text", "Practitioner observed") in {
                    (node.role, node.name) for node in tree[person + 1 : person + 5]
                }  # the field typed into, under its combo box as in Qt's own
                assert reader.chosen(combos["Framework"]) == (
                    "Practice observation of direct work, version 1"
                )
            finally:
                reader.close()
        finally:
            app.terminate()
            app.communicate(timeout=10)

    announced = {(node.role, node.name) for node in tree}
    assert announced >= LABELS, LABELS - announced
    assert "Direct work with a child" not in combos
    assert not any(name.startswith("Practice observation") for name in combos)
