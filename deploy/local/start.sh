#!/usr/bin/env bash
# `npm start`: brings the local stack up, then runs api + bridge in the foreground.
# Ctrl-C / SIGTERM stops them gracefully; Kafka keeps running (`npm run stack:down` stops it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$root/deploy/local/up.sh"
export PATH="$root/node_modules/.bin:$PATH"
cd "$root"
# A local stack: the API runs open on 127.0.0.1 (it says so in its log), and webhooks may go to
# endpoints on this machine, as in the README's walkthrough. Both are refused anywhere else.
export FANOUT_API_AUTH="${FANOUT_API_AUTH:-open}"
export FANOUT_ENDPOINT_ALLOWED_NETWORKS="${FANOUT_ENDPOINT_ALLOWED_NETWORKS:-127.0.0.0/8,::1}"
exec node services/all/main.ts
