#!/usr/bin/env bash
# Install, upgrade, roll back or remove Totem on Raspberry Pi OS Lite (bookworm, 64-bit) or
# plain Debian 12 (arm64, amd64). Run it from the release you want installed (a git checkout,
# or an unpacked release tarball). Idempotent: a second run changes no file and restarts
# nothing; an edited /etc/totem/totem.toml is never overwritten.
#
#   sudo systemd/install.sh [--role ROLE] [--device-id NAME] [--no-apt]
#   sudo systemd/install.sh --check          only the pre-flight check: what is missing
#   sudo systemd/install.sh --rollback       back to the previous release (also: sudo totem-rollback)
#   sudo systemd/install.sh --uninstall [--purge]
#
# ROLE: totem (the kiosk) | display (hub + call screen on the TV) | hub (hub without screen) |
#       totem+hub (kiosk and hub on one Pi). Default: the role of the last install, else totem.
# --device-id NAME: this machine's identity (/etc/totem/device.toml); default: the host name.
# Each release lives in /opt/totem/releases/VERSION-HASH with its own venv; /opt/totem/current
# is the one running, /opt/totem/previous the one before (kept for --rollback).
# DESTDIR=/some/dir stages everything below that folder (tests, image builds): it then
# touches nothing else on this machine, runs no apt, and starts no service.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DESTDIR="${DESTDIR:-}"
PREFIX=/opt/totem
ROLE=
DEVICE_ID=
ACTION=install
APT=1
VENV=1
PURGE=0
CHANGED_UNITS=0    # a unit file, the release or the device identity changed: restart the role's units

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --role) ROLE="${2:?--role needs a value}"; shift ;;
        --role=*) ROLE="${1#--role=}" ;;
        --device-id) DEVICE_ID="${2:?--device-id needs a value}"; shift ;;
        --device-id=*) DEVICE_ID="${1#--device-id=}" ;;
        --no-apt) APT=0 ;;
        --skip-venv) VENV=0 ;;
        --check) ACTION=check ;;
        --rollback) ACTION=rollback ;;
        --uninstall) ACTION=uninstall ;;
        --purge) PURGE=1 ;;
        -h|--help) usage 0 ;;
        *) echo "install.sh: unknown option $1" >&2; usage 2 ;;
    esac
    shift
done

R() { printf '%s%s' "$DESTDIR" "$1"; }
staged() { [ -n "$DESTDIR" ]; }
say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit "${2:-1}"; }
# systemd runs here (not a chroot, a container without it, or an image being built)
systemd_up() { ! staged && [ -d /run/systemd/system ]; }

[ -n "$ROLE" ] || ROLE="$(cat "$(R /etc/totem/role)" 2>/dev/null || echo totem)"
case "$ROLE" in
    totem) UNITS=(totem.service) ;;
    display) UNITS=(totem-display.service) ;;
    hub) UNITS=(totem-hub.service) ;;
    totem+hub) UNITS=(totem.service totem-hub.service) ;;
    *) die "--role must be totem, display, hub or totem+hub (got $ROLE)" 2 ;;
esac
ALL_UNITS=(totem.service totem-display.service totem-hub.service)
if [ -n "$DEVICE_ID" ] && ! [[ "$DEVICE_ID" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$ ]]; then
    die "--device-id must be letters, digits, '.', '_' or '-', at most 63 (got $DEVICE_ID)" 2
fi

if ! staged && [ "$(id -u)" -ne 0 ]; then
    die "run it as root: sudo $0 $*"
fi

# ---- pre-flight: everything this role needs, named, before anything is changed ----

debian_packages() {
    # python3-venv brings pip inside the venv (no python3-pip, no compiler); systemd for
    # systemd-sysusers/systemctl (absent from minimal roots); ca-certificates for the wheels' HTTPS.
    local pkgs=(python3 python3-venv systemd ca-certificates)
    case "$ROLE" in
        totem|totem+hub|display)
            # espeak-ng: the totem's spoken guidance, the display's spoken calls. The rest: what
            # pygame-ce's bundled SDL opens at run time for KMSDRM (full screen without a desktop)
            # and ALSA sound; Raspberry Pi OS Lite does not have all of them.
            pkgs+=(espeak-ng libgbm1 libegl1 libgles2 libdrm2 libasound2) ;;
    esac
    case "$ROLE" in display|hub|totem+hub) pkgs+=(openssl) ;; esac  # the hub's own TLS certificate
    case "$ROLE" in totem|totem+hub|display) mapfile -t -O "${#pkgs[@]}" pkgs < <(language_packages) ;; esac
    printf '%s\n' "${pkgs[@]}"
}

language_packages() {
    # Fonts only for the scripts the site file lists (a Pi has little room; printer/fonts.py):
    # Chinese needs Noto Sans CJK (fonts-noto-cjk, 91 MB installed); Arabic's ticket image needs
    # FriBiDi, which Pillow's Raqm layout loads at run time. Latin, Cyrillic and Arabic glyphs
    # come with the venv's font wheels.
    local conf langs
    conf="$(R /etc/totem/totem.toml)"
    [ -r "$conf" ] || conf="$SRC/config/comune-amico.toml"
    langs="$(grep -E '^[[:space:]]*languages[[:space:]]*=' "$conf" 2>/dev/null | head -n 1 || true)"
    case "$langs" in *'"zh"'*) echo fonts-noto-cjk ;; esac
    case "$langs" in *'"ar"'*) echo libfribidi0 ;; esac
    return 0
}

push_wanted() {
    # Web Push ([hub] web_push = true) is an optional part: pywebpush and cryptography only on a
    # Pi whose site file turns it on (pyproject's `push` extra).
    local conf
    conf="$(R /etc/totem/totem.toml)"
    [ -r "$conf" ] || conf="$SRC/config/comune-amico.toml"
    grep -qE '^[[:space:]]*web_push[[:space:]]*=[[:space:]]*true' "$conf" 2>/dev/null
}

ensure_push() {
    # Add Web Push to a release's venv when the site wants it and the venv lacks it (the only
    # case in which a second run writes to a venv: the site file changed).
    local dir="$1" wheels
    push_wanted || return 0
    [ "$VENV" = 1 ] || return 0
    "$dir/venv/bin/python" -c 'import pywebpush' 2>/dev/null && return 0
    wheels="$(wheel_source)"
    local pip=("$dir/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-warn-script-location
               --only-binary=:all: --no-binary=http-ece)  # http-ece: pure Python, published as source only
    if [ -n "$wheels" ]; then pip+=(--no-index --find-links "$wheels"); fi
    say "adding Web Push (pywebpush) for [hub] web_push = true"
    "${pip[@]}" "pywebpush>=2.0" || die "could not install pywebpush for Web Push: check the network, or set web_push = false"
}

missing_packages() {
    local pkg
    for pkg in $(debian_packages); do
        dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || echo "$pkg"
    done
}

wheel_source() {  # a release tarball made with scripts/release --wheels carries its wheels
    if [ -d "$SRC/wheels" ]; then echo "$SRC/wheels"; fi
}

preflight() {
    local problems=() arch py missing free_mb
    command -v dpkg >/dev/null || die "this is not a Debian system (no dpkg): Raspberry Pi OS or Debian 12 needed"
    arch="$(dpkg --print-architecture)"
    case "$arch" in arm64|amd64) ;; *) problems+=("architecture $arch: Totem's wheels exist for arm64 (64-bit Raspberry Pi OS) and amd64") ;; esac
    if [ -r /etc/os-release ] && ! grep -qE '^VERSION_CODENAME=(bookworm|trixie)$' /etc/os-release; then
        problems+=("$(. /etc/os-release; echo "${PRETTY_NAME:-unknown system}"): Debian 12 bookworm (Raspberry Pi OS bookworm) expected")
    fi
    missing="$(missing_packages | tr '\n' ' ')"
    if [ -n "$missing" ] && [ "$APT" = 0 ]; then
        problems+=("missing Debian packages: ${missing% }: sudo apt-get install --no-install-recommends ${missing% }")
    fi
    free_mb=$(df -Pm "$(R /opt)" 2>/dev/null | awk 'NR == 2 {print $4}')
    if [ -n "$free_mb" ] && [ "$free_mb" -lt 400 ]; then
        problems+=("only ${free_mb} MB free under /opt: a release needs about 250 MB (the previous one is kept)")
    fi
    if [ -z "$(wheel_source)" ] && command -v python3 >/dev/null; then
        python3 - <<'PY' || problems+=("https://pypi.org/simple/ not reachable: connect this Pi to the internet, or use a release tarball made with scripts/release --wheels")
import sys, urllib.request
try:
    urllib.request.urlopen("https://pypi.org/simple/pygame-ce/", timeout=15).close()
except Exception:
    sys.exit(1)
PY
    fi
    py="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)"
    if [ -n "$py" ] && [ "$(printf '%s\n3.11\n' "$py" | sort -V | head -n 1)" != 3.11 ]; then
        problems+=("python3 is $py: 3.11 or later needed (Debian 12)")
    fi
    if [ ${#problems[@]} -gt 0 ]; then
        printf 'install.sh: cannot install: %s\n' "${problems[@]}" >&2
        exit 3
    fi
    if [ -n "$missing" ]; then
        say "missing Debian packages: ${missing% }"
    else
        say "pre-flight: all Debian packages present"
    fi
}

install_packages() {
    local missing
    missing="$(missing_packages | tr '\n' ' ')"
    [ -n "$missing" ] || return 0
    say "installing from Debian's archive: $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
    missing="$(missing_packages | tr '\n' ' ')"
    [ -z "$missing" ] || die "apt-get did not install: $missing"
    if dpkg-query -W -f='${Status}' python3-pygame 2>/dev/null | grep -q 'ok installed'; then
        say "WARNING: Debian's python3-pygame is installed; Totem uses pygame-ce in its venv. Remove it: apt-get remove python3-pygame"
    fi
}

# ---- files: each written only when its content differs ----

put() {  # put MODE SOURCE DEST: install SOURCE at DEST unless identical; returns 0 when it changed
    local mode="$1" from="$2" to="$3"
    if [ -f "$to" ] && cmp -s "$from" "$to" && [ "$(stat -c %a "$to")" = "${mode#0}" ]; then
        return 1
    fi
    install -D -m "$mode" "$from" "$to"
    return 0
}

put_text() {  # put_text MODE DEST TEXT
    local tmp status=0
    tmp="$(mktemp)"
    printf '%s' "$3" > "$tmp"
    put "$1" "$tmp" "$2" || status=$?
    rm -f "$tmp"
    return "$status"
}

install_user() {
    local conf
    conf="$(R /usr/lib/sysusers.d/totem.conf)"
    put 0644 "$SRC/systemd/totem.sysusers" "$conf" || true
    mkdir -p "$(R /etc)"
    if staged; then
        systemd-sysusers --root="$DESTDIR" >/dev/null 2>&1
    elif ! user_complete; then
        systemd-sysusers /usr/lib/sysusers.d/totem.conf
    fi
}

user_complete() {  # the user exists in every group the sysusers file names (sysusers would touch /etc)
    local groups group
    groups=" $(id -nG totem 2>/dev/null) " || return 1
    for group in $(awk '$1 == "m" && $2 == "totem" {print $3}' "$SRC/systemd/totem.sysusers"); do
        case "$groups" in *" $group "*) ;; *) return 1 ;; esac
    done
}

install_dirs() {
    # The units' StateDirectory, made ahead so the technician commands find it before the first start.
    local dir
    for dir in $(state_dirs); do
        if [ ! -d "$(R "$dir")" ]; then
            install -d -m 0750 "$(R "$dir")"
            staged || chown totem:totem "$dir"
        fi
    done
}

state_dirs() {
    case "$ROLE" in
        totem) echo /var/lib/totem ;;
        display|hub) echo /var/lib/totem-display ;;
        totem+hub) echo /var/lib/totem /var/lib/totem-display ;;
    esac
}

SOURCES=(pyproject.toml README.md SECURITY.md totem printer display config systemd docs)

release_id() {
    local version hash
    version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$SRC/pyproject.toml" | head -n 1)"
    hash="$(cd "$SRC" && tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
        --exclude='__pycache__' --exclude='*.pyc' -cf - "${SOURCES[@]}" | sha256sum | cut -c1-12)"
    echo "${version:-0}-$hash"
}

install_release() {
    # releases/ID/src (the sources) and releases/ID/venv; .complete once both are whole. A
    # release already complete is left as it is: a second run costs nothing and writes nothing.
    local id dir current previous
    id="$(release_id)"
    dir="$(R "$PREFIX/releases/$id")"
    if [ -e "$dir/.complete" ] || { [ "$VENV" = 0 ] && [ -d "$dir/src" ]; }; then
        say "release $id already installed"
        ensure_push "$dir"
    else
        rm -rf "$dir"
        mkdir -p "$dir/src"
        (cd "$SRC" && tar --exclude='__pycache__' --exclude='*.pyc' -cf - "${SOURCES[@]}") | tar -xf - -C "$dir/src"
        if [ "$VENV" = 1 ]; then
            build_venv "$dir"
            ensure_push "$dir"
            touch "$dir/.complete"
        fi
        say "installed release $id in $PREFIX/releases/$id"
    fi
    current="$(readlink "$(R "$PREFIX/current")" 2>/dev/null || true)"
    if [ "$current" != "releases/$id" ]; then
        if [ -n "$current" ]; then
            ln -sfn "$current" "$(R "$PREFIX/previous")"
            previous="$current"
        fi
        ln -sfn "releases/$id" "$(R "$PREFIX/current.new")"
        mv -T "$(R "$PREFIX/current.new")" "$(R "$PREFIX/current")"
        CHANGED_UNITS=1
        say "current release: $id${previous:+ (previous: ${previous#releases/}, kept for: sudo totem-rollback)}"
    fi
    prune_releases
    rm -rf "$(R "$PREFIX/src")" "$(R "$PREFIX/venv")"  # the layout before releases
}

build_venv() {
    local dir="$1" wheels arch
    wheels="$(wheel_source)"
    python3 -m venv "$dir/venv"
    local pip=("$dir/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-warn-script-location
               --only-binary=:all:)
    if [ -n "$wheels" ]; then pip+=(--no-index --find-links "$wheels"); fi
    say "installing Totem and its wheels into $PREFIX/releases/${dir##*/}/venv${wheels:+ (from $wheels)}"
    # The project itself is built from its sources (pure Python); every dependency is a wheel.
    "${pip[@]}" "$dir/src"
    arch="$(dpkg --print-architecture)"
    # lgpio: gpiozero's pin factory, from its PyPI wheel (Debian's archive has no python3-lgpio).
    "${pip[@]}" lgpio || say "no lgpio wheel for $arch: GPIO (LED, button) off on this machine"
    rm -rf "$dir/src/build" "$dir/src"/*.egg-info
}

prune_releases() {
    # Keep current and previous; older releases go.
    local keep_c keep_p rel
    keep_c="$(readlink "$(R "$PREFIX/current")" 2>/dev/null || true)"
    keep_p="$(readlink "$(R "$PREFIX/previous")" 2>/dev/null || true)"
    for rel in "$(R "$PREFIX/releases")"/*; do
        [ -d "$rel" ] || continue
        case "releases/${rel##*/}" in "$keep_c"|"$keep_p") ;; *) rm -rf "$rel"; say "removed old release ${rel##*/}" ;; esac
    done
}

install_commands() {
    # totem and totem-display on PATH for the technician; totem-rollback for the admin.
    local prog tmp
    for prog in totem totem-display; do
        tmp="$(sed -e "s|@PROGRAM@|$prog|g" -e "s|@PREFIX@|$PREFIX|g" "$SRC/systemd/technician-command.sh")"
        put_text 0755 "$(R "/usr/local/bin/$prog")" "$tmp" || true
    done
    put_text 0755 "$(R /usr/local/sbin/totem-rollback)" "#!/bin/sh
# Installed by Totem's systemd/install.sh: back to the previous release, and forth again.
exec $PREFIX/current/src/systemd/install.sh --rollback \"\$@\"
" || true
    if [ -d "$(R /etc/sudoers.d)" ]; then
        # Members of group totem may run the two commands as the service's user, without a password.
        tmp="# Installed by Totem's systemd/install.sh: members of group totem run the technician
# commands as the service's user (see /usr/local/bin/totem).
%totem ALL=(totem) NOPASSWD: $PREFIX/current/venv/bin/totem, $PREFIX/current/venv/bin/totem-display
"
        put_text 0440 "$(R /etc/sudoers.d/totem)" "$tmp" || true
    fi
}

install_config() {
    local conf
    conf="$(R /etc/totem/totem.toml)"
    if [ -e "$conf" ]; then
        say "keeping the existing /etc/totem/totem.toml"
    else
        install -D -m 0640 "$SRC/config/comune-amico.toml" "$conf"
        staged || chgrp totem "$conf"
        say "installed /etc/totem/totem.toml: edit it, then run: sudo totem check-config"
    fi
    if [ "$(cat "$(R /etc/totem/role)" 2>/dev/null || true)" != "$ROLE" ]; then
        printf '%s\n' "$ROLE" > "$(R /etc/totem/role)"
        CHANGED_UNITS=1
    fi
    if [ -n "$DEVICE_ID" ] && put_text 0644 "$(R /etc/totem/device.toml)" "# This machine's identity (systemd/install.sh --device-id); absent = the host name.
id = \"$DEVICE_ID\"
"; then
        say "device identity: $DEVICE_ID (/etc/totem/device.toml)"
        CHANGED_UNITS=1
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
        return 0
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
    local rule ids tmp
    rule="$(R /etc/udev/rules.d/99-totem-printer.rules)"
    ids="$(usb_ids || true)"
    if [ -z "$ids" ]; then
        if [ -e "$rule" ]; then rm -f "$rule"; fi
        say "no USB printer in the config: no udev rule (set usb_vendor_id/usb_product_id and run again)"
        return 0
    fi
    set -- $ids
    tmp="$(sed -e "s/@VENDOR@/$1/g" -e "s/@PRODUCT@/$2/g" "$SRC/systemd/99-totem-printer.rules.in")"
    if put_text 0644 "$rule" "$tmp
" && ! staged && command -v udevadm >/dev/null && systemd_up; then
        udevadm control --reload-rules && udevadm trigger --subsystem-match=usb --subsystem-match=usbmisc
    fi
}

systemctl_offline() {  # enable/disable without a running systemd (staged root, chroot)
    if staged; then systemctl --root="$DESTDIR" "$@" >/dev/null 2>&1 || true
    elif systemd_up; then systemctl "$@" >/dev/null 2>&1 || true
    else systemctl --root=/ "$@" >/dev/null 2>&1 || true
    fi
}

install_units() {
    local unit changed=0 wanted
    for unit in "${ALL_UNITS[@]}"; do
        if put 0644 "$SRC/systemd/$unit" "$(R "/etc/systemd/system/$unit")"; then changed=1; fi
    done
    if [ "$changed" = 1 ]; then
        CHANGED_UNITS=1
        if systemd_up; then systemctl daemon-reload; fi
    fi
    for unit in "${ALL_UNITS[@]}"; do
        wanted="$(R "/etc/systemd/system/multi-user.target.wants/$unit")"
        if printf '%s\n' "${UNITS[@]}" | grep -qx "$unit"; then
            [ -L "$wanted" ] || systemctl_offline enable "$unit"
        else
            if [ -L "$wanted" ]; then
                systemctl_offline disable "$unit"
                if systemd_up; then systemctl stop "$unit" || true; fi
            fi
        fi
    done
    apply_units
}

apply_units() {
    # Start what is not running; restart only when something it runs changed.
    local unit
    if staged; then return 0; fi
    if ! systemd_up; then
        say "systemd is not running here: ${UNITS[*]} enabled, they start at the next boot"
        return 0
    fi
    for unit in "${UNITS[@]}"; do
        if ! systemctl is-active --quiet "$unit"; then
            systemctl start "$unit" || true
            say "started $unit (logs: journalctl -u $unit -f)"
        elif [ "$CHANGED_UNITS" = 1 ]; then
            systemctl restart "$unit"
            say "restarted $unit (logs: journalctl -u $unit -f)"
        else
            say "$unit unchanged and running: not restarted"
        fi
    done
}

rollback() {
    local current previous
    current="$(readlink "$(R "$PREFIX/current")" 2>/dev/null || true)"
    previous="$(readlink "$(R "$PREFIX/previous")" 2>/dev/null || true)"
    if [ -z "$previous" ] || [ ! -e "$(R "$PREFIX/$previous/.complete")" ]; then
        die "no previous release to roll back to (installed: ${current#releases/}; ls $PREFIX/releases)" 4
    fi
    ln -sfn "$current" "$(R "$PREFIX/previous.new")"
    ln -sfn "$previous" "$(R "$PREFIX/current.new")"
    mv -T "$(R "$PREFIX/current.new")" "$(R "$PREFIX/current")"
    mv -T "$(R "$PREFIX/previous.new")" "$(R "$PREFIX/previous")"
    say "rolled back to ${previous#releases/} (the release you left, ${current#releases/}, is kept: totem-rollback again returns to it)"
    CHANGED_UNITS=1
    # The release's own unit files, so a rollback undoes a unit change too.
    SRC="$(R "$PREFIX/current/src")"
    install_units
}

uninstall() {
    local unit
    for unit in "${ALL_UNITS[@]}"; do
        if systemd_up; then systemctl disable --now "$unit" 2>/dev/null || true; else systemctl_offline disable "$unit"; fi
        rm -f "$(R "/etc/systemd/system/$unit")"
    done
    if systemd_up; then systemctl daemon-reload; fi
    rm -f "$(R /etc/udev/rules.d/99-totem-printer.rules)" "$(R /usr/local/bin/totem)" "$(R /usr/local/bin/totem-display)" \
        "$(R /usr/local/sbin/totem-rollback)" "$(R /etc/sudoers.d/totem)"
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

case "$ACTION" in
    uninstall) uninstall; exit 0 ;;
    rollback) rollback; exit 0 ;;
    check) APT=0; staged || preflight; say "ready to install (role: $ROLE)"; exit 0 ;;
esac
if ! staged; then
    preflight
    [ "$APT" = 0 ] || install_packages
fi
install_user
install_dirs
install_release
install_commands
install_config
install_cert
install_udev
install_units
say "done (role: $ROLE)"
