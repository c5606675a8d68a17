"""Libraries that python-escpos imports at its own start but a ticket never uses, loaded lazily.

`escpos.escpos` imports `qrcode` (an image QR code: our tickets send the printer's native QR
command) and `escpos.capabilities` imports `yaml` (to parse its printer database: ours comes from a
kept pickle, printer/capabilities.py), each for a path our tickets never take. Importing escpos
inside `deferred(...)` gives those modules to importlib's `LazyLoader`: the module object exists,
escpos imports it as before, and its code runs on the first attribute anyone reads from it (a
non-native QR, a YAML parse), so nothing changes but the time (issue 21, point 2: about 15 ms of
CPU here). Only the named top-level modules are deferred, only while the block runs, and only if
nobody imported them before.

python-barcode's SVG and gzip writers (`xml.dom.minidom`, `gzip`) are deferred the same way.
`barcode` itself cannot be deferred: escpos reads `barcode.PROVIDED_BARCODES` while it imports.
pyusb and pyserial are not imported at all for a ticket: printer/escpos_render.py renders into its
own buffer instead of `escpos.printer.Dummy`, whose package imports every connection type.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import importlib.machinery


ESCPOS_UNUSED = ("qrcode", "yaml", "xml.dom.minidom", "gzip")


class _DeferringFinder:
    """A meta path finder (importlib.abc.MetaPathFinder's protocol; that module costs 3 ms to import)."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        for finder in sys.meta_path:  # the finders after this one find the real spec
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = importlib.util.LazyLoader(spec.loader)
                return spec
        return None


@contextmanager
def deferred(*names: str) -> Iterator[None]:
    """While the block runs, the first import of each named top-level module is lazy."""
    finder = _DeferringFinder(frozenset(n for n in names if n not in sys.modules))
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def is_loaded(name: str) -> bool:
    """The module is imported and its code has run (a deferred module not touched yet has not)."""
    module = sys.modules.get(name)
    return module is not None and not isinstance(module, importlib.util._LazyModule)  # type: ignore[attr-defined]
