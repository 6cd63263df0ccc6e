"""A private desktop (Xvfb and a D-Bus session) and a reader of its AT-SPI tree.

What Linux screen readers such as Orca hear comes over AT-SPI: the application publishes
its accessible objects on the accessibility bus, whose address the session bus gives
(org.a11y.Bus.GetAddress, which starts at-spi-bus-launcher and the registry). The reader
here walks that tree from another process with jeepney, a pure-Python D-Bus library, as
a screen reader would. scripts/bootstrap.sh --test installs Xvfb, D-Bus and at-spi2-core.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, Properties, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection

ACCESSIBLE = "org.a11y.atspi.Accessible"
REGISTRY_ROOT = ("org.a11y.atspi.Registry", "/org/a11y/atspi/accessible/root")
NEEDED = ("Xvfb", "dbus-daemon", "/usr/libexec/at-spi-bus-launcher")


@dataclass(frozen=True)
class Node:
    role: str
    name: str
    depth: int
    where: tuple[str, str]  # bus name and object path


@contextmanager
def private_desktop(where: Path) -> Iterator[dict[str, str]]:
    """An X display and a D-Bus session of our own; yields the environment to run an app in."""
    missing = [tool for tool in NEEDED if shutil.which(tool) is None]
    assert not missing, f"run scripts/bootstrap.sh --test: {', '.join(missing)} missing"
    started: list[subprocess.Popen[str]] = []
    try:
        read_end, write_end = os.pipe()
        display = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_end),
                "-screen",
                "0",
                "1366x768x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_end,),
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        started.append(display)
        os.close(write_end)
        with os.fdopen(read_end) as number:
            display_number = number.readline().strip()
        assert display_number, "Xvfb did not start"
        bus = subprocess.Popen(
            [
                "dbus-daemon",
                "--session",
                "--nofork",
                f"--address=unix:path={where / 'session-bus'}",
                "--print-address=1",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,  # the services it starts share its group, ended with it
        )
        started.append(bus)
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        assert address, "dbus-daemon did not start"
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "AT_SPI_BUS_ADDRESS"}
        }
        env |= {
            "DISPLAY": f":{display_number}",
            "DBUS_SESSION_BUS_ADDRESS": address,
            "QT_QPA_PLATFORM": "xcb",
            "QT_ACCESSIBILITY": "1",
            "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
            "XDG_RUNTIME_DIR": str(where),
            "NO_AT_BRIDGE": "0",
        }
        yield env
    finally:
        for process in reversed(started):
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()


class AtspiReader:
    """Reads the accessibility tree from outside the application, as a screen reader does."""

    def __init__(self, session_address: str) -> None:
        self._session = open_dbus_connection(bus=session_address)
        launcher = DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Bus")
        reply = self._session.send_and_get_reply(new_method_call(launcher, "GetAddress"))
        self._bus: DBusConnection = open_dbus_connection(bus=reply.body[0])

    def close(self) -> None:
        self._bus.close()
        self._session.close()

    def _call(self, where: tuple[str, str], method: str) -> Any:
        address = DBusAddress(where[1], bus_name=where[0], interface=ACCESSIBLE)
        return self._bus.send_and_get_reply(new_method_call(address, method)).body[0]

    def _children(self, where: tuple[str, str]) -> list[tuple[str, str]]:
        return [(str(bus), str(path)) for bus, path in self._call(where, "GetChildren")]

    def _name(self, where: tuple[str, str]) -> str:
        address = DBusAddress(where[1], bus_name=where[0], interface=ACCESSIBLE)
        reply = self._bus.send_and_get_reply(Properties(address).get("Name"))
        _signature, value = reply.body[0]
        return str(value)

    def applications(self) -> list[tuple[str, str]]:
        return self._children(REGISTRY_ROOT)

    def tree(self, root: tuple[str, str], max_depth: int = 25) -> list[Node]:
        """Every object under `root`, depth first, with the role name and name read out."""
        found: list[Node] = []

        def walk(where: tuple[str, str], depth: int) -> None:
            role = str(self._call(where, "GetRoleName"))
            found.append(Node(role, self._name(where), depth, where))
            if depth >= max_depth:
                return
            for child in self._children(where):
                walk(child, depth + 1)

        walk(root, 0)
        return found

    def chosen(self, combo: Node) -> str:
        """What a combo box holds, as a screen reader finds it: its list's selected item."""
        (bus, path) = self._children(combo.where)[0]
        address = DBusAddress(path, bus_name=bus, interface="org.a11y.atspi.Selection")
        reply = self._bus.send_and_get_reply(
            new_method_call(address, "GetSelectedChild", "i", (0,))
        )
        item = reply.body[0]
        return self._name((str(item[0]), str(item[1])))

    def wait_for(self, wanted: Callable[[list[Node]], bool], timeout_s: float = 8.0) -> list[Node]:
        """The first application's tree that satisfies `wanted`, read again until it does."""
        deadline = time.monotonic() + timeout_s
        last: list[Node] = []
        while True:
            for application in self.applications():
                last = self.tree(application)
                if wanted(last):
                    return last
            if time.monotonic() > deadline:
                raise AssertionError(f"not found over AT-SPI; last tree read: {last}")
            time.sleep(0.1)  # another process: nothing to wait on but its tree changing
