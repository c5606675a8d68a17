"""Public holidays kept on disk (config.public_holidays): the same answers as the holidays library, in
every language it has, without importing the library once a year is kept; a new release of the
library or a damaged file means asking the library again; no writable directory changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import holidays
from conftest import PYPATH, ROOT

from config.public_holidays import cache_dirs, from_library, holidays_problem, library_stamp, supported, year_table

YEARS = (2026, 2027)


def test_a_kept_year_is_the_librarys_in_every_language(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    for year in YEARS:
        first, kept = year_table("IT", "", year, env), year_table("IT", "", year, env)
        assert (tmp_path / "cache" / "totem" / "holidays" / f"IT-_-{year}.json").is_file()
        assert kept == first == from_library("IT", "", year)
        library = holidays.country_holidays("IT", years=year, language="it_IT")
        assert kept.default == {d: str(n) for d, n in library.items()}  # in Italian, whatever $LANG says
    easter_monday = year_table("IT", "", 2027, env)
    assert easter_monday.name(date(2027, 3, 29)) == "Lunedì dell'Angelo"
    table = year_table("IT", "", 2026, env)
    assert table.name(date(2026, 12, 8), "it") == "Immacolata Concezione"
    assert table.name(date(2026, 12, 8), "en") == "Immaculate Conception"
    assert table.name(date(2026, 12, 8), "xx") == "Immacolata Concezione"  # a language it lacks: its default
    assert table.name(date(2026, 12, 9)) == ""


def test_a_kept_year_is_read_without_importing_the_library(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": PYPATH, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("CACHE_DIRECTORY", None)
    probe = ("import sys; from datetime import date; from config.public_holidays import year_table; "
             "t = year_table('IT', '', 2026); print(t.name(date(2026, 12, 25), 'en'), 'holidays' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env,
                           timeout=60, check=True).stdout.split("\n")[0] for _ in range(2)]
    assert runs == ["Christmas Day True", "Christmas Day False"]  # the first run asked it and kept the year


def test_another_release_of_the_library_or_a_damaged_file_asks_the_library_again(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    path = cache_dirs(env)[0] / "IT-_-2026.json"
    year_table("IT", "", 2026, env)
    kept = json.loads(path.read_text(encoding="utf-8"))
    kept["stamp"] = [*kept["stamp"][:-1], 1]  # as if the library was upgraded since
    kept["body"]["default"] = {"2026-12-09": "not a holiday"}
    path.write_text(json.dumps(kept), encoding="utf-8")
    assert year_table("IT", "", 2026, env).name(date(2026, 12, 9)) == ""
    assert json.loads(path.read_text(encoding="utf-8"))["stamp"] == library_stamp()  # kept again
    path.write_text("{not json", encoding="utf-8")
    assert year_table("IT", "", 2026, env).name(date(2026, 12, 25)) == "Natale"


def test_no_writable_directory_still_answers(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache directory would be", encoding="utf-8")
    env = {"CACHE_DIRECTORY": str(blocked), "XDG_CACHE_HOME": str(blocked)}
    assert year_table("IT", "", 2026, env).name(date(2026, 12, 25)) == "Natale"
    assert blocked.is_file()


def test_the_site_files_country_is_checked_against_the_kept_list(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert supported(env) == supported(env) == holidays.list_supported_countries()
    assert (cache_dirs(env)[0] / "supported.json").is_file()
    assert holidays_problem("IT", "", env) is None
    assert holidays_problem("IT", "LU", env) is None  # Lucca
    assert holidays_problem("XX", "", env) == ("hours.holidays_country", "not a country the holidays library knows",
                                               "XX")
    assert holidays_problem("IT", "ZZ", env) == ("hours.holidays_subdivision", "not a subdivision of IT", "ZZ")


def test_loading_the_site_file_twice_imports_the_library_once(tmp_path: Path) -> None:
    from conftest import write_site

    site = write_site(tmp_path / "site")
    env = {**os.environ, "PYTHONPATH": PYPATH, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("CACHE_DIRECTORY", None)
    probe = ("import sys; from config import load_config; c = load_config(sys.argv[1]); "
             "print(c.hours.holidays_country, 'holidays' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", probe, str(site)], capture_output=True, text=True, cwd=ROOT,
                           env=env, timeout=60, check=True).stdout.strip() for _ in range(2)]
    assert runs == ["IT True", "IT False"]
