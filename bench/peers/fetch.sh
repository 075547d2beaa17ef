#!/usr/bin/env bash
# Builds the Java peers' harnesses and copies the jars each runs on into
# .cache/bench-peers/<peer>/{target,lib} (ignored), once per change of their sources. Maven
# takes everything from Maven Central. Each peer has its own pom and classpath: they need
# different Kafka client releases.
set -euo pipefail
PEERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v mvn >/dev/null || { echo "peers: mvn is required to fetch the peers" >&2; exit 1; }
for peer in parallelConsumer kafkaConnect; do
  src="$PEERS_DIR/$peer"
  out="$PEERS_DIR/../../.cache/bench-peers/$peer"
  stamp="$out/.complete-$(cat "$src/pom.xml" "$src"/src/main/java/dev/fanout/bench/*.java | sha1sum | cut -c1-12)"
  [ -f "$stamp" ] && continue
  mkdir -p "$out"
  rm -f "$out"/.complete-*
  echo "peers: building $peer and fetching its jars into $out"
  mvn -q -B -Dstyle.color=never -f "$src/pom.xml" package dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$out/lib" >"$out/fetch.log" 2>&1 || {
    tail -n 30 "$out/fetch.log" >&2
    echo "peers: mvn failed for $peer (log: $out/fetch.log)" >&2
    exit 1
  }
  touch "$stamp"
done
