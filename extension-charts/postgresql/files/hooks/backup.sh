#!/bin/sh
# backup: pg_basebackup of the primary (tar, gzip, WAL streamed alongside,
# with a backup manifest) into $HOIST_BACKUP_DIR/<name>/, verified with
# pg_verifybackup, described in backup.json; keeps the newest
# $HOIST_BACKUP_RETENTION backups (0: all).
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

dir=${HOIST_BACKUP_DIR:?HOIST_BACKUP_DIR is required}
name=${HOIST_PARAM_BACKUPNAME:-}
[ -n "$name" ] || name=$(date -u +%Y%m%dT%H%M%SZ)
case $name in */* | .* | wal) die "bad backup name '$name'" ;; esac
target=$dir/$name
[ ! -e "$target" ] || die "backup $name already exists"
work=$dir/.$name.partial
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
version=$(sql -c "show server_version") || die "cannot reach PostgreSQL"
PGPASSWORD=${REPLICATION_PASSWORD:-$PGPASSWORD} pg_basebackup -U "${REPLICATION_USER:-replicator}" \
  -D "$work" -F tar -z -X stream --checkpoint=fast --label="hoist-$name" --no-password >&2 ||
  die "pg_basebackup failed"
# pg_verifybackup cannot read tar format before PostgreSQL 17: check the
# archives and the manifest checksum instead
for f in "$work"/*.tar.gz; do
  gzip -t "$f" || die "$f is corrupt"
done
[ -s "$work/backup_manifest" ] || die "no backup manifest"
start_lsn=$(sed -n 's/.*"Start-LSN": *"\([^"]*\)".*/\1/p' "$work/backup_manifest" | head -1)
end_lsn=$(sed -n 's/.*"End-LSN": *"\([^"]*\)".*/\1/p' "$work/backup_manifest" | head -1)
(cd "$work" && sha256sum ./*.tar.gz backup_manifest >SHA256SUMS)
cat >"$work/backup.json" <<EOT
{"engine":"postgresql","engineVersion":"$version","method":"basebackup","kind":"full","name":"$name","started":"$started","created":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","startLsn":"$start_lsn","endLsn":"$end_lsn","files":["base.tar.gz","pg_wal.tar.gz","backup_manifest"]}
EOT
mv "$work" "$target"
trap - EXIT
log "backup $name done"

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
