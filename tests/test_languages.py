"""Every language of the town (issue 22 point 3): the site lists its languages; each has a
gettext catalogue with every citizen's message translated, a font with every glyph, and an
espeak-ng voice that speaks; Arabic runs right to left, Chinese wraps between characters and
a line the printer's code page cannot hold prints as an image."""

from __future__ import annotations

import array
import importlib.util
import io
import re
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import pygame
import pytest
from conftest import ROOT, rome, site_text
from PIL import Image

from config import load_config
from config.bidi import logical_runs
from config.errors import ConfigError
from config.i18n import FALLBACK, Translator, _catalogue, available_languages, citizen_key
from config.languages import LANGUAGES, script_of
from config.model import Config
from config.records import Estimate
from printer.escpos_render import encodable, render_escpos
from printer.fonts import font_for
from printer.layout import Text, TicketContent, build_ticket
from printer.png_render import render_png

SEVEN = ["it", "en", "ro", "sq", "ar", "zh", "uk"]
GS_V_0 = b"\x1dv0"  # ESC/POS raster bit image: what an image line starts with


def locales_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("locales_script", ROOT / "scripts" / "locales.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def seven_language_site(tmp_path: Path) -> Path:
    """The shipped file as its comment says to list all seven: the languages line, the labels uncommented."""
    path = tmp_path / "site.toml"
    text = site_text(tmp_path, extra={'languages = ["it", "en"]': f"languages = {SEVEN}".replace("'", '"')})
    path.write_text(re.sub(r"^# (label\.[a-z][a-z] = )", r"\1", text, flags=re.M), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def seven(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return load_config(seven_language_site(tmp_path_factory.mktemp("seven")))


# ---- catalogues ----------------------------------------------------------------------------

def test_the_catalogues_are_gettext_files_and_every_mo_matches_its_po() -> None:
    assert set(SEVEN) <= set(available_languages())
    assert not list((ROOT / "config" / "locales").glob("*.toml")), "translations live in .po files now"
    assert locales_script().problems() == []


def test_a_stale_mo_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from config import i18n

    copy = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES_DIR, copy)
    monkeypatch.setattr(i18n, "LOCALES_DIR", copy)
    po = i18n.po_file("ro")
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Înapoi"', 'msgstr "Înapoi!"'), encoding="utf-8")
    script = locales_script()
    assert script.problems() == [f"{po}: the .mo is out of step; run scripts/locales compile"]
    script.compile_all()
    assert script.problems() == []


def test_from_toml_brings_a_key_added_later_to_every_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The merge path for keys other branches add to the old TOML catalogues."""
    from config import i18n

    copy = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES_DIR, copy)
    monkeypatch.setattr(i18n, "LOCALES_DIR", copy)
    (tmp_path / "it.toml").write_text('later_thanks = "Grazie del suo voto"\nhome_prompt = "Tocchi il servizio"\n',
                                      encoding="utf-8")
    (tmp_path / "en.toml").write_text('later_thanks = "Thank you for your vote"\n', encoding="utf-8")
    script = locales_script()
    script.from_toml([tmp_path / "it.toml", tmp_path / "en.toml"])
    i18n._catalogue.cache_clear()
    try:
        assert i18n._catalogue("it")["later_thanks"] == "Grazie del suo voto"
        assert i18n._catalogue("it")["home_prompt"] == "Tocchi il servizio"  # the TOML's text wins
        assert i18n._catalogue("en")["later_thanks"] == "Thank you for your vote"
        assert "later_thanks" not in i18n._catalogue("ar")  # not translated yet: falls back to Italian
        assert i18n.Translator("ar")("later_thanks") == "Grazie del suo voto"
        assert "ar: later_thanks: untranslated" in script.problems()
        assert "#. it: Grazie del suo voto" in i18n.po_file("zh").read_text(encoding="utf-8")
        before = {p: p.read_bytes() for p in copy.rglob("*.po")}
        script.from_toml([tmp_path / "it.toml", tmp_path / "en.toml"])  # re-runnable: nothing changes
        assert {p: p.read_bytes() for p in copy.rglob("*.po")} == before
    finally:
        i18n._catalogue.cache_clear()


def test_every_citizen_message_is_translated_in_every_language() -> None:
    italian = _catalogue(FALLBACK)
    missing = {lang: sorted(k for k in italian if citizen_key(k) and not _catalogue(lang).get(k, "").strip())
               for lang in available_languages()}
    assert all(not keys for keys in missing.values()), missing
    staff = [k for k in italian if not citizen_key(k)]
    assert staff and all(_catalogue("en").get(k) for k in staff)  # the manager's pages: Italian and English


def test_translations_keep_the_placeholders_of_the_italian_text() -> None:
    italian = _catalogue(FALLBACK)
    for lang in available_languages():
        for key, text in _catalogue(lang).items():
            assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", italian[key])), (lang, key)


def test_the_picker_names_each_language_in_itself() -> None:
    names = {lang: Translator(lang)("language_name") for lang in SEVEN}
    assert names == {"it": "Italiano", "en": "English", "ro": "Română", "sq": "Shqip", "ar": "العربية",
                     "zh": "中文", "uk": "Українська"}
    assert all(LANGUAGES[lang].native_name == name for lang, name in names.items())


# ---- the site file ---------------------------------------------------------------------------

def test_the_site_with_seven_languages_passes_check_config(tmp_path: Path) -> None:
    path = seven_language_site(tmp_path)
    done = subprocess.run([sys.executable, "-m", "totem.cli", "check-config", str(path)], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "languages it, en, ro, sq, ar, zh, uk" in done.stdout


def test_a_mistyped_language_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(site_text(tmp_path, extra={'languages = ["it", "en"]': 'languages = ["it", "en", "ua", "cn"]'}),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = str(caught.value)
    assert "site.languages[2]: no translation catalogue for this language; did you mean 'uk'? (got 'ua')" in text
    assert "did you mean 'zh'? (got 'cn')" in text
    assert "label.ua" not in text  # one mistake, one message


def test_without_the_key_the_site_speaks_italian_then_english(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(site_text(tmp_path, extra={'languages = ["it", "en"]\n': ""}), encoding="utf-8")
    assert load_config(path).site.languages == ("it", "en")


# ---- glyphs -----------------------------------------------------------------------------------

def strings_of(config: Config, lang: str) -> list[str]:
    t = Translator(lang)
    return [t(k) for k in _catalogue(FALLBACK)] + [s.label(lang) for s in config.services]


def test_every_string_of_every_language_has_its_glyphs_on_screen_and_paper(seven: Config) -> None:
    """Each string checked against the cmap of the font chosen for it, on screen (pygame opens a
    collection's first face) and on paper (Pillow opens the Simplified Chinese face). pygame-ce's
    Font.metrics cannot tell: it measures the .notdef box for a missing glyph."""
    from fontTools.ttLib import TTFont

    from printer.fonts import font_for_script

    cmaps: dict[tuple[str, int], set[int]] = {}

    def cmap(path: str, index: int) -> set[int]:
        if (path, index) not in cmaps:
            cmaps[(path, index)] = set(TTFont(path, fontNumber=index).getBestCmap())
        return cmaps[(path, index)]

    checked = 0
    for lang in seven.site.languages:
        font_for(lang)  # installed (FontMissing names the package otherwise)
        for text in strings_of(seven, lang):
            choice = font_for_script(script_of(text))
            for index, where in ((0, "screen"), (choice.index, "ticket")):
                absent = {ch for ch in text if not ch.isspace() and ord(ch) not in cmap(choice.path, index)}
                assert not absent, f"{lang}: no glyph on the {where} for {sorted(absent)} in {text!r}"
            checked += 1
    assert checked > 7 * 100


def test_the_glyph_check_can_fail() -> None:
    from fontTools.ttLib import TTFont

    from printer.fonts import font_file

    latin = set(TTFont(font_file()).getBestCmap())
    assert ord("à") in latin and ord("م") not in latin and ord("号") not in latin and ord("ї") not in latin


def test_each_script_gets_its_own_font() -> None:
    assert script_of("Il suo numero") == "Latn" and script_of("Numărul dumneavoastră") == "Latn"
    assert script_of("Ваш номер") == "Cyrl" and script_of("رقمك A007") == "Arab" and script_of("您的号码") == "Hans"
    paths = {font_for(lang).path for lang in ("it", "uk", "ar", "zh")}
    assert len(paths) == 4
    assert font_for("zh").index == 2  # Simplified Chinese's face in the Noto CJK collection


# ---- voices -----------------------------------------------------------------------------------

def test_every_language_has_an_espeak_ng_voice_that_speaks(seven: Config) -> None:
    from test_accessibility import need_espeak

    need_espeak()
    listed = subprocess.run(["espeak-ng", "--voices"], capture_output=True, text=True, timeout=30).stdout
    names = {line.split()[1] for line in listed.splitlines()[1:] if len(line.split()) > 1}
    for lang in seven.site.languages:
        voice = seven.accessibility.voice(lang)
        assert voice in names, f"{lang}: espeak-ng has no voice {voice!r}"
        phrase = Translator(lang)("speech_your_number", code="A007")
        wav = subprocess.run(["espeak-ng", "-v", voice, "--stdout", phrase], capture_output=True, timeout=60).stdout
        with wave.open(io.BytesIO(wav)) as w:
            frames = w.readframes(w.getnframes())
            assert w.getnframes() > w.getframerate() // 2, f"{lang}: under half a second of speech"
            samples = array.array("h", frames)  # espeak-ng writes 16-bit mono
            rms = (sum(x * x for x in samples) / len(samples)) ** 0.5
            assert rms > 300, f"{lang}: silent"


# ---- right to left, Chinese wrapping ----------------------------------------------------------

def test_arabic_is_cut_into_words_read_from_the_right_with_codes_left_to_right() -> None:
    assert logical_runs("رقمك هو A007.") == [("رقمك", True), ("هو", True), ("A007.", False)]
    assert logical_runs("الانتظار المتوقع: 5-10 دقيقة") == [("الانتظار", True), ("المتوقع:", True),
                                                           ("5-10", False), ("دقيقة", True)]
    assert logical_runs("Comune Amico · اليوم") == [("Comune Amico", False), ("·", True), ("اليوم", True)]
    assert logical_runs("Il suo numero") == [("Il suo numero", False)]


def ink_columns(surface: pygame.Surface) -> tuple[int, int]:
    xs = [x for x in range(surface.get_width()) for y in range(0, surface.get_height(), 2)
          if surface.get_at((x, y))[0] < 100]
    return min(xs), max(xs)


def test_an_arabic_line_starts_at_the_right_and_a_code_in_it_reads_left_to_right() -> None:
    from totem.ui.geometry import Box
    from totem.ui.render import draw_text
    from totem.ui.text import font_for_text, render_line

    pygame.font.init()
    surface = pygame.Surface((600, 60))
    surface.fill((255, 255, 255))
    draw_text(surface, "رقمك", Box(0, 0, 600, 60), 40, (0, 0, 0), align="left", max_lines=1)
    left, right = ink_columns(surface)
    assert left > 300 and right > 560, "mirrored: the start of an Arabic line is on the right"
    f = font_for_text(40, "رقمك هو A007")
    whole = render_line(f, "رقمك هو A007", (0, 0, 0))
    code = render_line(f, "A007", (0, 0, 0))
    bg = pygame.Surface(whole.get_size())
    bg.fill((255, 255, 255))
    bg.blit(whole, (0, 0))
    left_part = bg.subsurface((0, 0, code.get_width(), bg.get_height()))
    alone = pygame.Surface(code.get_size())
    alone.fill((255, 255, 255))
    alone.blit(code, (0, 0))
    assert pygame.image.tobytes(left_part.copy(), "RGB") == pygame.image.tobytes(alone, "RGB"), \
        "the code comes last in reading order: at the left end, written left to right"


def test_chinese_wraps_between_characters() -> None:
    from totem.ui.text import font_for_text, wrap

    pygame.font.init()
    f = font_for_text(40, "市政办公室相关问题")
    lines = wrap("市政办公室相关问题", f, f.size("市政办公")[0])
    assert lines == ["市政办公", "室相关问", "题"]
    assert wrap("Il suo numero", f, 10_000) == ["Il suo numero"]


# ---- the ticket ---------------------------------------------------------------------------------

def ticket(config: Config, lang: str) -> TicketContent:
    service = next(s for s in config.services if s.id == "rimborsi")
    return TicketContent("C007", service, rome(2026, 12, 1, 10, 7), lang, Estimate(3, True, 10, 25, "hub"))


def test_a_ticket_in_a_script_the_code_page_lacks_prints_those_lines_as_images(seven: Config) -> None:
    for lang in ("it", "en", "sq"):  # CP858 holds Italian, English and Albanian (ë ç): native text only
        data = render_escpos(build_ticket(ticket(seven, lang), seven), profile="TM-T20II", codepage="CP858")
        assert GS_V_0 not in data, lang
        assert Translator(lang)("ticket_your_number").encode("cp858") in data
    for lang in ("ar", "zh", "uk", "ro"):  # ro: ș ț are not in CP858
        layout = build_ticket(ticket(seven, lang), seven)
        data = render_escpos(layout, profile="TM-T20II", codepage="CP858")
        texts = [b.text for b in layout.blocks if isinstance(b, Text) and b.text]
        images = [x for x in texts if not encodable(x, "CP858")]
        assert images and data.count(GS_V_0) == len(images), lang  # one image per line the code page lacks
        for native in set(texts) - set(images):  # the rest, the code among them, native text: sharp, small
            assert native.encode("cp858") in data, (lang, native)
        assert "C007" in set(texts) - set(images)


def test_the_ticket_image_draws_arabic_and_chinese(seven: Config) -> None:
    for lang in ("ar", "zh"):
        image = render_png(build_ticket(ticket(seven, lang), seven))
        assert isinstance(image, Image.Image) and image.getextrema()[0] == 0


# ---- the follow page and the call screen ----------------------------------------------------------

def test_the_follow_page_carries_the_sites_languages_from_the_catalogues(seven: Config) -> None:
    import json

    from display.follow_texts import page_texts, with_texts

    texts = page_texts(seven)
    assert [x["code"] for x in texts["languages"]] == SEVEN
    assert [x["code"] for x in texts["languages"] if x["rtl"]] == ["ar"]
    assert texts["text"]["zh"]["ahead_many"] == "您前面有 {n} 人"
    assert all(set(words) == set(texts["text"]["it"]) for words in texts["text"].values())
    html = with_texts("<html><head><title>x</title></head><body></body></html>", seven)
    block = html.split('<script type="application/json" id="texts">')[1].split("</script>")[0]
    assert json.loads(block.replace("<\\/", "</")) == texts


def test_the_call_screen_takes_each_language_in_turn(seven: Config) -> None:
    from display.call_screen import CallScreen

    pygame.display.init()
    pygame.font.init()
    window = pygame.display.set_mode((640, 360))
    screen = CallScreen(config=seven, window=window, announcer=None, now=lambda: rome(2026, 12, 1, 10, 0))
    screen.state = {"service_day": "2026-12-01", "calls": [{"code": "A001", "desk_name": "Sportello 1"}],
                    "services": [{"prefix": "A", "colour": "#1f4e8c", "waiting": 2}]}
    seen = set()
    for lang in seven.site.languages:
        screen._frame_key = ("10:00", -1, 0, "2026-12-01", lang)
        screen.draw()
        seen.add(screen.t.lang)
        assert screen.t("display_last_calls") == Translator(lang)("display_last_calls")
    assert seen == set(SEVEN)
