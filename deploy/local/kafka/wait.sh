#!/usr/bin/env bash
# Waits until N brokers answer an ApiVersions request on 127.0.0.1:9092 (default N=1).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
expected="${1:-1}"

# The tool moved from the Scala core (3.x) to kafka-tools (4.x); zip entry names are stored
# uncompressed, so grep finds the class in the jar without unpacking it.
tool=kafka.admin.BrokerApiVersionsCommand
if grep -qa 'org/apache/kafka/tools/BrokerApiVersionsCommand' "$KAFKA_LIBS"/kafka-tools-*.jar; then
  tool=org.apache.kafka.tools.BrokerApiVersionsCommand
fi

deadline=$((SECONDS + ${KAFKA_WAIT_SECONDS:-90}))
while [ $SECONDS -lt $deadline ]; do
  # only nodes this checkout started can be watched; a broker found running is just asked
  if compgen -G "$KAFKA_RUN/node-*.pid" >/dev/null && ! bash "$KAFKA_DIR/status.sh" >/dev/null 2>&1; then
    echo "kafka: a node exited during start-up; see $KAFKA_CACHE/logs" >&2
    exit 1
  fi
  out="$(kafka_java "$tool" --bootstrap-server 127.0.0.1:9092 2>/dev/null || true)"
  count="$(printf '%s\n' "$out" | grep -c '^127.0.0.1:' || true)"
  if [ "$count" -ge "$expected" ]; then
    echo "kafka: $count broker(s) answering on 127.0.0.1"
    exit 0
  fi
  sleep 1
done
echo "kafka: brokers did not answer within ${KAFKA_WAIT_SECONDS:-90}s; see $KAFKA_CACHE/logs" >&2
exit 1
