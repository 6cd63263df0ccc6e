"""The manager's review on the command line: a worker's history, the team overview, and the
two settings behind them (what the ASYE year needs, how often each worker is observed).

`worker` and `team` print what the worker page and the team overview show; with --json,
an object (worker) or an array (team) for scripts. The narrative they print (evidence,
actions) is the user's own output: none of it goes to the log.
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from observer.cli.common import EXIT_OK, Arguments, Handler, day_argument, print_json
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


def _date_range(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument("--from", dest="date_from", type=day_argument, metavar="DATE", help=what)
    command.add_argument(
        "--to", dest="date_to", type=day_argument, metavar="DATE", help="up to DATE"
    )


# Settings


def asye_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        f"Direct observations a newly qualified worker needs in their ASYE year "
        f"({MIN_ASYE_REQUIRED}-{MAX_ASYE_REQUIRED}); without N, the number now."
    )
    parser.add_argument("count", nargs="?", type=int, metavar="N")


def asye_observations(services: Services, args: argparse.Namespace) -> int:
    if args.count is not None:
        services.review_settings.set_asye_observations_required(args.count)
    print(services.review_settings.current().describe()[0])
    return EXIT_OK


def interval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        f"Months without an observation before a worker is overdue for one "
        f"({MIN_INTERVAL_MONTHS}-{MAX_INTERVAL_MONTHS}); without MONTHS, the number now."
    )
    parser.add_argument("months", nargs="?", type=int, metavar="MONTHS")


def observation_interval(services: Services, args: argparse.Namespace) -> int:
    if args.months is not None:
        services.review_settings.set_observation_interval_months(args.months)
    print(services.review_settings.current().describe()[1])
    return EXIT_OK


# A worker's history


def worker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "name", metavar="NAME", help="the worker's name, part of it, staff reference or id"
    )
    _date_range(parser, "only observations from DATE (YYYY-MM-DD)")
    parser.add_argument(
        "--kind",
        action="append",
        choices=[k.value for k in Kind],
        help="only this kind of observation (repeat for several)",
    )
    parser.add_argument("--json", action="store_true", help="a JSON object, for scripts")


def worker(services: Services, args: argparse.Namespace) -> int:
    from observer.review.worker_history import HistoryFilter

    filters = HistoryFilter(
        date_from=args.date_from,
        date_to=args.date_to,
        kinds=tuple(Kind(k) for k in dict.fromkeys(args.kind or ())),
    )
    person = services.people.resolve_worker(args.name)
    history = services.worker_history.of(person.id, filters, date.today())
    if args.json:
        print_json(history_as_json(history))
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


def team_arguments(parser: argparse.ArgumentParser) -> None:
    _date_range(parser, "count observations from DATE (default: a year before --to)")
    parser.add_argument("--team", metavar="NAME", help="only this team's workers")
    parser.add_argument("--json", action="store_true", help="a JSON array, for scripts")


def team(services: Services, args: argparse.Namespace) -> int:
    from observer.review.team_overview import Period

    today = date.today()
    last = args.date_to or today
    first = args.date_from or last - timedelta(days=365)
    team_id = services.people.team_named(args.team).id if args.team else None
    rows = sorted(
        services.team_overview.rows(today, Period(first, last), team_id=team_id),
        key=lambda r: searchable(r.name),
    )
    if args.json:
        print_json([row_as_json(r) for r in rows])
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


COMMANDS: dict[str, tuple[Arguments, Handler]] = {
    "worker": (worker_arguments, worker),
    "team": (team_arguments, team),
    "asye-observations": (asye_arguments, asye_observations),
    "observation-interval": (interval_arguments, observation_interval),
}
