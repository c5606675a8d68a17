"""Keep the gettext catalogues (config/locales/XX/LC_MESSAGES/totem.po) and their .mo in step.

    scripts/locales from-toml FILE.toml...  merge old-style catalogues (config/locales/XX.toml,
                                            XX from the file name) into XX's .po, then compile:
                                            a key new to Italian is added, untranslated, to
                                            every other language. Re-runnable: same input,
                                            same files.
    scripts/locales compile                 every .po -> .mo (what the programs read)
    scripts/locales check                   exit 1 listing: a .mo out of step with its .po, a
                                            key of the Italian catalogue missing in another
                                            language, a citizen's key untranslated, a key used
                                            in the code (t("...")) that Italian lacks
    scripts/locales extract                 print the keys the code uses that Italian lacks

Babel (a development dependency) reads and writes the .po files; the programs read the .mo
with the standard library's gettext.
"""

from __future__ import annotations

import io
import re
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import i18n  # noqa: E402
from config.i18n import DOMAIN, FALLBACK, citizen_key, mo_file, po_file  # noqa: E402

FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)  # headers do not change on each run (clean diffs)
KEY_USE = re.compile(r"""\b(?:t|self\.t|translate|_t)\(\s*["']([a-z][a-z0-9_]+)["']""")
CODE_DIRS = ("totem", "display", "printer", "config")
HEADER = """\
# Totem: what a citizen reads on the totem, the ticket, the follow page and the call screen.
# msgid is the program's key; "#. it:" is the Italian source text. Keep {placeholders} as they are.
# This file is distributed under the same license as the Totem project (GPL-3.0-or-later)."""


def languages() -> list[str]:
    return sorted(p.name for p in i18n.LOCALES_DIR.iterdir() if po_file(p.name).is_file())


def load(lang: str) -> Catalog:
    path = po_file(lang)
    if not path.is_file():
        return Catalog(locale=lang, domain=DOMAIN, project="Totem", version="1", creation_date=FIXED_DATE,
                       revision_date=FIXED_DATE, fuzzy=False, copyright_holder="the Totem authors",
                       msgid_bugs_address="the Totem issue tracker", header_comment=HEADER)
    with open(path, "rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def save(lang: str, catalog: Catalog) -> None:
    path = po_file(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, omit_header=False, sort_output=False)
    path.write_bytes(buf.getvalue())


def mo_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def compile_all() -> None:
    for lang in languages():
        mo_file(lang).write_bytes(mo_bytes(load(lang)))


def _source_comment(text: str) -> list[str]:
    return [f"it: {text}"]


def from_toml(files: list[Path]) -> None:
    """Merge TOML catalogues into the .po files; Italian first, so other languages learn its new keys."""
    by_lang = {f.stem: f for f in files}
    order = sorted(by_lang, key=lambda lang: (lang != FALLBACK, lang))
    for lang in order:
        with open(by_lang[lang], "rb") as fh:
            entries = {k: str(v) for k, v in tomllib.load(fh).items()}
        catalog = load(lang)
        for key, text in entries.items():
            existing = catalog.get(key)
            if existing is None:
                catalog.add(key, text)
            else:
                existing.string = text
        save(lang, catalog)
    italian = load(FALLBACK)
    for lang in languages():
        if lang == FALLBACK:
            continue
        catalog = load(lang)
        for message in italian:
            if not message.id:
                continue
            existing = catalog.get(message.id)
            if existing is None:
                catalog.add(message.id, "", auto_comments=_source_comment(message.string))
            else:
                existing.auto_comments = _source_comment(message.string)
        save(lang, catalog)
    compile_all()


def keys_in_code() -> set[str]:
    used: set[str] = set()
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            used.update(KEY_USE.findall(path.read_text(encoding="utf-8")))
    return used


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def problems() -> list[str]:
    out: list[str] = []
    italian = {m.id for m in load(FALLBACK) if m.id}
    for lang in languages():
        catalog = load(lang)
        if not mo_file(lang).is_file() or mo_file(lang).read_bytes() != mo_bytes(catalog):
            out.append(f"{shown(po_file(lang))}: the .mo is out of step; run scripts/locales compile")
        have = {m.id: m.string for m in catalog if m.id}
        out += [f"{lang}: {key}: missing (Italian has it)" for key in sorted(italian - have.keys())]
        out += [f"{lang}: {key}: untranslated" for key, text in sorted(have.items())
                if not text and citizen_key(key)]
    out += [f"{FALLBACK}: {key}: used in the code, not in the catalogue" for key in sorted(keys_in_code() - italian)]
    return out


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("from-toml", "compile", "check", "extract"):
        print(__doc__, file=sys.stderr)
        return 2
    command, args = argv[0], argv[1:]
    if command == "from-toml":
        if not args:
            print("from-toml needs one or more XX.toml files", file=sys.stderr)
            return 2
        from_toml([Path(a) for a in args])
        print(f"merged {len(args)} file(s); compiled {', '.join(languages())}")
        return 0
    if command == "compile":
        compile_all()
        return 0
    if command == "extract":
        italian = {m.id for m in load(FALLBACK) if m.id}
        for key in sorted(keys_in_code() - italian):
            print(key)
        return 0
    found = problems()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
