"""What the hub last said about this device's claim to its id (issue 19, display.devices).

Kept in the ticket database's meta (so a restart, or a `totem issue` in another process,
knows it) and in memory (the kiosk's screen asks every frame, without touching the disk).
A refusal is only for the id and machine it was given to: a new device file clears it.

Steps:
1. at start, the kiosk's pusher reports first of all, and `totem issue` calls `claim` (bounded by a
   short timeout), so a second Pi with a taken id is refused before its first ticket;
2. afterwards every status heartbeat is a claim too (totem.outbox), and its answer lands here;
3. while refused, the issuer refuses every ticket (`DeviceConflict`): Out of service.
The hub unreachable changes nothing: the network is never on the path from a tap to the paper.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import socket
import threading
from datetime import UTC, datetime
from typing import Any

from config.model import Config
from totem.store import TicketStore

log = logging.getLogger(__name__)

KEY = "device_standing"
CLAIM_TIMEOUT_S = 2.0


class DeviceStanding:
    def __init__(self, config: Config, store: TicketStore) -> None:
        self.config = config
        device = config.device
        self.machine = device.machine if device else f"host:{socket.gethostname()}"
        self.hostname = device.hostname if device else socket.gethostname()
        self._lock = threading.Lock()
        self._problem: str | None = None
        raw = store.meta(KEY)
        if raw:
            saved = json.loads(raw)
            if saved.get("id") == config.totem.id and saved.get("machine") == self.machine:
                self._problem = saved.get("refused") or None

    def problem(self) -> str | None:
        with self._lock:
            return self._problem

    def identity(self) -> dict[str, Any]:
        """What a status report says about this device, beside its health."""
        body: dict[str, Any] = {"machine": self.machine, "hostname": self.hostname, "kind": "totem",
                                "clock": datetime.now(UTC).isoformat(timespec="milliseconds")}
        with contextlib.suppress(OSError):
            body["disk_free_mb"] = shutil.disk_usage(self.config.totem.data_dir).free // 2**20
        return body

    def answered(self, store: TicketStore, *, refused: str | None) -> None:
        """The hub's answer to a claim: None accepted, else its refusal message."""
        with self._lock:
            changed = refused != self._problem
            self._problem = refused
        if changed:
            if refused:
                log.error("out of service: %s", refused)
            else:
                log.info("the hub accepts this device as %r", self.config.totem.id)
            store.set_meta(KEY, json.dumps({"id": self.config.totem.id, "machine": self.machine,
                                            "refused": refused or ""}))


def read_answer(status_code: int, body: Any) -> tuple[bool, str | None]:
    """(the hub answered the claim, its refusal or None)."""
    if status_code == 409 and isinstance(body, dict) and body.get("error") == "device_conflict":
        return True, str(body.get("message") or "the hub refused this device's id")
    return status_code < 300, None


def claim(config: Config, standing: DeviceStanding, store: TicketStore, health: dict[str, Any],
          *, timeout_s: float = CLAIM_TIMEOUT_S) -> None:
    """One bounded report to the hub, before the first ticket (see the module's steps)."""
    from totem.hubcall import HubUnreachable, hub_call  # the standard library: no `requests` before the paper

    try:
        status, body = hub_call(config, "POST", f"/api/totems/{config.totem.id}/status",
                                {**health, **standing.identity()}, timeout_s=timeout_s)
    except HubUnreachable as exc:
        log.info("hub not reachable to confirm this device's id (%s): issuing offline", exc)
        return
    answered, refused = read_answer(status, body if status == 409 else None)
    if answered:
        standing.answered(store, refused=refused)
