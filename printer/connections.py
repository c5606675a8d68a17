"""The ways to reach a printer: usb, serial, network (raw TCP 9100), file, folder.

Each connection sends one complete job and can say what state the printer is in. Every
blocking operation has a timeout; a failure raises PrinterUnavailable naming the state.
Built from config by `open_connection`, the one wiring place for printers.
"""

from __future__ import annotations

import errno
import logging
import os
import select
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from config.errors import PrinterUnavailable
from config.frozen import frozen
from config.model import PrinterSettings
from printer.status import DLE_EOT_PRINTER, STATUS_QUERY, PrinterState, decode_status

log = logging.getLogger(__name__)

MIN_FREE_BYTES = 5 * 1024 * 1024


@frozen
class PrintJob:
    name: str  # e.g. "2026-12-01/A001": a file name for the folder printer, a label in logs
    data: bytes
    preview: Callable[[], object] | None = None  # returns a PIL image; only the folder printer calls it


class Connection(Protocol):
    def status(self) -> PrinterState:
        """Full state query; may take up to the timeout. Run it off the UI thread."""

    def probe(self) -> PrinterState:
        """Quick check before issuing: OFFLINE when unreachable, else the best cheap answer."""

    def send(self, job: PrintJob) -> None: ...

    def close(self) -> None: ...


class FolderConnection:
    """The virtual printer: each job saved as NAME.escpos (raw bytes, the paper) and NAME.png (preview).

    `previews_at_close`: the PNGs are drawn when the connection closes, after the paper, for a command
    that says its result as soon as the paper is out (`totem issue`, `print-test`: Pillow's import and
    the drawing wait until then). A preview that cannot be written then is logged: the paper is out."""

    def __init__(self, folder: Path, *, previews_at_close: bool = False) -> None:
        self.folder = Path(folder)
        self.previews_at_close = previews_at_close
        self._previews: list[tuple[Path, Callable[[], object]]] = []

    def status(self) -> PrinterState:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return PrinterState.OFFLINE
        if not os.access(self.folder, os.W_OK):
            return PrinterState.OFFLINE
        if shutil.disk_usage(self.folder).free < MIN_FREE_BYTES:
            return PrinterState.PAPER_OUT
        return PrinterState.READY

    def probe(self) -> PrinterState:
        return self.status()

    def send(self, job: PrintJob) -> None:
        target = self.folder / job.name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(target.with_suffix(".escpos"), job.data)
            if job.preview is not None and self.previews_at_close:
                self._previews.append((target.with_suffix(".png"), job.preview))
            elif job.preview is not None:
                _write_png(target.with_suffix(".png"), job.preview)
        except OSError as exc:
            raise PrinterUnavailable("offline", f"cannot write to folder {self.folder}: {exc.strerror}") from exc

    def close(self) -> None:
        previews, self._previews = self._previews, []
        for path, preview in previews:
            try:
                _write_png(path, preview)
            except OSError as exc:
                log.warning("ticket preview %s not written (the paper is out): %s", path, exc)


def _write_png(path: Path, preview: Callable[[], object]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        preview().save(tmp, format="PNG", optimize=False)  # type: ignore[attr-defined]
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


class FileConnection:
    """Raw bytes appended to a path such as /dev/usb/lp0, with a write deadline.

    The device is opened non-blocking so a printer that stops accepting data (paper out on
    usblp) makes the job fail after timeout_s instead of hanging the totem. A plain file
    cannot report status: UNKNOWN when writable, OFFLINE when missing.
    """

    def __init__(self, device: str, *, timeout_s: float) -> None:
        self.device = device
        self.timeout_s = timeout_s

    def status(self) -> PrinterState:
        if not os.path.exists(self.device):
            return PrinterState.OFFLINE
        return PrinterState.UNKNOWN if os.access(self.device, os.W_OK) else PrinterState.OFFLINE

    def probe(self) -> PrinterState:
        return self.status()

    def send(self, job: PrintJob) -> None:
        deadline = time.monotonic() + self.timeout_s
        try:
            fd = os.open(self.device, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o644)
        except OSError as exc:
            raise PrinterUnavailable("offline", f"{self.device}: {exc.strerror}") from exc
        try:
            view = memoryview(job.data)
            while view:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise PrinterUnavailable("offline", f"{self.device}: write timed out after {self.timeout_s} s")
                select.select([], [fd], [], remaining)
                try:
                    written = os.write(fd, view)
                except BlockingIOError:
                    continue
                except OSError as exc:
                    if exc.errno == errno.EAGAIN:
                        continue
                    raise PrinterUnavailable("offline", f"{self.device}: {exc.strerror}") from exc
                view = view[written:]
        finally:
            os.close(fd)

    def close(self) -> None:
        pass


class EscposDeviceConnection:
    """usb, serial and network through python-escpos device classes, with timeouts.

    keep_open=False (network): connect per job and close after it, since some network
    printers print only when the connection closes. After sending, one DLE EOT 1 must be
    answered within the deadline, so a silent peer fails the job instead of passing.
    """

    def __init__(self, factory: Callable[[float], object], *, label: str, timeout_s: float, keep_open: bool,
                 confirm: bool) -> None:
        self._factory = factory
        self.label = label
        self.timeout_s = timeout_s
        self.keep_open = keep_open
        self.confirm = confirm
        self._device: object | None = None
        self._lock = threading.Lock()

    def _open(self, timeout_s: float) -> object:
        if self._device is None:
            device = self._factory(timeout_s)
            try:
                device.open()  # type: ignore[attr-defined]
            except Exception as exc:  # python-escpos wraps socket/usb/serial errors in DeviceNotFoundError
                raise PrinterUnavailable("offline", f"{self.label}: {exc}".replace("\n", " ")) from exc
            self._device = device
        return self._device

    def _drop(self) -> None:
        if self._device is not None:
            try:
                self._device.close()  # type: ignore[attr-defined]
            except Exception:  # closing a broken device must not mask the original error
                log.debug("closing %s failed", self.label, exc_info=True)
            self._device = None

    def _read(self, device: object, size: int, deadline: float) -> bytes:
        got = b""
        while len(got) < size and time.monotonic() < deadline:
            sock = getattr(device, "device", None)
            if hasattr(sock, "settimeout"):  # network: never wait past the job's deadline
                sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = bytes(device._read())  # type: ignore[attr-defined]
            except Exception:  # timeouts surface as socket.timeout, usb.core.USBTimeoutError, or empty reads
                break
            if not chunk:
                break
            got += chunk
        return got

    def status(self) -> PrinterState:
        with self._lock:
            deadline = time.monotonic() + self.timeout_s
            try:
                device = self._open(self.timeout_s)
            except PrinterUnavailable:
                return PrinterState.OFFLINE
            try:
                device._raw(STATUS_QUERY)  # type: ignore[attr-defined]
                state = decode_status(self._read(device, 3, deadline))
            except Exception:
                log.debug("status query on %s failed", self.label, exc_info=True)
                self._drop()
                return PrinterState.OFFLINE
            if not self.keep_open or state is PrinterState.UNKNOWN:
                self._drop()
            return state

    def probe(self) -> PrinterState:
        """Reachable or not, without waiting for a status reply (the job itself is confirmed)."""
        with self._lock:
            try:
                self._open(self.timeout_s)
            except PrinterUnavailable:
                return PrinterState.OFFLINE
            if not self.keep_open:
                self._drop()
            return PrinterState.UNKNOWN

    def send(self, job: PrintJob) -> None:
        deadline = time.monotonic() + self.timeout_s
        # A status query holding the printer must not double the wait: the job's deadline counts from the tap.
        if not self._lock.acquire(timeout=self.timeout_s):
            raise PrinterUnavailable("unknown", f"{self.label}: busy for {self.timeout_s} s")
        try:
            self._send(job, deadline)
        finally:
            self._lock.release()

    def _send(self, job: PrintJob, deadline: float) -> None:
        device = self._open(max(0.05, deadline - time.monotonic()))
        sock = getattr(device, "device", None)
        if hasattr(sock, "settimeout"):  # a printer that stops reading must not hold the write past the deadline
            sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            device._raw(job.data)  # type: ignore[attr-defined]
            if self.confirm:
                device._raw(DLE_EOT_PRINTER)  # type: ignore[attr-defined]
                if not self._read(device, 1, deadline):
                    raise PrinterUnavailable("unknown", f"{self.label}: no answer within {self.timeout_s} s")
        except PrinterUnavailable:
            self._drop()
            raise
        except Exception as exc:
            self._drop()
            raise PrinterUnavailable("offline", f"{self.label}: {exc}") from exc
        if not self.keep_open:
            self._drop()

    def close(self) -> None:
        with self._lock:
            self._drop()


def describe(settings: PrinterSettings, job: str = "") -> str:
    """Where a job goes, in words a technician can check ("folder /var/lib/totem/tickets/...")."""
    c = settings.connection
    if c == "folder":
        return f"{settings.folder}/{job}.escpos (and .png)" if job else f"folder {settings.folder}"
    if c == "network":
        return f"network printer {settings.host}:{settings.port}"
    if c == "usb":
        return f"USB printer {settings.usb_vendor_id:04x}:{settings.usb_product_id:04x}"
    if c == "serial":
        return f"serial printer {settings.serial_device}"
    return f"printer device {settings.device}"


def open_connection(settings: PrinterSettings, *, previews_at_close: bool = False) -> Connection:
    """Build the configured connection. Nothing is opened until the first job or status query.
    `previews_at_close`: the folder printer draws its PNG previews after the paper (FolderConnection)."""
    timeout_s = settings.timeout_s
    if settings.connection == "folder":
        assert settings.folder is not None
        return FolderConnection(settings.folder, previews_at_close=previews_at_close)
    if settings.connection == "file":
        return FileConnection(settings.device, timeout_s=timeout_s)
    if settings.connection == "network":
        return EscposDeviceConnection(
            lambda t: _escpos_printers().Network(settings.host, settings.port, timeout=t, profile=settings.profile),
            label=f"network printer {settings.host}:{settings.port}", timeout_s=timeout_s, keep_open=False,
            confirm=True)
    if settings.connection == "usb":
        return EscposDeviceConnection(
            lambda t: _escpos_printers().Usb(settings.usb_vendor_id, settings.usb_product_id, timeout=int(t * 1000),
                                             in_ep=settings.usb_in_ep, out_ep=settings.usb_out_ep,
                                             profile=settings.profile),
            label=f"USB printer {settings.usb_vendor_id:04x}:{settings.usb_product_id:04x}", timeout_s=timeout_s,
            keep_open=True, confirm=False)
    if settings.connection == "serial":
        return EscposDeviceConnection(
            lambda t: _serial(settings, t), label=f"serial printer {settings.serial_device}", timeout_s=timeout_s,
            keep_open=True, confirm=False)
    raise ValueError(f"unknown printer connection {settings.connection!r}")


def _escpos_printers(*, serial: bool = False) -> Any:
    """python-escpos's printer classes, imported when a printer is first reached (a command that never
    talks to the printer, such as `totem preview`, never imports them). The package imports every
    connection type: pyserial is deferred unless wanted (printer/lazy_imports), and so are the libraries
    escpos imports for what a ticket never does (an image QR code, a YAML parse)."""
    from printer.lazy_imports import escpos_imports

    with escpos_imports(*(() if serial else ("serial",))):
        import escpos.printer
    return escpos.printer


def _serial(settings: PrinterSettings, timeout_s: float) -> object:
    Serial = _escpos_printers(serial=True).Serial  # noqa: N806 - the class, subclassed below

    class _TimedSerial(Serial):
        def open(self, raise_not_found: bool = True) -> None:
            super().open(raise_not_found)
            if self.device is not None:
                self.device.write_timeout = timeout_s  # pyserial has no write timeout by default

    return _TimedSerial(settings.serial_device, baudrate=settings.serial_baudrate, timeout=timeout_s,
                        profile=settings.profile)
