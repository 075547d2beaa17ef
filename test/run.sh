#!/usr/bin/env bash
# `npm test`: everything, in order of cost. Brings the local stack up first (see deploy/local/up.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash deploy/local/up.sh
# the dashboard's browser test drives Debian's chromium; the deploy tests run promtool
bash deploy/local/chromium.sh
# the https delivery test makes a throwaway CA with openssl
bash deploy/local/openssl.sh
bash deploy/local/promtool.sh
export PATH="$root/node_modules/.bin:$PATH"

echo "== lint"; eslint .
echo "== format"; prettier --check . --log-level warn
echo "== typecheck"; tsc --noEmit -p tsconfig.json
echo "== tests"
node --test --test-concurrency=1 --test-timeout=300000 --test-reporter=spec \
  'test/unit/**/*.test.ts' 'test/integration/**/*.test.ts'
