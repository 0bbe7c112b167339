#!/usr/bin/env bash
# What the tests start themselves must be installed: PostgreSQL and Redis (the tests start
# their own servers) and Chromium (the browser tests drive Debian's, never a downloaded one).
# Nothing is started here.
set -euo pipefail
missing=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  missing+=(chromium)
fi
if ! command -v redis-server >/dev/null 2>&1; then
  missing+=(redis-server)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "[setup] installing for the tests: ${missing[*]}"
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
else
  echo "[setup] the tests need: ${missing[*]} (e.g. sudo apt-get install ${missing[*]})" >&2
  exit 2
fi
