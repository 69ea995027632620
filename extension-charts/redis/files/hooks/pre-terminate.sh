#!/bin/sh
# preTerminate: before the instance is deleted, write a final snapshot on every
# member so a Retain termination policy keeps a consistent dump.rdb in the
# retained volumes. Waits for the BGSAVE to finish.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

before=$(info_field persistence rdb_last_save_time) || die "Redis does not answer"
rcli BGSAVE >/dev/null || die "BGSAVE refused"
tries=0
while [ "$(info_field persistence rdb_last_save_time)" = "$before" ] ||
  [ "$(info_field persistence rdb_bgsave_in_progress)" != 0 ]; do
  tries=$((tries + 1))
  [ "$tries" -lt 600 ] || die "BGSAVE did not finish"
  sleep 0.1
done
[ "$(info_field persistence rdb_last_bgsave_status)" = ok ] || die "BGSAVE failed"
echo saved
