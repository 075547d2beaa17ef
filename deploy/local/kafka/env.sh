# Shared paths and settings for the local Kafka scripts; sourced, not run.
# KAFKA_VERSION picks the broker version (default: the one pinned in pom.xml).
KAFKA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$KAFKA_DIR/../../.." && pwd)"
PINNED_KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_DIR/pom.xml")"
KAFKA_VERSION="${KAFKA_VERSION:-$PINNED_KAFKA_VERSION}"
KAFKA_TOOLS_VERSION="${KAFKA_TOOLS_VERSION:-$KAFKA_VERSION}"
KAFKA_CACHE="${FANOUT_KAFKA_CACHE:-$REPO_ROOT/.cache/kafka}"
KAFKA_LIBS="$KAFKA_CACHE/$KAFKA_VERSION/libs"
KAFKA_RUN="$KAFKA_CACHE/run"
# A fixed heap, touched at start, as Kafka's own scripts size it: a heap that grows from a small
# start keeps its old generation near G1's marking threshold, and every marking cycle's remark
# pause (up to 20 ms here) stalls produce and fetch alike.
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms1g -Xmx1g -XX:+AlwaysPreTouch}"

kafka_java() {
  # Runs one Kafka main class on the fetched classpath.
  java -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2-tools.properties" "$@"
}
