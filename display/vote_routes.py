"""The satisfaction vote over HTTP (issue 22 point 1; the rules are in `display.votes`).

1. The citizen's follow page (`/t/{key}`, no login): `GET /api/follow/{key}/vote` says whether
   this ticket can still be rated and with which words (the catalogues' `vote_*` keys, every
   site language); `POST` the same address `{"request_id", "face", "reasons"}` records it.
2. The desk-side tablet (`/vote/{desk}`, a browser paired as `totem-display pair vote DESK`,
   no PIN: it faces the citizen and can do nothing but take a vote): `GET /api/vote/{desk}`
   says what it shows now (dark, or open for the ticket the desk closed with Fatto within
   `votes.DESK_WINDOW_S` of the hub's clock, or thanks); `POST` `{"request_id", "code", "face",
   "reasons"}` records it for that ticket. The page asks again at each event of the hub's
   stream (`/api/events`) and every 2 s while lit, so it goes dark when the hub's clock says.

Answers: 201 recorded, 200 the same request again (nothing more stored), 400 bad input
(named field), 403 an unpaired tablet, 404 no such ticket key, 409 a `refusal` the page
translates (`voted`, `not_served`, `expired`, `closed`); a refused vote stores nothing.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime
from typing import Any

from aiohttp import web

from config.follow import KEY_RE
from config.i18n import Translator
from config.languages import is_rtl
from config.model import Config
from display import STATIC, listings, validation, votes
from display.connlimit import read_json
from display.hub import HUB_KEY, Hub, require_same_origin
from display.queue import QueueStore

log = logging.getLogger(__name__)

NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
WORD_KEYS = ("vote_question", "vote_positive", "vote_neutral", "vote_negative", "vote_reasons_question",
             "vote_send", "vote_send_none", "vote_thanks", "vote_refused_voted", "vote_refused_not_served",
             "vote_refused_expired", "vote_refused_closed", "vote_failed", "vote_dark", "vote_unpaired",
             "vote_for_ticket", "vote_given", "vote_back")


def words(config: Config) -> dict[str, dict[str, str]]:
    """Every vote text in every site language (the catalogues), reasons included."""
    out = {}
    for lang in config.site.languages:
        t = Translator(lang)
        out[lang] = {**{k: t(k) for k in WORD_KEYS}, **{f"vote_reason_{r}": t(f"vote_reason_{r}")
                                                        for r in votes.REASONS}}
    return out


def _lang(config: Config, ticket: votes.Served) -> str:
    return ticket.lang if ticket.lang in config.site.languages else config.site.languages[0]


def _label(config: Config, service_id: str) -> dict[str, str]:
    service = config.service_or_none(service_id)
    return dict(service.labels) if service else {lang: service_id for lang in config.site.languages}


def _hub(request: web.Request) -> Hub:
    return request.app[HUB_KEY]


def _refused(exc: votes.VoteRefused) -> web.Response:
    return web.json_response(exc.as_json(), status=409, headers=NO_STORE)


# -- the follow page ---------------------------------------------------------------------------

def _follow_ticket(store: QueueStore, key: str) -> votes.Served | None:
    found = listings.by_follow(store.reader(), key)
    return votes.by_id(store.reader(), found[0].id) if found else None


def follow_vote_view(store: QueueStore, key: str, *, now: datetime) -> dict[str, Any] | None:
    """On the database thread: can this ticket be rated now, and was it."""
    ticket = _follow_ticket(store, key)
    if ticket is None:
        return None
    today = store.sync(now)
    given = votes.given(store.reader(), ticket.id)
    return {"open": given is None and ticket.status == "served" and ticket.service_day == today,
            "given": given[0] if given else None, "status": ticket.status, "code": ticket.code,
            "lang": _lang(store.config, ticket), "faces": list(votes.FACES), "reasons": list(votes.REASONS),
            "words": words(store.config)}


def follow_record(store: QueueStore, key: str, ballot: votes.Ballot, *, now: datetime) -> tuple[int, dict[str, Any]]:
    ticket = _follow_ticket(store, key)
    if ticket is None:
        return 404, {"error": "no ticket with this key"}
    today = store.sync(now)
    with store.transaction() as db:
        new = votes.record(db, ticket, ballot, today=today)
    return (201 if new else 200), {"recorded": True, "repeated": not new, "code": ticket.code, "face": ballot.face}


async def follow_vote_get(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    if not KEY_RE.fullmatch(key):
        raise web.HTTPNotFound(text="not found")
    hub = _hub(request)
    view = await hub.db(follow_vote_view, hub.store, key, now=hub.clock.now())
    if view is None:
        return web.json_response({"error": "no ticket with this key"}, status=404, headers=NO_STORE)
    return web.json_response(view, headers=NO_STORE)


async def follow_vote_post(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    if not KEY_RE.fullmatch(key):
        raise web.HTTPNotFound(text="not found")
    hub = _hub(request)
    if request.content_type != "application/json":
        raise validation.BadRequest("body", "a vote is a JSON body", request.content_type)
    ballot = votes.parse(await read_json(request))
    try:
        status, body = await hub.db(follow_record, hub.store, key, ballot, now=hub.clock.now())
    except votes.VoteRefused as exc:
        return _refused(exc)
    if status == 201:
        log.info("vote %s for a ticket (follow page)", ballot.face)
    return web.json_response(body, status=status, headers=NO_STORE)


# -- the desk-side tablet ----------------------------------------------------------------------

def desk_vote_view(store: QueueStore, desk_id: str, *, now: datetime) -> dict[str, Any]:
    """What the desk's tablet shows now: `open` (a ticket to rate), `thanks` (rated), or `dark`."""
    today = store.sync(now)
    ticket = votes.desk_ticket(store.reader(), desk_id, now=now, day=today)
    out: dict[str, Any] = {"desk": desk_id, "now": now.isoformat(), "faces": list(votes.FACES),
                           "reasons": list(votes.REASONS), "words": words(store.config),
                           "lang": store.config.site.languages[0]}
    if ticket is None:
        return {**out, "state": "dark", "rtl": is_rtl(out["lang"])}
    given = votes.given(store.reader(), ticket.id)
    lang = _lang(store.config, ticket)
    return {**out, "state": "thanks" if given else "open", "code": ticket.code, "lang": lang, "rtl": is_rtl(lang),
            "label": _label(store.config, ticket.service_id), "remaining_s": round(votes.remaining_s(ticket, now), 1)}


def desk_record(store: QueueStore, desk_id: str, ballot: votes.Ballot, *,
                now: datetime) -> tuple[int, dict[str, Any]]:
    reader = store.reader()
    done = reader.execute("SELECT t.code, v.face FROM votes v JOIN tickets t ON t.id = v.ticket_id "
                          "WHERE v.request_id = ?", (ballot.request_id,)).fetchone()
    if done is not None:  # this very tap again (a retry): told so, nothing more stored
        return 200, {"recorded": True, "repeated": True, "code": done[0], "face": done[1]}
    today = store.sync(now)
    ticket = votes.desk_ticket(reader, desk_id, now=now, day=today)
    if ticket is None or ticket.code != ballot.code:
        raise votes.VoteRefused("closed", ballot.code or "")
    with store.transaction() as db:
        votes.record(db, ticket, ballot, today=today)
    return 201, {"recorded": True, "repeated": False, "code": ticket.code, "face": ballot.face}


def _desk(request: web.Request, hub: Hub) -> str:
    desk_id = request.match_info["desk_id"]
    if not validation.DESK_RE.fullmatch(desk_id):
        raise web.HTTPNotFound(text="not found")
    return desk_id


def _paired(request: web.Request, hub: Hub, desk_id: str) -> web.Response | None:
    """A 403 the page shows ("not paired") unless this browser is this desk's vote tablet;
    an unknown desk looks the same (no enumeration)."""
    if hub.config.desk(desk_id) is not None and hub.paired(request, "vote", desk_id) is not None:
        return None
    return web.json_response({"error": "this browser is not paired as this desk's vote tablet: a technician "
                                       f"pairs it once (totem-display pair vote {desk_id})", "reason": "unpaired",
                              "words": words(hub.config)}, status=403, headers=NO_STORE)


async def desk_vote_page(request: web.Request) -> web.Response:
    hub = _hub(request)
    desk_id = _desk(request, hub)
    desk = hub.config.desk(desk_id)
    page = (STATIC / "vote.html").read_text(encoding="utf-8")
    page = page.replace("{{DESK_ID}}", html.escape(desk_id))
    page = page.replace("{{DESK_NAME}}", html.escape(desk.name if desk else desk_id))
    return web.Response(text=page, content_type="text/html", headers=NO_STORE)


async def desk_vote_get(request: web.Request) -> web.Response:
    hub = _hub(request)
    desk_id = _desk(request, hub)
    refused = _paired(request, hub, desk_id)
    if refused is not None:
        return refused
    return web.json_response(await hub.db(desk_vote_view, hub.store, desk_id, now=hub.clock.now()), headers=NO_STORE)


async def desk_vote_post(request: web.Request) -> web.Response:
    hub = _hub(request)
    desk_id = _desk(request, hub)
    require_same_origin(request)
    refused = _paired(request, hub, desk_id)
    if refused is not None:
        return refused
    ballot = votes.parse(await read_json(request), with_code=True)
    try:
        status, body = await hub.db(desk_record, hub.store, desk_id, ballot, now=hub.clock.now())
    except votes.VoteRefused as exc:
        return _refused(exc)
    if status == 201:
        log.info("vote %s for a ticket (desk %s tablet)", ballot.face, desk_id)
    return web.json_response(body, status=status, headers=NO_STORE)


def routes() -> list[web.RouteDef]:
    return [web.get("/api/follow/{key}/vote", follow_vote_get), web.post("/api/follow/{key}/vote", follow_vote_post),
            web.get("/vote/{desk_id}", desk_vote_page), web.get("/api/vote/{desk_id}", desk_vote_get),
            web.post("/api/vote/{desk_id}", desk_vote_post)]
