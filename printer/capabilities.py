"""A kept cache of python-escpos's printer database, so importing escpos takes milliseconds.

python-escpos 3.1 loads its `capabilities.json` at import time: from a pickle in
`$ESCPOS_CAPABILITIES_PICKLE_DIR` when one newer than the JSON is there, else by parsing the
JSON with a YAML parser (0.3 s on a laptop, seconds on a Pi) and writing the pickle. The
directory defaults to a new temporary one in every process, so every `totem` command and every
kiosk start paid the parse and left a directory behind in /tmp.

Steps of `prepare()`, run once when the `printer` package is imported (before any escpos import):
1. leave the environment alone when it already names a pickle directory (the technician's choice);
2. pick a kept cache directory: systemd's `$CACHE_DIRECTORY`, else `$XDG_CACHE_HOME/totem`, else
   `~/.cache/totem`; the first one that exists or can be made and is writable;
3. when its pickle is missing or older than the JSON, read the JSON with the json module (1 ms,
   `config.escpos_profiles`) and write the pickle atomically (temporary file, then `os.replace`), so
   two processes starting together never read half a file;
4. point `ESCPOS_CAPABILITIES_PICKLE_DIR` at it.

Failure paths, all harmless: escpos not installed, no writable directory, a write error. Each
leaves the environment as it was, and escpos then loads its database the slow way, correctly.
"""

from __future__ import annotations

import logging
import os
import platform
from collections.abc import Mapping
from pathlib import Path

from config.escpos_profiles import CapabilitiesMissing, capabilities, capabilities_path

log = logging.getLogger(__name__)

ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def cache_dirs(environ: Mapping[str, str]) -> list[Path]:
    dirs = [Path(d) / "escpos" for d in environ.get("CACHE_DIRECTORY", "").split(":") if d]
    xdg = environ.get("XDG_CACHE_HOME")
    dirs.append(Path(xdg) / "totem" / "escpos" if xdg else Path.home() / ".cache" / "totem" / "escpos")
    return dirs


def pickle_name() -> str:
    return f"{platform.python_version()}.capabilities.pickle"  # the name escpos looks for


def prepare(environ: os._Environ[str] | dict[str, str] = os.environ) -> Path | None:
    """Give escpos a ready pickle; returns the directory used, or None when left to escpos."""
    if environ.get(ENV):
        return None
    try:
        source = capabilities_path()
    except CapabilitiesMissing:
        return None
    for folder in cache_dirs(environ):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / pickle_name()
            if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
                import pickle  # only to write the cache, once per release of escpos
                import tempfile

                fd, tmp = tempfile.mkstemp(dir=folder, prefix=".capabilities-")
                try:
                    with os.fdopen(fd, "wb") as fh:
                        pickle.dump(capabilities(), fh, protocol=2)
                    os.replace(tmp, target)
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
        except (OSError, ValueError) as exc:
            log.debug("escpos capabilities cache not usable in %s: %s", folder, exc)
            continue
        environ[ENV] = str(folder)
        return folder
    return None
