"""What making and checking documents needs from the open store, and nothing more.

Summaries and histories are made from the records, the laptop's user, the signing
identity and the data folder; naming those here, rather than the whole set of services,
keeps this package below the composition root (observer/services.py provides them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from observer.people.directory import People
from observer.people.profile import Profiles
from observer.records.recording import Recording
from observer.records.sign_off import SignOff
from observer.signing.opened import OpenedIdentity
from observer.store.db import Database


class DocumentSources(Protocol):
    @property
    def data_dir(self) -> Path: ...

    @property
    def db(self) -> Database: ...

    @property
    def passphrase(self) -> str: ...

    @property
    def signing_identity(self) -> OpenedIdentity: ...

    @property
    def people(self) -> People: ...

    @property
    def profiles(self) -> Profiles: ...

    @property
    def recording(self) -> Recording: ...

    @property
    def signoff(self) -> SignOff: ...

    def actor(self) -> str: ...
