"""The laptop's client: the trusted certificates are loaded once a process, not on each
sync (a tenth of a second or more each time, for every push and pull)."""

from __future__ import annotations

import ssl

import pytest

from observer.sync.client import Client


def test_the_trusted_certificates_are_loaded_once_for_many_syncs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Client("https://sync.example.org"):
        pass
    loaded: list[object] = []
    real = ssl.SSLContext.load_verify_locations

    def counting(context: ssl.SSLContext, *args: object, **kwargs: object) -> None:
        loaded.append(args)
        real(context, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counting)
    for _ in range(5):
        with Client("https://sync.example.org", "token"):
            pass
    assert loaded == []
