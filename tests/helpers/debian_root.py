"""A pristine Debian 12 root to install Totem into, as a technician would (tests/test_install_debian.py,
scripts/verify-arm64). Root only: debootstrap, chroot, mounts."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Not part of an installed system's files: kernel views, volatile state, caches, logs.
VOLATILE = ("proc", "dev", "sys", "run", "tmp", "var/tmp", "var/cache", "var/log", "root/.cache",
            "var/lib/apt/lists", "root/releases")
FAKE_SYSTEMCTL = """#!/bin/sh
# A stand-in for a running systemd (a chroot has none): logs what install.sh asks for.
echo "$*" >> /run/fake-systemctl.log
case "$1" in
    is-active) [ "$2" = --quiet ] && shift; [ -e "/run/fake-active/$2" ] ;;
    start|restart) shift; for u in "$@"; do touch "/run/fake-active/$u"; done ;;
    stop) shift; for u in "$@"; do rm -f "/run/fake-active/$u"; done ;;
    enable|disable|is-enabled) exec /usr/bin/systemctl --root=/ "$@" ;;
    *) exit 0 ;;
esac
"""


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


class DebianRoot:
    """debootstrap --variant=minbase bookworm in `path` (cached by scripts/debian-root), with /proc,
    the machine's DNS and the CA certificates of its network (an intercepting proxy's)."""

    def __init__(self, path: Path, arch: str) -> None:
        self.path = path
        self.arch = arch
        # An arm64 root on a PC runs under qemu-user: every step takes several times longer.
        host = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
        self.slowdown = 1 if arch == host else 6
        self.mounts: list[Path] = []
        subprocess.run([str(ROOT / "scripts" / "debian-root"), arch, str(path)], check=True, timeout=1800)
        # /proc only: debootstrap made the device nodes a chroot needs (null, zero, urandom...), and
        # a bind-mounted /dev left behind by a crash would let a later clean-up delete the host's.
        subprocess.run(["mount", "-t", "proc", "proc", str(path / "proc")], check=True)
        self.mounts.append(path / "proc")
        shutil.copy("/etc/resolv.conf", path / "etc" / "resolv.conf")
        local_cas = sorted(Path("/usr/local/share/ca-certificates").glob("*.crt"))
        if local_cas:
            (path / "usr/local/share/ca-certificates").mkdir(parents=True, exist_ok=True)
            for ca in local_cas:
                shutil.copy(ca, path / "usr/local/share/ca-certificates" / ca.name)

    def close(self) -> None:
        for target in reversed(self.mounts):
            subprocess.run(["umount", "-l", str(target)], check=False)
        self.mounts.clear()
        if not os.path.ismount(self.path / "proc"):
            shutil.rmtree(self.path, ignore_errors=True)

    def sh(self, script: str, *, user: str | None = None, env: dict[str, str] | None = None,
           timeout_s: float = 900, check: bool = True) -> Result:
        """`script` in the root with a clean environment, as root or as `user` (runuser)."""
        base = {"PATH": PATH, "HOME": "/root", "LANG": "C.UTF-8", **(env or {})}
        cmd = ["chroot", str(self.path), "/usr/bin/env", "-i", *[f"{k}={v}" for k, v in base.items()]]
        if user:
            cmd += ["runuser", "-u", user, "--"]
        cmd += ["/bin/sh", "-c", script]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s * self.slowdown)
        result = Result(proc.returncode, proc.stdout, proc.stderr)
        if check and proc.returncode != 0:
            raise AssertionError(f"{script!r} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return result

    def as_unit(self, unit: str, args: str, *, check: bool = True) -> Result:
        """Run the unit's program with `args` as systemd would run the unit: its User, its
        Environment, STATE_DIRECTORY from StateDirectory, its WorkingDirectory."""
        spec = unit_settings((self.path / "etc/systemd/system" / unit).read_text())
        program = spec["ExecStart"][0].split()[0]
        env = dict(e.split("=", 1) for e in spec.get("Environment", []))
        env["STATE_DIRECTORY"] = "/var/lib/" + spec["StateDirectory"][0]
        env["HOME"] = "/"
        env_args = " ".join(shlex.quote(f"{k}={v}") for k, v in {"PATH": PATH, **env}.items())
        script = (f"cd {shlex.quote(spec['WorkingDirectory'][0])} && exec env -i {env_args} "
                  f"{program} --config {shlex.quote(env['TOTEM_CONFIG'])} {args}")
        return self.sh(script, user=spec["User"][0], check=check)

    def digest(self) -> dict[str, tuple[object, ...]]:
        """Every file, link and folder outside VOLATILE: type, mode, owner, size, mtime, target."""
        out: dict[str, tuple[object, ...]] = {}
        skip = {str(self.path / v) for v in VOLATILE}
        for top, dirs, files in os.walk(self.path):
            dirs[:] = [d for d in dirs if os.path.join(top, d) not in skip]
            for name in dirs + files:
                full = os.path.join(top, name)
                st = os.lstat(full)
                link = os.readlink(full) if os.path.islink(full) else ""
                out[os.path.relpath(full, self.path)] = (st.st_mode, st.st_uid, st.st_gid, st.st_size,
                                                         st.st_mtime_ns, link)
        return out

    def fake_systemd(self) -> None:
        """From now on install.sh sees a running systemd (the stand-in above), with the units it
        enabled already running, as after a boot."""
        (self.path / "run/systemd/system").mkdir(parents=True, exist_ok=True)
        (self.path / "run/fake-active").mkdir(exist_ok=True)
        fake = self.path / "usr/local/sbin/systemctl"
        fake.write_text(FAKE_SYSTEMCTL)
        fake.chmod(0o755)
        for link in (self.path / "etc/systemd/system/multi-user.target.wants").glob("totem*.service"):
            (self.path / "run/fake-active" / link.name).touch()

    def systemctl_log(self, *, clear: bool = True) -> list[str]:
        log = self.path / "run/fake-systemctl.log"
        lines = log.read_text().splitlines() if log.exists() else []
        if clear and log.exists():
            log.unlink()
        return lines


def unit_settings(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def always_open(text: str, *, hub_url: str) -> str:
    """What a technician changes in the shipped site file for these tests: open around the clock
    (no holidays, no closed dates), no anti-spam, the hub at `hub_url`."""
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
        text = re.sub(rf"^{day} = .*$", f'{day} = ["00:00-24:00"]', text, flags=re.M)
    text = re.sub(r"^last_ticket_before_close_min = .*$", "last_ticket_before_close_min = 0", text, flags=re.M)
    text = re.sub(r'^holidays_country = .*$', 'holidays_country = ""', text, flags=re.M)
    text = re.sub(r"^closed_dates = .*$", "closed_dates = []", text, flags=re.M)
    text = re.sub(r"^min_interval_s = .*$", "min_interval_s = 0", text, flags=re.M)
    return re.sub(r'^url = "http://127.0.0.1:8080"$', f'url = "{hub_url}"', text, count=1, flags=re.M)
