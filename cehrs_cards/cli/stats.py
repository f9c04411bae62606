"""`cehrs-cards stats [--json]`: the statistics view's figures (charts, mastery, readiness,
calibration), from the same service the view uses, so the two always agree. The service
returns typed records; they become JSON here (stats_json.py)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cehrs_cards.cli.output import emit
from cehrs_cards.core.words import count

if TYPE_CHECKING:
    from cehrs_cards.services.stats_report import StatsReport


def register(sub: Any) -> None:
    p = sub.add_parser("stats", help="statistics, domain mastery and exam readiness (est.)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--domain", help="charts for one domain (1-5, a name, or 'unassigned')")
    p.add_argument("--deck", help="charts for one deck (full name) and its subdecks")
    p.add_argument("--days", type=int, default=30, help="days shown per chart (default 30)")
    p.add_argument("--at", help="compute as of this ISO 8601 time (UTC if no offset)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cehrs_cards.cli import open_collection
    from cehrs_cards.core.clock import FakeClock
    from cehrs_cards.services.stats import StatsService

    at = _moment(args.at) if args.at else None
    col = open_collection(args)
    try:
        if at is not None:
            col.clock = FakeClock(at)
        svc = StatsService(col)
        report = svc.report(_filter(args, svc.decks()))
    finally:
        col.close()
    if args.json:
        from cehrs_cards.cli.stats_json import report_json

        emit(report_json(report), True)
    else:
        print("\n".join(summary_lines(report)))
    return 0


def _moment(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _filter(args: argparse.Namespace, decks: list[tuple[int, str]]) -> Any:
    from cehrs_cards.core.domains import parse_domain
    from cehrs_cards.services.stats import StatsFilter

    domain = None
    if args.domain is not None:
        domain = parse_domain(args.domain)
        if domain is None:
            raise ValueError(f"unknown domain {args.domain!r} (use 1-5, a name or unassigned)")
    deck_id = None
    if args.deck is not None:
        deck_id = next((i for i, n in decks if n == args.deck), None)
        if deck_id is None:
            raise ValueError(f"no deck named {args.deck!r}")
    if not 1 <= args.days <= 365:
        raise ValueError("--days must be between 1 and 365")
    return StatsFilter(domain, deck_id, args.days)


def held_out_lines(r: StatsReport) -> list[str]:
    """The held-out model's pass chance (the calibrated one), or why there is none."""
    h = r.held_out
    if h is None:
        return []
    f = h.forecast
    if f is None:
        return [
            "Pass chance (est.): not enough held-out answers yet.",
            *(f"  - {w}" for w in h.reasons),
        ]
    return [
        f"Pass chance (est., from {count(h.answers, 'held-out answer')} in "
        f"{count(h.mocks, 'mock')}; the cut 65-75 averaged): {f.shown_pass:.0%}; "
        f"raw {f.raw:.0f} of 100 ({f.raw_low}-{f.raw_high})."
    ]


def summary_lines(r: StatsReport) -> list[str]:
    """The report in a few lines for people (the JSON has every figure)."""
    from cehrs_cards.core.domains import domain_name

    assert r.charts is not None and r.readiness is not None and r.mastery is not None
    ov = r.charts.overview
    st = ov.streak
    lines = [
        f"Study day {r.study_day}: {count(ov.reviews_today, 'review')} "
        f"({ov.minutes_today} min), {ov.due_today} due; {count(st.current, 'day streak')} "
        f"(longest {count(st.longest, 'day')}).",
    ]
    lines += held_out_lines(r)
    ready = r.readiness
    est = ready.estimate
    if est is None:
        lines.append("Flashcard memory alone: too little data yet.")
        lines += [f"  - {why}" for why in ready.reasons]
    else:
        lines.append(
            f"Flashcard memory alone (est.): raw {round(est.raw, 1)} of 100 "
            f"({round(est.raw_low, 1)}-{round(est.raw_high, 1)}), scaled {round(est.scaled)} "
            f"(cut {est.cut}); no pass chance from memory alone (not calibrated)."
        )
    lines.append("Mastery (expected share right today, est.):")
    for d in r.mastery.domains:
        lines.append(
            f"  {d.domain} {domain_name(d.domain):<26} {round(d.share, 4):>6.1%}  "
            f"{round(d.points, 2):>5} of {d.items} points"
        )
    for lever in ready.levers:
        lines.append(f"  + {lever.text} (about +{round(lever.gain, 1)} raw points)")
    return lines
