"""Checking in an appointment at the totem (issue 14).

Steps:
1. the citizen taps the appointments button (the service with `appointments = true`) and
   types the number the reception gave them on the check-in screen (`totem.ui.checkin`);
2. on the kiosk's worker, `CheckInClient.check_in` asks the hub (`POST /api/appointments/
   checkin`, the hub token, the pinned TLS session, a timeout): the hub accepts each number
   once, on its day, in its time window;
3. the dispenser then issues and prints a ticket of the appointments service (a priority
   service) naming the number and the appointment's time; the hub links the two when the
   ticket arrives, and opens the appointment again if that ticket is voided.

Failure paths, each an `AppointmentRefused` whose `reason` the screen shows: the hub's
refusals (unknown, other_day, early, late, used, cancelled, locked: busy, retry), `mistyped`
(the check digit says a digit is wrong: the hub is not asked), and `offline` when
the hub cannot be asked in time or answers nonsense. No priority is ever given without the
hub's yes: the citizen is sent to the reception, or takes an ordinary ticket.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from config.errors import AppointmentRefused
from config.frozen import frozen
from config.i18n import Translator
from config.model import Config
from totem.appointment_numbers import NUMBER_RE, well_formed

if TYPE_CHECKING:
    import requests

    from totem.dispenser import Dispenser
    from totem.issuing import IssuedTicket

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 1.5
CHECKIN_READ_S = 40.0  # the hub's brake may hold a number up to 30 s before comparing it (display.checkin_brake)


@frozen
class CheckedIn:
    number: str
    time: str  # "HH:MM", local
    service_id: str  # what the appointment is about (shown to the desk)


class CheckInClient:
    def __init__(self, *, config: Config, session: requests.Session | None = None) -> None:
        self.config = config
        self._session = session  # made at the first check-in: `requests` is not loaded before
        self.timeout = (CONNECT_TIMEOUT_S, max(config.hub.push_timeout_s, CHECKIN_READ_S))

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            from totem.hubclient import hub_session

            self._session = hub_session(self.config)
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()

    def check_in(self, number: str) -> CheckedIn:
        """The hub's yes for this number, or `AppointmentRefused` saying why not."""
        if not NUMBER_RE.fullmatch(number):
            raise AppointmentRefused("unknown", f"not an appointment number: {number!r}")
        if not well_formed(number):  # a typo: said at once, the hub never asked (no guess counted)
            raise AppointmentRefused("mistyped", "the check digit does not match: a digit is wrong")
        import requests

        from totem.hubclient import json_object

        url = f"{self.config.hub.url}/api/appointments/checkin"
        try:
            response = self.session.post(url, json={"number": number, "totem": self.config.totem.id},
                                         timeout=self.timeout)
        except requests.RequestException as exc:
            log.warning("check-in: hub not reachable (%s)", type(exc).__name__)
            raise AppointmentRefused("offline", f"hub not reachable: {type(exc).__name__}") from None
        body = json_object(response)
        if response.status_code == 200:
            appointment = body.get("appointment")
            if isinstance(appointment, dict) and isinstance(appointment.get("time"), str) \
                    and re.fullmatch(r"[0-2][0-9]:[0-5][0-9]", appointment["time"]) \
                    and isinstance(appointment.get("service"), str):
                log.info("appointment checked in (%s)", appointment["time"])
                return CheckedIn(number, appointment["time"], appointment["service"])
            raise AppointmentRefused("offline", "the hub's answer has no appointment")
        reason = body.get("reason")
        if response.status_code in (404, 409, 429) and reason in AppointmentRefused.REASONS and reason != "offline":
            detail = {k: str(v)[:10] for k, v in body.items() if k in ("day", "from", "until")}
            raise AppointmentRefused(str(reason), str(body.get("error", ""))[:200], **detail)
        log.warning("check-in: hub answered HTTP %d", response.status_code)
        raise AppointmentRefused("offline", f"hub answered HTTP {response.status_code}")


def take_appointment(*, config: Config, dispenser: Dispenser, client: CheckInClient | None, number: str, lang: str,
                     on_issued: Callable[[IssuedTicket], None] = lambda ticket: None) -> IssuedTicket:
    """Steps 2-3: the hub's yes, then the priority ticket that names the appointment. Closed or
    no paper is said before the number is used up (the check-in happens only when a ticket can print)."""
    service = config.appointment_service()
    if service is None or client is None:
        raise AppointmentRefused("offline", "no appointments service on this site")
    dispenser.ready(service.id)
    checked = client.check_in(number)
    topic = config.service_or_none(checked.service_id)
    note = Translator(lang)("ticket_appointment", time=checked.time,
                            service=topic.label(lang) if topic else checked.service_id)
    return dispenser.take(service.id, lang=lang, on_issued=on_issued, appointment=number, note=note)
