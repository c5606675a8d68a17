#!/bin/sh
# /usr/local/bin/@PROGRAM@, installed by Totem's systemd/install.sh. The technician's commands
# (status, resend, repair-db, preview, print-test, check-config, backup...) act on the installed
# service's config and data, as the service's own user (totem): what they see is what the running
# service sees, and every file they create stays the service's. Run them with sudo, or as a member
# of group totem (sudo -u totem without a password, see /etc/sudoers.d/totem).
prog=@PROGRAM@
bin=@PREFIX@/current/venv/bin/$prog
if [ ! -x "$bin" ]; then
    echo "$prog: Totem is not installed here ($bin missing): run systemd/install.sh from a release" >&2
    exit 69
fi
# The site file: --config, else $TOTEM_CONFIG, else /etc/totem/totem.toml (the service's).
# A file or folder named on the command line must be readable (or writable) by user totem.
case "$(id -u):$(id -un)" in
    0:*) exec runuser -u totem -- "$bin" "$@" ;;
    *:totem) exec "$bin" "$@" ;;
esac
if id -nG | tr ' ' '\n' | grep -qx totem && command -v sudo >/dev/null && [ -e /etc/sudoers.d/totem ]; then
    exec sudo -n -u totem -- "$bin" "$@"
fi
case "${1:-}" in -h|--help|--version) exec "$bin" "$@" ;; esac
echo "$prog: this acts on the service's data as user totem: run it as  sudo $prog $*  (or as a member of group totem)" >&2
exit 77
