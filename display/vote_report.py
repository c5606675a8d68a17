"""The satisfaction votes in the reports (issue 22): per service day, service and desk, how many
votes, the share of each face and the reasons of the negative ones; and the export in the
three-level format of the "Mettiamoci la faccia" programme.

Read by /reports (a section), its CSVs (`/reports/csv/votes`, `/reports/csv/faccia`) and
`totem-display report`. Shares are of the votes of that row, in percent with one decimal;
a share is never computed on zero votes (no row has zero votes).

The programme's export (`faccia_table`): the programme counts, for each service and channel
of an office and each period, the judgments of its three levels (positive, sufficient,
negative: the green, yellow and red faces) and the reasons given for the negative ones; its
public descriptions name no more than that, and no column layout is published that we could
find, so the columns below use the programme's own words, one row per day, service and desk
(the "sportello" channel), one count column per level and one per reason; see docs/VOTES.md.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any

from config.i18n import Translator
from config.model import Config
from display.votes import FACES, REASONS

_QUERY = """
SELECT service_day, service_id, desk_id, face, reasons FROM votes
WHERE service_day BETWEEN ? AND ? ORDER BY service_day, service_id, desk_id
"""


@dataclass(frozen=True)
class VoteRow:
    day: str
    service: str
    desk: str
    faces: dict[str, int]  # face -> votes
    reasons: dict[str, int] = field(default_factory=dict)  # reason -> negative votes naming it

    @property
    def count(self) -> int:
        return sum(self.faces.values())

    def share(self, face: str) -> float:
        """Percent of this row's votes, one decimal."""
        return round(100.0 * self.faces.get(face, 0) / self.count, 1) if self.count else 0.0


def vote_rows(db: sqlite3.Connection, first: date, last: date, *, service: str | None = None,
              desk: str | None = None) -> list[VoteRow]:
    """One row per service day, service and desk with at least one vote."""
    if last < first:
        raise ValueError(f"the period ends ({last}) before it starts ({first})")
    faces: dict[tuple[str, str, str], Counter[str]] = {}
    reasons: dict[tuple[str, str, str], Counter[str]] = {}
    try:
        found = db.execute(_QUERY, (first.isoformat(), last.isoformat())).fetchall()
    except sqlite3.OperationalError as exc:  # a hub database not yet migrated (the CLI reads it read-only)
        if "no such table" not in str(exc):
            raise
        found = []
    for day, sid, did, face, said in found:
        if (service is not None and sid != service) or (desk is not None and did != desk):
            continue
        key = (day, sid, did)
        faces.setdefault(key, Counter())[face] += 1
        reasons.setdefault(key, Counter()).update(r for r in said.split(",") if r)
    return [VoteRow(*key, faces={f: faces[key][f] for f in FACES},
                    reasons={r: reasons[key][r] for r in REASONS if reasons[key][r]}) for key in faces]


def total(rows: list[VoteRow]) -> VoteRow:
    """All the rows as one (the period's figures)."""
    faces: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for r in rows:
        faces.update(r.faces)
        reasons.update(r.reasons)
    return VoteRow("", "", "", {f: faces[f] for f in FACES}, {r: reasons[r] for r in REASONS if reasons[r]})


def as_json(rows: list[VoteRow]) -> list[dict[str, Any]]:
    """For /api/reports and `totem-display report --json`: counts, shares (%) and reasons per row."""
    return [{"day": r.day, "service": r.service, "desk": r.desk, "votes": r.count, "faces": r.faces,
             "shares": {f: r.share(f) for f in FACES}, "reasons": r.reasons} for r in rows]


def _reasons_text(row: VoteRow, t: Translator) -> str:
    return ", ".join(f"{t(f'vote_reason_{r}')} {n}" for r, n in row.reasons.items())


def votes_table(rows: list[VoteRow], t: Translator, config: Config) -> list[list[Any]]:
    labels = {s.id: s.label(t.lang) for s in config.services}
    desks = {d.id: d.name for d in config.desks}
    return [[t("report_day"), t("report_service"), t("report_desk"), t("report_votes_count"),
             t("report_votes_positive"), t("report_votes_neutral"), t("report_votes_negative"),
             t("report_votes_reasons")]] + [
        [r.day, labels.get(r.service, r.service), desks.get(r.desk, r.desk), r.count,
         *(r.share(f) for f in FACES), _reasons_text(r, t)] for r in rows]


FACCIA_LEVELS = {"positive": "positivo", "neutral": "sufficiente", "negative": "negativo"}


def faccia_table(rows: list[VoteRow], config: Config) -> list[list[Any]]:
    """The programme's three levels, counts only (see the module's doc and docs/VOTES.md)."""
    it = Translator("it")
    labels = {s.id: s.label("it") for s in config.services}
    desks = {d.id: d.name for d in config.desks}
    head = ["data", "ufficio", "codice_servizio", "servizio", "sportello", "canale",
            *(f"giudizi_{FACCIA_LEVELS[f]}" for f in FACES), "totale_giudizi",
            *(f"motivo_negativo: {it(f'vote_reason_{r}')}" for r in REASONS)]
    return [head] + [[r.day, config.site.desk_name, r.service, labels.get(r.service, r.service),
                      desks.get(r.desk, r.desk), "sportello", *(r.faces[f] for f in FACES), r.count,
                      *(r.reasons.get(x, 0) for x in REASONS)] for r in rows]


def section(rows: list[VoteRow], t: Translator, config: Config) -> str:
    """The reports page's section: the period's shares, then one line per day, service and desk."""
    title = t("report_votes")
    hint = f"<p class=hint>{escape(t('report_votes_hint'))}</p>"
    whole = total(rows)
    summary = (f"<p class=votes-total>{escape(t('report_votes_count'))}: <strong>{whole.count}</strong>" + "".join(
        f" · {escape(t(f'vote_{f}'))}: <strong>{_pct(whole.share(f))}</strong>" for f in FACES)
        + (f" · {escape(_reasons_text(whole, t))}" if whole.reasons else "") + "</p>") if whole.count else ""
    head, *body = votes_table(rows, t, config)
    table = ("<table class=votes><thead><tr>" + "".join(f"<th>{escape(str(h))}</th>" for h in head)
             + "</tr></thead><tbody>" + "".join(
                 "<tr>" + "".join(f"<td>{escape(_pct(v) if isinstance(v, float) else str(v))}</td>" for v in r)
                 + "</tr>" for r in body) + "</tbody></table>")
    return (f"<section tabindex=0 aria-label='{escape(title, quote=True)}'><h2>{escape(title)}</h2>{hint}"
            f"{summary}{table}</section>")


def _pct(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + " %"


def summary(rows: list[VoteRow], t: Translator, config: Config) -> str:
    """For `totem-display report`: the period's shares, then one line per day, service and desk."""
    whole = total(rows)
    if not whole.count:
        return f"{t('report_votes')}: —"
    pct = (lambda v: f"{v:.1f}%") if t.lang == "en" else (lambda v: f"{v:.1f}%".replace(".", ","))
    lines = [f"{t('report_votes')}: {t('report_votes_count')} {whole.count}, "
             + ", ".join(f"{t(f'vote_{f}')} {pct(whole.share(f))}" for f in FACES)
             + (f"; {_reasons_text(whole, t)}" if whole.reasons else "")]
    head, *body = votes_table(rows, t, config)
    lines.append("  " + " | ".join(str(h) for h in head))
    lines += ["  " + " | ".join(pct(v) if isinstance(v, float) else str(v) for v in r) for r in body]
    return "\n".join(lines)
