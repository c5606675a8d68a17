# Sourced by scripts/run, scripts/test and scripts/bench: create or refresh .venv when
# pyproject.toml changed, then put it first on PATH.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${TOTEM_VENV:-$ROOT/.venv}"
STAMP="$VENV/.installed-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
if [ ! -f "$STAMP" ]; then
    echo "setting up $VENV (first run, or pyproject.toml changed)..." >&2
    command -v python3 >/dev/null || { echo "python3 (>= 3.11) is required" >&2; exit 1; }
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "python3 >= 3.11 is required" >&2; exit 1; }
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    LOG="$VENV/install.log"
    if ! { "$VENV/bin/python" -m pip install --upgrade pip && "$VENV/bin/python" -m pip install -e "$ROOT[dev]"; } \
            >"$LOG" 2>&1; then
        tail -n 40 "$LOG" >&2
        echo "installing into $VENV failed; full log: $LOG" >&2
        exit 1
    fi
    rm -f "$VENV"/.installed-*
    touch "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
cd "$ROOT"
