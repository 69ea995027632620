# shellcheck shell=sh
# Shared helpers for the Kafka hook scripts. Sourced, never executed.
# Inputs: KAFKA_HOME (default /opt/kafka), KAFKA_BOOTSTRAP (default
# localhost:9092), KAFKA_CLIENT_CONFIG (client properties written by
# kafka-start.sh; carries TLS settings when TLS is on).

log() {
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

die() {
  log "ERROR: $*"
  exit 1
}

# kafka TOOL ARGS...: one of Kafka's admin tools against the local broker.
kafka() {
  tool=$1
  shift
  "${KAFKA_HOME:-/opt/kafka}/bin/$tool.sh" --bootstrap-server "${KAFKA_BOOTSTRAP:-localhost:9092}" \
    --command-config "${KAFKA_CLIENT_CONFIG:-/run/hoist/client.properties}" "$@"
}

# broker ids currently registered, one per line, sorted
broker_ids() {
  "${KAFKA_HOME:-/opt/kafka}/bin/kafka-broker-api-versions.sh" --bootstrap-server "${KAFKA_BOOTSTRAP:-localhost:9092}" \
    --command-config "${KAFKA_CLIENT_CONFIG:-/run/hoist/client.properties}" |
    sed -n 's/.*(id: \([0-9]*\) rack.*/\1/p' | sort -n | uniq
}
