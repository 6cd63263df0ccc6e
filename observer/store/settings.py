"""Reading and writing one of the store's settings, inside the caller's session.

Each setting is a row of the `settings` table: a key and a JSON value. These helpers do no
transaction handling of their own: they run in the caller's session, so a setting changes
in the same transaction as whatever else the caller writes (an audit event, say). Checking
a stored value, and falling back when it is damaged, is left to the caller, which knows
what the setting means.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from observer.store.models import Setting

# Who uses this laptop (observer.people.profile): their person id and organisation.
PROFILE_KEY = "local_profile"


def stored_value(s: Session, key: str) -> Any:
    """The setting's stored value, or None when it is not set."""
    setting = s.get(Setting, key)
    return None if setting is None else setting.value


def store_value(s: Session, key: str, value: Any) -> bool:
    """Sets the setting to `value` (None removes it); returns whether that changed anything.

    A value equal (==) to the stored one is left alone, as SQLAlchemy would leave it: the
    JSON column compares old and new with == and writes only a difference. Pass a new
    object rather than the stored one changed in place, or there is no difference to see.
    """
    setting = s.get(Setting, key)
    if value is None:
        if setting is None:
            return False
        s.delete(setting)
        return True
    if setting is None:
        s.add(Setting(key=key, value=value))
        return True
    if setting.value == value:
        return False
    setting.value = value
    return True
