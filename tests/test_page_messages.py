"""Every message the hub sends to a page is in the page's language (issue 20, point 5): each
error path of the desk, reception, follow, reports and pairing pages, through a real hub on
127.0.0.1, asked in Italian and in English; the stable `error` stays as it was."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from conftest import HUB_NOW, write_site
from helpers.consoles import paired
from test_hub_api import AUTH, ticket
from test_no_desk import two_desks

from config import load_config
from config.i18n import Translator, _catalogue
from display import page_messages
from display.server import HubServer
from totem.clock import FrozenClock

ENGLISH = {"the", "is", "not", "desk", "ticket", "retry", "locked", "wrong", "waiting", "today", "already",
           "this", "unknown", "missing", "must", "request", "refused", "nothing", "undo", "reception", "found",
           "too", "many", "of", "for", "field", "code", "date", "days", "before", "please", "has", "with"}


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ']+", text)}


def rid() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def hub(tmp_path: Path):  # type: ignore[no-untyped-def]
    config = load_config(write_site(tmp_path, extra=two_desks()))
    with HubServer(config, port=0, clock=FrozenClock(HUB_NOW)) as server:
        yield server


def sessions(hub: HubServer) -> dict[str, requests.Session]:
    desk = paired(hub, "desk", "1")
    assert desk.post(hub.url + "/desk/1/unlock", json={"pin": "1357"}, timeout=5).status_code == 200
    reception = paired(hub, "reception")
    assert reception.post(hub.url + "/reception/unlock", json={"pin": "2580"}, timeout=5).status_code == 200
    return {"desk": desk, "reception": reception, "plain": requests.Session(), "other": paired(hub, "desk", "2")}


# (name, who, method, path, body, status, key, values): every answer a page can get besides success.
PATHS: list[tuple[str, str, str, str, object, int, str, dict[str, object]]] = [
    ("no ticket in service", "desk", "POST", "/api/desks/1/done", lambda: {"request_id": rid(), "current": None},
     409, "hub_err_no_current", {}),
    ("call a code not waiting", "desk", "POST", "/api/desks/1/call",
     lambda: {"request_id": rid(), "current": None, "code": "e9"}, 404, "hub_err_not_waiting", {"code": "E009"}),
    ("return a code not a no-show", "desk", "POST", "/api/desks/1/return",
     lambda: {"request_id": rid(), "current": None, "code": "A5"}, 404, "hub_err_not_noshow", {"code": "A005"}),
    ("call a ticket of another desk", "desk", "POST", "/api/desks/1/call",
     lambda: {"request_id": rid(), "current": None, "code": "E001"}, 409, "hub_err_not_yours", {"code": "E001"}),
    ("a stale tab: the desk already closed it", "desk", "POST", "/api/desks/1/done",
     lambda: {"request_id": rid(), "current": {"code": "A001"}}, 409, "hub_refused_closed",
     {"desk": "Sportello 1", "shown": "A001", "code": "—"}),
    ("undo another action", "desk", "POST", "/api/desks/1/undo", lambda: {"request_id": rid(), "undoes": rid()},
     409, "hub_refused_undo_other", {"desk": "Sportello 1", "code": "—"}),
    ("no request id", "desk", "POST", "/api/desks/1/next", lambda: {"current": None}, 400, "hub_err_bad_field",
     {"field": "request_id"}),
    ("no JSON body", "desk", "POST", "/api/desks/1/next", None, 415, "hub_err_json_body", {}),
    ("desk locked", "plain", "POST", "/api/desks/1/next", lambda: {"request_id": rid(), "current": None}, 401,
     "hub_err_desk_locked", {}),
    ("wrong PIN", "other", "POST", "/desk/2/unlock", lambda: {"pin": "0000"}, 401, "hub_err_wrong_pin", {}),
    ("not paired", "plain", "POST", "/desk/1/unlock", lambda: {"pin": "1357"}, 403, "hub_err_unpaired", {}),
    ("bad pairing code", "plain", "POST", "/pair", lambda: {"code": "NOPE12345678"}, 403, "hub_err_bad_code", {}),
    ("reception: no desk today", "reception", "POST", "/api/reception/tickets", lambda: {"service": "sanita"}, 409,
     "hub_err_no_desk_today", {}),
    ("reception: unknown service", "reception", "POST", "/api/reception/tickets", lambda: {"service": "nope"}, 400,
     "hub_err_bad_field", {"field": "service"}),
    ("reception locked", "plain", "POST", "/api/reception/tickets", lambda: {"service": "uffici"}, 401,
     "hub_err_reception_locked", {}),
    ("follow: not a ticket", "plain", "GET", "/api/follow/notakey", None, 404, "hub_err_follow_unknown", {}),
    ("reports locked", "plain", "GET", "/api/reports", None, 401, "hub_err_reports_locked", {}),
    ("reports: a bad date", "token", "GET", "/reports/csv/days?from=2026-13-01&to=2026-12-01", None, 400,
     "hub_err_report_date", {"field": "from"}),
    ("reports: dates reversed", "token", "GET", "/reports/csv/days?from=2026-12-02&to=2026-12-01", None, 400,
     "hub_err_report_order", {}),
    ("reports: too long", "token", "GET", "/reports/csv/days?from=2020-01-01&to=2026-12-01", None, 400,
     "hub_err_report_span", {"n": 800}),
    ("reports: no such table", "token", "GET", "/reports/csv/nope", None, 404, "hub_err_report_table", {}),
    ("fleet locked", "plain", "GET", "/api/fleet", None, 401, "hub_err_fleet_locked", {}),
]


def ask(hub: HubServer, who: dict[str, requests.Session], path: tuple, lang_headers: dict[str, str]
        ) -> requests.Response:
    _, whom, method, where, body, *_ = path
    session = who["plain"] if whom == "token" else who[whom]
    headers = {**lang_headers, **(AUTH if whom == "token" else {}), "Origin": hub.url}
    data = body() if callable(body) else None
    if method == "GET":
        return session.get(hub.url + where, headers=headers, timeout=5)
    if body is None:
        return session.post(hub.url + where, data=b"x", headers={**headers, "Content-Type": "text/plain"}, timeout=5)
    return session.post(hub.url + where, json=data, headers=headers, timeout=5)


def said(answer: requests.Response) -> str:
    if answer.headers.get("Content-Type", "").startswith("application/json"):
        return answer.json()["message"]
    return answer.text


def test_every_error_path_answers_in_the_pages_language(hub: HubServer) -> None:
    who = sessions(hub)
    assert requests.post(hub.url + "/api/tickets", json=ticket(), headers=AUTH, timeout=5).status_code == 201
    assert requests.post(hub.url + "/api/tickets", json=ticket("sanita", "E"), headers=AUTH,
                         timeout=5).status_code == 201
    rows = []
    for path in PATHS:
        name, _, _, _, _, status, key, values = path
        answers = {lang: ask(hub, who, path, {"X-Totem-Lang": lang}) for lang in ("it", "en")}
        for lang, answer in answers.items():
            assert answer.status_code == status, (name, answer.status_code, answer.text)
            assert answer.headers.get("Content-Language") == lang, name
            assert said(answer) == Translator(lang)(key, **values), (name, lang, said(answer))
        it, en = said(answers["it"]), said(answers["en"])
        assert it != en, name
        prose = it
        for value in values.values():  # codes, field names, numbers: the same in every language
            prose = prose.replace(str(value), "")
        assert not words(prose) & ENGLISH, (name, it)
        if answers["it"].headers.get("Content-Type", "").startswith("application/json"):
            body_it, body_en = answers["it"].json(), answers["en"].json()
            assert body_it.get("error") and body_it.get("error") == body_en.get("error"), \
                f"{name}: the machine's `error` does not depend on the language"
        rows.append(name)
    assert len(rows) == len(PATHS)


def test_the_language_falls_back_to_accept_language_then_italian(hub: HubServer) -> None:
    where = hub.url + "/api/follow/notakey"
    english = Translator("en")("hub_err_follow_unknown")
    italian = Translator("it")("hub_err_follow_unknown")
    assert requests.get(where, headers={"Accept-Language": "en-GB,en;q=0.9"}, timeout=5).json()["message"] == english
    assert requests.get(where, headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"},
                        timeout=5).json()["message"] == english
    assert requests.get(where, headers={"Accept-Language": "fr"}, timeout=5).json()["message"] == italian
    assert requests.get(where, headers={"Accept-Language": ""}, timeout=5).json()["message"] == italian
    assert requests.get(where, headers={"X-Totem-Lang": "it", "Accept-Language": "en"},
                        timeout=5).json()["message"] == italian, "what the page says wins over the browser"
    assert requests.get(where + "?lang=en", timeout=5).json()["message"] == english
    script = requests.get(where, timeout=5)  # python-requests names no language: a totem or a script
    assert "Accept-Language" not in script.request.headers
    assert script.json() == {"status": "unknown", "error": "not a ticket's key"}, "its answers stay as they were"


def test_every_key_is_in_both_catalogues() -> None:
    keys = page_messages.catalogue_keys()
    assert {key for _, key in page_messages.RULES} | set(page_messages.REASONS.values()) <= keys
    for lang in ("it", "en"):
        catalogue = _catalogue(lang)  # the gettext catalogue (config/locales/<lang>/LC_MESSAGES/totem.mo)
        assert keys <= set(catalogue), f"{lang}: {sorted(keys - set(catalogue))}"
    values = dict.fromkeys(page_messages.VALUES, "X")
    for key in keys:
        assert Translator("it")(key, **values) != Translator("en")(key, **values), key


def test_every_rule_matches_the_english_the_hub_writes() -> None:
    """The rules read the hub's English `error`: each one is the text of a real answer (the test
    above reaches most; these are the ones a test cannot easily provoke)."""
    from display.desk_requests import MESSAGES

    assert set(MESSAGES) == set(page_messages.REFUSALS)
    t = Translator("it")
    samples: dict[str, Callable[[], str]] = {
        "hub_err_still_in_service": lambda: "A001 is still in service at desk 1: finish it first",
        "hub_err_desk_paused": lambda: "desk 1 is paused: resume it first",
        "hub_err_ambiguous": lambda: "A001: two waiting tickets have this code; pick one from the list",
        "hub_err_undo_nothing": lambda: "desk 1: nothing to undo",
        "hub_err_pin_lockout": lambda: "too many wrong PINs; retry in 60 s",
        "hub_err_disk_full": lambda: "",
    }
    for key, text in samples.items():
        if text():
            assert page_messages.message_for_text(text(), t) == t(key, code="A001", s="60"), key
