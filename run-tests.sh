#!/usr/bin/env bash
# Set everything up and run the whole test suite (unit, AppTest and real-browser tests).
# Installs Debian's chromium (browser tests) and postgresql (database-server tests) when they are
# missing (needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup-python.sh requirements-dev.txt

if [ ! -x /usr/bin/chromium ]; then
  echo "==> Installing Debian's chromium for the browser tests"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "==> Installing Debian's postgresql for the database-server tests"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
# The tests start their own PostgreSQL server on a free localhost port and stop it afterwards.

echo "==> Running the tests"
python -m pytest -q -p no:cacheprovider "$@" tests
