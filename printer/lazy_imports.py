"""Libraries that python-escpos imports at its own start but a ticket never uses, loaded lazily.

`escpos.escpos` imports `qrcode` (an image QR code: our tickets send the printer's native QR
command) and `escpos.capabilities` imports `yaml` (to parse its printer database: ours comes from a
kept pickle, printer/capabilities.py), each for a path our tickets never take. Importing escpos
inside `deferred(...)` gives those modules to importlib's `LazyLoader`: the module object exists,
escpos imports it as before, and its code runs on the first attribute anyone reads from it (a
non-native QR, a YAML parse), so nothing changes but the time (issue 21, point 2: about 15 ms of
CPU here). Only the named top-level modules are deferred, only while the block runs, and only if
nobody imported them before.

python-barcode's SVG and gzip writers (`xml.dom.minidom`, `gzip`) are deferred the same way, and so
are Pillow's `PIL.Image`, `ImageDraw` and `ImageFont`, which python-barcode's image writer imports
(`barcode` itself cannot be deferred: escpos reads `barcode.PROVIDED_BARCODES` while it imports).
`escpos.image` reads `PIL.Image.Image` as it imports (an annotation), so `escpos_imports()` puts a
stand-in there while escpos imports: its one name, `EscposImage`, imports the real module at the
first picture (a logo, a raster line, an image QR code or barcode). Pillow is then loaded after the
paper, for the folder printer's PNG preview (about 12 ms).

Python 3.11's LazyLoader is not thread-safe: code that reads a deferred module that another thread
may be reading too calls `ready(...)` first, which runs the deferred code under a lock.

pyusb and pyserial are not imported at all for a ticket: printer/escpos_render.py renders into its
own buffer instead of `escpos.printer.Dummy`, whose package imports every connection type.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import importlib.machinery


ESCPOS_UNUSED = ("qrcode", "yaml", "xml.dom.minidom", "gzip", "PIL.Image", "PIL.ImageDraw", "PIL.ImageFont")
PILLOW = ("PIL.Image", "PIL.ImageDraw", "PIL.ImageFont")
_READY = threading.Lock()


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


@contextmanager
def escpos_imports(*also: str) -> Iterator[None]:
    """Import python-escpos inside this block: what a ticket never uses (and `also`) is deferred, and
    `escpos.image` is a stand-in until the first picture (see the module's docstring)."""
    with deferred(*ESCPOS_UNUSED, *also):
        placed = "escpos.image" not in sys.modules
        if placed:
            sys.modules["escpos.image"] = _IMAGE_STAND_IN
        try:
            yield
        finally:
            if placed and sys.modules.get("escpos.image") is _IMAGE_STAND_IN:
                del sys.modules["escpos.image"]


def _escpos_image(img_source: object) -> object:
    """`escpos.image.EscposImage(img_source)`, the real module imported at the first picture."""
    ready(*PILLOW)
    from escpos.image import EscposImage

    return EscposImage(img_source)  # type: ignore[arg-type]


_IMAGE_STAND_IN = ModuleType("escpos.image", "python-escpos's image module, imported at the first picture")
_IMAGE_STAND_IN.EscposImage = _escpos_image  # type: ignore[attr-defined]


def ready(*names: str) -> None:
    """Run the code of these modules now if it was deferred, one thread at a time."""
    with _READY:
        for name in names:
            module = sys.modules.get(name)
            if module is not None and not is_loaded(name):
                getattr(module, "__name__")  # noqa: B009 - reading any attribute runs the deferred code


def is_loaded(name: str) -> bool:
    """The module is imported and its code has run (a deferred module not touched yet has not)."""
    module = sys.modules.get(name)
    return module is not None and not isinstance(module, importlib.util._LazyModule)  # type: ignore[attr-defined]
