"""Every message the hub sends to a page, in the page's language (issue 20, point 5).

The hub's error answers keep their machine fields as they are (`error` stays the stable
English text scripts and logs rely on, `reason`, `field`, `refusal`...); this middleware adds
`message`, the same thing said in the page's language from the catalogues (config/locales,
keys `hub_err_*`), and the pages show it. Plain-text error answers (the reports' CSV links) are
replaced by the message.

Steps for one answer with status >= 400:
1. the page's language (`page_lang`): the `X-Totem-Lang` header the pages' scripts add, else
   the `lang` query parameter (the reports page's links), else the browser's Accept-Language,
   else the site's first language;
2. the catalogue key: a desk refusal's `refusal.reason`; else a known `reason`; else a
   validation error's `field`; else the first rule of `RULES` matching the English `error`
   (its named groups fill the message); else the status's generic sentence;
3. `message` (and the header Content-Language) added; nothing else changes.
A request that names no language at all is no page's (a totem, a script: python-requests sends
no Accept-Language) and its answers stay exactly as they were.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

from config.i18n import Translator, available_languages
from display.hub import HUB_KEY

log = logging.getLogger(__name__)

LANG_HEADER = "X-Totem-Lang"

# (pattern on the English `error` or plain text, catalogue key); named groups become the message's values.
RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), k) for p, k in (
    (r"^(?P<code>\S+) is still in service at desk \S+: finish it first$", "hub_err_still_in_service"),
    (r"^desk \S+ is paused: resume it first$", "hub_err_desk_paused"),
    (r"^desk \S+ has no ticket in service$", "hub_err_no_current"),
    (r"^(?P<code>.+?): two waiting tickets have this code", "hub_err_ambiguous"),
    (r"^(?P<code>.+?) is not for this desk", "hub_err_not_yours"),
    (r"^(?P<code>.+?) is not waiting today$", "hub_err_not_waiting"),
    (r"^(?P<code>.+?) is not among today's no-shows$", "hub_err_not_noshow"),
    (r"^desk \S+: nothing to undo$", "hub_err_undo_nothing"),
    (r"^desk \S+: the last action .* is older than", "hub_err_undo_too_late"),
    (r"^desk \S+: (?P<code>\S+) changed since", "hub_err_undo_changed"),
    (r"^desk actions need a JSON body$", "hub_err_json_body"),
    (r"^cross-site request refused$", "hub_err_cross_site"),
    (r"^missing or wrong bearer token$", "hub_err_token"),
    (r"^desk locked: unlock it with its PIN$", "hub_err_desk_locked"),
    (r"^reception locked: unlock it with its PIN$", "hub_err_reception_locked"),
    (r"^reports locked:", "hub_err_reports_locked"),
    (r"^fleet locked:", "hub_err_fleet_locked"),
    (r"^too many wrong PINs; retry in (?P<s>\d+) s$", "hub_err_pin_lockout"),
    (r"^wrong PIN$", "hub_err_wrong_pin"),
    (r"^no such paired device$", "hub_err_no_device"),
    (r"^not a ticket's key$", "hub_err_follow_unknown"),
    (r"^no \[reception\] in the site file$", "hub_err_no_reception"),
    (r"^the reception already issued (?P<code>\S+) for this request$", "hub_err_reception_repeated"),
    (r"^duplicate: .* already has an appointment at (?P<time>\d\d:\d\d) on (?P<day>[\d-]+)", "hub_err_duplicate_slot"),
    (r"^no appointments on this site$", "hub_err_no_appointments"),
    (r"^the check digit does not match", "hub_err_check_digit"),
    (r"^too many numbers tried lately: retry in (?P<s>\d+) s$", "hub_err_checkin_locked"),
    (r"^body too large", "hub_err_too_large"),
    (r"^request body not received in time$", "hub_err_slow_body"),
    (r"^too many event streams from ", "hub_err_too_many_streams"),
    (r"^(?P<field>from|to): not a date YYYY-MM-DD", "hub_err_report_date"),
    (r"^to: \S+ is before from: ", "hub_err_report_order"),
    (r"^to: at most (?P<n>\d+) days in one report$", "hub_err_report_span"),
    (r"^unknown period ", "hub_err_report_period"),
    (r"^no table ", "hub_err_report_table"),
))

REASONS = {  # `reason` -> key, where the reason alone says it
    "closed": "hub_err_closed", "exhausted": "hub_err_exhausted", "printer": "hub_err_reception_printer",
    "no_desk_today": "hub_err_no_desk_today", "too_many": "hub_err_too_many_appointments",
    "disk_full": "hub_err_disk_full", "bad_code": "hub_err_bad_code", "unpaired": "hub_err_unpaired",
}
REFUSALS = ("called", "closed", "repeated", "paused", "open", "undo_other",  # display.desk_requests.MESSAGES
            "not_held", "held_elsewhere", "same_service")  # display.hold, display.visits


def catalogue_keys() -> frozenset[str]:
    """Every catalogue key this module can answer with (each in every catalogue: test_page_messages)."""
    return frozenset({key for _, key in RULES} | set(REASONS.values()) | {f"hub_refused_{r}" for r in REFUSALS}
                     | {"hub_err_bad_field", "hub_err_generic"})


VALUES = ("code", "desk", "shown", "s", "time", "day", "field", "n", "status")  # what the messages may name


def page_lang(request: web.Request, languages: tuple[str, ...]) -> str:
    """The language the page asked for, among the site's languages (with a catalogue)."""
    known = [lang for lang in languages if lang in available_languages()] or ["it"]
    for asked in (request.headers.get(LANG_HEADER, ""), request.query.get("lang", "")):
        if asked.strip().lower() in known:
            return asked.strip().lower()
    for part in sorted(_accept_language(request.headers.get("Accept-Language", "")), key=lambda p: -p[1]):
        if part[0] in known:
            return part[0]
    return known[0]


def _accept_language(header: str) -> list[tuple[str, float]]:
    out = []
    for item in header.split(",")[:20]:
        tag, _, params = item.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag:
            out.append((tag.split("-")[0].strip().lower(), q))
    return out


def message_for(body: dict[str, Any], status: int, t: Translator) -> str:
    """The page's sentence for one error answer (steps 2 and 3)."""
    refusal = body.get("refusal")
    if isinstance(refusal, dict) and refusal.get("reason") in REFUSALS:
        return t(f"hub_refused_{refusal['reason']}", desk=refusal.get("desk_name") or refusal.get("desk") or "",
                 code=refusal.get("code") or "—", shown=refusal.get("shown") or "—")
    reason = body.get("reason")
    if isinstance(reason, str) and reason in REASONS:
        return t(REASONS[reason], s=body.get("retry_after_s", ""))
    error = body.get("error")
    if isinstance(error, str):
        text = message_for_text(error, t)
        if text is not None:
            return text
    field = body.get("field")
    if status == 400 and isinstance(field, str):
        return t("hub_err_bad_field", field=field[:40])
    if isinstance(body.get("attempts_left"), int):
        return t("hub_err_wrong_pin")
    return t("hub_err_generic", status=status)


def message_for_text(text: str, t: Translator) -> str | None:
    for pattern, key in RULES:
        found = pattern.search(text)
        if found:
            return t(key, **found.groupdict())
    return None


def _languages(request: web.Request) -> tuple[str, ...]:
    hub = request.app.get(HUB_KEY)
    return tuple(hub.config.site.languages) if hub is not None else ("it", "en")


def translated(response: web.Response, request: web.Request) -> web.Response:
    """The same answer with `message` in the page's language (JSON), or the message as the text."""
    lang = page_lang(request, _languages(request))
    t = Translator(lang)
    if response.content_type == "application/json":
        try:
            body = json.loads(response.body or b"{}") if isinstance(response.body, bytes | bytearray) else None
        except ValueError:
            return response
        if not isinstance(body, dict) or "message" in body:
            return response
        body["message"] = message_for(body, response.status, t)
        response.body = json.dumps(body).encode()
    elif response.content_type == "text/plain" and isinstance(response.body, bytes | bytearray):
        text = message_for_text(response.body.decode("utf-8", "replace"), t)
        if text is None:
            return response
        response.text = text
    else:
        return response
    response.headers["Content-Language"] = lang
    return response


def from_a_page(request: web.Request) -> bool:
    """A browser's request (every browser sends Accept-Language; the pages add X-Totem-Lang). A
    script or a totem (python-requests sends no language) gets the hub's answers unchanged."""
    return LANG_HEADER in request.headers or "lang" in request.query or "Accept-Language" in request.headers


@web.middleware
async def page_messages(request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
    if not from_a_page(request):
        return await handler(request)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type not in ("application/json", "text/plain"):
            raise
        answer = web.Response(status=exc.status, body=exc.body, content_type=exc.content_type,
                              headers={k: v for k, v in exc.headers.items() if k.lower() not in (
                                  "content-type", "content-length")})
        return translated(answer, request)
    if response.status >= 400 and type(response) is web.Response:
        return translated(response, request)
    return response
