"""Statistics for the desk manager (issue 13): figures checked one by one against a seeded
history whose answers the test computes itself (tests/helpers/history.py)."""

from __future__ import annotations

import sqlite3
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROME, write_site
from history import Truth, add_ticket, generate

from config import load_config
from config.model import Config
from display.queue import QueueStore
from display.report_data import load_facts, monthly_rows, report_for
from display.reports import named_period

SECOND_DESK = '''
[[desks]]
id = "2"
name = "Sportello 2"
services = ["uffici", "procedure", "rimborsi", "bollette"]
pin = "2580"
'''


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Path, list[Truth]]:
    tmp = tmp_path_factory.mktemp("history")
    path = write_site(tmp, extra={"closed_dates = []": 'closed_dates = ["2026-11-02"]'})
    path.write_text(path.read_text() + SECOND_DESK)
    config = load_config(path)
    truth = generate(config, config.hub.data_dir, first=date(2026, 8, 1), last=date(2026, 11, 30), seed=13)
    return config, config.hub.data_dir, truth


def db_of(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(data_dir / QueueStore.FILENAME)


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[8] if len(values) > 1 else values[0]


def test_november_figures_match_the_history(site: tuple[Config, Path, list[Truth]]) -> None:
    config, data_dir, truth = site
    nov = [t for t in truth if date(2026, 11, 1) <= t.day <= date(2026, 11, 30)]
    with db_of(data_dir) as db:
        report = report_for(db, config, date(2026, 11, 1), date(2026, 11, 30))
    statuses = Counter(t.status for t in nov)
    assert report.counts.issued == len(nov) - statuses["void"] > 500
    assert (report.counts.served, report.counts.noshow, report.counts.void, report.counts.waiting_at_close,
            report.counts.unfinished) == (statuses["served"], statuses["noshow"], statuses["void"],
                                          statuses["waiting"], statuses["called"])
    waits = sorted(t.wait_min for t in nov if t.wait_min is not None)
    assert report.wait.n == len(waits)
    assert report.wait.median_min == round(statistics.median(waits), 1)
    assert report.wait.p90_min == round(p90(waits), 1)
    assert report.wait.worst_min == round(max(waits), 1)
    for row in report.by_service:  # attributed to the service that served (after transfers)
        mine = [t for t in nov if t.service == row.key]
        served = sorted(t.service_min for t in mine if t.service_min is not None)
        assert row.counts.issued == sum(1 for t in mine if t.status != "void")
        assert row.service.median_min == (round(statistics.median(served), 1) if served else None)
        assert row.label == config.service(row.key).label("it")
    assert sum(r.counts.issued for r in report.by_service) == report.counts.issued, "a transfer counts once"
    for row in report.by_desk:
        mine = [t.wait_min for t in nov if t.desk == row.key and t.wait_min is not None]
        assert row.wait.median_min == round(statistics.median(mine), 1)
    assert {r.key for r in report.by_desk} == {"1", "2"}
    assert sum(report.totems.values()) == report.counts.issued


def test_closed_days_are_closed_not_zero_and_arrivals_by_weekday_and_hour(site: tuple[Config, Path, list[Truth]]
                                                                         ) -> None:
    config, data_dir, truth = site
    with db_of(data_dir) as db:
        report = report_for(db, config, date(2026, 11, 1), date(2026, 11, 30))
    days = {d.day: d for d in report.days}
    assert len(days) == 30 and report.open_days == 30 - 5 - 1  # five Sundays, the closed date of 2 November
    assert days[date(2026, 11, 1)].closure == "holiday"  # All Saints (a Sunday too)
    assert days[date(2026, 11, 8)].closure == "closed_day"  # a Sunday
    assert days[date(2026, 11, 2)].closure == "closed_date"
    assert days[date(2026, 11, 3)].open and days[date(2026, 11, 3)].counts.issued > 0
    nov = [t for t in truth if t.day.month == 11 and t.status != "void"]
    tuesday_10 = sum(1 for t in nov if t.issued_at.weekday() == 1 and t.issued_at.hour == 10)
    assert report.arrivals[1][10] == tuesday_10
    tuesdays = sum(1 for d in report.days if d.open and d.day.weekday() == 1)
    assert report.arrivals_per_day[1][10] == round(tuesday_10 / tuesdays, 2)
    assert sum(map(sum, report.arrivals)) == report.counts.issued
    assert report.arrivals[6] == (0,) * 24, "nothing on Sundays"


def test_previous_period_and_named_periods(site: tuple[Config, Path, list[Truth]]) -> None:
    config, data_dir, truth = site
    with db_of(data_dir) as db:
        report = report_for(db, config, date(2026, 11, 1), date(2026, 11, 30))
    october_tail = [t for t in truth if date(2026, 10, 2) <= t.day <= date(2026, 10, 31)]  # the 30 days before
    assert report.previous is not None
    assert report.previous.issued == sum(1 for t in october_tail if t.status != "void")
    today = date(2026, 12, 1)
    assert named_period("last_month", today) == (date(2026, 11, 1), date(2026, 11, 30))
    assert named_period("week", today) == (date(2026, 11, 30), today)
    assert named_period("month", today) == (today, today)
    with pytest.raises(ValueError, match="unknown period 'year'"):
        named_period("year", today)


def test_one_service_or_one_desk(site: tuple[Config, Path, list[Truth]]) -> None:
    config, data_dir, truth = site
    with db_of(data_dir) as db:
        only = report_for(db, config, date(2026, 9, 1), date(2026, 9, 30), service="rimborsi")
        desk2 = report_for(db, config, date(2026, 9, 1), date(2026, 9, 30), desk="2")
    sept = [t for t in truth if t.day.month == 9]
    assert only.counts.issued == sum(1 for t in sept if t.service == "rimborsi" and t.status != "void")
    assert [r.key for r in only.by_service] == ["rimborsi"]
    assert desk2.counts.served == sum(1 for t in sept if t.desk == "2" and t.status == "served")


def test_dst_day_longest_queue_and_transfers(tmp_path: Path) -> None:
    """25 October 2026 has 25 hours: tickets at 01:30, 02:30 (twice: before and after the
    change) and 03:10 are all that day's; the queue peaks at 4; a transfer counts once."""
    config = load_config(write_site(tmp_path, always_open=True))
    QueueStore.in_dir(config.hub.data_dir, config=config).close()
    import random

    rng = random.Random(1)
    day = date(2026, 10, 25)
    first = datetime(2026, 10, 25, 1, 30, tzinfo=ROME)
    times = [first, datetime(2026, 10, 25, 2, 30, tzinfo=ROME), datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ROME),
             datetime(2026, 10, 25, 3, 10, tzinfo=ROME)]
    with db_of(config.hub.data_dir) as db:
        for i, issued in enumerate(times):
            real = issued.astimezone(UTC)  # elapsed time is real time: the clocks go back during these waits
            calls = [(real + timedelta(hours=3), "1")] if i < 3 else []
            if i == 0:  # transferred: first call three real hours later for uffici, then served as rimborsi
                calls.append((real + timedelta(hours=3, minutes=20), "1"))
            add_ticket(db, code=f"A{i + 1:03d}", service="rimborsi" if i == 0 else "uffici", original="uffici",
                       day=day, issued=issued, totem="totem-1", status="served" if i < 3 else "waiting", desk="1",
                       calls=calls, finished=calls[-1][0] + timedelta(minutes=10) if calls else None, rng=rng)
        report = report_for(db, config, day, day)
        facts = load_facts(db, day, day, config_tz(config))
    assert report.counts.issued == 4 and report.counts.waiting_at_close == 1
    assert report.days[0].longest_queue == 4
    assert [r.key for r in report.by_service] == ["uffici", "rimborsi"]
    assert report.by_service[1].wait.median_min == 180.0, "issue to first call, not to the transfer's call"
    assert report.by_service[1].service.median_min == 10.0, "last call to done"
    assert sorted(h for h in range(24) if report.arrivals[6][h]) == [1, 2, 3]
    assert report.arrivals[6][2] == 2, "both 02:30s, before and after the clocks went back"
    assert [(f.weekday, f.hour) for f in facts] == [(6, 1), (6, 2), (6, 2), (6, 3)]
    assert facts[2].issued_s - facts[1].issued_s == pytest.approx(3600, abs=0.01), "the two 02:30s are an hour apart"


def config_tz(config: Config):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(config.site.timezone)


def pruned_copy(config: Config, data_dir: Path, tmp_path: Path, *, keep_days: int) -> tuple[Path, int]:
    """A copy of the seeded hub database, pruned as the hub's periodic job does on 1 December."""
    import shutil

    copy = tmp_path / "hub"
    shutil.copytree(data_dir, copy)
    store = QueueStore.in_dir(copy, config=config)
    try:
        return copy, store.prune(keep_days=keep_days, today=date(2026, 12, 1))
    finally:
        store.close()


def test_monthly_summaries_outlive_pruning(site: tuple[Config, Path, list[Truth]], tmp_path: Path) -> None:
    config, data_dir, truth = site
    with db_of(data_dir) as db:
        august = report_for(db, config, date(2026, 8, 1), date(2026, 8, 31))
    copy, pruned = pruned_copy(config, data_dir, tmp_path, keep_days=90)  # everything before 2 September goes
    assert pruned == sum(1 for t in truth if t.day < date(2026, 9, 2))
    with db_of(copy) as db:
        rows = monthly_rows(db, "2026-08", "2026-08")
        assert {r[1] for r in rows} == {r.key for r in august.by_service}
        assert sum(r[2] for r in rows) == august.counts.issued
        uffici = next(r for r in rows if r[1] == "uffici")
        row = next(r for r in august.by_service if r.key == "uffici")
        assert uffici[2:7] == (row.counts.issued, row.counts.served, row.counts.noshow, row.counts.void,
                               row.counts.waiting_at_close)
        assert uffici[7] == row.wait.median_min
        assert [m for (m,) in db.execute("SELECT DISTINCT month FROM monthly ORDER BY month")] == \
            ["2026-08", "2026-09", "2026-10", "2026-11"], "complete months only, never December"
    store = QueueStore.in_dir(copy, config=config)
    try:
        store.prune(keep_days=30, today=date(2026, 12, 1))
    finally:
        store.close()
    with db_of(copy) as db:
        assert monthly_rows(db, "2026-08", "2026-08") == rows, "a summary is never rewritten"


@pytest.fixture
def served_hub(site: tuple[Config, Path, list[Truth]], tmp_path: Path):  # type: ignore[no-untyped-def]
    """The seeded history behind a real hub on 127.0.0.1 (a copy: the hub prunes at start)."""
    import dataclasses
    import shutil

    from display.server import HubServer
    from totem.clock import FrozenClock

    config, data_dir, _ = site
    copy = tmp_path / "hub"
    shutil.copytree(data_dir, copy)
    config = dataclasses.replace(config, hub=dataclasses.replace(config.hub, data_dir=copy, history_days=400))
    with HubServer(config, port=0, clock=FrozenClock(datetime(2026, 12, 1, 10, 0, tzinfo=ROME))) as server:
        yield config, server


def unlock(server, pin: str, session=None):  # type: ignore[no-untyped-def]
    """The manager's form on a paired browser (`session`, or a new paired one)."""
    from helpers.consoles import paired

    session = session or paired(server, "manager")
    return session, session.post(server.url + "/reports/unlock", data={"pin": pin, "lang": "it"},
                                 allow_redirects=False, timeout=5)


def test_reports_page_is_locked_by_the_manager_pin_only(served_hub) -> None:  # type: ignore[no-untyped-def]
    import requests

    config, server = served_hub
    unpaired = requests.get(server.url + "/reports", timeout=5)
    assert unpaired.status_code == 403 and "non è abbinato" in unpaired.text
    stranger = requests.post(server.url + "/reports/unlock", data={"pin": config.hub.manager_pin, "lang": "it"},
                             headers={"Origin": server.url}, allow_redirects=False, timeout=5)
    assert stranger.status_code == 403 and "non è abbinato" in stranger.text  # no PIN compared
    assert requests.get(server.url + "/api/reports", timeout=5).status_code == 401
    _, desk_pin = unlock(server, "1357")
    assert desk_pin.status_code == 401 and "PIN errato" in desk_pin.text, "a desk PIN does not open the reports"
    session, ok = unlock(server, config.hub.manager_pin)
    assert ok.status_code == 303 and "HttpOnly" in ok.headers["Set-Cookie"] and "SameSite=Strict" in ok.headers[
        "Set-Cookie"]
    page = session.get(server.url + "/reports?from=2026-11-01&to=2026-11-30", timeout=10)
    assert page.status_code == 200 and "Statistiche dello sportello" in page.text and "<svg" in page.text
    assert "Arrivi per giorno e ora" in page.text and "chiuso: festivo" in page.text
    english = session.get(server.url + "/reports?period=last_month&lang=en", timeout=10)
    assert "Desk statistics" in english.text and "closed: public holiday" in english.text
    guesser, _ = unlock(server, "0000")
    for _ in range(4):
        unlock(server, "0000", guesser)
    _, locked = unlock(server, config.hub.manager_pin, guesser)
    assert locked.status_code == 429, "five wrong PINs lock the page on that browser as they lock a desk"
    evil = guesser.post(server.url + "/reports/unlock", data={"pin": config.hub.manager_pin, "lang": "it"},
                        headers={"Origin": "http://evil.example"}, allow_redirects=False, timeout=5)
    assert evil.status_code == 403, "a form on another site cannot even try"


def test_json_and_csv_say_what_the_page_says(served_hub, site) -> None:  # type: ignore[no-untyped-def]
    import csv
    import io

    import requests

    config, server = served_hub
    auth = {"Authorization": f"Bearer {config.hub.token}"}
    query = "?from=2026-11-01&to=2026-11-30"
    data = requests.get(server.url + "/api/reports" + query, headers=auth, timeout=10).json()
    with db_of(site[1]) as db:
        report = report_for(db, config, date(2026, 11, 1), date(2026, 11, 30))
    assert data["counts"]["issued"] == report.counts.issued and data["open_days"] == report.open_days
    assert data["wait"]["median_min"] == report.wait.median_min
    raw = requests.get(server.url + "/reports/csv/services" + query, headers=auth, timeout=10)
    assert raw.headers["Content-Type"].startswith("text/csv") and raw.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Servizio", "Biglietti emessi", "Serviti"]
    by_label = {r[0]: r for r in rows[1:]}
    for row in report.by_service:
        cells = by_label[row.label]
        assert int(cells[1]) == row.counts.issued
        assert float(cells[7].replace(",", ".")) == row.wait.median_min  # decimal comma
    tickets = requests.get(server.url + "/reports/csv/tickets" + query, headers=auth, timeout=10)
    lines = list(csv.reader(io.StringIO(tickets.content.decode("utf-8-sig")), delimiter=";"))
    assert len(lines) - 1 == report.counts.issued + report.counts.void
    assert lines[0][:3] == ["code", "service", "original_service"] and "@" not in tickets.text  # no personal data
    monthly = requests.get(server.url + "/reports/csv/monthly?from=2026-08-01&to=2026-11-30", headers=auth,
                           timeout=10)
    assert monthly.status_code == 200


@pytest.mark.parametrize(("query", "named"), [("?from=2026-13-01&to=2026-11-30", "from"),
                                               ("?from=2026-11-30&to=2026-11-01", "to"),
                                               ("?period=year", "unknown period"),
                                               ("?period=month&service=nope", "service"),
                                               ("?period=month&desk=9", "desk")])
def test_bad_report_requests_get_400_naming_the_parameter(served_hub, query: str, named: str) -> None:  # type: ignore[no-untyped-def]
    import requests

    config, server = served_hub
    answer = requests.get(server.url + "/api/reports" + query,
                          headers={"Authorization": f"Bearer {config.hub.token}"}, timeout=5)
    assert answer.status_code == 400 and named in answer.text
    assert requests.get(server.url + "/reports/csv/secrets?period=month",
                        headers={"Authorization": f"Bearer {config.hub.token}"}, timeout=5).status_code == 404


def test_cli_report_prints_the_figures_and_writes_csv(site: tuple[Config, Path, list[Truth]],
                                                       tmp_path: Path) -> None:
    import csv
    import subprocess
    import sys

    from conftest import PYPATH, ROOT

    config, data_dir, _ = site
    out = tmp_path / "csv"
    result = subprocess.run([sys.executable, "-m", "display", "--config", str(config.source), "report", "--from",
                             "2026-11-01", "--to", "2026-11-30", "--csv", str(out)], capture_output=True, text=True,
                            cwd=ROOT, env={"PYTHONPATH": PYPATH, "PATH": "/usr/bin:/bin"}, timeout=60)
    assert result.returncode == 0, result.stderr
    with db_of(data_dir) as db:
        report = report_for(db, config, date(2026, 11, 1), date(2026, 11, 30))
    assert f"Biglietti emessi: {report.counts.issued}" in result.stdout
    assert f"Giorni di apertura: {report.open_days}" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.csv" for n in (
        "summary", "services", "desks", "days", "arrivals", "tickets", "monthly", "promise", "votes", "faccia",
        "work", "holds"))
    with open(out / "days.csv", encoding="utf-8-sig", newline="") as fh:
        days = list(csv.reader(fh, delimiter=";"))
    assert len(days) == 31 and days[2][:2] == ["2026-11-02", "chiuso: chiusura straordinaria"]
    bad = subprocess.run([sys.executable, "-m", "display", "--config", str(config.source), "report", "--from",
                          "2026-11-31", "--to", "2026-11-30"], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": PYPATH, "PATH": "/usr/bin:/bin"}, timeout=60)
    assert bad.returncode == 2 and "--from: not a date" in bad.stderr


def test_kept_digests_give_the_same_report_and_a_late_void_is_counted(site: tuple[Config, Path, list[Truth]],
                                                                       tmp_path: Path) -> None:
    """The hub keeps each finished day's digests; a report read from them is the report counted
    from the tickets, and a void that arrives days later makes that day counted again."""
    config, data_dir, _ = site
    with db_of(data_dir) as db:
        counted = report_for(db, config, date(2026, 9, 1), date(2026, 11, 30))
    copy, _ = pruned_copy(config, data_dir, tmp_path, keep_days=400)
    with db_of(copy) as db:
        kept_days = {d for (d,) in db.execute("SELECT service_day FROM day_queue WHERE scope = ''")}
        assert "2026-08-01" in kept_days and "2026-11-30" in kept_days and "2026-12-01" not in kept_days
        assert db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] > 0
        assert report_for(db, config, date(2026, 9, 1), date(2026, 11, 30)) == counted
        assert report_for(db, config, date(2026, 11, 1), date(2026, 11, 30), service="uffici", desk="2") == \
            report_for(db_of(data_dir), config, date(2026, 11, 1), date(2026, 11, 30), service="uffici", desk="2")
        ticket_id, day = db.execute("SELECT id, service_day FROM tickets WHERE status = 'waiting' AND service_day "
                                    "BETWEEN '2026-11-01' AND '2026-11-30' LIMIT 1").fetchone()
    store = QueueStore.in_dir(copy, config=config)
    try:
        assert store.void(ticket_id, now=datetime(2026, 12, 1, 10, 0, tzinfo=ROME))
    finally:
        store.close()
    with db_of(copy) as db:
        assert db.execute("SELECT COUNT(*) FROM day_queue WHERE service_day = ?", (day,)).fetchone()[0] == 0
        after = report_for(db, config, date(2026, 9, 1), date(2026, 11, 30))
    assert (after.counts.void, after.counts.waiting_at_close) == (counted.counts.void + 1,
                                                                   counted.counts.waiting_at_close - 1)


def test_cli_report_writes_empty_as_a_dash_and_numbers_in_the_reports_language(
        site: tuple[Config, Path, list[Truth]]) -> None:
    """Issue 25: the terminal printed "None / None" and decimal points beside CSV files with commas."""
    import re
    import subprocess
    import sys

    from conftest import PYPATH, ROOT

    config, _, _ = site

    def report(*args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "display", "--config", str(config.source), "report", *args],
                                capture_output=True, text=True, cwd=ROOT,
                                env={"PYTHONPATH": PYPATH, "PATH": "/usr/bin:/bin"}, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    italian = report("--from", "2026-11-01", "--to", "2026-11-30")
    english = report("--from", "2026-11-01", "--to", "2026-11-30", "--lang", "en")
    # The period line's dates aside, every figure: a decimal comma in Italian, a point in English.
    it_figures = italian.split("\n", 1)[1]
    en_figures = english.split("\n", 1)[1]
    assert re.search(r"\d,\d", it_figures) and not re.search(r"\d\.\d", it_figures), italian
    assert re.search(r"\d\.\d", en_figures) and not re.search(r"\d,\d", en_figures), english
    closed = report("--from", "2026-11-02", "--to", "2026-11-02")  # a closed day: nothing to measure
    assert "None" not in italian + english + closed
    assert "minuti: mediana —, 90° percentile —, massimo —" in closed, closed
    assert all(line.rstrip().endswith("— / —") for line in closed.splitlines() if line.startswith("  ")), closed
