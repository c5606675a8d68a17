"""The sections that describe one Pi's devices: the call display, the GPIO pins and the
totem's accessibility features (voice, timing, panel size). Parsed like the rest of the
site file: every problem collected, each naming its key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from config.checks import Checker, bcm_pin, non_negative, volume, window_size
from config.languages import suggest
from config.model import AccessibilitySettings, DisplaySettings, GpioSettings


def parse_accessibility(c: Checker, t: dict[str, Any], languages: Sequence[str]) -> AccessibilitySettings | None:
    path = "accessibility"
    c.keys(t, ("speech", "volume", "rate_wpm", "voices", "time_factor", "screen_diagonal_in"), path)
    speech = c.get(t, "speech", path, "true or false", True)
    level = c.get(t, "volume", path, "a number", 0.9, volume)
    rate = c.get(t, "rate_wpm", path, "an integer", 140, lambda v: None if 80 <= v <= 300 else
                 "must be 80-300 words per minute (140 is a calm pace)")
    voices = c.table(t, "voices", path, required=False)
    for lang, voice in voices.items():
        if lang not in languages:
            c.bad(f"{path}.voices.{lang}", f"not one of site.languages ({', '.join(languages)})", lang)
        elif not isinstance(voice, str) or not voice.strip() or not voice.replace("-", "").replace("+", "").isalnum():
            c.bad(f"{path}.voices.{lang}", "must be an espeak-ng voice name such as 'it' or 'en-gb'", voice)
    factor = c.get(t, "time_factor", path, "a number", 3.0, lambda v: None if 1 <= v <= 10 else
                   "must be 1-10 (how many times longer timed screens last for a guided session)")
    diagonal = c.get(t, "screen_diagonal_in", path, "a number", 7.0, lambda v: None if 3 <= v <= 100 else
                     "must be the panel's diagonal in inches, 3-100 (the official Pi display is 7)")
    if None in (speech, level, rate, factor, diagonal):
        return None
    return AccessibilitySettings(speech, float(level), rate, {k: str(v) for k, v in voices.items()},
                                 float(factor), float(diagonal))


def parse_display(c: Checker, t: dict[str, Any], languages: Sequence[str]) -> DisplaySettings | None:
    c.keys(t, ("fullscreen", "window_size", "volume", "speech", "voice", "flash_s", "call_languages",
               "call_languages_max"), "display")
    fullscreen = c.get(t, "fullscreen", "display", "true or false", False)
    size = window_size(c, t, "display", [1280, 720])
    level = c.get(t, "volume", "display", "a number", 0.8, volume)
    speech = c.get(t, "speech", "display", "true or false", True)
    voice = c.get(t, "voice", "display", "a non-empty string", "it")
    flash = c.get(t, "flash_s", "display", "a number", 6.0, non_negative)
    also = call_languages(c, t, languages)
    most = c.get(t, "call_languages_max", "display", "an integer", 2, lambda v: None if 1 <= v <= MAX_CALL_LANGUAGES
                 else f"must be 1-{MAX_CALL_LANGUAGES} (phrases spoken per call, about 2.5 s each)")
    if None in (fullscreen, size, level, speech, voice, flash, also, most) or size is None or also is None:
        return None
    return DisplaySettings(fullscreen, (size[0], size[1]), float(level), speech, voice, float(flash), also, most)


MAX_CALL_LANGUAGES = 7


def call_languages(c: Checker, t: dict[str, Any], languages: Sequence[str]) -> tuple[str, ...] | None:
    """display.call_languages: the languages every call is spoken in after the room's and the
    ticket holder's; each one of site.languages. Absent: the site's second language (as before)."""
    value = t.get("call_languages")
    if value is None:
        return tuple(languages[1:2])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        c.bad("display.call_languages", 'must be a list of language codes such as ["en"]', value)
        return None
    for i, lang in enumerate(value):
        if lang not in languages:
            guess = suggest(lang, list(languages))
            hint = f"; did you mean '{guess}'?" if guess else ""
            c.bad(f"display.call_languages[{i}]", f"not one of site.languages ({', '.join(languages)}){hint}", lang)
    return tuple(value)


def parse_gpio(c: Checker, t: dict[str, Any], service_ids: list[str]) -> GpioSettings | None:
    c.keys(t, ("status_led", "ticket_button", "button_service", "help_button"), "gpio")
    led = c.get(t, "status_led", "gpio", "an integer", None, bcm_pin)
    button = c.get(t, "ticket_button", "gpio", "an integer", None, bcm_pin)
    helper = c.get(t, "help_button", "gpio", "an integer", None, bcm_pin)
    if led is not None and led == button:
        c.bad("gpio.ticket_button", "uses the same pin as gpio.status_led", button)
    if helper is not None and helper in (led, button):
        c.bad("gpio.help_button", "uses the same pin as another gpio key", helper)
    default = service_ids[0] if service_ids else ""
    service = c.get(t, "button_service", "gpio", "a string", default,
                    lambda v: None if v in service_ids else "unknown service")
    return GpioSettings(led, button, service, helper)
