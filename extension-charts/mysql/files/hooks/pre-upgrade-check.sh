#!/bin/sh
# preUpgradeCheck: refuses (exit 1, reason on stdout) while fewer replicas
# than expected are attached to the primary.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

fail() {
  echo "not ready for upgrade: $*"
  exit 1
}
[ "$(role_of "${MYSQL_HOST:-127.0.0.1}:${MYSQL_PORT:-3306}")" = primary ] || fail "run this on the primary"
attached=$(sql "select count(*) from information_schema.processlist where command like 'Binlog Dump%'")
expected=${HOIST_EXPECTED_REPLICAS:-0}
[ "$attached" -ge "$expected" ] || fail "$attached of $expected replicas attached"
echo ok
