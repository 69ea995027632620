#!/bin/sh
# preUpgradeCheck: refuses (exit 1, reason on stdout) a rolling update of the
# minor version while it would hurt: fewer streaming standbys than expected,
# a standby more than 16 MiB behind, WAL archiving failing, or prepared
# transactions left open.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

fail() {
  echo "not ready for upgrade: $*"
  exit 1
}

[ "$(sql -c 'select pg_is_in_recovery()')" = f ] || fail "run this on the primary"
streaming=$(sql -c "select count(*) from pg_stat_replication where state = 'streaming'") || fail "PostgreSQL does not answer"
expected=${HOIST_EXPECTED_REPLICAS:-0}
[ "$streaming" -ge "$expected" ] || fail "$streaming of $expected standbys streaming"
lag=$(sql -c "select coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0)::bigint from pg_stat_replication")
[ "$lag" -le 16777216 ] || fail "a standby is $lag bytes behind"
prepared=$(sql -c "select count(*) from pg_prepared_xacts")
[ "$prepared" = 0 ] || fail "$prepared prepared transactions are open"
archiver=$(sql -c "select coalesce(last_failed_time > coalesce(last_archived_time, 'epoch'), false) from pg_stat_archiver")
[ "$archiver" = f ] || fail "WAL archiving is failing"
echo ok
