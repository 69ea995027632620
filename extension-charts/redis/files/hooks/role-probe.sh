#!/bin/sh
# roleProbe: prints exactly one line, "primary" or "replica", for the Redis
# this runs beside. A replica whose link is down is still a replica.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

role=$(info_field replication role) || die "cannot reach Redis"
case $role in
  master) echo primary ;;
  slave) echo replica ;;
  *) die "unexpected role '$role'" ;;
esac
