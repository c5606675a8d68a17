"""`totem-display report`: the desk's figures for a period, on the terminal or as CSV files.

Reads the hub's database read-only (the hub may keep running). Exit 0 with the figures,
2 for a bad argument (named), 4 when the database cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from config.i18n import Translator
from config.model import Config
from display import visit_report, vote_report
from display.promise import promise_rows
from display.queue import QueueStore
from display.report_data import load_facts, monthly_rows, report_for
from display.report_page import TABLES, monthly_table, parse_day, promise_table, tables, ticket_table, to_csv, to_json
from display.reports import Report


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("report", help="the desk's figures for a period (terminal, CSV or JSON)")
    p.add_argument("--from", dest="first", required=True, metavar="YYYY-MM-DD", help="first service day")
    p.add_argument("--to", dest="last", required=True, metavar="YYYY-MM-DD", help="last service day (inclusive)")
    p.add_argument("--service", help="one service id only")
    p.add_argument("--desk", help="one desk id only")
    p.add_argument("--lang", help="language of the labels (a site language; default the first)")
    p.add_argument("--csv", metavar="DIR", help="write every table as DIR/<table>.csv (';', UTF-8 BOM)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")


def run(config: Config, args: argparse.Namespace) -> int:
    lang = args.lang or config.site.languages[0]
    try:
        first, last = parse_day(args.first, "--from"), parse_day(args.last, "--to")
        if last < first:
            raise ValueError(f"--to: {last} is before --from: {first}")
        if lang not in config.site.languages:
            raise ValueError(f"--lang: {lang!r} is not one of site.languages ({', '.join(config.site.languages)})")
        if args.service and args.service not in {s.id for s in config.services}:
            raise ValueError(f"--service: unknown service {args.service!r}")
        if args.desk and config.desk(args.desk) is None:
            raise ValueError(f"--desk: unknown desk {args.desk!r}")
    except ValueError as exc:
        print(f"totem-display report: {exc}", file=sys.stderr)
        return 2
    path = Path(config.hub.data_dir) / QueueStore.FILENAME
    tz = ZoneInfo(config.site.timezone)
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            report = report_for(db, config, first, last, service=args.service, desk=args.desk, lang=lang)
            promise = promise_rows(db, first, last, service=args.service)
            votes = vote_report.vote_rows(db, first, last, service=args.service, desk=args.desk)
            visits = visit_report.visit_figures(db, first, last, service=args.service, desk=args.desk)
            if args.csv:  # the raw tickets and the monthly rows only go to the files
                facts = load_facts(db, first, last, tz, service=args.service, desk=args.desk)
                monthly = monthly_rows(db, first.isoformat()[:7], last.isoformat()[:7])
        finally:
            db.close()
    except sqlite3.Error as exc:
        print(f"totem-display report: cannot read {path}: {exc}", file=sys.stderr)
        return 4
    if args.json:
        print(json.dumps({**to_json(report), "votes": vote_report.as_json(votes)}, default=str, indent=1))
    else:
        print(summary(report, Translator(lang)))
        print(promise_summary(promise_table(promise, Translator(lang), config), Translator(lang)))
        print(vote_report.summary(votes, Translator(lang), config))
        print(visit_report.summary(visits, Translator(lang)))
    if args.csv:
        out = Path(args.csv)
        out.mkdir(parents=True, exist_ok=True)
        t = Translator(lang)
        all_tables = {**tables(report, t), "tickets": ticket_table(facts, tz), "monthly": monthly_table(monthly, t),
                      "promise": promise_table(promise, t, config), "votes": vote_report.votes_table(votes, t, config),
                      "faccia": vote_report.faccia_table(votes, config),
                      "work": visit_report.work_table(visits, t, config),
                      "holds": visit_report.holds_table(visits, t, config)}
        for name in TABLES:
            (out / f"{name}.csv").write_bytes(to_csv(all_tables[name]))
        print(f"{len(TABLES)} CSV files in {out}: {', '.join(n + '.csv' for n in TABLES)}")
    return 0


EMPTY = "—"  # a figure with nothing to measure (no ticket served, no wait): never "None"


def figure(value: float | None, lang: str) -> str:
    """A figure as the report's language writes it: "12,5" in Italian, "12.5" in English, "—" for none."""
    if value is None:
        return EMPTY
    text = f"{value:g}" if isinstance(value, int) else f"{value:.1f}".rstrip("0").rstrip(".")
    return text if lang == "en" else text.replace(".", ",")


def promise_summary(rows: list[list[object]], t: Translator) -> str:
    """The promise measured, one line per day and service: "2026-12-01  Servizi sanitari  18/20 90.0% 6.5"."""
    head, *body = rows
    if not body:  # nothing called with a printed wait: nothing to measure
        return f"{t('report_promise')}: {EMPTY}"

    def cell(value: object) -> str:
        return figure(value, t.lang) if isinstance(value, int | float) or value is None else str(value)

    lines = [f"{t('report_promise')}:", "  " + " | ".join(str(h) for h in head)]
    lines += ["  " + " | ".join(cell(v) for v in r) for r in body]
    return "\n".join(lines)


def summary(report: Report, t: Translator) -> str:
    c = report.counts
    f = lambda value: figure(value, t.lang)  # noqa: E731
    lines = [f"{t('report_period')}: {report.first} - {report.last} ({t('report_open_days')}: {report.open_days})",
             f"{t('report_issued')}: {c.issued}   {t('report_served')}: {c.served}   {t('report_noshow')}: "
             f"{c.noshow}   {t('report_void')}: {c.void}   {t('report_waiting_close')}: {c.waiting_at_close}"]
    if report.previous is not None:
        lines.append(f"{t('report_previous_short')}: {report.previous.issued} / {report.previous.served}")
    lines.append(f"{t('report_wait')}: {t('report_median')} {f(report.wait.median_min)}, {t('report_p90')} "
                 f"{f(report.wait.p90_min)}, {t('report_worst')} {f(report.wait.worst_min)}")
    lines.append(f"{t('report_service_time')}: {t('report_median')} {f(report.service_time.median_min)}")
    lines.append(f"{t('report_by_service')}:")
    lines += [f"  {r.label:<40} {r.counts.issued:>6} {r.counts.served:>6}  {f(r.wait.median_min)} / "
              f"{f(r.wait.p90_min)}" for r in report.by_service]
    busiest = sorted(((v, w, h) for w, row in enumerate(report.arrivals_per_day) for h, v in enumerate(row) if v),
                     reverse=True)[:5]
    lines.append(f"{t('report_heatmap')}: " + (", ".join(f"{t(f'weekday_{w}')} {h:02d}:00 {f(v)}"
                                                          for v, w, h in busiest) or EMPTY))
    return "\n".join(lines)
