"""The site file: the shipped one is the brief's desk, and every broken variant is named."""

from __future__ import annotations

import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest
from conftest import ROOT, SHIPPED, site_text, write_site

from config import load_config
from totem.errors import ConfigError, ConfigNotFound


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "totem", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=60)


def test_shipped_config_is_the_brief() -> None:
    config = load_config(SHIPPED)
    assert config.site.timezone == "Europe/Rome"
    assert config.site.languages == ("it", "en")
    assert config.contacts.phone == "0583 428370"
    assert config.contacts.email == "comuneamico@comune.capannori.lu.it"
    weekly = [[(r.start, r.end) for r in day] for day in config.hours.weekly]
    morning = (time(8, 45), time(13, 0))
    afternoon = (time(14, 30), time(16, 30))
    assert weekly == [[morning], [morning, afternoon], [morning], [morning, afternoon], [morning],
                      [(time(8, 45), time(12, 0))], []]
    assert config.hours.holidays_country == "IT"
    assert len(config.services) == 8
    assert len({s.prefix for s in config.services}) == 8
    appointment = [s for s in config.services if s.priority]
    assert [s.id for s in appointment] == ["appuntamento"]
    for service in config.services:
        assert service.labels["it"] and service.labels["en"] and service.avg_service_min > 0
    assert config.printer.connection == "folder"
    assert len(config.desks) == 1 and set(config.desks[0].services) == {s.id for s in config.services}


def test_every_key_of_shipped_config_is_commented() -> None:
    lines = SHIPPED.read_text(encoding="utf-8").splitlines()
    comments = " ".join(line for line in lines if line.lstrip().startswith("#"))
    for i, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#"):
            key = line.split("=", 1)[0].strip()
            j = i - 1  # a block of keys under one comment is documented by that comment
            while j >= 0 and lines[j].strip() and not lines[j].lstrip().startswith("#"):
                j -= 1
            above = lines[j].lstrip() if j >= 0 else ""
            assert above.startswith("#") or key in comments, f"line {i + 1}: {key} is not explained"


def test_check_config_ok_prints_summary() -> None:
    result = run_cli("check-config", str(SHIPPED))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "OK" in out and "services (8)" in out and "Sportello 1" in out and "today" in out
    assert "Ho un appuntamento" in out


BROKEN = [
    # (replace this, with this, key path expected, words expected)
    ('message = "Per appuntamenti', 'message = "\\u0000Per appuntamenti', "hub.message", "control character"),
    ('name = "Sportello 1"', 'name = "Sportello\\u001b[2J 1"', "desks[0].name", "control character"),
    ('label.it = "Servizi sanitari"', 'label.it = "Servizi\\nsanitari"', "services[4].label.it", "control character"),
    ("[site]\n", "[site]\ncolour = 1\n", "site.colour", "unknown key"),
    ('desk_name = "Sportello Comune Amico"', 'desk_nme = "x"', "site.desk_nme", "did you mean 'desk_name'"),
    ("min_interval_s = 2", 'min_interval_s = "two"', "totem.min_interval_s", "must be a number"),
    ('id = "totem-1"\n', "", "totems[0].id", "missing required key"),
    ('id = "procedure"', 'id = "uffici"', "services[1].id", "duplicate service id"),
    ('prefix = "B"', 'prefix = "A"', "services[1].prefix", "duplicate prefix"),
    ('services = ["appuntamento", "uffici"', 'services = ["appuntamento", "uffizi"', "desks[0].services[1]",
     "did you mean 'uffici'"),
    ('monday = ["08:45-13:00"]', 'monday = ["08:45-25:00"]', "hours.monday[0]", "not a real time"),
    ('monday = ["08:45-13:00"]', 'monday = ["13:00-08:45"]', "hours.monday[0]", "ends before it starts"),
    ('monday = ["08:45-13:00"]', 'monday = ["08:45-13:00", "12:00-14:00"]', "hours.monday", "overlap"),
    ('monday = ["08:45-13:00"]', 'monday = ["8.45 to 13"]', "hours.monday[0]", "must look like"),
    ("sunday = []", 'sundya = []', "hours.sundya", "did you mean 'sunday'"),
    ('timezone = "Europe/Rome"', 'timezone = "Europe/Capannori"', "site.timezone", "unknown timezone"),
    ("closed_dates = []", 'closed_dates = ["2026-02-30"]', "hours.closed_dates[0]", "must be a date"),
    ('url = "http://127.0.0.1:8080"', 'url = "127.0.0.1:8080"', "hub.url", "http://"),
    ('url = "http://127.0.0.1:8080"', 'url = "http://127.0.0.1:99999"', "hub.url", "port"),
    ('listen = "127.0.0.1:8080"', 'listen = "127.0.0.1:http"', "hub.listen", "HOST:PORT"),
    ('connection = "folder"', 'connection = "bluetooth"', "printer.connection", "must be one of"),
    ('codepage = "CP858"', 'codepage = "UTF-8"', "printer.codepage", "no such code page"),
    ('paper_width_mm = 80', 'paper_width_mm = 76', "printer.paper_width_mm", "58 or 80"),
    ('languages = ["it", "en"]', 'languages = ["it", "en", "xx"]', "site.languages[2]", "no translation catalogue"),
    ('label.en = "Health services"', "", "services[4].label.en", "missing required key"),
    ('technician_pin = "2468"', "technician_pin = 2468", "totem.technician_pin", "must be a string"),
    ('email = "comuneamico@comune.capannori.lu.it"', 'email = "comuneamico"', "contacts.email", "e-mail"),
]


@pytest.mark.parametrize(("old", "new", "path", "words"), BROKEN, ids=[b[2] + ":" + b[3] for b in BROKEN])
def test_broken_config_names_the_key(tmp_path: Path, old: str, new: str, path: str, words: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(site_text(tmp_path, extra={old: new}), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    lines = str(info.value).splitlines()
    matching = [line for line in lines if line.startswith(f"{bad}: {path}: ")]
    assert matching, lines
    assert any(words in line for line in matching), matching


def test_empty_services_list(tmp_path: Path) -> None:
    text = site_text(tmp_path)
    head, _, rest = text.partition("[[services]]")
    tail = rest[rest.index("[totem]"):]
    bad = tmp_path / "bad.toml"
    bad.write_text(head + "services = []\n" + tail.replace('services = ["appuntamento", "uffici", "procedure", '
                   '"rimborsi", "bollette", "sanita", "regione", "lavoro"]', 'services = []'), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    assert any(p.path == "services" and "at least one" in p.message for p in info.value.problems)


def test_all_problems_at_once_one_line_each_exit_2_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(site_text(tmp_path, extra={
        'monday = ["08:45-13:00"]': 'monday = ["25:00-26:00"]',
        'timezone = "Europe/Rome"': 'timezone = "Mars/Olympus"',
        'prefix = "C"': 'prefix = "cc"',
        "history_days = 90": "history_dayz = 90"}), encoding="utf-8")
    result = run_cli("check-config", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4, lines
    assert all(line.startswith(f"{bad}: ") for line in lines)
    assert any("hours.monday[0]" in line and "(got '25:00-26:00')" in line for line in lines)
    assert any("hub.history_dayz" in line and "did you mean 'history_days'" in line for line in lines)


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(site_text(tmp_path, extra={'name = "Comune di Capannori"': 'name = "Comune di Capannori'}),
                   encoding="utf-8")
    result = run_cli("check-config", str(bad))
    assert result.returncode == 2
    assert "line 9" in result.stderr and "column" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_names_the_paths_tried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOTEM_CONFIG", raising=False)
    with pytest.raises(ConfigNotFound) as info:
        load_config(tmp_path / "nope.toml")
    assert str(tmp_path / "nope.toml") in str(info.value)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = run_cli("status", env=env)
    assert result.returncode == 2
    assert "/etc/totem/totem.toml" in result.stderr and "$TOTEM_CONFIG" in result.stderr


def test_config_lookup_uses_env_var(tmp_path: Path, site_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOTEM_CONFIG", str(site_path))
    assert load_config().source == site_path
    monkeypatch.setenv("TOTEM_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigNotFound) as info:
        load_config()
    assert "missing.toml" in str(info.value)


def test_test_sites_never_point_at_the_demo_hub(tmp_path: Path) -> None:
    """Rule 8: a test run during ./scripts/run must not push into the live queue on 8080."""
    text = write_site(tmp_path).read_text(encoding="utf-8")
    assert "127.0.0.1:8080" not in text.split("[hub]")[1].split("\n[")[0].replace('listen = "127.0.0.1:8080"', "")


def test_the_shipped_file_in_a_checkout_uses_the_demos_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """`totem status --config config/comune-amico.toml` reads what ./scripts/run wrote (var/)."""
    from config import load_config

    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    config = load_config(SHIPPED)
    assert config.totem.data_dir == ROOT / "var" and config.hub.data_dir == ROOT / "var"
    assert config.printer.folder == ROOT / "var" / "tickets"
    monkeypatch.setenv("STATE_DIRECTORY", "/var/lib/totem")  # under systemd: its StateDirectory
    assert load_config(SHIPPED).totem.data_dir == Path("/var/lib/totem")


def test_check_config_warns_on_demo_secrets_pins_and_colours(tmp_path: Path) -> None:
    """Valid but unsafe or hard to read: 'warning:' lines, exit 0."""
    shipped = run_cli("check-config", str(SHIPPED))
    assert shipped.returncode == 0
    warned = [line for line in shipped.stdout.splitlines() if line.startswith("warning: ")]
    assert len(warned) == 5 and "hub.token is the demo token" in warned[0]
    assert "totem.technician_pin '2468'" in warned[1] and "hub.manager_pin '8642'" in warned[2]
    assert "desks[0].pin '1357'" in warned[3] and "reception.pin '2580'" in warned[4]
    site = tmp_path / "site.toml"
    site.write_text(site_text(tmp_path, extra={
        'token = "demo-token-change-me-0123456789"': 'token = "8f14e45fceea167a5a36dedd4bea2543"',
        'technician_pin = "2468"': 'technician_pin = "9301"', 'pin = "1357"': 'pin = "9301"',
        'colour = "#a4161a"': 'colour = "#f0a000"', 'manager_pin = "8642"': 'manager_pin = "7719"',
        'pin = "2580"': 'pin = "7719"', 'appointments = true': 'appointments = false'}),
        encoding="utf-8")
    result = run_cli("check-config", str(site))
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stdout.splitlines() if line.startswith("warning: ")]
    assert warned == [
        "warning: services[4].colour '#f0a000' (sanita): white text on it is 2.2:1, below the legal minimum 4.5:1; "
        "choose a darker colour",
        "warning: desks[0].pin (Sportello 1) equals totem.technician_pin: an operator could open the totem's "
        "technician menu; use different PINs",
        "warning: reception.pin equals another role's PIN (a desk, the manager or the technician); use different PINs",
        "warning: services[7] (appuntamento) is priority = true without appointments = true: anyone can tap it at "
        "the totem to be called first"]


def test_more_services_than_buttons_fit_is_refused(tmp_path: Path) -> None:
    extra = "".join(f'\n[[services]]\nid = "extra{i}"\nprefix = "{"QRSTUV"[i]}"\nlabel.it = "Altro {i}"\n'
                    f'label.en = "Other {i}"\navg_service_min = 10\n' for i in range(2))
    bad = tmp_path / "bad.toml"
    bad.write_text(site_text(tmp_path, extra={"[totem]\n": extra + "\n[totem]\n"}), encoding="utf-8")
    result = run_cli("check-config", str(bad))
    assert result.returncode == 2
    assert "services: 10 services: at most 9 fit the totem's buttons and the keypad" in result.stderr
