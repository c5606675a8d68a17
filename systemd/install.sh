#!/usr/bin/env bash
# Install, update or remove Totem on Raspberry Pi OS (Bookworm, 64-bit). Idempotent:
# running it twice changes nothing; an edited /etc/totem/totem.toml is never overwritten.
#
#   sudo systemd/install.sh [--role ROLE] [--no-apt] [--skip-venv]
#   sudo systemd/install.sh --uninstall [--purge]
#
# ROLE: totem (the kiosk, default) | display (hub + call screen on the TV) |
#       hub (hub without screen) | totem+hub (kiosk and hub on one Pi)
# DESTDIR=/some/dir stages everything below that folder (tests, image builds): it then
# touches nothing else on this machine, runs no apt, and starts no service.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DESTDIR="${DESTDIR:-}"
PREFIX=/opt/totem
ROLE=totem
ACTION=install
APT=1
VENV=1
PURGE=0

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --role) ROLE="${2:?--role needs a value}"; shift ;;
        --role=*) ROLE="${1#--role=}" ;;
        --no-apt) APT=0 ;;
        --skip-venv) VENV=0 ;;
        --uninstall) ACTION=uninstall ;;
        --purge) PURGE=1 ;;
        -h|--help) usage 0 ;;
        *) echo "install.sh: unknown option $1" >&2; usage 2 ;;
    esac
    shift
done

case "$ROLE" in
    totem) UNITS=(totem.service) ;;
    display) UNITS=(totem-display.service) ;;
    hub) UNITS=(totem-hub.service) ;;
    totem+hub) UNITS=(totem.service totem-hub.service) ;;
    *) echo "install.sh: --role must be totem, display, hub or totem+hub (got $ROLE)" >&2; exit 2 ;;
esac
ALL_UNITS=(totem.service totem-display.service totem-hub.service)

R() { printf '%s%s' "$DESTDIR" "$1"; }
staged() { [ -n "$DESTDIR" ]; }
say() { printf 'install.sh: %s\n' "$*"; }

if ! staged && [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: run as root (sudo), or set DESTDIR for a staged install" >&2
    exit 1
fi

systemctl_() {
    if staged; then systemctl --root="$DESTDIR" "$@" >/dev/null 2>&1 || true; else systemctl "$@"; fi
}

install_packages() {
    staged && return 0
    [ "$APT" = 1 ] || return 0
    command -v apt-get >/dev/null || return 0
    local pkgs=(python3-venv python3-pip python3-lgpio espeak-ng)  # espeak-ng: the totem's guidance, the calls
    say "installing Debian packages: ${pkgs[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
    if dpkg -s python3-pygame >/dev/null 2>&1; then
        say "WARNING: Debian's python3-pygame is installed; Totem uses pygame-ce in its venv. Remove it: apt-get remove python3-pygame"
    fi
}

install_user() {
    install -D -m 0644 "$SRC/systemd/totem.sysusers" "$(R /usr/lib/sysusers.d/totem.conf)"
    mkdir -p "$(R /etc)"
    if staged; then
        systemd-sysusers --root="$DESTDIR" >/dev/null 2>&1
    else
        systemd-sysusers /usr/lib/sysusers.d/totem.conf
    fi
}

install_source() {
    local dest
    dest="$(R "$PREFIX/src")"
    rm -rf "$dest.new"
    mkdir -p "$dest.new"
    (cd "$SRC" && tar --exclude='__pycache__' --exclude='*.pyc' -cf - pyproject.toml README.md totem printer display \
        config systemd docs) | tar -xf - -C "$dest.new"
    rm -rf "$dest"
    mv "$dest.new" "$dest"
}

install_venv() {
    [ "$VENV" = 1 ] || return 0
    local venv
    venv="$(R "$PREFIX/venv")"
    # System site packages: lgpio comes from Debian (python3-lgpio); PyPI has no aarch64 wheel of it.
    [ -x "$venv/bin/python" ] || python3 -m venv --system-site-packages "$venv"
    say "installing Totem into $venv"
    "$venv/bin/python" -m pip install --quiet --upgrade "$(R "$PREFIX/src")"
}

install_config() {
    local conf
    conf="$(R /etc/totem/totem.toml)"
    if [ -e "$conf" ]; then
        say "keeping the existing /etc/totem/totem.toml"
    else
        install -D -m 0640 "$SRC/config/comune-amico.toml" "$conf"
        staged || chgrp totem "$conf"
        say "installed /etc/totem/totem.toml: edit it, then run: totem check-config /etc/totem/totem.toml"
    fi
}

install_cert() {
    # The hub's own TLS certificate (display/hub roles): the totems pin its fingerprint, so the
    # bearer token never crosses the LAN in clear. Made once, kept on every later run.
    case "$ROLE" in totem) return 0 ;; esac
    local crt key
    crt="$(R /etc/totem/hub.crt)"
    key="$(R /etc/totem/hub.key)"
    if [ -e "$crt" ] && [ -e "$key" ]; then
        say "keeping the existing hub certificate /etc/totem/hub.crt"
    elif command -v openssl >/dev/null; then
        mkdir -p "$(dirname "$crt")"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 3650 -nodes \
            -keyout "$key" -out "$crt" -subj "/CN=totem-hub" >/dev/null 2>&1
        chmod 0640 "$key"
        staged || chgrp totem "$key"
        say "made the hub certificate /etc/totem/hub.crt"
    else
        say "openssl not found: no hub certificate (the hub stays on plain HTTP)"
        return 0
    fi
    say "for HTTPS, set in [hub] on every Pi: url = \"https://<this Pi>:8443\", tls_cert = \"/etc/totem/hub.crt\","
    say "  tls_key = \"/etc/totem/hub.key\", tls_fingerprint = \"$(openssl x509 -in "$crt" -noout -fingerprint -sha256 | cut -d= -f2)\""
}

usb_ids() {
    python3 - "$(R /etc/totem/totem.toml)" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as fh:
    printer = tomllib.load(fh).get("printer", {})
v, p = printer.get("usb_vendor_id"), printer.get("usb_product_id")
if printer.get("connection") == "usb" and isinstance(v, int) and isinstance(p, int):
    print(f"{v:04x} {p:04x}")
PY
}

install_udev() {
    local rule ids
    rule="$(R /etc/udev/rules.d/99-totem-printer.rules)"
    ids="$(usb_ids || true)"
    if [ -z "$ids" ]; then
        rm -f "$rule"
        say "no USB printer in the config: no udev rule (set usb_vendor_id/usb_product_id and run again)"
        return 0
    fi
    set -- $ids
    mkdir -p "$(dirname "$rule")"
    sed -e "s/@VENDOR@/$1/g" -e "s/@PRODUCT@/$2/g" "$SRC/systemd/99-totem-printer.rules.in" > "$rule"
    chmod 0644 "$rule"
    if ! staged; then
        udevadm control --reload-rules && udevadm trigger --subsystem-match=usb --subsystem-match=usbmisc
    fi
}

install_units() {
    local unit
    for unit in "${ALL_UNITS[@]}"; do
        install -D -m 0644 "$SRC/systemd/$unit" "$(R "/etc/systemd/system/$unit")"
    done
    staged || systemctl daemon-reload
    for unit in "${ALL_UNITS[@]}"; do
        if printf '%s\n' "${UNITS[@]}" | grep -qx "$unit"; then
            systemctl_ enable "$unit"
        else
            systemctl_ disable "$unit"
        fi
    done
    if ! staged; then
        systemctl restart "${UNITS[@]}"
        say "running: ${UNITS[*]} (logs: journalctl -u ${UNITS[0]} -f)"
    fi
}

uninstall() {
    local unit
    for unit in "${ALL_UNITS[@]}"; do
        if staged; then systemctl_ disable "$unit"; else systemctl disable --now "$unit" 2>/dev/null || true; fi
        rm -f "$(R "/etc/systemd/system/$unit")"
    done
    staged || systemctl daemon-reload
    rm -f "$(R /etc/udev/rules.d/99-totem-printer.rules)"
    rm -rf "$(R "$PREFIX")"
    if [ "$PURGE" = 1 ]; then
        rm -rf "$(R /etc/totem)" "$(R /var/lib/totem)" "$(R /var/lib/totem-display)"
        rm -f "$(R /usr/lib/sysusers.d/totem.conf)"
        staged || userdel totem 2>/dev/null || true
        say "removed Totem, its config and its data"
    else
        say "removed Totem; kept /etc/totem and /var/lib/totem* (use --purge to delete them)"
    fi
}

if [ "$ACTION" = uninstall ]; then
    uninstall
    exit 0
fi
install_packages
install_user
install_source
install_venv
install_config
install_cert
install_udev
install_units
say "done (role: $ROLE)"
