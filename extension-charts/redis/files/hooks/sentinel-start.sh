#!/bin/sh
# Sentinel entrypoint. Sentinel rewrites its config file, so it lives in a
# writable emptyDir; the monitored primary comes from the other Sentinels when
# any answers, else ordinal 0 (first start).
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

run_dir=${RUN_DIR:-/run/hoist}
conf=$run_dir/sentinel.conf
base_conf=${BASE_CONF:-/etc/hoist/config/sentinel.conf}
port=${SENTINEL_PORT:-26379}
redis_port=${REDIS_PORT:-6379}
self=${SELF_HOST:-$POD_NAME.$HEADLESS_SERVICE.$POD_NAMESPACE.svc}
set_name=$(master_set)

answer=$(SENTINEL_HOST=$SENTINEL_SERVICE SENTINEL_PORT=${SENTINEL_SERVICE_PORT:-26379} scli SENTINEL get-master-addr-by-name "$set_name" 2>/dev/null) || answer=""
primary=$(printf '%s\n' "$answer" | sed -n 1p)
primary_port=$(printf '%s\n' "$answer" | sed -n 2p)
if [ -z "$primary" ]; then
  primary="$HOIST_NAME-0.$HEADLESS_SERVICE.$POD_NAMESPACE.svc"
  primary_port=$redis_port
fi

umask 077
{
  if [ "${REDIS_TLS_ENABLED:-false}" = true ]; then
    tls_dir=${HOIST_TLS_DIR:-/etc/hoist/tls}
    echo "port 0"
    echo "tls-port $port"
    echo "tls-cert-file $tls_dir/tls.crt"
    echo "tls-key-file $tls_dir/tls.key"
    echo "tls-ca-cert-file $tls_dir/ca.crt"
    echo "tls-auth-clients optional"
    echo "tls-replication yes"
  else
    echo "port $port"
  fi
  # hostnames must be switched on before a hostname is monitored
  echo "sentinel resolve-hostnames yes"
  echo "sentinel announce-hostnames yes"
  echo "sentinel announce-ip $self"
  echo "sentinel monitor $set_name $primary $primary_port ${SENTINEL_QUORUM:-2}"
  echo "sentinel auth-pass $set_name \"$REDIS_PASSWORD\""
  echo "requirepass \"$REDIS_PASSWORD\""
  echo "sentinel sentinel-pass \"$REDIS_PASSWORD\""
  cat "$base_conf"
} >"$conf"

exec redis-sentinel "$conf"
