#!/usr/bin/env bash
# `npm run bench`: fetches Kafka's tools and the peers' jars (Maven Central, into .cache/),
# builds the peers' harness, then runs the suite with the arguments given.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source deploy/local/kafka/env.sh
bash deploy/local/kafka/fetch.sh
bash bench/peers/fetch.sh
export FANOUT_BENCH_KAFKA_LIBS="$KAFKA_LIBS"
export FANOUT_BENCH_PEERS="$REPO_ROOT/.cache/bench-peers"
exec node bench/suite/runSuite.ts "$@"
