# shellcheck shell=sh
# Shared helpers for the Redis hook scripts. Sourced, never executed.
#
# Environment (set by the chart, or by the tests outside Kubernetes):
#   REDIS_HOST, REDIS_PORT       server to talk to (default 127.0.0.1:6379)
#   REDIS_PASSWORD               the instance password
#   REDIS_TLS_ENABLED=true       talk TLS with the CA in $HOIST_TLS_DIR/ca.crt
#   SENTINEL_HOST, SENTINEL_PORT sentinel to talk to (default 127.0.0.1:26379)
#   SENTINEL_MASTER_SET          sentinel master name (default mymaster)

log() {
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

die() {
  log "ERROR: $*"
  exit 1
}

# redis-cli reads the password from REDISCLI_AUTH, which keeps it off argv.
if [ -n "${REDIS_PASSWORD:-}" ]; then
  REDISCLI_AUTH=$REDIS_PASSWORD
  export REDISCLI_AUTH
fi

tls_args() {
  if [ "${REDIS_TLS_ENABLED:-false}" = true ]; then
    tls_dir=${HOIST_TLS_DIR:-/etc/hoist/tls}
    printf '%s\n' --tls --cacert "$tls_dir/ca.crt" --cert "$tls_dir/tls.crt" --key "$tls_dir/tls.key"
  fi
}

# rcli HOST PORT ARGS... runs one redis-cli command and fails on an error reply.
rcli_at() {
  host=$1
  port=$2
  shift 2
  # shellcheck disable=SC2046 # tls_args prints whole words without spaces
  out=$(redis-cli --no-auth-warning -h "$host" -p "$port" $(tls_args) "$@") || return 1
  case $out in
    ERR* | WRONGTYPE* | NOAUTH* | NOPERM* | LOADING* | MASTERDOWN* | READONLY* | NOSCRIPT* | BUSY* | NOREPLICAS*)
      log "redis-cli $1 at $host:$port: $out"
      return 1
      ;;
  esac
  printf '%s\n' "$out"
}

rcli() {
  rcli_at "${REDIS_HOST:-127.0.0.1}" "${REDIS_PORT:-6379}" "$@"
}

scli() {
  rcli_at "${SENTINEL_HOST:-127.0.0.1}" "${SENTINEL_PORT:-26379}" "$@"
}

master_set() {
  printf '%s\n' "${SENTINEL_MASTER_SET:-mymaster}"
}

# info_field SECTION FIELD prints one field of INFO SECTION.
info_field() {
  rcli INFO "$1" | tr -d '\r' | sed -n "s/^$2://p"
}

# Booleans arrive from spec.config as true/false; redis.conf speaks yes/no.
redis_value() {
  case $1 in
    true | True | TRUE) printf 'yes\n' ;;
    false | False | FALSE) printf 'no\n' ;;
    *) printf '%s\n' "$1" ;;
  esac
}
