#!/usr/bin/env bash
# Makes sure the openssl command is there: the https delivery test makes its own CA with it.
set -euo pipefail
if command -v openssl >/dev/null; then exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "openssl: command missing and apt-get unavailable; install OpenSSL by hand" >&2
  exit 1
fi
echo "openssl: installing Debian's openssl"
install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null; }
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit 2>/dev/null)" ]; then
  apt-get update -qq
fi
install || { apt-get update -qq && install; }
