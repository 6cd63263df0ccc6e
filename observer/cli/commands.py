"""The table of `observer` commands: each one's name, one-line help, and the module that
builds its arguments and runs it.

Declared without importing any command module, the services or SQLAlchemy, so that
`observer --help` and `observer --version` answer at once; a command's module is imported
only when that command is asked for. Where a help line quotes a limit the core enforces,
tests/cli/test_commands.py checks that they agree.
"""

from __future__ import annotations

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2
BUNDLE_PASSPHRASE_ENV = "OBSERVER_BUNDLE_PASSPHRASE"
NEW_PASSPHRASE_ENV = "OBSERVER_NEW_PASSPHRASE"
P12_PASSPHRASE_ENV = "OBSERVER_P12_PASSPHRASE"


class Command:
    """A command: its name, the module under observer.cli that holds it, its one-line
    help. Commands on files alone (backups, restore) run without opening the store, so
    that a damaged store cannot stand in their way. (A plain class: importing `typing` or
    `dataclasses` here would cost `observer --help` more than the rest of it.)"""

    __slots__ = ("help", "makes_store", "module", "name", "opens_store")

    def __init__(
        self,
        name: str,
        module: str,
        help: str,
        opens_store: bool = True,
        makes_store: bool = False,
    ) -> None:
        self.name, self.module, self.help, self.opens_store = name, module, help, opens_store
        # Only a command that starts a laptop's store may make one: any other, given a data
        # folder with no store (a mistyped --data-dir), would quietly start an empty one.
        self.makes_store = makes_store


COMMANDS: tuple[Command, ...] = (
    Command("demo", "demo", "add realistic, fictional sample data", makes_store=True),
    Command("list", "records", "list observations, newest first"),
    Command(
        "export-json",
        "records",
        f"write records to a bundle, encrypted with ${BUNDLE_PASSPHRASE_ENV} "
        "or else the store's passphrase",
    ),
    Command(
        "import",
        "records",
        f"read a bundle, all or nothing; a sealed one opens with ${BUNDLE_PASSPHRASE_ENV} "
        "or else the store's passphrase",
        makes_store=True,  # a new laptop may start from a colleague's bundle
    ),
    Command(
        "conflicts",
        "conflicts",
        "what merging records from other laptops left to settle, with both versions",
    ),
    Command(
        "sync",
        "sync",
        "sync with the team server (push, then pull); sync enrol URL CODE joins one; "
        "sync status, sync conflicts",
    ),
    Command("frameworks", "frameworks", "list or import frameworks"),
    Command(
        "themes",
        "themes",
        "the improvement plan: themes show (each theme's standards), themes import FILE "
        "(a new version, audited), themes history, themes export FILE",
    ),
    Command("sign", "sign_off", "sign an observation off, in a role"),
    Command("pdf", "sign_off", "write an observation's summary PDF (signed once the record is)"),
    Command("verify", "sign_off", "check a summary PDF: signer, time, intact, record hash"),
    Command("identity", "sign_off", "this data folder's signing identity"),
    Command(
        "certificates",
        "certificates",
        "the signing certificates this laptop knows; trust another laptop's (audited)",
    ),
    Command(
        "passphrase",
        "security",
        f"change the passphrase (from $OBSERVER_PASSPHRASE to ${NEW_PASSPHRASE_ENV})",
    ),
    Command(
        "setup",
        "people",
        "record who uses this laptop (as the app's first run); never renames anyone",
        makes_store=True,
    ),
    Command(
        "profile",
        "people",
        "this laptop's user; --correct-name/--correct-role/--correct-organisation (audited)",
    ),
    Command(
        "people",
        "people",
        "people list: everyone, with ids; people merge KEEP DUPLICATE: one person from two "
        "records of them (audited)",
    ),
    Command("logo", "organisation", "the organisation's logo on summaries (a PNG)"),
    Command(
        "timestamp-server",
        "organisation",
        "sign with timestamps from this server (PAdES B-T)",
    ),
    Command("lock-after", "organisation", "minutes without use before the app locks itself (1-60)"),
    Command("retention", "retention", "how long observations are kept after a person leaves"),
    Command(
        "worker",
        "review",
        "a worker's history: recurring development areas, open and overdue actions, "
        "counts by kind, the ASYE tracker",
    ),
    Command("team", "review", "every worker at a glance, and who is overdue for an observation"),
    Command(
        "asye-observations",
        "review",
        "direct observations a newly qualified worker needs in their ASYE year (3-12, default 3)",
    ),
    Command(
        "observation-interval",
        "review",
        "months without an observation before a worker is overdue for one (1-24, default 3)",
    ),
    Command(
        "history",
        "history",
        "write a worker's history as one signed PDF: cover, trends, observations, "
        "development themes, actions, then each observation's summary",
    ),
    Command(
        "service-report",
        "service_report",
        "the Board report: a signed, anonymised PDF of the quality of practice across the "
        "service for a period, and/or its tables as CSV files",
    ),
    Command(
        "commentary",
        "service_report",
        "show or set the QA lead's commentary that the Board report prints for a period",
    ),
    Command(
        "search",
        "search",
        "find observations by the words in their narrative, evidence, actions and addenda, "
        "best matches first",
    ),
    Command(
        "moderation",
        "moderation",
        "moderation sample: draw the kept sample of signed observations to moderate; "
        "moderation results: how far observers and moderators agree; moderation verify",
    ),
    Command("audit", "audit", "check or list the audit trail"),
    Command("backup", "backup", "make an encrypted backup of the store now"),
    Command("backups", "backup", "list the backups, newest first", opens_store=False),
    Command(
        "restore",
        "backup",
        "put a backup in place of the store, keeping the store aside",
        opens_store=False,
    ),
)

BY_NAME = {c.name: c for c in COMMANDS}
