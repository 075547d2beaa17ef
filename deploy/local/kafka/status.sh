#!/usr/bin/env bash
# Exits 0 when every node this cache started is still alive.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
shopt -s nullglob
pids=("$KAFKA_RUN"/node-*.pid)
[ ${#pids[@]} -gt 0 ] || exit 1
for f in "${pids[@]}"; do
  kill -0 "$(cat "$f")" 2>/dev/null || { echo "kafka: $(basename "$f" .pid) is not running"; exit 1; }
done
echo "kafka: $(cat "$KAFKA_RUN/mode" 2>/dev/null) running"
