# The demo's totem is "totem-1" of the shipped site file (a real Pi takes its identity from
# /etc/totem/device.toml or its hostname, issue 19): var/device.toml says so for this checkout.
export TOTEM_DEVICE_FILE="${TOTEM_DEVICE_FILE:-$ROOT/var/device.toml}"
if [ ! -f "$TOTEM_DEVICE_FILE" ]; then
    mkdir -p "$(dirname "$TOTEM_DEVICE_FILE")"
    printf 'id = "totem-1"  # the demo totem: its [[totems]] block in config/comune-amico.toml\n' >"$TOTEM_DEVICE_FILE"
fi
