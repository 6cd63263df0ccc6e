"""Keeping Python's garbage collector from freezing the window.

A full collection looks at every object that has lived a while, and runs on whichever
thread happens to be allocating, holding the GIL throughout: with Qt, SQLAlchemy and,
once a summary has been exported, reportlab and pyHanko loaded, that is a few hundred
thousand objects and 30 to 100 ms in which the window can neither paint nor answer a
click, however much of the work is on the thread pool. Objects that live as long as the
app (modules, classes, the window's widgets) are set aside from collection (gc.freeze)
once they are there; collections then look only at what came after them. Start-up makes
almost nothing but such objects, so the collector is off until the window is filled
(hold_off_collection), when they are set aside: it would otherwise go over them again and
again while they are made. Objects set aside are not gone over at exit either, so the
process also ends sooner.

PySide6's import hook reads the whole source of every module imported after it (to see
whether it uses PySide6), which leaves it all in `linecache`: some 20 MB for SQLAlchemy and
the app's own modules. It is let go of at the same moments; a traceback reads what it
needs again.
"""

from __future__ import annotations

import gc
import linecache
import threading

_lock = threading.Lock()
_set_aside: set[str] = set()


def hold_off_collection() -> None:
    """Switches the collector off for start-up; set_aside_what_is_loaded("the window")
    switches it on again once the window is filled."""
    gc.disable()


def set_aside_what_is_loaded(what: str, *, collect_first: bool = True) -> None:
    """Sets every object alive now aside from collection, once per `what` in the process.

    `collect_first` frees unreachable cycles first, so none is kept for good; that is a full
    collection, so leave it out on the thread pool, where it would hold up the window (the
    few cycles then kept are a small, one-off cost)."""
    with _lock:
        first = what not in _set_aside
        _set_aside.add(what)
    if first:
        linecache.clearcache()
        if collect_first:
            gc.collect()
        gc.freeze()
    gc.enable()
