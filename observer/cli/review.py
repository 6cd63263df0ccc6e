"""The manager's review on the command line: a worker's history, the team overview, and the
two settings behind them (what the ASYE year needs, how often each worker is observed).

`worker` and `team` print what the worker page and the team overview show; with --json,
an object (worker) or an array (team) for scripts. The narrative they print (evidence,
actions) is the user's own output: none of it goes to the log.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from observer.errors import InvalidInput
from observer.review.settings import (
    MAX_ASYE_REQUIRED,
    MAX_INTERVAL_MONTHS,
    MIN_ASYE_REQUIRED,
    MIN_INTERVAL_MONTHS,
)
from observer.text import searchable
from observer.vocabulary import Kind

if TYPE_CHECKING:
    from observer.review.team_overview import TeamRow
    from observer.review.worker_history import WorkerHistory
    from observer.services import Services

EXIT_OK = 0

Handler = Callable[["Services", argparse.Namespace], int]


def day_argument(text: str) -> date:
    """An argparse `type` for a YYYY-MM-DD date."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-03-31") from None


def _date_range(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument("--from", dest="date_from", type=day_argument, metavar="DATE", help=what)
    command.add_argument(
        "--to", dest="date_to", type=day_argument, metavar="DATE", help="up to DATE"
    )


def add_review_commands(commands: argparse._SubParsersAction[Any]) -> None:
    worker = commands.add_parser(
        "worker",
        help="a worker's history: recurring development areas, open and overdue actions, "
        "counts by kind, the ASYE tracker",
    )
    worker.add_argument("name", metavar="NAME", help="the worker's name (or id)")
    _date_range(worker, "only observations from DATE (YYYY-MM-DD)")
    worker.add_argument(
        "--kind",
        action="append",
        choices=[k.value for k in Kind],
        help="only this kind of observation (repeat for several)",
    )
    worker.add_argument("--json", action="store_true", help="a JSON object, for scripts")

    team = commands.add_parser(
        "team", help="every worker at a glance, and who is overdue for an observation"
    )
    _date_range(team, "count observations from DATE (default: a year before --to)")
    team.add_argument("--team", metavar="NAME", help="only this team's workers")
    team.add_argument("--json", action="store_true", help="a JSON array, for scripts")

    asye = commands.add_parser(
        "asye-observations",
        help=f"direct observations a newly qualified worker needs in their ASYE year "
        f"({MIN_ASYE_REQUIRED}-{MAX_ASYE_REQUIRED}, default 3)",
    )
    asye.add_argument("count", nargs="?", type=int, metavar="N")
    interval = commands.add_parser(
        "observation-interval",
        help=f"months without an observation before a worker is overdue for one "
        f"({MIN_INTERVAL_MONTHS}-{MAX_INTERVAL_MONTHS}, default 3)",
    )
    interval.add_argument("months", nargs="?", type=int, metavar="MONTHS")


# Settings


def _asye_observations(services: Services, args: argparse.Namespace) -> int:
    from observer.review import settings as review_settings

    if args.count is not None:
        review_settings.set_asye_observations_required(services.db, args.count, services.actor())
    print(review_settings.review_settings(services.db).describe()[0])
    return EXIT_OK


def _observation_interval(services: Services, args: argparse.Namespace) -> int:
    from observer.review import settings as review_settings

    if args.months is not None:
        review_settings.set_observation_interval_months(services.db, args.months, services.actor())
    print(review_settings.review_settings(services.db).describe()[1])
    return EXIT_OK


# A worker's history


def resolve_person(services: Services, name: str) -> uuid.UUID:
    """The person a command names: by id, by name (ignoring case and accents), or by
    staff reference; InvalidInput when no one, or more than one, answers to it."""
    try:
        wanted = uuid.UUID(name)
    except ValueError:
        pass
    else:
        return services.people.get_person(wanted).id
    matches = services.people.find_by_name(name)
    if not matches:
        reference = name.strip().casefold()
        matches = [
            p
            for p in services.people.list_people()
            if reference and p.staff_reference.strip().casefold() == reference
        ]
    if not matches:
        raise InvalidInput(f"No one called {name!r} is in this store.")
    if len(matches) > 1:
        ids = ", ".join(str(p.id) for p in matches)
        raise InvalidInput(f"{len(matches)} people are called {name!r}; give one's id: {ids}.")
    return matches[0].id


def _worker(services: Services, args: argparse.Namespace) -> int:
    from observer.review.worker_history import HistoryFilter, worker_history

    filters = HistoryFilter(
        date_from=args.date_from,
        date_to=args.date_to,
        kinds=tuple(Kind(k) for k in dict.fromkeys(args.kind or ())),
    )
    history = worker_history(
        services.db, resolve_person(services, args.name), filters, date.today()
    )
    if args.json:
        json.dump(history_as_json(history), sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        _print_history(history)
    return EXIT_OK


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def history_as_json(history: WorkerHistory) -> dict[str, Any]:
    p, t = history.profile, history.totals
    asye = history.asye
    return {
        "worker": {
            "id": str(p.id),
            "name": p.name,
            "role": p.role.value,
            "team": p.team_name,
            "staff_reference": p.staff_reference,
            "active": p.active,
            "asye_started_on": _iso(p.asye_started_on),
        },
        "today": history.today.isoformat(),
        "filters": {
            "from": _iso(history.filters.date_from),
            "to": _iso(history.filters.date_to),
            "kinds": [k.value for k in history.filters.kinds],
        },
        "totals": {
            "observations": t.observations,
            "signed": t.signed,
            "ready": t.ready,
            "drafts": t.drafts,
            "open_actions": t.open_actions,
            "overdue_actions": t.overdue_actions,
            "done_actions": t.done_actions,
        },
        "counts_by_kind": [
            {"kind": c.kind.value, "label": c.label, "count": c.count}
            for c in history.counts_by_kind
        ],
        "recurring_areas": [
            {
                "framework": a.framework_key,
                "framework_version": a.framework_version,
                "standard": a.standard_code,
                "title": a.standard_title,
                "looked_at": a.looked_at,
                "below_good": [
                    {
                        "observation_id": str(r.observation_id),
                        "date": r.observed_on.isoformat(),
                        "level": r.level_label,
                        "evidence": r.evidence,
                    }
                    for r in a.below_good
                ],
            }
            for a in history.recurring_areas
        ],
        "actions": [
            {
                "id": str(a.id),
                "observation_id": str(a.observation_id),
                "observation_date": a.observation_observed_on.isoformat(),
                "description": a.description,
                "owner": a.owner_name,
                "due_date": _iso(a.due_date),
                "status": a.status.value,
                "overdue": a.overdue,
                "done_at": a.done_at.isoformat() if a.done_at else None,
                "done_by": a.done_by or None,
            }
            for a in history.actions
        ],
        "asye": None
        if asye is None
        else {
            "started_on": _iso(asye.started_on),
            "ends_on": _iso(asye.ends_on),
            "required": asye.required,
            "done": asye.done_count,
            "being_written_up": len(asye.being_written_up),
            "expected_by_now": asye.expected_by_now,
            "state": asye.state.value,
            "on_track": asye.on_track,
            "summary": asye.summary(),
        },
        "timeline": [
            {
                "observation_id": str(e.observation_id),
                "date": e.observed_on.isoformat(),
                "kind": e.kind.value,
                "observer": e.observer_name,
                "framework": e.framework_name,
                "overall": e.overall or None,
                "status": e.status.value,
            }
            for e in history.timeline
        ],
    }


def _print_history(history: WorkerHistory) -> None:
    p, t = history.profile, history.totals
    where = f", {p.team_name}" if p.team_name else ""
    reference = f" (staff reference {p.staff_reference})" if p.staff_reference else ""
    left = "" if p.active else " — no longer works here"
    print(f"{p.name}: {p.role_label}{where}{reference}{left}")
    print(
        f"Observations: {t.observations} ({t.signed} signed, {t.ready} ready for sign-off, "
        f"{t.drafts} draft{'s' if t.drafts != 1 else ''})"
    )
    if history.counts_by_kind:
        print("By kind: " + "; ".join(f"{c.label} {c.count}" for c in history.counts_by_kind))
    if history.asye is not None:
        print(f"ASYE: {history.asye.summary()}")
    print()
    if history.recurring_areas:
        print("Recurring development areas:")
        for area in history.recurring_areas:
            print(
                f"  {area.framework_name} v{area.framework_version}, {area.standard_code}. "
                f"{area.standard_title}: {area.sentence()}"
            )
            for rating in area.below_good:
                evidence = " ".join(rating.evidence.split()) or "(no evidence written)"
                print(f"    {rating.observed_on:%Y-%m-%d}  {rating.level_label}: {evidence}")
    else:
        print("No recurring development areas.")
    print()
    print(f"Actions: {t.open_actions} open ({t.overdue_actions} overdue), {t.done_actions} done.")
    for action in history.open_actions:
        state = "OVERDUE" if action.overdue else "open"
        due = f"due {action.due_date:%Y-%m-%d}" if action.due_date else "no due date"
        print(
            f"  {state:<7}  {due:<14}  {' '.join(action.description.split())}  "
            f"(from {action.observation_observed_on:%Y-%m-%d})"
        )


# The team overview


def _team(services: Services, args: argparse.Namespace) -> int:
    from observer.review.team_overview import Period, team_overview

    today = date.today()
    last = args.date_to or today
    first = args.date_from or last - timedelta(days=365)
    team_id = None
    if args.team:
        wanted = args.team.casefold()
        teams = [t for t in services.people.list_teams() if t.name.casefold() == wanted]
        if not teams:
            raise InvalidInput(f"There is no team called {args.team!r}.")
        team_id = teams[0].id
    rows = sorted(
        team_overview(services.db, today, Period(first, last), team_id=team_id),
        key=lambda r: searchable(r.name),
    )
    if args.json:
        json.dump([row_as_json(r) for r in rows], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return EXIT_OK
    print(f"Observations counted from {first:%Y-%m-%d} to {last:%Y-%m-%d}.")
    for r in rows:
        last_seen = f"{r.last_observed:%Y-%m-%d}" if r.last_observed else "never"
        flag = "  OVERDUE for an observation" if r.overdue_for_observation else ""
        print(
            f"{r.name:<28.28}  {r.role_label:<22.22}  {r.team_name or 'No team':<22.22}  "
            f"last {last_seen:<10}  {r.observations_in_period:>3} in period  "
            f"{r.latest_overall or '-':<14.14}  {r.open_actions:>2} open  "
            f"{r.overdue_actions:>2} overdue{flag}"
        )
    overdue = sum(r.overdue_for_observation for r in rows)
    print(f"{len(rows)} workers; {overdue} overdue for an observation.")
    return EXIT_OK


def row_as_json(r: TeamRow) -> dict[str, Any]:
    return {
        "id": str(r.person_id),
        "name": r.name,
        "role": r.role.value,
        "team": r.team_name or None,
        "last_observed": _iso(r.last_observed),
        "observations": r.observations,
        "observations_in_period": r.observations_in_period,
        "latest_overall": r.latest_overall or None,
        "latest_overall_on": _iso(r.latest_overall_on),
        "open_actions": r.open_actions,
        "overdue_actions": r.overdue_actions,
        "observation_due_by": r.observation_due_by.isoformat(),
        "overdue_for_observation": r.overdue_for_observation,
    }


REVIEW_HANDLERS: dict[str, Handler] = {
    "worker": _worker,
    "team": _team,
    "asye-observations": _asye_observations,
    "observation-interval": _observation_interval,
}
