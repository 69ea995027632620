#!/usr/bin/env bash
# Prepares a machine for `hack/test.sh`: Debian packages, the Python venv `.venv` with the pinned
# packages of tests/requirements.txt, then every hack/setup.d/*.sh.
#
# Idempotent and quiet on success: each step's output goes to a log that is printed only when the
# step fails. Works as root or, when not root, through sudo for apt-get.
#
# The venv is created with --system-site-packages so that a helm-python-sdk already installed for the
# interpreter (a ~244 MB wheel) is reused instead of downloaded again; a stamp file holding the hash of
# tests/requirements.txt lets later runs skip pip entirely.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
LOG_DIR="$(mktemp -d)"
trap 'rm -rf "$LOG_DIR"' EXIT

# run_quiet NAME CMD...: runs CMD with its output in a log; on failure prints the log and exits.
run_quiet() {
    local name="$1"
    shift
    local log="$LOG_DIR/${name//[^A-Za-z0-9_.-]/_}.log"
    if ! "$@" >"$log" 2>&1; then
        echo "setup-test-env: step '$name' FAILED: $*" >&2
        echo "----- output of '$name' -----" >&2
        cat "$log" >&2
        echo "----- end of output -----" >&2
        exit 1
    fi
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        echo "setup-test-env: need root (or sudo) to run: $*" >&2
        return 1
    fi
}

# --- Debian packages -------------------------------------------------------------------------
apt_wanted() {
    # Lines of hack/apt-packages.txt without comments and blanks.
    sed -e 's/#.*//' -e 's/[[:space:]]//g' hack/apt-packages.txt | grep -v '^$' || true
}

apt_missing() {
    local pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
            echo "$pkg"
        fi
    done
}

install_apt_packages() {
    local -a wanted missing
    mapfile -t wanted < <(apt_wanted)
    # A Python able to make venvs is needed below; on Debian that takes python3-venv.
    if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
        wanted+=(python3 python3-venv python3-pip)
    fi
    [ "${#wanted[@]}" -eq 0 ] && return 0
    mapfile -t missing < <(apt_missing "${wanted[@]}")
    [ "${#missing[@]}" -eq 0 ] && return 0
    export DEBIAN_FRONTEND=noninteractive
    # `apt-get update` only when something is missing: a first install attempt may fail on stale
    # or empty package lists, so update then and retry once.
    if ! as_root apt-get install -y -q --no-install-recommends "${missing[@]}" >"$LOG_DIR/apt-try.log" 2>&1; then
        run_quiet apt-get-update as_root apt-get update -q
        run_quiet apt-get-install as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
}

install_apt_packages

# --- Python venv ------------------------------------------------------------------------------
PYTHON_BASE="${PYTHON_BASE:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    run_quiet venv "$PYTHON_BASE" -m venv --system-site-packages "$VENV"
fi
PYTHON="$VENV/bin/python"

REQ_HASH="$(sha256sum tests/requirements.txt | cut -d' ' -f1)"
STAMP="$VENV/.requirements.sha256"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$REQ_HASH" ]; then
    # pip leaves alone what the system site-packages already satisfy at the pinned version.
    run_quiet pip-install "$PYTHON" -m pip install --disable-pip-version-check -q -r tests/requirements.txt
    echo "$REQ_HASH" >"$STAMP"
fi

# --- Work items' own setup scripts ------------------------------------------------------------
export PYTHON VENV
shopt -s nullglob
for script in hack/setup.d/*.sh; do
    run_quiet "$(basename "$script")" bash "$script"
done
