#!/usr/bin/env bash
# `npm start`: brings the local stack up, then runs api + bridge in the foreground.
# Ctrl-C / SIGTERM stops them gracefully; Kafka keeps running (`npm run stack:down` stops it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$root/deploy/local/up.sh"
export PATH="$root/node_modules/.bin:$PATH"
cd "$root"
exec node services/all/main.ts
