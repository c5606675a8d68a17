"""A service with no open desk today is shown as such on Home and is not issued, or issued only
after the warning by site choice (issue 20, point 3): the kiosk on SDL's dummy driver, the
printed bytes decoded back, `totem issue` in a child process on libfaketime's frozen clock, the
reception through a real hub on 127.0.0.1, and the site file's new keys."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pygame
import pytest
import requests
from conftest import HUB_NOW, PYPATH, ROOT, rome, site_text, write_site
from escpos_decode import decode
from helpers.consoles import paired
from kiosk_harness import RecordingVoice, key, kiosk, pump, tap, tap_service

from config import load_config
from config.colours import contrast
from config.errors import ConfigError
from config.i18n import Translator
from display.server import HubServer
from totem.clock import FrozenClock
from totem.no_desk import services_without_desk
from totem.ui import render
from totem.ui.events import Screen
from totem.ui.late import late_layout

TUESDAY = rome(2026, 12, 1, 10, 0)  # open; desk 2 (the only one for "sanita") works on Wednesdays
WEDNESDAY = rome(2026, 12, 2, 10, 0)
SANITA = 4  # its index on Home (service 5, prefix E)
ALL = '"appuntamento", "uffici", "procedure", "rimborsi", "bollette", "sanita", "regione", "lavoro"'
BUT_SANITA = ALL.replace(', "sanita"', "")
DESK_2 = 'pin = "1357"\n\n[[desks]]\nid = "2"\nname = "Sportello 2"\nservices = ["sanita"]\ndays = ["wednesday"]\n' \
         'pin = "4680"\n'


def two_desks(*, issue_anyway: bool = False) -> dict[str, str]:
    extra = {f"services = [{ALL}]": f"services = [{BUT_SANITA}]", 'pin = "1357"\n': DESK_2}
    if issue_anyway:
        extra["# issue_when_no_desk_today = true"] = "issue_when_no_desk_today = true"
    return extra


def tickets(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "data" / "tickets").glob("*/*.escpos"))


# -- the site file ----------------------------------------------------------------------------------

def test_desk_days_and_the_site_choice_are_read(tmp_path: Path) -> None:
    config = load_config(write_site(tmp_path, extra=two_desks(issue_anyway=True)))
    assert config.desks[0].days == tuple(range(7)), "no days: every day the site opens"
    assert config.desks[1].days == (2,)
    assert config.site.issue_when_no_desk_today is True
    assert load_config(write_site(tmp_path / "b")).site.issue_when_no_desk_today is False
    assert services_without_desk(config, TUESDAY.date()) == {"sanita"}
    assert services_without_desk(config, WEDNESDAY.date()) == frozenset()


@pytest.mark.parametrize(("old", "new", "line"), [
    ('days = ["wednesday"]', 'days = ["wednesdy"]',
     "desks[1].days[0]: not a weekday; did you mean 'wednesday'? (got 'wednesdy')"),
    ('days = ["wednesday"]', "days = []", "desks[1].days: must list at least one weekday"),
    ('days = ["wednesday"]', 'days = "wednesday"', "desks[1].days: must be a list of strings"),
    ('days = ["wednesday"]', 'days = ["sunday"]',
     "services[4].id: no desk that calls it works on a day the site opens ([[desks]] days): its tickets would "
     "never be called (got 'sanita')"),
    ("# issue_when_no_desk_today = true", 'issue_when_no_desk_today = "yes"',
     "site.issue_when_no_desk_today: must be true or false"),
    ("# issue_when_no_desk_today = true", "issue_when_no_desk_todya = false",
     "site.issue_when_no_desk_todya: unknown key; did you mean 'issue_when_no_desk_today'?"),
])
def test_a_wrong_value_names_the_key(tmp_path: Path, old: str, new: str, line: str) -> None:
    bad = tmp_path / "bad.toml"
    text = site_text(tmp_path, extra=two_desks()).replace(old, new, 1)
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    assert any(line in problem for problem in str(info.value).splitlines()), str(info.value)
    answer = subprocess.run([sys.executable, "-m", "totem", "check-config", str(bad)], capture_output=True,
                            text=True, cwd=ROOT, timeout=60)
    assert answer.returncode == 2 and line in answer.stderr


# -- Home and the tap -------------------------------------------------------------------------------

def test_home_greys_the_service_and_says_no_desk_today(tmp_path: Path) -> None:
    site = write_site(tmp_path, extra=two_desks())
    assert contrast(render.RESTING_BG, render.RESTING_INK) >= 4.5
    for lang, words in (("it", "Oggi nessuno sportello"), ("en", "No desk today")):
        assert Translator(lang)("home_no_desk_today") == words
    with kiosk(site, FrozenClock(TUESDAY)) as app:
        pump(app, lambda: app.screen is Screen.HOME)
        index = SANITA - app.layout.first
        box = app.layout.buttons[index]
        app.dirty = True
        app.step()
        corner = app.surface.get_at((box.x + box.w - 6, box.y + box.h // 2))[:3]
        assert tuple(corner) == render.RESTING_BG, "the service is greyed"
        other = app.layout.buttons[0]
        assert tuple(app.surface.get_at((other.x + other.w - 6, other.y + other.h // 2))[:3]) != render.RESTING_BG


def test_a_tap_explains_with_the_contacts_and_issues_nothing(tmp_path: Path) -> None:
    site = write_site(tmp_path, extra=two_desks())
    voice = RecordingVoice()
    with kiosk(site, FrozenClock(TUESDAY), voice_factory=lambda config, stack: voice) as app:
        key(pygame.K_ASTERISK)  # the keypad: the first key turns the voice on, * reads Home
        pump(app, lambda: any("Servizi sanitari, Oggi nessuno sportello" in text
                              for phrases in voice.said for text, _ in phrases))
        key(pygame.K_5)
        key(pygame.K_RETURN)
        pump(app, lambda: app.screen is Screen.LATE)
        assert app.late_view.no_desk == "refused"
        said = " ".join(voice.last)
        assert "Oggi nessuno sportello" in said and "0583 428370" in said and "Invio o 2" in said
        key(pygame.K_1)  # no "take it anyway" here: every key leads back
        pump(app, lambda: app.screen is Screen.HOME)
        assert tickets(tmp_path) == [] and app.services.issuer.store.last_ticket() is None
        app.lang = "en"
        app.last_tap_at = -1.0
        tap_service(app, SANITA)
        pump(app, lambda: app.screen is Screen.LATE)
        app.dirty = True
        app.step()
        layout = late_layout(app.size)
        take = app.surface.get_at(layout.take.center)[:3]
        assert tuple(take) == render.PAPER, "no 'take it anyway' button is drawn"
        app.last_tap_at = -1.0
        tap(app, layout.back.center)
        pump(app, lambda: app.screen is Screen.HOME)
        assert tickets(tmp_path) == []


def test_by_site_choice_it_warns_first_and_the_ticket_says_it(tmp_path: Path) -> None:
    site = write_site(tmp_path, extra=two_desks(issue_anyway=True))
    with kiosk(site, FrozenClock(TUESDAY)) as app:
        key(pygame.K_5)
        key(pygame.K_RETURN)
        pump(app, lambda: app.screen is Screen.LATE)
        assert app.late_view.no_desk == "take" and tickets(tmp_path) == []
        key(pygame.K_RETURN)  # take it anyway
        pump(app, lambda: app.screen is Screen.TAKE)
        printed = " ".join(decode(tickets(tmp_path)[0].read_bytes()).texts())
        assert "Oggi nessuno sportello per questo servizio: potrebbe non essere chiamato" in printed, printed
        assert app.shown.code == "E001" and any("nessuno sportello" in line for line in app.shown.lines)


def test_other_services_and_other_days_issue_at_once(tmp_path: Path) -> None:
    site = write_site(tmp_path, extra=two_desks())
    with kiosk(site, FrozenClock(WEDNESDAY)) as app:
        key(pygame.K_5)
        key(pygame.K_RETURN)
        pump(app, lambda: app.screen is Screen.TAKE)
        assert app.shown.code == "E001"
        printed = " ".join(decode(tickets(tmp_path)[0].read_bytes()).texts())
        assert "nessuno sportello" not in printed
    with kiosk(site, FrozenClock(TUESDAY.replace(hour=11))) as app:
        key(pygame.K_1)
        key(pygame.K_RETURN)
        pump(app, lambda: app.screen is Screen.TAKE)
        assert app.shown.code == "A001"


# -- the command line and the reception -------------------------------------------------------------

def faketime_lib() -> Path | None:
    for base in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"):
        lib = Path(base) / "faketime" / "libfaketime.so.1"
        if lib.exists():
            return lib
    return None


@pytest.mark.skipif(faketime_lib() is None, reason="libfaketime is not installed")
@pytest.mark.parametrize("issue_anyway", [False, True], ids=["refused", "by-site-choice"])
def test_totem_issue_refuses_with_its_own_exit_code(tmp_path: Path, issue_anyway: bool) -> None:
    site = write_site(tmp_path, extra=two_desks(issue_anyway=issue_anyway))
    env = {**os.environ, "LD_PRELOAD": str(faketime_lib()), "FAKETIME": "@2026-12-01 09:00:00", "TZ": "UTC",
           "FAKETIME_DONT_FAKE_MONOTONIC": "1",
           "PYTHONPATH": os.pathsep.join((str(ROOT / "tests" / "faketime"), PYPATH))}
    answer = subprocess.run([sys.executable, "-m", "totem", "issue", "sanita", "--config", str(site)],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    if issue_anyway:
        assert answer.returncode == 0 and answer.stdout.strip() == "E001", answer.stderr
        printed = " ".join(decode(tickets(tmp_path)[0].read_bytes()).texts())
        assert "Oggi nessuno sportello per questo servizio" in printed
        return
    assert answer.returncode == 13, (answer.returncode, answer.stderr)
    assert "'sanita': no desk that calls it works today" in answer.stderr
    assert "site.issue_when_no_desk_today = false" in answer.stderr
    assert tickets(tmp_path) == []
    helped = subprocess.run([sys.executable, "-m", "totem", "--help"], capture_output=True, text=True, cwd=ROOT,
                            timeout=60)
    assert "13 no desk that calls the service works today" in helped.stdout


def test_the_reception_does_not_issue_it_either(tmp_path: Path) -> None:
    site = write_site(tmp_path, extra=two_desks())
    config = load_config(site)
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as hub:
        http = paired(hub, "reception")
        assert http.post(hub.url + "/reception/unlock", json={"pin": "2580"}, timeout=5).status_code == 200
        refused = http.post(hub.url + "/api/reception/tickets", json={"service": "sanita"}, timeout=10)
        assert refused.status_code == 409, refused.text
        assert refused.json()["reason"] == "no_desk_today"
        issued = http.post(hub.url + "/api/reception/tickets", json={"service": "uffici"}, timeout=10)
        assert issued.status_code == 201, issued.text
        assert config.reception is not None and config.reception.printer is not None
        assert not list((config.reception.printer.folder / "2026-12-01").glob("E*.escpos"))


def test_the_hubs_wait_counts_only_the_desks_working_today(tmp_path: Path) -> None:
    """Desk 2 also calls "uffici", on Wednesdays only: on Tuesday the wait is one desk's."""
    extra = {'pin = "1357"\n': DESK_2.replace('services = ["sanita"]', 'services = ["sanita", "uffici"]')}
    extra[f"services = [{ALL}]"] = f"services = [{BUT_SANITA}]"
    config = load_config(write_site(tmp_path, extra=extra))
    for now, desks in ((HUB_NOW, 1), (HUB_NOW.replace(day=2), 2)):
        with HubServer(config, port=0, clock=FrozenClock(now)) as hub:
            forecast = requests.get(hub.url + "/api/forecast", timeout=5).json()
            assert forecast["services"]["uffici"]["desks_open"] == desks, forecast["services"]["uffici"]
