"""Records shared by the totem, the printer and the hub: what a ticket says about the queue.

They live here, at the bottom of the dependency order, so that `printer/` can lay out a
ticket without importing the totem's issuing core.
"""

from __future__ import annotations

from config.frozen import frozen


@frozen
class Estimate:
    """People ahead and the expected wait, as printed and shown.

    `people_ahead` is None when nothing reliable is known (no hub answer, no recent
    forecast); `exact` is True only when the call order counts them exactly, from the hub's
    live queue or its count of this very ticket; anything else is shown as an estimate ("circa").
    The wait is always a range in minutes, or None when it cannot be estimated; it never
    goes past today's closing (`totem.closing`): `past_close` says the ticket may not be
    called before `closes_at` ("HH:MM"), and then the range (if any) ends at closing.
    """

    people_ahead: int | None
    exact: bool
    wait_low_min: int | None
    wait_high_min: int | None
    # "live" (the hub's streamed queue plus this totem's tickets it has not counted yet) | "hub" (this
    # ticket, counted by the hub) | "forecast" (recent hub view) | "none"
    source: str
    past_close: bool = False
    closes_at: str = ""

    @classmethod
    def unknown(cls) -> Estimate:
        return cls(None, False, None, None, "none")

    def as_json(self) -> dict[str, object]:
        return {"people_ahead": self.people_ahead, "exact": self.exact, "wait_low_min": self.wait_low_min,
                "wait_high_min": self.wait_high_min, "source": self.source, "past_close": self.past_close,
                "closes_at": self.closes_at}
