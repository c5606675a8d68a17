"""The brake on guessing appointment numbers at the totems (issue 24.3).

It slows guessing per device and globally and never refuses a right number: it decides when
a number is compared, never whether. Steps of `admit` (on the event loop, before the lookup):
1. the device is the request's source address, not the totem id it claims: rotating the id
   (anyone with the hub token can) changes nothing;
2. one number per device at a time: a device's newer number replaces its one still waiting
   (a totem sends one at a time, so only a flood is ever replaced: answered "busy", compared never);
3. a device waits `device_delay_s(wrong)` after its last number: nothing for the first
   `FREE_WRONG` wrong ones (a slip, a child playing), then 2, 4, 8, up to `DEVICE_MAX_S`;
4. every comparison takes a token from one global bucket (`GLOBAL_BURST`, one more every
   `GLOBAL_REFILL_S`); a right number gives its token back, so citizens never use the budget
   up and the budget bounds wrong numbers only: at most `GLOBAL_BURST` + t / `GLOBAL_REFILL_S`
   wrong comparisons in t seconds, whatever the number of devices;
5. a number waits at most `MAX_WAIT_S` (under the totem's timeout); past that it is answered
   "busy, retry" without being compared (a flood from many addresses at once).
`record` says how the comparison went. Devices forgotten after `FORGET_S` idle; at most
`MAX_DEVICES` kept (idle ones dropped first), so memory stays bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

FREE_WRONG = 3
DEVICE_MAX_S = 16.0  # under MAX_WAIT_S: a device's own past never makes a right number wait in vain
GLOBAL_BURST = 30
GLOBAL_REFILL_S = 600.0  # one wrong number per 10 minutes, sustained, for the whole site
MAX_WAIT_S = 30.0
FORGET_S = 3600.0
MAX_DEVICES = 4096


def device_delay_s(wrong: int) -> float:
    return 0.0 if wrong < FREE_WRONG else min(DEVICE_MAX_S, 2.0 ** (wrong - FREE_WRONG + 1))


@dataclass
class _Device:
    wrong: int = 0
    next_at: float = 0.0
    busy: bool = False  # a number of this device is being compared
    waiting: asyncio.Future[bool] | None = None
    seen_at: float = 0.0


class CheckInBrake:
    def __init__(self, *, mono: Callable[[], float] = time.monotonic) -> None:
        self._mono = mono
        self.devices: OrderedDict[str, _Device] = OrderedDict()
        self._tokens = float(GLOBAL_BURST)
        self._filled_at = mono()
        self.compared = 0  # numbers compared since the start (tests, logs)

    def _device(self, source: str, now: float) -> _Device:
        device = self.devices.get(source)
        if device is None or (now - device.seen_at > FORGET_S and not device.busy and device.waiting is None):
            device = _Device()
            self.devices[source] = device
        self.devices.move_to_end(source)
        device.seen_at = now
        while len(self.devices) > MAX_DEVICES:
            idle = next((k for k, d in self.devices.items() if not d.busy and d.waiting is None), None)
            if idle is None:
                break
            del self.devices[idle]
        return device

    def _refill(self, now: float) -> None:
        self._tokens = min(float(GLOBAL_BURST), self._tokens + (now - self._filled_at) / GLOBAL_REFILL_S)
        self._filled_at = now

    def _wait_s(self, device: _Device, now: float) -> float:
        """0 when this device may compare now; else how long until it might."""
        self._refill(now)
        if device.busy:
            return 0.05
        return max(device.next_at - now, 0.0 if self._tokens >= 1 else (1 - self._tokens) * GLOBAL_REFILL_S)

    async def admit(self, source: str) -> bool:
        """Wait for this device's turn; True: compare now (then `record`), False: replaced or
        waited too long (answer "busy", nothing compared)."""
        now = self._mono()
        device = self._device(source, now)
        if device.waiting is not None and not device.waiting.done():
            device.waiting.set_result(False)  # replaced by this newer number
        turn: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        device.waiting = turn
        give_up = now + MAX_WAIT_S
        while True:
            now = self._mono()
            wait = self._wait_s(device, now)
            if turn.done() or (wait > 0 and now + wait > give_up):
                if device.waiting is turn:
                    device.waiting = None
                return False
            if wait <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(turn), timeout=min(wait, 1.0))
        device.waiting = None
        self._take(device)
        return True

    def _take(self, device: _Device) -> None:
        device.busy = True
        self._tokens -= 1
        self.compared += 1

    def take_now(self, source: str) -> bool:
        """`admit` without waiting (simulations of the rates): True when this device may compare now."""
        device = self._device(source, self._mono())
        if self._wait_s(device, self._mono()) > 0:
            return False
        self._take(device)
        return True

    def record(self, source: str, *, right: bool | None) -> None:
        """How the admitted number went: a right one gives its token back and clears the device;
        None: it could not be compared (the database failed), nothing counted."""
        now = self._mono()
        device = self._device(source, now)
        device.busy = False
        if right is None:
            self._tokens = min(float(GLOBAL_BURST), self._tokens + 1)
        elif right:
            self._tokens = min(float(GLOBAL_BURST), self._tokens + 1)
            device.wrong, device.next_at = 0, 0.0
        else:
            device.wrong += 1
            device.next_at = now + device_delay_s(device.wrong)

    def retry_after_s(self, source: str) -> float:
        device = self.devices.get(source)
        return max(1.0, self._wait_s(device, self._mono()) if device else 1.0)
