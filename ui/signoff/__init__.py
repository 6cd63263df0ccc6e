"""Sign-off in the room: the review view, the signing and addendum dialogs, and what the
editor shows of signatures and addenda."""

from ui.signoff.addendum_dialog import AddendumDialog
from ui.signoff.sign_dialog import SignOffDialog

__all__ = ["AddendumDialog", "SignOffDialog"]
