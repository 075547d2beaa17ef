#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed: the dashboard's browser test drives it headless.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "chromium: /usr/bin/chromium missing and apt-get unavailable; install Chromium by hand" >&2
  exit 1
fi
echo "chromium: installing Debian's chromium"
install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
# package lists may be missing or stale on a fresh machine: refresh them once if needed
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit 2>/dev/null)" ]; then
  apt-get update -qq
fi
install || { apt-get update -qq && install; }
