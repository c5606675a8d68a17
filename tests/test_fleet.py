"""Fleet health on the hub (issue 19): /api/fleet and /fleet list every device as what it is
(hub, totems, the reception point), with version, last seen, printer (paper near end where the
printer says so), clock offset, outbox backlog and free disk. Only real faults are red; the
reception point, a web page, never shows as a broken totem on the desk consoles."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import requests
from conftest import HUB_NOW, write_site
from helpers.consoles import paired
from test_hub_api import AUTH, ticket
from test_reception import Reception

from config import load_config
from display.server import HubServer
from totem.clock import FrozenClock


def status(hub: HubServer, totem: str, **fields: object) -> requests.Response:
    body = {"printer": "ready", "backlog": 0, "version": "0.1.0", **fields}
    return requests.post(f"{hub.url}/api/totems/{totem}/status", json=body, headers=AUTH, timeout=5)


def fleet(hub: HubServer) -> dict[str, dict]:
    answer = requests.get(hub.url + "/api/fleet", headers=AUTH, timeout=5)
    assert answer.status_code == 200, answer.text
    return {f"{d['id']}/{d.get('machine', '')}": d for d in answer.json()["devices"]}


def test_fleet_lists_every_device_and_only_real_faults_are_red(tmp_path: Path) -> None:
    clock = FrozenClock(HUB_NOW)
    config = load_config(write_site(tmp_path, extra={'public_url = ""': 'public_url = "http://192.168.1.20:8080"'}))
    with HubServer(config, port=0, clock=clock) as hub:
        assert requests.get(hub.url + "/api/fleet", timeout=5).status_code == 401  # not for everyone
        locked = requests.get(hub.url + "/fleet", timeout=5)
        assert locked.status_code == 401 and "password" in locked.text  # the manager's PIN form
        on_time = (HUB_NOW + timedelta(seconds=2)).isoformat()
        assert status(hub, "totem-1", machine="a" * 32, hostname="pi-ingresso", printer="paper_low", backlog=3,
                      clock=on_time, disk_free_mb=5000).status_code == 200
        assert status(hub, "totem-2", machine="b" * 32, hostname="pi-sala", printer="paper_out",
                      clock=(HUB_NOW + timedelta(minutes=4)).isoformat(), disk_free_mb=50).status_code == 200
        reception = Reception(hub)
        assert reception.post("/api/reception/tickets", {"service": "uffici"}).status_code in (200, 201)
        devices = fleet(hub)
        one, two = devices["totem-1/aaaaaaaa"], devices["totem-2/bbbbbbbb"]
        assert one["fault"] is None  # paper near its end and a backlog are worth a look, not red
        assert "printer: paper near its end" in one["warnings"] and "3 event(s) still to send" in one["warnings"]
        assert (one["version"], one["printer"], one["backlog"], one["disk_free_mb"]) == ("0.1.0", "paper_low", 3, 5000)
        assert one["clock_offset_s"] == 2.0 and one["seen_s_ago"] == 0 and "pi-ingresso" in one["what"]
        assert "paper out" in two["fault"] and "clock +240 s" in two["fault"] and "disk almost full" in two["fault"]
        hub_entry = devices["hub/"]
        assert hub_entry["kind"] == "hub" and hub_entry["fault"] is None and hub_entry["disk_free_mb"] > 0
        desk = devices["accoglienza/"]
        assert desk["kind"] == "reception" and desk["fault"] is None and desk["seen_s_ago"] == 0
        # The desk consoles' panel: the reception is not a totem there (it used to be red all day).
        state = requests.get(hub.url + "/api/state", timeout=5).json()
        assert sorted(t["id"] for t in state["totems"]) == ["totem-1", "totem-2"]
        clock.advance(minutes=30)  # silent totems are a real fault; the reception page never is
        devices = fleet(hub)
        assert "not heard from for 30 min" in devices["totem-1/aaaaaaaa"]["fault"]
        assert devices["accoglienza/"]["fault"] is None
        state = requests.get(hub.url + "/api/state", timeout=5).json()
        assert "accoglienza" not in {t["id"] for t in state["totems"]}
        # The page: the manager's session opens it; faults marked, in words, not only in red.
        browser = paired(hub, "manager")  # the manager's browser, paired once (issue 24)
        assert browser.post(hub.url + "/reports/unlock", data={"pin": "8642"}, timeout=5).ok
        page = browser.get(hub.url + "/fleet", timeout=5)
        assert page.status_code == 200 and "FAULT: not heard from for 30 min; printer: paper out" in page.text
        assert page.text.count("class=fault") == 2 and "accoglienza" in page.text and "reception point" in page.text


def test_a_replaced_pi_is_accepted_once_the_old_one_is_forgotten(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from conftest import PYPATH, ROOT

    site = write_site(tmp_path)
    with HubServer(load_config(site), port=0, clock=FrozenClock(HUB_NOW)) as hub:
        assert status(hub, "totem-1", machine="a" * 32, hostname="old-pi").status_code == 200
        refused = status(hub, "totem-1", machine="c" * 32, hostname="new-pi")
        assert refused.status_code == 409 and "host old-pi, machine aaaaaaaa" in refused.json()["message"]
        assert "forget-device totem-1" in refused.json()["message"]
        out = subprocess.run([sys.executable, "-m", "display", "forget-device", "totem-1", "--config", str(site)],
                             env=dict(os.environ, PYTHONPATH=PYPATH), cwd=ROOT, capture_output=True, text=True,
                             timeout=60)  # while the hub runs
        assert out.returncode == 0 and "forgot 2 machine(s)" in out.stdout, out.stderr
        assert status(hub, "totem-1", machine="c" * 32, hostname="new-pi").status_code == 200
        assert status(hub, "totem-1", machine="a" * 32, hostname="old-pi").status_code == 409  # the old one, back


def test_an_older_totem_without_identity_is_still_listed_and_heard(tmp_path: Path) -> None:
    config = load_config(write_site(tmp_path))
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        assert status(hub, "totem-9", printer="ready").json() == {"ok": True}  # a release before identities
        assert requests.post(hub.url + "/api/tickets", json=ticket() | {"totem": "totem-8"}, headers=AUTH,
                             timeout=5).status_code == 201
        devices = fleet(hub)
        assert devices["totem-9/"]["fault"] is None
        assert devices["totem-8/"]["fault"] is None and "no health reports" in devices["totem-8/"]["warnings"][0]


def test_the_hub_below_its_disk_reserve_is_a_fault_on_the_fleet_page(tmp_path: Path) -> None:
    """Issue 24: "disco pieno" on the fleet page too, not only on the consoles."""
    from display.fleet import fleet

    config = load_config(write_site(tmp_path))
    common = {"config": config, "devices": [], "totems": [], "now": HUB_NOW, "hub_version": "test",
              "hub_disk_free_mb": 500, "fingerprint": config.fingerprint()}
    [hub] = [d for d in fleet(**common) if d["kind"] == "hub"]  # type: ignore[arg-type]
    assert hub["fault"] is None
    [hub] = [d for d in fleet(**common, hub_disk_full=True) if d["kind"] == "hub"]  # type: ignore[arg-type]
    assert hub["fault"] is not None and hub["fault"].startswith("disk full")
