"""What the gettext catalogues cost a command: importing config.i18n, loading one language's
.mo (stdlib gettext, no Babel at run time) and a lookup; each load in a fresh interpreter so
nothing is cached. Target: a few milliseconds at most for import + load of two languages.
The TOML catalogues this replaced cost about 3.5 ms to import tomllib and 2.5 ms to parse it.toml
(measured once, 2026-12, on the development machine); gettext imports in under 1 ms."""

from __future__ import annotations

import subprocess
import sys
import time

from _common import ROOT, scaled, summary

RUNS = scaled(30, 2)
LOOKUPS = scaled(100_000, 1000)
PROBE = """
import time
import config  # the package (the site file's loader) is every command's anyway: not counted
t0 = time.perf_counter()
import config.i18n as i18n
t1 = time.perf_counter()
i18n.Translator("it")
t2 = time.perf_counter()
i18n.Translator("ar")
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def main() -> None:
    imports, first, second = [], [], []
    for _ in range(RUNS):
        out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, check=True)
        a, b, c = (float(x) for x in out.stdout.split())
        imports.append(a)
        first.append(b)
        second.append(c)
    print(summary("import config.i18n (stdlib gettext)", imports, target="< 5 ms with the next two"))
    print(summary("Translator('it'): load it.mo (the fallback)", first))
    print(summary("Translator('ar'): load ar.mo", second))
    sys.path.insert(0, str(ROOT))
    from config.i18n import Translator

    t = Translator("zh")
    t0 = time.perf_counter()
    for _ in range(LOOKUPS):
        t("ticket_wait_range", low=5, high=10)
    print(f"lookup with placeholders: {(time.perf_counter() - t0) / LOOKUPS * 1e6:.2f} us each")
    sizes = {p.parent.parent.name: p.stat().st_size for p in (ROOT / "config" / "locales").glob("*/LC_MESSAGES/*.mo")}
    print("catalogue .mo sizes (bytes):", ", ".join(f"{k} {v}" for k, v in sorted(sizes.items())))


if __name__ == "__main__":
    main()
