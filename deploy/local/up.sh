#!/usr/bin/env bash
# Brings the whole local stack up and waits until it answers: Node dependencies (with the
# project's Node 24), Java and Maven, Kafka (single broker unless FANOUT_KAFKA_MODE=cluster),
# PostgreSQL, Redis, and the database schema. Safe to run again: each step skips what is done.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "up: installing Node dependencies"
  npm ci --no-audit --no-fund
fi
export PATH="$root/node_modules/.bin:$PATH"

if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
  if command -v apt-get >/dev/null; then
    echo "up: installing Java 17 and Maven"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless maven >/dev/null
  else
    echo "up: Java 17+ and Maven are required" >&2
    exit 1
  fi
fi

bash deploy/local/services.sh
bash deploy/local/kafka/start.sh "${FANOUT_KAFKA_MODE:-single}"
node services/migrate/main.ts
