#!/usr/bin/env bash
# Set everything up and run the whole test suite (unit, AppTest and real-browser tests).
# Installs Debian's chromium for the browser tests when it is missing (needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup-python.sh requirements-dev.txt

if [ ! -x /usr/bin/chromium ]; then
  echo "==> Installing Debian's chromium for the browser tests"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

echo "==> Running the tests"
python -m pytest -q -p no:cacheprovider "$@" tests
