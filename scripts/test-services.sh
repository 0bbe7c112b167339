#!/usr/bin/env bash
# The tests start their own PostgreSQL server (tests/conftest.py); this makes sure its
# binaries are installed. Nothing is started here.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "[setup] installing PostgreSQL for the tests"
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
else
  echo "[setup] PostgreSQL is needed for the tests: install it (e.g. sudo apt-get install postgresql)" >&2
  exit 2
fi
