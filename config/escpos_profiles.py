"""python-escpos's printer database (profiles and their code pages), read without importing escpos.

python-escpos keeps its database in `escpos/capabilities.json` and parses it with a YAML parser
when `escpos` is imported (0.3 s here, seconds on a Pi). The site file check only needs the
profile names, so it reads the same file as JSON (about 1 ms) from where the package is installed.
`printer.capabilities` uses the same reading to give escpos its ready-made cache.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["CapabilitiesMissing", "capabilities", "capabilities_path"]


class CapabilitiesMissing(LookupError):
    """python-escpos, or its capabilities.json, is not installed where Python looks."""


def capabilities_path() -> Path:
    spec = importlib.util.find_spec("escpos")
    if spec is None or not spec.submodule_search_locations:
        raise CapabilitiesMissing("python-escpos is not installed (pip install python-escpos)")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "capabilities.json"
        if path.is_file():
            return path
    raise CapabilitiesMissing(f"python-escpos has no capabilities.json in {list(spec.submodule_search_locations)}")


@cache
def capabilities() -> dict[str, Any]:
    """The whole database, as escpos itself loads it (JSON is YAML, so both parsers agree)."""
    with open(capabilities_path(), "rb") as fh:
        return json.load(fh)
