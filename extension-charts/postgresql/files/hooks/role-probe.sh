#!/bin/sh
# roleProbe: "primary" for the writable primary, "replica" for a standby and
# for a fenced former primary (read-only, waiting to be restarted as standby).
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

role=$(sql -c "select case when pg_is_in_recovery() then 'replica'
  when current_setting('hoist.fenced', true) = 'on' then 'fenced' else 'primary' end") ||
  die "cannot reach PostgreSQL"
case $role in
  primary) echo primary ;;
  replica | fenced) echo replica ;;
  *) die "unexpected role '$role'" ;;
esac
