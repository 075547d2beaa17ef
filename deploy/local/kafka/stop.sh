#!/usr/bin/env bash
# Stops the local Kafka nodes cleanly (SIGTERM, then SIGKILL after a grace period).
#   stop.sh          stop, keep data
#   stop.sh --wipe   stop and delete data and logs
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
shopt -s nullglob
grace="${KAFKA_STOP_GRACE_SECONDS:-30}"
for f in "$KAFKA_RUN"/node-*.pid; do
  pid="$(cat "$f")"
  kill -TERM "$pid" 2>/dev/null || true
done
for f in "$KAFKA_RUN"/node-*.pid; do
  pid="$(cat "$f")"
  for _ in $(seq 1 $((grace * 5))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "kafka: $(basename "$f" .pid) did not stop in ${grace}s, killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
done
rm -f "$KAFKA_RUN/mode"
if [ "${1:-}" = "--wipe" ]; then
  rm -rf "$KAFKA_CACHE/data" "$KAFKA_CACHE/logs"
fi
echo "kafka: stopped"
