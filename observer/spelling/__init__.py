"""Spell-checking of narrative in British English, on this laptop only.

`words` finds the words worth checking in a text (pure); `dictionary` loads the system's
en_GB dictionary through Enchant, read-only; `service` is the one way in, `Spelling`, with
the personal dictionary kept in the encrypted store. No text leaves the process.
"""
