"""The reports page in a real browser (Chromium via Playwright): unlock with the manager's
PIN, pick last month, read the figures; screenshots on screen and as printed on A4."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import ROME, ROOT, write_site
from helpers.consoles import pair_page
from history import generate
from test_desk_browser import browser  # noqa: F401 - the shared Chromium fixture

from config import load_config
from display.server import HubServer
from totem.clock import FrozenClock

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots"


def test_manager_picks_last_month_and_prints_it(tmp_path: Path, browser: object) -> None:  # noqa: F811
    config = load_config(write_site(tmp_path))
    config = dataclasses.replace(config, hub=dataclasses.replace(config.hub, history_days=400))
    generate(config, config.hub.data_dir, first=date(2026, 10, 1), last=date(2026, 11, 30), seed=7)
    with HubServer(config, port=0, clock=FrozenClock(datetime(2026, 12, 1, 10, 0, tzinfo=ROME))) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(server.url + "/reports")  # not paired yet: no PIN field at all
        page.wait_for_selector("text=non è abbinato")
        assert page.locator("input[name=pin]").count() == 0
        pair_page(page, server, "manager")
        page.fill("input[name=pin]", "0000")
        page.click("button")
        page.wait_for_selector("text=PIN errato")
        page.fill("input[name=pin]", config.hub.manager_pin)
        page.click("button")
        page.wait_for_selector("h1:has-text('Statistiche dello sportello')")
        page.select_option("select[name=period]", "last_month")
        page.click("form.period button")
        page.wait_for_selector("text=01/11/2026 – 30/11/2026")
        issued = page.locator("table.counts tbody tr").first.locator("td").first.inner_text()
        assert int(issued) > 400
        assert page.locator("svg.chart").count() == 2
        assert page.locator("tr.closed").count() == 5  # the five Sundays (the first is All Saints too)
        out = ROOT / "tests" / "artifacts"
        out.mkdir(exist_ok=True)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "reports-desktop.png"), full_page=False)
        page.screenshot(path=str(out / "reports-desktop-full.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        assert page.locator("form.period").is_hidden(), "the controls are not printed"
        page.screenshot(path=str(SHOTS / "reports-print-a4.png"), full_page=False)
        pdf = page.pdf(path=str(out / "reports-a4.pdf"), format="A4")
        assert pdf.startswith(b"%PDF")
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 390, "height": 800})  # a phone: no sideways scrolling of the page
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        context.close()


FITS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const item of document.querySelectorAll("p.legend > span")) {
    const r = item.getBoundingClientRect();
    if (r.left < 0 || r.right > width + 0.5 || r.width === 0) out.push("legend: " + item.textContent);
  }
  for (const svg of document.querySelectorAll("svg.chart")) {
    const vb = svg.viewBox.baseVal;
    for (const text of svg.querySelectorAll("text")) {
      const b = text.getBBox();
      if (b.x < vb.x - 0.5 || b.x + b.width > vb.x + vb.width + 0.5 || b.y < vb.y - 0.5
          || b.y + b.height > vb.y + vb.height + 0.5) out.push("chart: " + text.textContent);
    }
  }
  const legend = document.querySelector("p.legend");
  return {clipped: out, legendPx: parseFloat(getComputedStyle(legend).fontSize)};
}"""


@pytest.mark.parametrize("period", ["from=2026-11-30&to=2026-11-30", "from=2026-11-01&to=2026-11-30"])
def test_the_chart_legend_fits_at_360_px_and_on_a4(tmp_path: Path, browser: object, period: str) -> None:  # noqa: F811
    """Issue 25: the daily chart's legend was clipped (drawn past a short period's chart, and shrunk
    with a long one). Every legend item and every chart label inside the page, at 360 px and A4."""
    config = load_config(write_site(tmp_path))
    config = dataclasses.replace(config, hub=dataclasses.replace(config.hub, history_days=400))
    generate(config, config.hub.data_dir, first=date(2026, 11, 1), last=date(2026, 11, 30), seed=7)
    with HubServer(config, port=0, clock=FrozenClock(datetime(2026, 12, 1, 10, 0, tzinfo=ROME))) as server:
        context = browser.new_context(viewport={"width": 360, "height": 800})  # type: ignore[attr-defined]
        page = context.new_page()
        pair_page(page, server, "manager")  # a PIN unlocks only a paired browser (issue 24)
        page.fill("input[name=pin]", config.hub.manager_pin)
        page.click("button")
        page.wait_for_selector("h1:has-text('Statistiche dello sportello')")
        for lang in ("it", "en"):
            page.goto(f"{server.url}/reports?period=custom&{period}&lang={lang}")
            page.wait_for_selector("p.legend")
            fit = page.evaluate(FITS)
            assert fit["clipped"] == [] and fit["legendPx"] >= 12, (lang, "360 px", fit)
            out = ROOT / "tests" / "artifacts"
            out.mkdir(exist_ok=True)
            page.locator("p.legend").screenshot(path=str(out / f"reports-legend-360-{lang}.png"))
            page.emulate_media(media="print")
            page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
            fit = page.evaluate(FITS)
            assert fit["clipped"] == [] and fit["legendPx"] >= 12, (lang, "A4", fit)
            page.emulate_media(media="screen")
            page.set_viewport_size({"width": 360, "height": 800})
        context.close()
