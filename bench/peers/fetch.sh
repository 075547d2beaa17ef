#!/usr/bin/env bash
# Builds the Java peers' harness and copies the jars they run on into .cache/bench-peers/
# (ignored), once. Maven takes everything from Maven Central.
set -euo pipefail
PEERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$PEERS_DIR/../../.cache/bench-peers"
STAMP="$OUT/.complete-$(sha1sum "$PEERS_DIR/pom.xml" "$PEERS_DIR"/src/main/java/dev/fanout/bench/*.java | sha1sum | cut -c1-12)"
if [ -f "$STAMP" ]; then
  exit 0
fi
command -v mvn >/dev/null || { echo "peers: mvn is required to fetch the peers" >&2; exit 1; }
mkdir -p "$OUT"
rm -f "$OUT"/.complete-*
echo "peers: building the harness and fetching the peers' jars into $OUT"
mvn -q -B -Dstyle.color=never -f "$PEERS_DIR/pom.xml" package dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$OUT/lib" >"$OUT/fetch.log" 2>&1 || {
  tail -n 30 "$OUT/fetch.log" >&2
  echo "peers: mvn failed (log: $OUT/fetch.log)" >&2
  exit 1
}
touch "$STAMP"
