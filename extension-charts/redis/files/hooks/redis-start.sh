#!/bin/sh
# Container entrypoint: writes the runtime config (password, TLS, replication
# source) to a memory-backed emptyDir and execs redis-server.
#
# In replication mode the primary is whoever the Sentinels say it is; only
# when no Sentinel answers (first start of the whole set) does ordinal 0 start
# as primary. This keeps a restarted old primary from coming back as a second
# primary after a failover.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

run_dir=${RUN_DIR:-/run/hoist}
conf=$run_dir/redis.conf
base_conf=${BASE_CONF:-/etc/hoist/config/redis.conf}
port=${REDIS_PORT:-6379}
self=${SELF_HOST:-$POD_NAME.$HEADLESS_SERVICE.$POD_NAMESPACE.svc}

umask 077
{
  echo "include $base_conf"
  echo "requirepass \"$REDIS_PASSWORD\""
  echo "masterauth \"$REDIS_PASSWORD\""
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
} >"$conf"

if [ "${REDIS_TOPOLOGY:-standalone}" = replication ]; then
  primary=""
  answer=$(SENTINEL_HOST=$SENTINEL_SERVICE SENTINEL_PORT=${SENTINEL_SERVICE_PORT:-26379} scli SENTINEL get-master-addr-by-name "$(master_set)" 2>/dev/null) || answer=""
  primary=$(printf '%s\n' "$answer" | sed -n 1p)
  primary_port=$(printf '%s\n' "$answer" | sed -n 2p)
  if [ -z "$primary" ]; then
    primary_port=$port
    primary="$HOIST_NAME-0.$HEADLESS_SERVICE.$POD_NAMESPACE.svc"
    log "no Sentinel knows a primary yet; bootstrapping from $primary"
  fi
  {
    echo "replica-announce-ip $self"
    if [ "$primary" != "$self" ] || [ "$primary_port" != "$port" ]; then
      echo "replicaof $primary $primary_port"
    fi
  } >>"$conf"
fi

exec redis-server "$conf"
