"""The desk's whole work in the reports: held turns, second services and contacts without a ticket.

Counting rules, each a decision a manager can check:
1. held: tickets of the period held at least once ("Sospendi", display.hold); called back: those
   among them called back at least once; expired: those still held at closing; held now: today's
   turns still held. Each ticket is counted once per column, under the desk that held it.
2. work, per desk, channel and service: "ticket" = tickets served there (timed from the last call to
   "Fatto"); "second" = second services added to a ticket in service (no time of their own);
   "phone", "email", "walkin" = contacts recorded without a ticket, timed when the operator timed them.
3. a day belongs to the service day the row was made on; nothing personal is read.
Read by /reports, its CSV files (`holds`, `work`) and `totem-display report`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from html import escape

from config.i18n import Translator
from config.model import Config

CHANNELS = ("ticket", "second", "phone", "email", "walkin")
LABELS = {"ticket": "channel_ticket", "second": "channel_second", "phone": "channel_phone", "email": "channel_email",
          "walkin": "channel_walkin"}  # catalogue keys


@dataclass(frozen=True)
class HoldRow:
    desk: str
    service: str
    held: int
    called_back: int
    expired: int
    held_now: int


@dataclass(frozen=True)
class WorkRow:
    desk: str
    channel: str
    service: str
    count: int
    timed: int  # how many of them have a time
    minutes: float  # their total time


@dataclass(frozen=True)
class VisitFigures:
    holds: tuple[HoldRow, ...]
    work: tuple[WorkRow, ...]


def _where(service: str | None, desk: str | None) -> tuple[str, list[str]]:
    """The optional filters, for tables that all name them `service_id` and `desk_id`."""
    wanted = [(c, v) for c, v in (("service_id", service), ("desk_id", desk)) if v is not None]
    return "".join(f" AND {c} = ?" for c, _ in wanted), [v for _, v in wanted]


def visit_figures(db: sqlite3.Connection, first: date, last: date, *, service: str | None = None,
                  desk: str | None = None) -> VisitFigures:
    span = [first.isoformat(), last.isoformat()]
    more, args = _where(service, desk)
    holds = tuple(HoldRow(str(d), s, int(h), int(b), int(e), int(n)) for d, s, h, b, e, n in db.execute(
        "SELECT desk_id, service_id, COUNT(*), SUM(hold_returns > 0), SUM(status = 'expired'), SUM(status = 'held') "
        f"FROM tickets WHERE service_day BETWEEN ? AND ? AND holds > 0{more} GROUP BY desk_id, service_id "
        "ORDER BY desk_id, service_id", span + args))
    work: list[WorkRow] = []
    for d, s, n, timed, seconds in db.execute(
            "SELECT desk_id, service_id, COUNT(*), COUNT(finished_at), "
            "SUM((julianday(finished_at) - julianday(called_at)) * 86400.0) FROM tickets "
            f"WHERE service_day BETWEEN ? AND ? AND status = 'served' AND called_at IS NOT NULL{more} "
            "GROUP BY desk_id, service_id", span + args):
        work.append(WorkRow(str(d), "ticket", s, n, timed, round((seconds or 0.0) / 60, 1)))
    for d, s, n in db.execute(f"SELECT desk_id, service_id, COUNT(*) FROM visit_services WHERE service_day "
                              f"BETWEEN ? AND ?{more} GROUP BY desk_id, service_id", span + args):
        work.append(WorkRow(d, "second", s, n, 0, 0.0))
    for d, c, s, n, timed, seconds in db.execute(
            "SELECT desk_id, channel, service_id, COUNT(*), COUNT(duration_s), SUM(duration_s) FROM contacts "
            f"WHERE service_day BETWEEN ? AND ?{more} GROUP BY desk_id, channel, service_id", span + args):
        work.append(WorkRow(d, c, s, n, timed, round((seconds or 0) / 60, 1)))
    work.sort(key=lambda r: (r.desk, CHANNELS.index(r.channel) if r.channel in CHANNELS else 99, r.service))
    return VisitFigures(holds, tuple(work))


def _names(config: Config, t: Translator) -> tuple[dict[str, str], dict[str, str]]:
    return ({s.id: s.label(t.lang) for s in config.services}, {d.id: d.name for d in config.desks})


def _channel(channel: str, t: Translator) -> str:
    return t(LABELS[channel]) if channel in LABELS else channel


def holds_table(fig: VisitFigures, t: Translator, config: Config) -> list[list[object]]:
    services, desks = _names(config, t)
    return [[t("report_desk"), t("report_service"), t("report_held"), t("report_held_back"),
             t("report_held_expired"), t("report_held_now")]] + [
        [desks.get(r.desk, r.desk), services.get(r.service, r.service), r.held, r.called_back, r.expired, r.held_now]
        for r in fig.holds]


def work_table(fig: VisitFigures, t: Translator, config: Config) -> list[list[object]]:
    services, desks = _names(config, t)
    return [[t("report_desk"), t("report_channel"), t("report_service"), t("report_contacts"), t("report_timed"),
             t("report_work_minutes")]] + [
        [desks.get(r.desk, r.desk), _channel(r.channel, t), services.get(r.service, r.service), r.count, r.timed,
         r.minutes] for r in fig.work]


def _table(rows: list[list[object]], lang: str) -> str:
    head, *body = rows

    def cell(v: object) -> str:
        return (f"{v:.1f}".replace(".", ",") if lang == "it" else f"{v:.1f}") if isinstance(v, float) else str(v)

    return ("<table><thead><tr>" + "".join(f"<th>{escape(str(h))}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join("<tr>" + "".join(f"<td>{escape(cell(v))}</td>" for v in r) + "</tr>" for r in body)
            + "</tbody></table>")


def sections(fig: VisitFigures, t: Translator, config: Config) -> list[tuple[str, str]]:
    """(title, inner HTML) of the page's two sections: the desk's work per channel, the held turns."""
    return [(t("report_work"), f"<p class=hint>{escape(t('report_work_hint'))}</p>"
             + _table(work_table(fig, t, config), t.lang)),
            (t("report_holds"), f"<p class=hint>{escape(t('report_holds_hint'))}</p>"
             + _table(holds_table(fig, t, config), t.lang))]


def summary(fig: VisitFigures, t: Translator) -> str:
    """For the terminal: held turns in one line, then the work per channel summed over desks and services."""
    held = [sum(getattr(r, k) for r in fig.holds) for k in ("held", "called_back", "expired", "held_now")]
    per_channel: dict[str, list[float]] = {}
    for r in fig.work:
        got = per_channel.setdefault(r.channel, [0, 0.0])
        got[0] += r.count
        got[1] += r.minutes
    channels = ", ".join(f"{_channel(c, t)} {int(n)}" for c, (n, _) in per_channel.items()) or "—"
    return (f"{t('report_holds')}: {t('report_held')} {held[0]}, {t('report_held_back')} {held[1]}, "
            f"{t('report_held_expired')} {held[2]}, {t('report_held_now')} {held[3]}\n"
            f"{t('report_work')}: {channels}")
