#!/bin/sh
# Liveness/readiness probe. "ready" also requires a replica's link to be up
# and the dataset loaded; "sentinel" checks the local Sentinel.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

case ${1:-live} in
  sentinel)
    scli PING >/dev/null
    ;;
  ready)
    [ "$(rcli PING)" = PONG ] || exit 1
    [ "$(info_field persistence loading)" = 0 ] || exit 1
    if [ "$(info_field replication role)" = slave ]; then
      [ "$(info_field replication master_link_status)" = up ] || exit 1
    fi
    ;;
  *)
    # LOADING is alive, not dead: only a refused connection fails liveness.
    # shellcheck disable=SC2046 # tls_args prints whole words without spaces
    out=$(redis-cli --no-auth-warning -h "${REDIS_HOST:-127.0.0.1}" -p "${REDIS_PORT:-6379}" $(tls_args) PING) || exit 1
    case $out in PONG | LOADING*) ;; *) exit 1 ;; esac
    ;;
esac
