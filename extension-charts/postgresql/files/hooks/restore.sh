#!/bin/sh
# restore (instance stopped; runs in a Job with the data volume of ordinal 0
# at $PGDATA): replaces the data directory with base backup
# $HOIST_PARAM_BACKUPNAME. With HOIST_PARAM_TARGETTIME (e.g.
# "2026-11-25 06:00:00+00") it prepares point-in-time recovery from the WAL
# archive in $WAL_ARCHIVE_DIR: the server replays up to that time and is
# promoted. The other members notice a different cluster at start and clone
# the restored primary.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

: "${PGDATA:?PGDATA is required}"
dir=${HOIST_BACKUP_DIR:?HOIST_BACKUP_DIR is required}
name=${HOIST_PARAM_BACKUPNAME:?HOIST_PARAM_BACKUPNAME is required}
target_time=${HOIST_PARAM_TARGETTIME:-}
src=$dir/$name

[ -f "$src/backup.json" ] || die "backup $name not found in $dir"
(cd "$src" && sha256sum -c SHA256SUMS >/dev/null) || die "backup $name fails its checksums"
if [ -f "$PGDATA/postmaster.pid" ] && pg_ctl -D "$PGDATA" status >/dev/null 2>&1; then
  die "PostgreSQL is running on $PGDATA: stop the instance first"
fi

rm -rf "${PGDATA:?}"/* "${PGDATA:?}"/.[!.]* 2>/dev/null || true
mkdir -p "$PGDATA"
chmod 700 "$PGDATA"
tar -xzf "$src/base.tar.gz" -C "$PGDATA"
mkdir -p "$PGDATA/pg_wal"
tar -xzf "$src/pg_wal.tar.gz" -C "$PGDATA/pg_wal"
rm -f "$PGDATA/standby.signal" "$PGDATA/postmaster.pid"
# a backup taken from a standby carries its primary_conninfo: drop it
if [ -f "$PGDATA/postgresql.auto.conf" ]; then
  grep -v '^[[:space:]]*primary_conninfo' "$PGDATA/postgresql.auto.conf" >"$PGDATA/auto.tmp" || true
  mv "$PGDATA/auto.tmp" "$PGDATA/postgresql.auto.conf"
fi

if [ -n "$target_time" ]; then
  archive=${WAL_ARCHIVE_DIR:?WAL_ARCHIVE_DIR is required for point-in-time restore}
  {
    echo "restore_command = $(conf_quote "cp $archive/%f %p")"
    echo "recovery_target_time = $(conf_quote "$target_time")"
    echo "recovery_target_action = 'promote'"
    echo "recovery_target_inclusive = on"
  } >>"$PGDATA/postgresql.auto.conf"
  touch "$PGDATA/recovery.signal"
  log "point-in-time recovery to $target_time prepared"
fi
echo "restored $name"
