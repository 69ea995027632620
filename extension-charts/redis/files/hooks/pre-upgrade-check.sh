#!/bin/sh
# preUpgradeCheck: refuses (exit 1, reason on stdout) while a rolling update
# would lose data or availability: a background save or AOF rewrite running,
# the last background save failed, or a replica not in sync.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

fail() {
  echo "not ready for upgrade: $*"
  exit 1
}

info=$(rcli INFO all | tr -d '\r') || fail "Redis does not answer"
field() { printf '%s\n' "$info" | sed -n "s/^$1://p"; }

[ "$(field rdb_bgsave_in_progress)" = 0 ] || fail "a background save is running"
[ "$(field aof_rewrite_in_progress)" = 0 ] || fail "an AOF rewrite is running"
[ "$(field rdb_last_bgsave_status)" = ok ] || fail "the last background save failed"
[ "$(field loading)" = 0 ] || fail "the dataset is still loading"

expected=${HOIST_EXPECTED_REPLICAS:-0}
connected=$(field connected_slaves)
[ "$connected" -ge "$expected" ] || fail "$connected of $expected replicas connected"
lagging=$(printf '%s\n' "$info" | grep '^slave[0-9]*:' | grep -v 'state=online' || true)
[ -z "$lagging" ] || fail "replica not online: $lagging"
echo ok
