#!/usr/bin/env bash
# Starts a local KRaft Kafka on loopback, in the background, and waits until it answers.
#   start.sh single   one combined broker+controller on 127.0.0.1:9092 (default)
#   start.sh cluster  three combined nodes on 127.0.0.1:9092-9094, replication 3, min.insync.replicas 2
# Storage is formatted on first start and kept under the cache folder; `stop.sh --wipe` removes it.
# Already running in the asked mode: nothing to do. Running in the other mode: stop it first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

MODE="${1:-single}"
case "$MODE" in
  single) NODES=1 ;;
  cluster) NODES=3 ;;
  *) echo "usage: start.sh [single|cluster]" >&2; exit 2 ;;
esac

bash "$KAFKA_DIR/fetch.sh"
mkdir -p "$KAFKA_RUN"

running_mode=""
[ -f "$KAFKA_RUN/mode" ] && running_mode="$(cat "$KAFKA_RUN/mode")"
if [ -n "$running_mode" ] && bash "$KAFKA_DIR/status.sh" >/dev/null 2>&1; then
  if [ "$running_mode" = "$MODE:$KAFKA_VERSION" ]; then
    echo "kafka: already running ($MODE, $KAFKA_VERSION)"
    exec bash "$KAFKA_DIR/wait.sh" "$NODES"
  fi
  echo "kafka: stopping the running $running_mode stack first"
  bash "$KAFKA_DIR/stop.sh"
fi

# A broker this checkout did not start (another checkout's, a system service) already owns the
# port: use it rather than start a second one that could not bind.
if (exec 3<>/dev/tcp/127.0.0.1/9092) 2>/dev/null; then
  echo "kafka: a broker not started from this checkout answers on 127.0.0.1:9092; using it"
  exec bash "$KAFKA_DIR/wait.sh" 1
fi

voters=""
for i in $(seq 1 "$NODES"); do
  voters+="${voters:+,}$i@127.0.0.1:$((19092 + i))"
done
if [ "$NODES" -eq 1 ]; then rf=1; min_isr=1; else rf=3; min_isr=2; fi

data_root="$KAFKA_CACHE/data/$MODE-$KAFKA_VERSION"
cluster_id_file="$data_root/cluster.id"
mkdir -p "$data_root"
if [ ! -f "$cluster_id_file" ]; then
  kafka_java kafka.tools.StorageTool random-uuid | tail -n 1 > "$cluster_id_file"
fi
cluster_id="$(cat "$cluster_id_file")"

for i in $(seq 1 "$NODES"); do
  node_dir="$data_root/node-$i"
  logs_dir="$KAFKA_CACHE/logs/$MODE-$KAFKA_VERSION/node-$i"
  mkdir -p "$node_dir" "$logs_dir"
  props="$node_dir/server.properties"
  cat > "$props" <<PROPS
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$((9091 + i)),CONTROLLER://127.0.0.1:$((19092 + i))
advertised.listeners=PLAINTEXT://127.0.0.1:$((9091 + i))
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$node_dir/log
num.partitions=1
default.replication.factor=$rf
min.insync.replicas=$min_isr
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$min_isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$min_isr
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=24
log.segment.bytes=67108864
PROPS
  if [ ! -f "$node_dir/log/meta.properties" ]; then
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$props" >/dev/null
  fi
  # KAFKA_HEAP_OPTS is a list of JVM flags: split on spaces on purpose. 16 MiB regions, as
  # Kafka's operations guide sets them, keep fetch and produce buffers of up to 8 MiB out of
  # G1's humongous allocations, each of which would start a marking cycle.
  # shellcheck disable=SC2086
  nohup java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:G1HeapRegionSize=16M \
    -Dkafka.logs.dir="$logs_dir" -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$props" >"$logs_dir/stdout.log" 2>&1 &
  echo $! > "$KAFKA_RUN/node-$i.pid"
done
echo "$MODE:$KAFKA_VERSION" > "$KAFKA_RUN/mode"
echo "kafka: started $MODE ($KAFKA_VERSION), logs in $KAFKA_CACHE/logs/$MODE-$KAFKA_VERSION"
exec bash "$KAFKA_DIR/wait.sh" "$NODES"
