#!/bin/sh
# roleProbe: "primary" for the writable primary; "replica" for a member that
# replicates, and for a fenced (read-only) former primary.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

role=$(role_of "${MYSQL_HOST:-127.0.0.1}:${MYSQL_PORT:-3306}")
case $role in
  primary) echo primary ;;
  replica | fenced) echo replica ;;
  *) die "cannot reach the server" ;;
esac
