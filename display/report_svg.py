"""The report's charts as SVG drawn on the server: no JavaScript, no CDN, crisp in print.

Colours come from the console's palette and every mark has its figure written on it or
in a title (screen readers and a black-and-white A4 print lose nothing).
"""

from __future__ import annotations

from html import escape

from config.colours import WHITE, contrast, hex_colour
from config.i18n import Translator
from display.reports import Report

INK = "#141414"
BAND = "#0b2545"
GRID = "#d0d0d0"
CLOSED = "#e6e6e6"
WAIT = "#a4161a"
FIRST_HOUR, LAST_HOUR = 7, 20  # the heat map's columns: the hours a municipal desk can open


def _heat(value: float, top: float) -> str:
    """White to the band colour; the text turns white on the dark half (>= 4.5:1 both ways)."""
    share = 0.0 if top <= 0 else min(1.0, value / top)
    r, g, b = (round(255 + (c - 255) * share) for c in (0x0B, 0x25, 0x45))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(report: Report, t: Translator) -> str:
    """Average arrivals per open day, weekday x hour: where the queue builds up."""
    cell_w, cell_h, left, top = 46, 30, 110, 28
    hours = range(FIRST_HOUR, LAST_HOUR)
    data = report.arrivals_per_day
    peak = max((v for row in data for v in row), default=0.0)
    width = left + cell_w * len(hours) + 10
    height = top + cell_h * 7 + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(t("report_heatmap"))}" class="chart">']
    for i, hour in enumerate(hours):
        out.append(f'<text x="{left + i * cell_w + cell_w / 2}" y="{top - 9}" text-anchor="middle" '
                   f'font-size="13" fill="{INK}">{hour:02d}</text>')
    for w in range(7):
        y = top + w * cell_h
        out.append(f'<text x="{left - 8}" y="{y + cell_h / 2 + 5}" text-anchor="end" font-size="14" '
                   f'fill="{INK}">{escape(t(f"weekday_{w}"))}</text>')
        for i, hour in enumerate(hours):
            value = data[w][hour]
            fill = _heat(value, peak)
            rgb = hex_colour(fill)
            text = "#ffffff" if contrast(WHITE, rgb) >= contrast(hex_colour(INK), rgb) else INK
            label = f"{value:.1f}".rstrip("0").rstrip(".") if value else ""
            if t.lang != "en":
                label = label.replace(".", ",")
            out.append(f'<rect x="{left + i * cell_w}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                       f'fill="{fill}" stroke="{GRID}"><title>{escape(t(f"weekday_{w}"))} {hour:02d}:00 '
                       f'{label or 0}</title></rect>')
            if label:
                out.append(f'<text x="{left + i * cell_w + cell_w / 2 - 1}" y="{y + cell_h / 2 + 4}" '
                           f'text-anchor="middle" font-size="12" fill="{text}">{label}</text>')
    out.append("</svg>")
    return "".join(out)


def daily(report: Report, t: Translator) -> str:
    """Tickets per day (bars) and the day's median wait (dots, right scale); closed days grey."""
    days = report.days
    bar_w = max(6, min(40, 900 // max(1, len(days))))
    left, top, plot_h = 50, 20, 200
    width = left + bar_w * len(days) + 100
    height = top + plot_h + 50
    most = max((d.counts.issued for d in days), default=0) or 1
    longest_wait = max((d.median_wait_min or 0 for d in days), default=0) or 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(t("report_days"))}" class="chart">',
           f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 90}" y2="{top + plot_h}" stroke="{INK}"/>',
           f'<text x="{left - 6}" y="{top + 5}" text-anchor="end" font-size="12" fill="{INK}">{most}</text>',
           f'<text x="{width - 86}" y="{top + 5}" font-size="12" fill="{WAIT}">{longest_wait:.0f} '
           f'{escape(t("report_minutes"))}</text>']
    for i, d in enumerate(days):
        x = left + i * bar_w
        if not d.open:
            out.append(f'<rect x="{x}" y="{top}" width="{bar_w - 1}" height="{plot_h}" fill="{CLOSED}">'
                       f'<title>{d.day:%d/%m} {escape(t("report_closed"))}</title></rect>')
        h = plot_h * d.counts.issued / most
        if h:
            out.append(f'<rect x="{x}" y="{top + plot_h - h:.1f}" width="{bar_w - 1}" height="{h:.1f}" fill="{BAND}">'
                       f'<title>{d.day:%d/%m}: {d.counts.issued}</title></rect>')
        if d.median_wait_min is not None:
            y = top + plot_h - plot_h * d.median_wait_min / longest_wait
            out.append(f'<circle cx="{x + bar_w / 2:.1f}" cy="{y:.1f}" r="3.5" fill="{WAIT}">'
                       f'<title>{d.day:%d/%m}: {d.median_wait_min} {escape(t("report_minutes"))}</title></circle>')
        if len(days) <= 31 or d.day.day in (1, 15):
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="11" '
                       f'fill="{INK}">{d.day:%d}</text>')
    out.append(f'<text x="{left}" y="{height - 8}" font-size="12" fill="{INK}">■ {escape(t("report_issued"))}</text>'
               f'<text x="{left + 220}" y="{height - 8}" font-size="12" fill="{WAIT}">● '
               f'{escape(t("report_median_wait"))}</text></svg>')
    return "".join(out)
