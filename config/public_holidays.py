"""Public holidays from the `holidays` library, kept on disk: whether a day is a holiday, and whether
the site file's country and subdivision exist, cost a file read instead of importing the library.

The library loads every country it knows when it gives one (`holidays.countries` imports them all):
about 100 ms of CPU on this project's reference machine, several times that on a Pi, on every
command that looks at today's hours (`totem issue`, `totem status`, `totem check-config`) and before
the kiosk's first frame (issue 21, point 2). The answer only changes with the library's release, so
it is computed once per country, subdivision and year, and kept; likewise the list of countries and
subdivisions the site file's check needs (`holidays_problem`; `holidays.list_supported_countries()`
also imports every country, 80-90 ms of every command that loads the site file).

Steps of `year_table(country, subdivision, year)` (and of `supported()`, the same with one file):
1. find the library's files without importing it (`importlib.util.find_spec`): the stamp of its
   `version.py` (size and modification time) names the release, and changes when it is upgraded;
2. in the kept cache directory (systemd's `$CACHE_DIRECTORY`, else `$XDG_CACHE_HOME/totem`, else
   `~/.cache/totem`, as for python-escpos's database in printer/capabilities.py), read
   `holidays/COUNTRY-SUBDIVISION-YEAR.json` (`holidays/supported.json`); use it when its stamp is the library's;
3. otherwise ask the library (the year's holidays, named in the country's default language and in
   each language it supports) and keep the answer (a temporary file, then `os.replace`, so two
   processes starting together never read half a file).
Failure paths, all harmless: no writable directory, a damaged or foreign file, a library without
the file to stamp: the answer comes from the library, as before, and nothing is kept.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from config.frozen import frozen

log = logging.getLogger(__name__)

FORMAT = 1


@frozen
class YearTable:
    """One year's holidays: their names in the country's default language and in each other one."""

    default: dict[date, str]  # in the country's default language ("it_IT" for IT)
    languages: dict[str, dict[date, str]]  # the library's codes: "en_US", "it_IT", ...

    def name(self, day: date, lang: str | None = None) -> str:
        """The holiday's name on that day ("" for none), in `lang` ("it", "en") where the library has it."""
        if lang:
            code = next((c for c in self.languages if c.split("_")[0] == lang), None)
            if code is not None:
                return self.languages[code].get(day, "")
        return self.default.get(day, "")


def year_table(country: str, subdivision: str, year: int, environ: Mapping[str, str] = os.environ) -> YearTable:
    stamp = library_stamp()
    name = f"{country}-{subdivision or '_'}-{year}.json"
    if stamp is None:
        return from_library(country, subdivision, year)
    for folder in cache_dirs(environ):
        kept = _read(folder / name, stamp)
        if kept is not None:
            return kept
    table = from_library(country, subdivision, year)
    for folder in cache_dirs(environ):
        if _write(folder / name, stamp, table):
            break
    return table


def holidays_problem(country: str, subdivision: str,
                     environ: Mapping[str, str] = os.environ) -> tuple[str, str, str] | None:
    """(key, message, value) when the holidays library does not know the country or subdivision."""
    known = supported(environ)
    if country not in known:
        return "hours.holidays_country", "not a country the holidays library knows", country
    if subdivision and subdivision not in known[country]:
        return "hours.holidays_subdivision", f"not a subdivision of {country}", subdivision
    return None


def supported(environ: Mapping[str, str] = os.environ) -> dict[str, list[str]]:
    """Every country code the library knows (aliases included), with its subdivisions."""
    stamp = library_stamp()
    if stamp is not None:
        for folder in cache_dirs(environ):
            kept = _read_json(folder / "supported.json", stamp)
            if isinstance(kept, dict) and all(isinstance(v, list) for v in kept.values()):
                return kept
    import holidays

    known = {code: [str(s) for s in subs] for code, subs in holidays.list_supported_countries().items()}
    if stamp is not None:
        for folder in cache_dirs(environ):
            if _write_json(folder / "supported.json", stamp, known):
                break
    return known


def from_library(country: str, subdivision: str, year: int) -> YearTable:
    import holidays

    base = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    languages = {code: {d: str(n) for d, n in holidays.country_holidays(
                     country, subdiv=subdivision or None, years=year, language=code).items()}
                 for code in (getattr(base, "supported_languages", ()) or ())}
    # The default names in the country's own language, whatever the locale of the process that keeps them
    # (the library's names without a language follow $LANGUAGE/$LANG: a technician's shell is not the kiosk).
    default = languages.get(getattr(base, "default_language", None) or "")
    return YearTable(default if default is not None else {d: str(n) for d, n in base.items()}, languages)


def library_stamp() -> list[int] | None:
    """Size and modification time of the installed library's version.py (None: not found)."""
    try:
        spec = importlib.util.find_spec("holidays")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        try:
            st = (Path(folder) / "version.py").stat()
        except OSError:
            continue
        return [FORMAT, st.st_size, st.st_mtime_ns]
    return None


def cache_dirs(environ: Mapping[str, str]) -> list[Path]:
    dirs = [Path(d) / "holidays" for d in environ.get("CACHE_DIRECTORY", "").split(":") if d]
    xdg = environ.get("XDG_CACHE_HOME")
    dirs.append(Path(xdg) / "totem" / "holidays" if xdg else Path.home() / ".cache" / "totem" / "holidays")
    return dirs


def _read(path: Path, stamp: list[int]) -> YearTable | None:
    data = _read_json(path, stamp)
    try:
        return None if data is None else YearTable(
            {date.fromisoformat(k): str(v) for k, v in data["default"].items()},
            {code: {date.fromisoformat(k): str(v) for k, v in names.items()}
             for code, names in data["languages"].items()})
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        log.debug("kept holidays %s not usable (%s): asking the library", path, exc)
        return None


def _write(path: Path, stamp: list[int], table: YearTable) -> bool:
    return _write_json(path, stamp, {
        "default": {d.isoformat(): n for d, n in sorted(table.default.items())},
        "languages": {code: {d.isoformat(): n for d, n in sorted(names.items())}
                      for code, names in table.languages.items()}})


def _read_json(path: Path, stamp: list[int]) -> Any:
    """The kept body, when the file is there, whole, and of this release of the library."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.debug("kept holidays %s not usable (%s): asking the library", path, exc)
        return None
    if not isinstance(data, dict) or data.get("stamp") != stamp:
        return None
    return data.get("body")


def _write_json(path: Path, stamp: list[int], body: Any) -> bool:
    import tempfile  # only when a year is kept: its import costs a few ms of every start

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".holidays-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"stamp": stamp, "body": body}, fh, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.debug("holidays not kept in %s: %s", path.parent, exc)
        return False
    return True
