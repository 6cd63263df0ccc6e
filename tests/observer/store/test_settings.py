"""A setting is read and written inside the caller's session, and written only when it differs."""

from __future__ import annotations

from observer.services import Services
from observer.store.models import Setting
from observer.store.settings import store_value, stored_value

KEY = "test.setting"


def test_a_setting_is_added_changed_left_alone_and_removed(services: Services) -> None:
    db = services.db
    with db.session() as s, s.begin():
        assert stored_value(s, KEY) is None
        assert store_value(s, KEY, None) is False  # nothing to remove
        assert store_value(s, KEY, {"a": [1, 2]}) is True
    with db.session() as s:
        assert stored_value(s, KEY) == {"a": [1, 2]}
        setting = s.get(Setting, KEY)
        assert setting is not None
        first_written = setting.updated_at

    with db.session() as s, s.begin():
        assert store_value(s, KEY, {"a": [1, 2]}) is False  # an equal new object
    with db.session() as s:
        setting = s.get(Setting, KEY)
        assert setting is not None
        assert setting.updated_at == first_written

    with db.session() as s, s.begin():
        assert store_value(s, KEY, {"a": [1, 2, 3]}) is True
    with db.session() as s, s.begin():
        assert stored_value(s, KEY) == {"a": [1, 2, 3]}
        assert store_value(s, KEY, None) is True
    with db.session() as s:
        assert s.get(Setting, KEY) is None
        assert stored_value(s, KEY) is None


def test_nothing_is_kept_when_the_callers_transaction_rolls_back(services: Services) -> None:
    with services.db.session() as s:
        s.begin()
        assert store_value(s, KEY, 5) is True
        s.rollback()
    with services.db.session() as s:
        assert stored_value(s, KEY) is None
