#!/usr/bin/env bash
# Makes sure promtool is there (Debian's prometheus package): the deploy tests check the alert
# rules and the scrape config with it. Only the tool is used; no Prometheus server is started.
set -euo pipefail
if command -v promtool >/dev/null; then exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "promtool: missing and apt-get unavailable; install Prometheus's promtool by hand" >&2
  exit 1
fi
echo "promtool: installing Debian's prometheus package"
install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
}
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit 2>/dev/null)" ]; then
  apt-get update -qq
fi
install || { apt-get update -qq && install; }
