"""The report as a page (HTML with inline SVG, printable on A4), as CSV tables and as JSON.

Everything a manager reads is built here from one Report (display/reports.py), so the
page, the files and the API never disagree. Texts come from the catalogues (it, en).

CSV files: UTF-8 with a BOM, `;` between fields and a decimal comma, which is what
Italian Excel and LibreOffice expect when a file is double-clicked.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import date, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from config.i18n import Translator
from config.model import Config
from display import report_svg, visit_report, vote_report
from display.promise import PromiseRow
from display.reports import Counts, Report, Row, Spread, TicketFacts

PERIODS = ("today", "week", "month", "last_month", "custom")
REPORT_TABLES = ("summary", "services", "desks", "days", "arrivals")
# votes, faccia: display.vote_report; work, holds: display.visit_report
TABLES = (*REPORT_TABLES, "tickets", "monthly", "promise", "votes", "faccia", "work", "holds")


def _num(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(value).replace(".", ",")


def _delta(now: int | float | None, before: int | float | None) -> str:
    if now is None or before is None:
        return ""
    diff = now - before
    if before:
        return f"{diff:+g} ({diff / before:+.0%})".replace(".", ",")
    return f"{diff:+g}"


def count_cells(c: Counts) -> list[int]:
    return [c.issued, c.served, c.noshow, c.void, c.waiting_at_close, c.unfinished]


def spread_cells(s: Spread) -> list[float | None]:
    return [s.median_min, s.p90_min, s.worst_min]


def _counts_head(t: Translator) -> list[str]:
    return [t("report_issued"), t("report_served"), t("report_noshow"), t("report_void"), t("report_waiting_close"),
            t("report_unfinished")]


def tables(report: Report, t: Translator) -> dict[str, list[list[Any]]]:
    """The report's own tables (REPORT_TABLES): the first row is the header."""
    counts_head = _counts_head(t)
    spread_head = [f"{t('report_wait')}: {t('report_median')}", f"{t('report_wait')}: {t('report_p90')}",
                   f"{t('report_wait')}: {t('report_worst')}", f"{t('report_service_time')}: {t('report_median')}",
                   f"{t('report_service_time')}: {t('report_p90')}", f"{t('report_service_time')}: {t('report_worst')}"]

    def rows(items: tuple[Row, ...], first: str) -> list[list[Any]]:
        return [[first, *counts_head, *spread_head]] + [
            [r.label, *count_cells(r.counts), *spread_cells(r.wait), *spread_cells(r.service)] for r in items]

    out: dict[str, list[list[Any]]] = {
        "summary": [[t("report_period"), *counts_head, *spread_head],
                    [f"{report.first.isoformat()} - {report.last.isoformat()}", *count_cells(report.counts),
                     *spread_cells(report.wait), *spread_cells(report.service_time)]],
        "services": rows(report.by_service, t("report_service")),
        "desks": rows(report.by_desk, t("report_desk")),
        "days": [[t("report_day"), t("report_open"), *counts_head, f"{t('report_wait')}: {t('report_median')}",
                  t("report_longest_queue")]] + [
            [d.day.isoformat(), t("report_yes") if d.open else t(f"report_reason_{d.closure}"),
             *count_cells(d.counts), d.median_wait_min, d.longest_queue] for d in report.days],
        "arrivals": [[t("report_day"), *[f"{h:02d}" for h in range(24)]]] + [
            [t(f"weekday_{w}"), *report.arrivals_per_day[w]] for w in range(7)],
    }
    if report.previous is not None:
        out["summary"].append([t("report_previous_short"), *count_cells(report.previous),
                               *spread_cells(report.previous_wait or Spread(0, None, None, None))])
    return out


def ticket_table(facts: list[TicketFacts], tz: ZoneInfo) -> list[list[Any]]:
    """The raw ticket events of the period (there is no personal data: code, service, desk, times, outcome)."""
    return [["code", "service", "original_service", "day", "issued_at", "totem", "outcome", "desk",
             "first_called_at", "last_called_at", "finished_at", "recalls"]] + [
        [f.code, f.service_id, f.original_service, f.day.isoformat(), _iso(f.issued_s, tz), f.totem, f.status,
         f.desk_id or "", *(_iso(s, tz) for s in (f.first_call_s, f.last_call_s, f.finished_s)), f.recalls]
        for f in facts]


def promise_table(rows: list[PromiseRow], t: Translator, config: Config) -> list[list[Any]]:
    """The promise measured (display.promise): per day and service, the share of waits inside the range told."""
    labels = {s.id: s.label(t.lang) for s in config.services}
    return [[t("report_day"), t("report_service"), t("report_promise_told"), t("report_promise_inside"),
             t("report_promise_share"), t("report_promise_error")]] + [
        [r.day, labels.get(r.service, r.service), r.told, r.inside, round(100.0 * r.share, 1), r.median_error_min]
        for r in rows]


def promise_section(rows: list[list[Any]], t: Translator) -> str:
    head, *body = rows
    inner = ("<table><thead><tr>" + "".join(f"<th>{escape(str(h))}</th>" for h in head) + "</tr></thead><tbody>"
             + "".join("<tr>" + "".join(f"<td>{escape(_num(v) if isinstance(v, float) else str(v))}</td>" for v in r)
                       + "</tr>" for r in body) + "</tbody></table>")
    return _scroller(t("report_promise"), f"<p class=hint>{escape(t('report_promise_hint'))}</p>" + inner)


def monthly_table(monthly: list[tuple[Any, ...]], t: Translator) -> list[list[Any]]:
    """The kept monthly summaries (report_data.monthly_rows)."""
    return [[t("report_month_col"), t("report_service"), *_counts_head(t)[:5],
             f"{t('report_wait')}: {t('report_median')}", f"{t('report_wait')}: {t('report_p90')}",
             f"{t('report_service_time')}: {t('report_median')}"]] + [list(r) for r in monthly]


def _iso(seconds: float | None, tz: ZoneInfo) -> str:
    """Local time to the second (rounded: julianday keeps microseconds only approximately)."""
    if seconds is None:
        return ""
    return datetime.fromtimestamp(round(seconds), tz).isoformat(timespec="seconds")


def to_csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([_num(v) if isinstance(v, float) else ("" if v is None else v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_json(report: Report) -> dict[str, Any]:
    data = asdict(report)
    data["open_days"] = report.open_days
    return data


def _counts_table(t: Translator, report: Report) -> str:
    names = ["report_issued", "report_served", "report_noshow", "report_void", "report_waiting_close",
             "report_unfinished"]
    now = count_cells(report.counts)
    before = count_cells(report.previous) if report.previous else [None] * 6
    body = "".join(f"<tr><th scope=row>{escape(t(n))}</th><td>{a}</td><td>{'' if b is None else b}</td>"
                   f"<td>{_delta(a, b)}</td></tr>" for n, a, b in zip(names, now, before, strict=True))
    wait_now, wait_before = report.wait.median_min, report.previous_wait.median_min if report.previous_wait else None
    body += (f"<tr><th scope=row>{escape(t('report_median_wait'))}</th><td>{_num(wait_now)}</td>"
             f"<td>{_num(wait_before)}</td><td>{_delta(wait_now, wait_before)}</td></tr>")
    return (f"<table class=counts><thead><tr><th></th><th>{escape(t('report_this_period'))}</th>"
            f"<th>{escape(t('report_previous_short'))}</th><th>{escape(t('report_change'))}</th></tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _rows_table(t: Translator, rows: tuple[Row, ...], first: str) -> str:
    head = (f"<tr><th>{escape(first)}</th><th>{escape(t('report_issued'))}</th><th>{escape(t('report_served'))}</th>"
            f"<th>{escape(t('report_noshow'))}</th><th>{escape(t('report_wait'))}<br>{escape(t('report_median'))} / "
            f"{escape(t('report_p90'))} / {escape(t('report_worst'))}</th><th>{escape(t('report_service_time'))}"
            f"<br>{escape(t('report_median'))} / {escape(t('report_p90'))} / {escape(t('report_worst'))}</th></tr>")
    body = "".join(
        f"<tr><th scope=row>{escape(r.label)}</th><td>{r.counts.issued}</td><td>{r.counts.served}</td>"
        f"<td>{r.counts.noshow}</td><td>{' / '.join(_num(v) or '-' for v in spread_cells(r.wait))}</td>"
        f"<td>{' / '.join(_num(v) or '-' for v in spread_cells(r.service))}</td></tr>" for r in rows)
    return f"<table><thead>{head}</thead><tbody>{body}</tbody></table>"


def _days_table(t: Translator, report: Report) -> str:
    body = "".join(
        f"<tr class={'open' if d.open else 'closed'}><th scope=row>{escape(t(f'weekday_{d.day.weekday()}'))} "
        f"{d.day:%d/%m}</th>" + (f"<td>{d.counts.issued}</td><td>{_num(d.median_wait_min) or '-'}</td>"
                                 f"<td>{d.longest_queue}</td>" if d.open or d.counts.issued else
                                 f"<td colspan=3>{escape(t(f'report_reason_{d.closure}'))}</td>") + "</tr>"
        for d in report.days)
    return (f"<table class=days><thead><tr><th>{escape(t('report_day'))}</th><th>{escape(t('report_issued'))}</th>"
            f"<th>{escape(t('report_median_wait'))}</th><th>{escape(t('report_longest_queue'))}</th></tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _form(t: Translator, config: Config, query: dict[str, str], lang: str) -> str:
    options = "".join(f"<option value={p}{' selected' if query.get('period') == p else ''}>"
                      f"{escape(t(f'report_{p}'))}</option>" for p in PERIODS)
    services = f"<option value=''>{escape(t('report_all_services'))}</option>" + "".join(
        f"<option value={escape(s.id)}{' selected' if query.get('service') == s.id else ''}>"
        f"{escape(s.label(lang))}</option>" for s in config.services)
    desks = f"<option value=''>{escape(t('report_all_desks'))}</option>" + "".join(
        f"<option value={escape(d.id)}{' selected' if query.get('desk') == d.id else ''}>{escape(d.name)}</option>"
        for d in config.desks)
    return (f"<form method=get action=/reports class=period><input type=hidden name=lang value={lang}>"
            f"<label>{escape(t('report_period'))} <select name=period>{options}</select></label> "
            f"<label>{escape(t('report_from'))} <input type=date name=from value={escape(query.get('from', ''))}>"
            f"</label> <label>{escape(t('report_to'))} <input type=date name=to value={escape(query.get('to', ''))}>"
            f"</label> <label>{escape(t('report_service'))} <select name=service>{services}</select></label> "
            f"<label>{escape(t('report_desk'))} <select name=desk>{desks}</select></label> "
            f"<button>{escape(t('report_show'))}</button></form>")


def page(report: Report, config: Config, *, lang: str, query: dict[str, str],
         promise: list[PromiseRow] | None = None, votes: list[vote_report.VoteRow] | None = None,
         visits: visit_report.VisitFigures | None = None) -> str:
    t = Translator(lang)
    link_query = "&".join(f"{k}={escape(v)}" for k, v in (("from", report.first.isoformat()),
                                                            ("to", report.last.isoformat()),
                                                            ("service", report.service or ""),
                                                            ("desk", report.desk or ""), ("lang", lang)))
    downloads = " · ".join(f"<a href='/reports/csv/{name}?{link_query}' download>{escape(t(f'report_table_{name}'))}"
                           "</a>" for name in TABLES)
    other = "en" if lang == "it" else "it"
    other_query = "&".join(f"{k}={escape(v)}" for k, v in query.items() if k != "lang") + f"&lang={other}"
    title = f"{t('report_title')}: {config.site.desk_name}"
    period = f"{report.first:%d/%m/%Y} – {report.last:%d/%m/%Y}"
    body = (f"<header><h1>{escape(title)}</h1><p class=sub>{escape(period)} · {escape(t('report_open_days'))}: "
            f"{report.open_days}{' · ' + escape(config.service(report.service).label(lang)) if report.service else ''}"
            f"</p><nav class=noprint><a href='/reports?{other_query}' lang={other}>"
            f"{escape(Translator(other)('language_name'))}</a> · <form method=post action=/reports/logout "
            f"class=inline><button>{escape(t('report_logout'))}</button></form></nav></header>"
            f"<section class=noprint>{_form(t, config, query, lang)}</section>")
    if not report.counts.issued and not report.counts.void:
        body += f"<p class=empty>{escape(t('report_no_data'))}</p>"
    body += (_scroller(t("report_summary"), _counts_table(t, report))
             + _scroller(t("report_by_service"), _rows_table(t, report.by_service, t("report_service")))
             + _scroller(t("report_by_desk"), _rows_table(t, report.by_desk, t("report_desk")))
             + _scroller(t("report_heatmap"), report_svg.heatmap(report, t), "pagebreak")
             + _scroller(t("report_days"), report_svg.daily(report, t) + report_svg.daily_legend(t)
                           + _days_table(t, report))
             + promise_section(promise_table(promise or [], t, config), t)
             + vote_report.section(votes or [], t, config)
             + "".join(_scroller(title, inner) for title, inner in visit_report.sections(
                 visits or visit_report.VisitFigures((), ()), t, config))
             + f"<section class=noprint><h2>{escape(t('report_csv'))}</h2><p>{downloads}</p>"
             f"<p class=hint>{escape(t('report_csv_hint'))}</p><p class=hint>{escape(t('report_print'))}</p></section>")
    return _html(lang, title, body)


def _scroller(title: str, inner: str, cls: str = "") -> str:
    """A section that scrolls sideways on a phone: focusable and named, so a keyboard can scroll it."""
    return (f"<section tabindex=0 aria-label='{escape(title, quote=True)}'{f' class={cls}' if cls else ''}>"
            f"<h2>{escape(title)}</h2>{inner}</section>")


def unlock_page(*, lang: str, message: str = "", locked: bool = False) -> str:
    t = Translator(lang)
    form = "" if locked else (f"<form method=post action=/reports/unlock class=unlock><input type=hidden name=lang "
                              f"value={lang}><label>{escape(t('report_pin'))} <input type=password name=pin "
                              f"inputmode=numeric autocomplete=off autofocus></label> "
                              f"<button>{escape(t('report_unlock'))}</button></form>")
    note = f"<p class=error role=alert>{escape(message)}</p>" if message else ""
    return _html(lang, t("report_title"), f"<header><h1>{escape(t('report_title'))}</h1></header>{note}{form}")


def _html(lang: str, title: str, body: str) -> str:
    return (f"<!doctype html><html lang={lang}><head><meta charset=utf-8>"
            f"<meta name=viewport content='width=device-width, initial-scale=1'><title>{escape(title)}</title>"
            f"<link rel=stylesheet href=/static/reports.css></head><body><main>{body}</main></body></html>")


def parse_day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field}: not a date YYYY-MM-DD (got {value[:20]!r})") from None
