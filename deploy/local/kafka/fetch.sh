#!/usr/bin/env bash
# Fetches the pinned Kafka jars from Maven Central once, into the ignored cache folder.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

if [ -f "$KAFKA_LIBS/.complete" ]; then
  exit 0
fi
command -v java >/dev/null || { echo "fetch: java is required (JDK 17+)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "fetch: mvn is required to fetch Kafka's jars" >&2; exit 1; }

echo "fetch: resolving Apache Kafka $KAFKA_VERSION (tools $KAFKA_TOOLS_VERSION) into $KAFKA_LIBS"
rm -rf "$KAFKA_LIBS"
mkdir -p "$KAFKA_LIBS"
mvn -q -B -Dstyle.color=never -f "$KAFKA_DIR/pom.xml" \
  -Dkafka.version="$KAFKA_VERSION" -Dkafka.tools.version="$KAFKA_TOOLS_VERSION" \
  dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" \
  >"$KAFKA_CACHE/fetch-$KAFKA_VERSION.log" 2>&1 || {
  tail -n 30 "$KAFKA_CACHE/fetch-$KAFKA_VERSION.log" >&2
  echo "fetch: mvn could not resolve Kafka $KAFKA_VERSION (log: $KAFKA_CACHE/fetch-$KAFKA_VERSION.log)" >&2
  exit 1
}
touch "$KAFKA_LIBS/.complete"
echo "fetch: $(ls "$KAFKA_LIBS" | wc -l) jars ready"
