"""What the totem's voice says on each screen, in each language. Pure: no pygame, no audio.

Spoken guidance starts with the first key on the keypad (or the help button) and lasts
for that citizen's session. Each screen has its phrases, built from the same catalogue
entries the screen shows, so what is heard and what is read never disagree. A phrase
carries its language: "Premere 0 per English" is said in English, by the English voice.

Ticket codes are read as a letter then a number ("A 7", not "A zero zero sette");
phone numbers digit by digit.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from config.i18n import Translator
from config.model import Config
from totem.hours import Opening, Schedule
from totem.no_desk import services_without_desk
from totem.wording import closed_reason, reopening_text


class Spoken(NamedTuple):
    text: str
    lang: str


def spell_code(code: str) -> str:
    """'A007' -> 'A 7'; the letter is read by its name, the digits as one number."""
    letters = code.rstrip("0123456789")
    digits = code[len(letters):]
    return f"{' '.join(letters)} {int(digits)}" if digits else " ".join(letters)


def spell_digits(text: str) -> str:
    """'0583 428370' -> '0 5 8 3, 4 2 8 3 7 0': a number to dial, one digit at a time."""
    groups = ["".join(ch for ch in part if ch.isdigit()) for part in text.replace("-", " ").split()]
    return ", ".join(" ".join(group) for group in groups if group) or text


def _say(lang: str, *texts: str) -> list[Spoken]:
    return [Spoken(text, lang) for text in texts if text]


def keys_help(config: Config, lang: str) -> list[Spoken]:
    """The keypad's other keys; each other language is offered in its own words."""
    t = Translator(lang)
    out = [Spoken(t("speech_keys"), lang)]
    languages = config.site.languages
    if len(languages) > 1:
        following = languages[(languages.index(lang) + 1) % len(languages)] if lang in languages else languages[0]
        out.append(Spoken(Translator(following)("speech_language_key"), following))
    return out


def home(config: Config, lang: str, resting: frozenset[str] = frozenset()) -> list[Spoken]:
    """The whole Home screen: where we are, how to choose, every service with its key (and "no
    desk today" after those in `resting`, `totem.no_desk`)."""
    t = Translator(lang)
    out = _say(lang, t("speech_welcome", desk=config.site.desk_name), t("speech_instructions"))
    out += [Spoken(t("speech_service", n=i + 1, label=s.label(lang) + (
        ", " + t("home_no_desk_today") if s.id in resting else "")), lang) for i, s in enumerate(config.services)]
    return out + keys_help(config, lang)


def selected(config: Config, lang: str, index: int) -> list[Spoken]:
    t = Translator(lang)
    return _say(lang, t("speech_selected", n=index + 1, label=config.services[index].label(lang)))


def printing(lang: str) -> list[Spoken]:
    return _say(lang, Translator(lang)("take_printing"))


def ticket(lang: str, *, code: str, label: str, people_ahead: str = "", wait: str = "") -> list[Spoken]:
    """After issuing: the code, the service, people ahead and the wait, then what to do."""
    t = Translator(lang)
    return _say(lang, t("speech_your_number", code=spell_code(code)), label, people_ahead, wait,
                t("take_title"), t("speech_take_keys"))


def timeout_warning(lang: str) -> list[Spoken]:
    return _say(lang, Translator(lang)("speech_time_warning"))


def closed(config: Config, lang: str, *, opening: Opening, now: datetime, schedule: Schedule) -> list[Spoken]:
    t = Translator(lang)
    holiday = (schedule.holiday_name(now.date(), lang) or opening.holiday_name) if opening.holiday_name else ""
    when = t("closed_next", when=reopening_text(t, opening.next_opening, now)) if opening.next_opening else ""
    return _say(lang, t("closed_title"), closed_reason(t, opening.reason, holiday), when,
                t("speech_appointments", phone=spell_digits(config.contacts.phone))) + keys_help(config, lang)[1:]


def out_of_service(config: Config, lang: str, detail: str = "", *, voided: str | None = None) -> list[Spoken]:
    """`voided`: the code just shown whose ticket did not print: said first, cancelled, and what to do."""
    t = Translator(lang)
    if voided:
        return _say(lang, t("out_title"), t("out_voided", code=spell_code(voided)), t("out_voided_next"), detail,
                    t("speech_appointments", phone=spell_digits(config.contacts.phone))) + keys_help(config, lang)[1:]
    return _say(lang, t("out_title"), t("out_sentence"), detail,
                t("speech_appointments", phone=spell_digits(config.contacts.phone))) + keys_help(config, lang)[1:]


def text_size(lang: str, *, large: bool) -> list[Spoken]:
    t = Translator(lang)
    return _say(lang, t("speech_large_on") if large else t("speech_large_off"))


def checkin(lang: str, *, message: str = "") -> list[Spoken]:
    """The check-in screen: its title and what to type, or the refusal just shown."""
    t = Translator(lang)
    if message:
        return _say(lang, message)
    return _say(lang, t("checkin_title"), t("checkin_prompt"), t("speech_checkin_keys"))


def for_screen(screen: str, config: Config, lang: str, *, code: str | None, service_id: str | None,
               lines: tuple[str, ...], opening: Opening, now: datetime, schedule: Schedule,
               detail: str = "", voided: str | None = None) -> list[Spoken]:
    """What the voice reads for a screen (the kiosk's Screen values), from the top."""
    if screen == "home":
        return home(config, lang, services_without_desk(config, schedule.local(now).date()))
    if screen == "printing":
        return printing(lang)
    if screen == "take" and code and service_id:
        ahead, wait = (*lines, "", "")[:2]
        return ticket(lang, code=code, people_ahead=ahead, wait=wait, label=config.service(service_id).label(lang))
    if screen == "closed":
        return closed(config, lang, opening=opening, now=now, schedule=schedule)
    if screen == "out_of_service":
        return out_of_service(config, lang, detail, voided=voided)
    if screen == "checkin":
        return checkin(lang, message=detail)
    return []
