#!/usr/bin/env bash
# Waits until N brokers answer a metadata request on 127.0.0.1:9092 (default N=1).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
expected="${1:-1}"
deadline=$((SECONDS + ${KAFKA_WAIT_SECONDS:-90}))
while [ $SECONDS -lt $deadline ]; do
  out="$(kafka_java org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server 127.0.0.1:9092 2>/dev/null || true)"
  count="$(printf '%s\n' "$out" | grep -c '^127.0.0.1:' || true)"
  if [ "$count" -ge "$expected" ]; then
    echo "kafka: $count broker(s) answering on 127.0.0.1"
    exit 0
  fi
  sleep 1
done
echo "kafka: brokers did not answer within ${KAFKA_WAIT_SECONDS:-90}s; see $KAFKA_CACHE/logs" >&2
exit 1
