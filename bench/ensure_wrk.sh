#!/usr/bin/env bash
# Make sure `wrk` is on PATH: install the Debian package only when it is missing.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "wrk not found: installing the Debian package" >&2
$SUDO apt-get install -y wrk >/dev/null || { $SUDO apt-get update -qq && $SUDO apt-get install -y wrk >/dev/null; }
command -v wrk >/dev/null
