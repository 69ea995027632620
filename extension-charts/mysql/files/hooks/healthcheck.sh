#!/bin/sh
# Probes. live: the server answers. ready: a primary answers and is
# writable; a replica has both replication threads running.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

self=${MYSQL_HOST:-127.0.0.1}:${MYSQL_PORT:-3306}
case ${1:-live} in
  live) [ "$(sql "select 1")" = 1 ] ;;
  ready)
    case $(role_of "$self") in
      primary) exit 0 ;;
      replica)
        # Slaves_running counts connections whose IO and SQL threads both run
        [ "$(sql_at "$self" "SHOW GLOBAL STATUS LIKE 'Slaves_running'" | cut -f2)" -ge 1 ]
        ;;
      *) exit 1 ;;
    esac
    ;;
  *) die "unknown probe '$1'" ;;
esac
