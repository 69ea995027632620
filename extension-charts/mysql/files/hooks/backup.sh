#!/bin/sh
# backup: consistent logical dump (single transaction, GTID position
# recorded) of every user database on the primary into
# $HOIST_BACKUP_DIR/<name>/dump.sql.gz with SHA256SUMS and backup.json; keeps
# the newest $HOIST_BACKUP_RETENTION (0: all). Accounts are not included:
# they belong to the instance (Secrets), not to its data.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

dir=${HOIST_BACKUP_DIR:?HOIST_BACKUP_DIR is required}
name=${HOIST_PARAM_BACKUPNAME:-}
[ -n "$name" ] || name=$(date -u +%Y%m%dT%H%M%SZ)
case $name in */* | .*) die "bad backup name '$name'" ;; esac
target=$dir/$name
[ ! -e "$target" ] || die "backup $name already exists"
work=$dir/.$name.partial
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

version=$(sql "select version()") || die "cannot reach the server"
dbs=$(sql "select schema_name from information_schema.schemata where schema_name not in
  ('mysql', 'information_schema', 'performance_schema', 'sys') order by schema_name")
[ -n "$dbs" ] || log "no user databases: the backup is empty"
# shellcheck disable=SC2046,SC2086 # tls_args and the database list are words
mariadb-dump -h "${MYSQL_HOST:-127.0.0.1}" -P "${MYSQL_PORT:-3306}" -u "${MYSQL_USER:-hoist}" $(tls_args) \
  --single-transaction --gtid --master-data=2 --routines --events --triggers --hex-blob \
  --databases $dbs | gzip -c >"$work/dump.sql.gz" || die "mariadb-dump failed"
gzip -t "$work/dump.sql.gz" || die "the dump archive is corrupt"
gtid=$(gzip -dc "$work/dump.sql.gz" | sed -n "s/^-- SET GLOBAL gtid_slave_pos='\(.*\)';/\1/p" | head -1)
(cd "$work" && sha256sum dump.sql.gz >SHA256SUMS)
cat >"$work/backup.json" <<EOT
{"engine":"mysql","engineVersion":"$version","method":"dump","kind":"full","name":"$name","created":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","gtid":"$gtid","databases":"$(printf '%s' "$dbs" | tr '\n' ' ')","files":["dump.sql.gz"]}
EOT
mv "$work" "$target"
trap - EXIT

retention=${HOIST_BACKUP_RETENTION:-0}
if [ "$retention" -gt 0 ]; then
  # shellcheck disable=SC2012 # names are ours: no newlines or odd characters
  ls -1t "$dir" | while read -r old; do
    [ -f "$dir/$old/backup.json" ] || continue
    retention=$((retention - 1))
    if [ "$retention" -lt 0 ]; then
      log "retention: removing backup $old"
      rm -rf "${dir:?}/$old"
    fi
  done
fi
echo "$name"
