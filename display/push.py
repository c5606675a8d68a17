""""Nearly your turn" by Web Push (issue 22 point 2): the alert with the follow page closed.

Set up by the site (`[hub] web_push = true`, an https public_url, keys from `totem-display
push-keys`). Steps:
1. the follow page, on the citizen's tap, subscribes with the browser's push service and
   gives the hub the subscription with its threshold (`display.push_routes`); the hub keeps
   it per ticket only (`subscribe`): the push service's address and the browser's keys for
   this one subscription, the threshold, the day. No name, no number, nothing personal;
2. after each change of the queue (`PushWatch.step`, on the hub's periodic tick) the hub asks
   `due`: the subscriptions whose ticket reached its threshold (`display.nearly`, the same
   rule the open page follows), each sent once;
3. `send` encrypts the message for that browser (RFC 8291, aes128gcm) and posts it to its
   push service, signed with the hub's VAPID key (RFC 8292), with pywebpush.
Subscriptions are deleted when their ticket ends (served, no-show, void), when the push
service says the subscription is gone (404/410), and at the end of the day.

Failure paths: a push service that fails or times out is logged and retried at the next
change (never more than once per `RETRY_S`); the page still alerts while open.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config.follow import follow_key
from config.i18n import Translator
from display import nearly

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS push_subscriptions (endpoint TEXT PRIMARY KEY, ticket_id TEXT NOT NULL,
    p256dh TEXT NOT NULL, auth TEXT NOT NULL, near TEXT NOT NULL, lang TEXT NOT NULL, service_day TEXT NOT NULL,
    created_at TEXT NOT NULL, sent_at TEXT);
CREATE INDEX IF NOT EXISTS push_subscriptions_ticket ON push_subscriptions (ticket_id);
"""
TTL_S = 600  # a push service keeps an undelivered alert this long (a phone briefly offline)
RETRY_S = 30.0


def _ts(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    ticket_id: str
    p256dh: str
    auth: str
    near: str
    lang: str

    def info(self) -> dict[str, Any]:
        """As pywebpush and the Push API write it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


def subscribe(db: sqlite3.Connection, sub: Subscription, *, day: str, now: datetime) -> bool:
    """Keep (or update: a new threshold re-arms it) one subscription. True when it is new."""
    cur = db.execute("INSERT INTO push_subscriptions (endpoint, ticket_id, p256dh, auth, near, lang, service_day, "
                     "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint) DO NOTHING",
                     (sub.endpoint, sub.ticket_id, sub.p256dh, sub.auth, sub.near, sub.lang, day, _ts(now)))
    if cur.rowcount == 0:
        db.execute("UPDATE push_subscriptions SET ticket_id = ?, p256dh = ?, auth = ?, lang = ?, service_day = ?, "
                   "sent_at = CASE WHEN near = ? AND ticket_id = ? THEN sent_at END, near = ? WHERE endpoint = ?",
                   (sub.ticket_id, sub.p256dh, sub.auth, sub.lang, day, sub.near, sub.ticket_id, sub.near,
                    sub.endpoint))
    return cur.rowcount == 1


def unsubscribe(db: sqlite3.Connection, endpoint: str, ticket_id: str) -> bool:
    return db.execute("DELETE FROM push_subscriptions WHERE endpoint = ? AND ticket_id = ?",
                      (endpoint, ticket_id)).rowcount == 1


def count(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT COUNT(*) FROM push_subscriptions").fetchone()[0])


def due(store: Any, *, now: datetime) -> list[tuple[Subscription, dict[str, Any]]]:
    """On the database thread: forget other days' and ended tickets' subscriptions; the ones whose
    ticket reached its threshold now, each with what its holder is told (never sent twice)."""
    day = store.sync(now)
    out = []
    with store.transaction() as db:
        db.execute("DELETE FROM push_subscriptions WHERE service_day != ?", (day,))
        db.execute("DELETE FROM push_subscriptions WHERE ticket_id IN (SELECT id FROM tickets WHERE status IN "
                   "('served', 'noshow', 'void'))")
        rows = db.execute("SELECT p.endpoint, p.ticket_id, p.p256dh, p.auth, p.near, p.lang, t.code, t.status, "
                          "t.desk_id FROM push_subscriptions p JOIN tickets t ON t.id = p.ticket_id "
                          "WHERE p.sent_at IS NULL").fetchall()
    for endpoint, ticket_id, p256dh, auth, near, lang, code, status, desk_id in rows:
        told = store.position(ticket_id, now=now) if status == "waiting" else {"status": status}
        told = {**told, "status": status, "code": code, "desk_id": desk_id}
        if nearly.reached(nearly.parse(near), told):
            out.append((Subscription(endpoint, ticket_id, p256dh, auth, near, lang), told))
    return out


def mark_sent(db: sqlite3.Connection, endpoint: str, *, now: datetime) -> None:
    db.execute("UPDATE push_subscriptions SET sent_at = ? WHERE endpoint = ?", (_ts(now), endpoint))


def forget(db: sqlite3.Connection, endpoint: str) -> None:
    db.execute("DELETE FROM push_subscriptions WHERE endpoint = ?", (endpoint,))


def message(config: Any, sub: Subscription, told: dict[str, Any]) -> dict[str, str]:
    """What the notification says, in the ticket's language (catalogues), and the page it opens."""
    t = Translator(sub.lang if sub.lang in config.site.languages else config.site.languages[0])
    if told.get("status") == "called":
        desk = config.desk(told.get("desk_id") or "")
        body = t("push_near_called", desk=desk.name if desk else told.get("desk_id") or "")
    elif sub.near.startswith("minutes:") and told.get("wait_low_min") is not None:
        body = t("push_near_minutes", n=told["wait_low_min"])
    elif told.get("ahead") == 0:
        body = t("push_near_none")
    else:
        body = t("push_near_ahead", n=told.get("ahead"))
    return {"title": t("push_near_title", code=told.get("code", "")), "body": body,
            "tag": "totem-near-" + sub.ticket_id[:8],
            "url": f"/t/{follow_key(config.hub.token, sub.ticket_id)}"}


def send(sub: Subscription, payload: dict[str, str], *, key_file: Path, contact: str, timeout_s: float) -> int:
    """Encrypt and post one alert (blocking: run off the event loop). The push service's HTTP
    status; 0 when it could not be reached."""
    from pywebpush import WebPushException, webpush

    try:
        answer = webpush(sub.info(), json.dumps(payload), vapid_private_key=str(key_file),
                         vapid_claims={"sub": contact}, timeout=timeout_s, ttl=TTL_S)
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", 0) or 0
        log.warning("web push to %s refused: %s", sub.endpoint.split("/")[2], status or exc.message)
        return int(status)
    except OSError as exc:  # requests' connection errors and timeouts
        log.warning("web push to %s failed: %s", sub.endpoint.split("/")[2], exc)
        return 0
    return int(getattr(answer, "status_code", 201))


class PushWatch:
    """On the hub's tick: after a change of the queue, send the alerts that came due."""

    def __init__(self, *, key_file: Path, contact: str, timeout_s: float) -> None:
        self.key_file = key_file
        self.contact = contact
        self.timeout_s = timeout_s
        self._seen_version = -1
        self._last_try = 0.0

    async def step(self, hub: Any) -> int:
        """Send what is due; the number of alerts delivered. Never raises: the hub's tick goes on."""
        try:
            return await self._step(hub)
        except Exception:
            log.exception("web push: sending the due alerts failed; retried at the next change")
            return 0

    async def _step(self, hub: Any) -> int:
        import asyncio

        retry = time.monotonic() - self._last_try >= RETRY_S
        if hub._version == self._seen_version and not retry:
            return 0
        self._seen_version = hub._version
        self._last_try = time.monotonic()
        found = await hub.db(due, hub.store, now=hub.clock.now())
        sent = 0
        for sub, told in found:
            payload = message(hub.config, sub, told)
            status = await asyncio.to_thread(send, sub, payload, key_file=self.key_file, contact=self.contact,
                                             timeout_s=self.timeout_s)
            if 200 <= status < 300:
                sent += 1
                await hub.db(_done, hub.store, mark_sent, sub.endpoint, now=hub.clock.now())
            elif status in (404, 410):  # the browser unsubscribed or the subscription expired
                await hub.db(_done, hub.store, forget, sub.endpoint)
        return sent


def _done(store: Any, fn: Any, *args: Any, **kwargs: Any) -> None:
    with store.transaction() as db:
        fn(db, *args, **kwargs)
