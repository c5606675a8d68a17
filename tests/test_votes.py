"""The satisfaction vote over a real hub (issue 22 point 1): one vote per ticket, refused
after, a repeat of the same request told so, bad input a 400 that stores nothing; the desk
tablet only when paired, for the ticket just closed with Fatto, for 30 s of the hub's clock;
and the report's figures (HTML, CSV, the programme's export, the CLI) against our own count."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import requests
from conftest import HUB_NOW, PYPATH, ROOT, write_site
from consoles import paired
from test_hub_api import AUTH, post, ticket

from config import load_config
from config.follow import follow_key
from display import vote_report, votes
from display.server import HubServer
from totem.clock import FrozenClock


def served(hub: HubServer, number: int, *, service: str = "uffici", prefix: str = "A", desk: str = "1",
           lang: str | None = None) -> dict:
    """A ticket issued, called and closed with Fatto at `desk`."""
    t = {**ticket(service=service, prefix=prefix, number=number, minutes_ago=5), **({"lang": lang} if lang else {})}
    assert post(hub, "/api/tickets", t).status_code == 201
    assert post(hub, f"/api/desks/{desk}/call", {"code": t["code"]}).status_code == 200
    assert post(hub, f"/api/desks/{desk}/done").status_code == 200
    return t


def vote_url(hub: HubServer, t: dict) -> str:
    return f"{hub.url}/api/follow/{follow_key(hub.config.hub.token, t['id'])}/vote"


def stored(hub: HubServer) -> list[tuple]:
    db = sqlite3.connect(Path(hub.config.hub.data_dir) / "hub.sqlite3")
    try:
        return db.execute("SELECT service_id, desk_id, service_day, face, reasons, request_id FROM votes "
                          "ORDER BY request_id").fetchall()
    finally:
        db.close()


def test_a_served_ticket_takes_one_vote_and_refuses_a_second(hub: HubServer) -> None:
    t = served(hub, 1, lang="en")
    view = requests.get(vote_url(hub, t), timeout=5).json()
    assert view["open"] is True and view["given"] is None and view["lang"] == "en"
    assert view["faces"] == ["positive", "neutral", "negative"]
    assert view["words"]["it"]["vote_reason_wait"] == "Tempo di attesa"
    assert view["words"]["en"]["vote_refused_voted"].startswith("This ticket already has a rating")
    first = requests.post(vote_url(hub, t), json={"request_id": "tap-0000001", "face": "positive"}, timeout=5)
    assert first.status_code == 201 and first.json()["face"] == "positive"
    again = requests.post(vote_url(hub, t), json={"request_id": "tap-0000001", "face": "positive"}, timeout=5)
    assert again.status_code == 200 and again.json()["repeated"] is True  # a retry of the same tap
    second = requests.post(vote_url(hub, t), json={"request_id": "tap-0000002", "face": "negative",
                                                   "reasons": ["wait"]}, timeout=5)
    assert second.status_code == 409
    assert second.json()["refusal"] == {"reason": "voted", "code": "A001", "face": "positive"}
    assert stored(hub) == [("uffici", "1", "2026-12-01", "positive", "", "tap-0000001")]
    view = requests.get(vote_url(hub, t), timeout=5).json()
    assert view["open"] is False and view["given"] == "positive"


def test_only_a_served_ticket_can_be_rated(hub: HubServer) -> None:
    waiting = ticket(number=1)
    assert post(hub, "/api/tickets", waiting).status_code == 201
    assert requests.get(vote_url(hub, waiting), timeout=5).json()["open"] is False
    refused = requests.post(vote_url(hub, waiting), json={"request_id": "tap-0000001", "face": "neutral"}, timeout=5)
    assert refused.status_code == 409 and refused.json()["refusal"]["reason"] == "not_served"
    noshow = ticket(number=2)
    assert post(hub, "/api/tickets", noshow).status_code == 201
    post(hub, "/api/desks/1/call", {"code": "A002"})
    post(hub, "/api/desks/1/noshow")
    refused = requests.post(vote_url(hub, noshow), json={"request_id": "tap-0000002", "face": "neutral"}, timeout=5)
    assert refused.status_code == 409 and refused.json()["refusal"]["reason"] == "not_served"
    unknown = requests.post(f"{hub.url}/api/follow/{'a' * 26}/vote", json={"request_id": "tap-0000003",
                                                                           "face": "neutral"}, timeout=5)
    assert unknown.status_code == 404
    assert stored(hub) == []


def test_yesterdays_ticket_is_refused(hub: HubServer) -> None:
    t = served(hub, 1)
    hub.clock.advance(days=1)
    refused = requests.post(vote_url(hub, t), json={"request_id": "tap-0000001", "face": "positive"}, timeout=5)
    assert refused.status_code == 409 and refused.json()["refusal"]["reason"] == "expired"
    assert stored(hub) == []


@pytest.mark.parametrize(("body", "field"), [
    ({"face": "positive"}, "request_id"),
    ({"request_id": "short", "face": "positive"}, "request_id"),
    ({"request_id": "tap-0000001", "face": "happy"}, "face"),
    ({"request_id": "tap-0000001"}, "face"),
    ({"request_id": "tap-0000001", "face": "positive", "reasons": ["wait"]}, "reasons"),
    ({"request_id": "tap-0000001", "face": "negative", "reasons": ["rude"]}, "reasons"),
    ({"request_id": "tap-0000001", "face": "negative", "reasons": ["wait", "wait"]}, "reasons"),
    ({"request_id": "tap-0000001", "face": "negative", "reasons": "wait"}, "reasons"),
    ({"request_id": "tap-0000001", "face": "positive", "name": "Mario"}, "name"),
])
def test_bad_votes_are_400_and_store_nothing(hub: HubServer, body: dict, field: str) -> None:
    t = served(hub, 1)
    answer = requests.post(vote_url(hub, t), json=body, timeout=5)
    assert answer.status_code == 400 and answer.json()["field"] == field, answer.text
    assert stored(hub) == []
    assert requests.get(vote_url(hub, t), timeout=5).json()["open"] is True


def test_the_desk_tablet_needs_pairing_and_takes_a_vote_within_30_s(hub: HubServer) -> None:
    t = served(hub, 1)
    stranger = requests.Session()
    stranger.headers["Origin"] = hub.url
    assert stranger.get(hub.url + "/api/vote/1", timeout=5).status_code == 403
    assert stranger.post(hub.url + "/api/vote/1", json={"request_id": "tap-0000001", "code": "A001",
                                                       "face": "positive"}, timeout=5).status_code == 403
    desk_paired = paired(hub, "desk", "1")  # the operator's console is not the citizen's tablet
    assert desk_paired.get(hub.url + "/api/vote/1", timeout=5).status_code == 403
    tablet = paired(hub, "vote", "1")
    assert tablet.get(hub.url + "/api/vote/2", timeout=5).status_code == 403  # paired to desk 1 only
    view = tablet.get(hub.url + "/api/vote/1", timeout=5).json()
    assert view["state"] == "open" and view["code"] == "A001" and view["remaining_s"] == 30.0
    hub.clock.advance(seconds=29)
    assert tablet.get(hub.url + "/api/vote/1", timeout=5).json()["remaining_s"] == 1.0
    bad = tablet.post(hub.url + "/api/vote/1", json={"request_id": "tap-0000001", "face": "positive"}, timeout=5)
    assert bad.status_code == 400 and bad.json()["field"] == "code"
    other = tablet.post(hub.url + "/api/vote/1", json={"request_id": "tap-0000001", "code": "A009",
                                                     "face": "positive"}, timeout=5)
    assert other.status_code == 409 and other.json()["refusal"]["reason"] == "closed"
    body = {"request_id": "tap-0000001", "code": "A001", "face": "negative", "reasons": ["clarity", "wait"]}
    assert tablet.post(hub.url + "/api/vote/1", json=body, timeout=5).status_code == 201
    assert tablet.post(hub.url + "/api/vote/1", json=body, timeout=5).json()["repeated"] is True
    assert tablet.get(hub.url + "/api/vote/1", timeout=5).json()["state"] == "thanks"
    assert stored(hub) == [("uffici", "1", "2026-12-01", "negative", "wait,clarity", "tap-0000001")]
    # The same ticket on the follow page: one vote per ticket, whichever page took it.
    refused = requests.post(vote_url(hub, t), json={"request_id": "tap-0000002", "face": "positive"}, timeout=5)
    assert refused.status_code == 409 and refused.json()["refusal"]["reason"] == "voted"
    hub.clock.advance(seconds=1)
    assert tablet.get(hub.url + "/api/vote/1", timeout=5).json()["state"] == "dark"


def test_the_desk_tablet_goes_dark_after_30_s_and_refuses_then(hub: HubServer) -> None:
    served(hub, 1)
    tablet = paired(hub, "vote", "1")
    assert tablet.get(hub.url + "/api/vote/1", timeout=5).json()["state"] == "open"
    hub.clock.advance(seconds=30)
    assert tablet.get(hub.url + "/api/vote/1", timeout=5).json()["state"] == "dark"
    late = tablet.post(hub.url + "/api/vote/1", json={"request_id": "tap-0000001", "code": "A001",
                                                    "face": "positive"}, timeout=5)
    assert late.status_code == 409 and late.json()["refusal"]["reason"] == "closed"
    assert stored(hub) == []
    # A no-show closes nothing to rate: the tablet stays dark.
    assert post(hub, "/api/tickets", ticket(number=2)).status_code == 201
    post(hub, "/api/desks/1/call", {"code": "A002"})
    post(hub, "/api/desks/1/noshow")
    assert tablet.get(hub.url + "/api/vote/1", timeout=5).json()["state"] == "dark"


def test_a_vote_tablet_is_paired_from_the_cli(tmp_path: Path) -> None:
    site = write_site(tmp_path)
    env = dict(os.environ, PYTHONPATH=PYPATH)
    out = subprocess.run([sys.executable, "-m", "display", "--config", str(site), "pair", "vote", "1"], env=env,
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "pairing code for vote 1" in out.stdout and "/pair#" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "display", "--config", str(site), "pair", "vote", "99"], env=env,
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "'99' is not a desk" in bad.stderr


def test_vote_rows_count_shares_and_reasons(tmp_path: Path) -> None:
    """The report's math on rows written by hand: our own count, our own shares."""
    db = sqlite3.connect(tmp_path / "v.sqlite3")
    db.executescript(votes.SCHEMA)
    plan = [("2026-12-01", "uffici", "1", "positive", ""), ("2026-12-01", "uffici", "1", "positive", ""),
            ("2026-12-01", "uffici", "1", "neutral", ""), ("2026-12-01", "uffici", "1", "negative", "wait,clarity"),
            ("2026-12-01", "sanita", "2", "negative", "wait"), ("2026-12-02", "uffici", "1", "positive", ""),
            ("2026-11-30", "uffici", "1", "negative", "outcome")]  # outside the period
    for i, row in enumerate(plan):
        db.execute("INSERT INTO votes VALUES (?, ?, ?, ?, ?, ?, ?)", (f"t{i}", row[1], row[2], row[0], row[3],
                                                                       row[4], f"r{i:08d}"))
    rows = vote_report.vote_rows(db, date(2026, 12, 1), date(2026, 12, 2))
    by = {(r.day, r.service, r.desk): r for r in rows}
    first = by["2026-12-01", "uffici", "1"]
    assert first.count == 4 and first.faces == {"positive": 2, "neutral": 1, "negative": 1}
    assert (first.share("positive"), first.share("neutral"), first.share("negative")) == (50.0, 25.0, 25.0)
    assert first.reasons == {"wait": 1, "clarity": 1}
    assert by["2026-12-01", "sanita", "2"].share("negative") == 100.0
    whole = vote_report.total(rows)
    assert whole.count == 6 and whole.share("positive") == 50.0 and whole.reasons == {"wait": 2, "clarity": 1}
    assert [r.count for r in vote_report.vote_rows(db, date(2026, 12, 1), date(2026, 12, 2), desk="2")] == [1]
    assert vote_report.vote_rows(db, date(2026, 12, 3), date(2026, 12, 3)) == []
    with pytest.raises(ValueError):
        vote_report.vote_rows(db, date(2026, 12, 2), date(2026, 12, 1))


def test_votes_in_the_report_page_csv_export_and_cli(tmp_path: Path) -> None:
    config = load_config(write_site(tmp_path))
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        faces = ["positive", "positive", "positive", "neutral", "negative"]
        for n, face in enumerate(faces, start=1):
            t = served(hub, n)
            body = {"request_id": f"tap-{n:07d}", "face": face, **({"reasons": ["wait"]} if face == "negative" else {})}
            assert requests.post(vote_url(hub, t), json=body, timeout=5).status_code == 201
        manager = paired(hub, "manager")
        assert manager.post(hub.url + "/reports/unlock", data={"pin": config.hub.manager_pin, "lang": "it"},
                            timeout=5).status_code in (200, 303)
        page = manager.get(hub.url + "/reports?period=today&lang=it", timeout=5)
        assert page.status_code == 200
        assert "Soddisfazione (Mettiamoci la faccia)" in page.text
        assert "Soddisfatto: <strong>60,0 %</strong>" in page.text  # 3 of 5
        assert "Così così: <strong>20,0 %</strong>" in page.text and "Tempo di attesa 1" in page.text
        got = manager.get(hub.url + "/reports/csv/votes?from=2026-12-01&to=2026-12-01&lang=it", timeout=5)
        rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][3:7] == ["Giudizi", "Soddisfatto (%)", "Così così (%)", "Non soddisfatto (%)"]
        assert rows[1][:7] == ["2026-12-01", "Problemi con un ufficio comunale", "Sportello 1", "5", "60,0", "20,0",
                               "20,0"]
        assert rows[1][7] == "Tempo di attesa 1"
        got = manager.get(hub.url + "/reports/csv/faccia?from=2026-12-01&to=2026-12-01", timeout=5)
        rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig")), delimiter=";"))
        head = rows[0]
        assert head[:10] == ["data", "ufficio", "codice_servizio", "servizio", "sportello", "canale",
                             "giudizi_positivo", "giudizi_sufficiente", "giudizi_negativo", "totale_giudizi"]
        line = dict(zip(head, rows[1], strict=True))
        assert (line["giudizi_positivo"], line["giudizi_sufficiente"], line["giudizi_negativo"],
                line["totale_giudizi"], line["motivo_negativo: Tempo di attesa"], line["canale"]) == \
            ("3", "1", "1", "5", "1", "sportello")
        api = requests.get(hub.url + "/api/reports?from=2026-12-01&to=2026-12-01", headers=AUTH, timeout=5).json()
        assert api["votes"] == [{"day": "2026-12-01", "service": "uffici", "desk": "1", "votes": 5,
                                 "faces": {"positive": 3, "neutral": 1, "negative": 1},
                                 "shares": {"positive": 60.0, "neutral": 20.0, "negative": 20.0},
                                 "reasons": {"wait": 1}}]
    out = subprocess.run([sys.executable, "-m", "display", "--config", str(tmp_path / "site.toml"), "report",
                          "--from", "2026-12-01", "--to", "2026-12-01", "--lang", "en", "--csv",
                          str(tmp_path / "csv")], env=dict(os.environ, PYTHONPATH=PYPATH), cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Satisfaction (Mettiamoci la faccia): Ratings 5, Satisfied 60.0%, So-so 20.0%, Not satisfied 20.0%; " \
           "Waiting time 1" in out.stdout
    assert (tmp_path / "csv" / "votes.csv").exists() and (tmp_path / "csv" / "faccia.csv").exists()
    as_json = subprocess.run([sys.executable, "-m", "display", "--config", str(tmp_path / "site.toml"), "report",
                              "--from", "2026-12-01", "--to", "2026-12-01", "--json"],
                             env=dict(os.environ, PYTHONPATH=PYPATH), cwd=ROOT, capture_output=True, text=True,
                             timeout=60)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["votes"][0]["shares"] == {"positive": 60.0, "neutral": 20.0, "negative": 20.0}


def test_the_votes_table_is_a_new_migration_step_that_keeps_every_row(tmp_path: Path) -> None:
    """Hub schema step 5 (display.records): the previous release's database gains the table,
    keeps its tickets, and stays openable by a release that knows only step 4 (compatible = 1)."""
    from test_schema import old_copy, version

    from display.queue import QueueStore
    from totem.schema import COMPAT_KEY, HUB_SCHEMA

    config = load_config(old_copy(tmp_path))
    path = tmp_path / "hub" / "hub.sqlite3"
    store = QueueStore.in_dir(config.hub.data_dir, config=config)
    store.close()
    assert HUB_SCHEMA >= 5 and version(path) == HUB_SCHEMA  # step 5 and every later one
    db = sqlite3.connect(path)
    try:
        assert db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 4
        assert db.execute("SELECT COUNT(*) FROM votes").fetchone()[0] == 0
        columns = [r[1] for r in db.execute("PRAGMA table_info(votes)")]
        assert columns == ["ticket_id", "service_id", "desk_id", "service_day", "face", "reasons", "request_id"]
        assert db.execute("SELECT value FROM meta WHERE key = ?", (COMPAT_KEY,)).fetchone()[0] == "1"
        with pytest.raises(sqlite3.IntegrityError):  # one vote per ticket, in the file itself
            for _ in range(2):
                db.execute("INSERT INTO votes VALUES ('t', 'uffici', '1', '2026-12-01', 'positive', '', 'r0000000')")
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO votes VALUES ('u', 'uffici', '1', '2026-12-01', 'happy', '', 'r0000001')")
    finally:
        db.close()
