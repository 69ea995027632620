#!/bin/sh
# Probes. "live": the server answers, and is not a fenced former primary
# (a failed liveness restarts it, and pg-start.sh rejoins it as a standby).
# "ready": answers and, on a standby, is streaming from a primary.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

role=$(sql -c "select case when pg_is_in_recovery() then 'replica'
  when current_setting('hoist.fenced', true) = 'on' then 'fenced' else 'primary' end") || exit 1
case ${1:-live} in
  live) [ "$role" != fenced ] ;;
  ready)
    case $role in
      primary) exit 0 ;;
      replica) [ "$(sql -c "select count(*) from pg_stat_wal_receiver where status = 'streaming'")" = 1 ] ;;
      *) exit 1 ;;
    esac
    ;;
  *) die "unknown probe '$1'" ;;
esac
