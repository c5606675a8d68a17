"""Fleet health for the technician (issue 19): every device of the site, each as what it is.

A plain function over what the hub already keeps (display.devices rows, the totems' last
health, the reception's issuer id): no I/O here. Each device gets at most one `fault`
(red: somebody must act now) and notes (`warning`: worth a look, never red):
- faults: the hub refused its id; a totem not heard from for 2.5 heartbeats; its printer out of
  paper, cover open, offline or in error; its clock over `CLOCK_FAULT_S` from the hub's; the
  disk under `DISK_FAULT_MB`; events the hub refused (set aside);
- warnings: paper near its end (the printer's real-time status says so), printer state unknown,
  an outbox backlog, a disk under `DISK_WARN_MB`, a site file that differs from the hub's.
The reception point is a web page on the hub: it sends no heartbeat and is never a broken totem.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from config.model import Config

CLOCK_FAULT_S = 60.0  # a minute off: tickets and waits would be wrong (the totem refuses past 5 min)
DISK_FAULT_MB = 100
DISK_WARN_MB = 500
PRINTER_FAULTS = {"paper_out": "printer: paper out", "cover_open": "printer: cover open",
                  "offline": "printer: offline", "error": "printer: error"}


def _ago(now: datetime, seen_at: str) -> float:
    return (now - datetime.fromisoformat(seen_at)).total_seconds()


def judge_totem(health: dict[str, Any], *, seen_s_ago: float, stale_s: float, fingerprint: str,
                refused: str = "") -> tuple[str | None, list[str]]:
    """(the fault or None, the warnings) of one totem's last report."""
    warnings: list[str] = []
    faults: list[str] = []
    if refused:
        faults.append(f"out of service: {refused}")
    if seen_s_ago > stale_s:
        faults.append(f"not heard from for {round(seen_s_ago / 60)} min")
    printer = str(health.get("printer", "unknown"))
    if printer in PRINTER_FAULTS:
        faults.append(PRINTER_FAULTS[printer])
    elif printer == "paper_low":
        warnings.append("printer: paper near its end")
    elif printer == "unknown":
        warnings.append("printer state unknown (the printer does not report it)")
    offset = health.get("clock_offset_s")
    if isinstance(offset, int | float) and abs(offset) > CLOCK_FAULT_S:
        faults.append(f"clock {offset:+.0f} s from the hub's")
    disk = health.get("disk_free_mb")
    if isinstance(disk, int) and disk < DISK_FAULT_MB:
        faults.append(f"disk almost full ({disk} MB free)")
    elif isinstance(disk, int) and disk < DISK_WARN_MB:
        warnings.append(f"disk getting full ({disk} MB free)")
    if health.get("set_aside"):
        faults.append(f"{health['set_aside']} event(s) refused by the hub: `totem status`, then `totem resend`")
    if health.get("backlog"):
        warnings.append(f"{health['backlog']} event(s) still to send")
    theirs = health.get("fingerprint")
    if theirs and theirs != fingerprint:
        warnings.append("its site file differs from the hub's")
    return ("; ".join(faults) or None), warnings


def fleet(*, config: Config, devices: list[dict[str, Any]], totems: list[tuple[str, dict[str, Any], str]],
          now: datetime, hub_version: str, hub_disk_free_mb: int | None, fingerprint: str,
          call_screen: bool | None = None, hub_disk_full: bool = False,
          calendar: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every device: the hub itself, each (id, machine) the hub knows, totems of older releases,
    and the reception point as a web page."""
    stale_s = 2.5 * config.hub.heartbeat_s
    reception = config.reception.issuer if config.reception is not None else None
    hub_fault = f"disk almost full ({hub_disk_free_mb} MB free)" if hub_disk_free_mb is not None and \
        hub_disk_free_mb < DISK_FAULT_MB else None
    if hub_disk_full:  # below hub.disk_reserve_mb: new work refused until space returns (issue 24)
        hub_fault = (f"disk full ({hub_disk_free_mb} MB free, under the reserve): new tickets and desk actions are "
                     "refused until space is freed; the totems keep and resend them")
    out: list[dict[str, Any]] = [{
        "id": "hub", "kind": "hub", "version": hub_version,
        "what": {True: "hub and call screen (this machine)", False: "hub, no call screen (--no-screen)",
                 None: "hub (this machine)"}[call_screen],
        "seen_s_ago": 0, "printer": None, "backlog": None, "clock_offset_s": 0.0, "disk_free_mb": hub_disk_free_mb,
        "fault": hub_fault, "warnings": []}]
    claimed = set()
    for d in devices:
        claimed.add(d["id"])
        health = d["health"]
        ago = _ago(now, d["seen_at"])
        fault, warnings = judge_totem(health, seen_s_ago=ago, stale_s=stale_s, fingerprint=fingerprint,
                                      refused=d["refused"])
        out.append(_entry(d["id"], "totem", health, ago, fault, warnings, machine=d["machine"], host=d["hostname"]))
    for totem_id, health, seen_at in totems:
        if totem_id in claimed or totem_id == reception:
            continue
        ago = _ago(now, seen_at)
        if not health:  # tickets only, never a status: a totem of an older release, or an unknown issuer
            fault, warnings = None, ["sends tickets but no health reports (an older release?)"]
        else:
            fault, warnings = judge_totem(health, seen_s_ago=ago, stale_s=stale_s, fingerprint=fingerprint)
        out.append(_entry(totem_id, "totem", health, ago, fault, warnings))
    if config.reception is not None:
        last = next((seen_at for totem_id, _, seen_at in totems if totem_id == reception), None)
        out.append({"id": reception, "kind": "reception",
                    "what": "reception point (a web page on the hub: no heartbeat, never a totem)",
                    "version": hub_version, "seen_s_ago": round(_ago(now, last)) if last else None,
                    "printer": "on the hub" if config.reception.print_to == "printer" else "none (screen)",
                    "backlog": None, "clock_offset_s": 0.0, "disk_free_mb": hub_disk_free_mb, "fault": None,
                    "warnings": []})
    if calendar is not None:  # [calendar]: the online booking's appointments, read by the hub (issue 23)
        from display.calendar_poller import fault

        problem, notes = fault(calendar, now)
        last = calendar["last_ok_at"]
        out.append({"id": "calendar", "kind": "calendar", "what": f"booking calendar ({calendar['kind']}, every "
                    f"{calendar['poll_s']:.0f} s)", "version": None,
                    "seen_s_ago": round(_ago(now, last)) if last else None, "printer": None, "backlog": None,
                    "clock_offset_s": None, "disk_free_mb": None, "fault": problem, "warnings": notes})
    return out


def _entry(device_id: str, kind: str, health: dict[str, Any], ago: float, fault: str | None,
           warnings: list[str], *, machine: str = "", host: str = "") -> dict[str, Any]:
    return {"id": device_id, "kind": kind, "what": "totem" + (f" on {host}" if host else ""), "machine": machine,
            "version": health.get("version") or None, "seen_s_ago": round(ago), "printer": health.get("printer"),
            "backlog": health.get("backlog"), "clock_offset_s": health.get("clock_offset_s"),
            "disk_free_mb": health.get("disk_free_mb"), "fault": fault, "warnings": warnings}
