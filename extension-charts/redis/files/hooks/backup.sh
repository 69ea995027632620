#!/bin/sh
# backup: fetches an RDB snapshot from the primary over the replication
# protocol (redis-cli --rdb) into $HOIST_BACKUP_DIR/<name>/, with a sha256 and
# a backup.json, then prunes all but the newest $HOIST_BACKUP_RETENTION.
# The directory appears under its final name only when complete.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

dir=${HOIST_BACKUP_DIR:?HOIST_BACKUP_DIR is required}
name=${HOIST_PARAM_BACKUPNAME:-}
[ -n "$name" ] || name=$(date -u +%Y%m%dT%H%M%SZ)
case $name in
  */* | .*) die "backup name '$name' must not contain / or start with ." ;;
esac
target=$dir/$name
[ ! -e "$target" ] || die "backup $name already exists"
work=$dir/.$name.partial
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

version=$(info_field server redis_version) || die "cannot reach Redis at ${REDIS_HOST:-127.0.0.1}:${REDIS_PORT:-6379}"
offset=$(info_field replication master_repl_offset)
replid=$(info_field replication master_replid)
keys=$(rcli DBSIZE)

# shellcheck disable=SC2046 # tls_args prints whole words without spaces
redis-cli --no-auth-warning -h "${REDIS_HOST:-127.0.0.1}" -p "${REDIS_PORT:-6379}" $(tls_args) \
  --rdb "$work/dump.rdb" >&2 || die "RDB transfer failed"
[ -s "$work/dump.rdb" ] || die "RDB transfer produced an empty file"
if command -v redis-check-rdb >/dev/null 2>&1; then
  redis-check-rdb "$work/dump.rdb" >/dev/null 2>&1 || die "redis-check-rdb rejects the snapshot"
fi
(cd "$work" && sha256sum dump.rdb >dump.rdb.sha256)
size=$(wc -c <"$work/dump.rdb" | tr -d ' ')
sum=$(cut -d' ' -f1 "$work/dump.rdb.sha256")
cat >"$work/backup.json" <<EOT
{"engine":"redis","engineVersion":"$version","method":"rdb","kind":"full","name":"$name","created":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","files":{"dump.rdb":{"size":$size,"sha256":"$sum"}},"replId":"$replid","replOffset":$offset,"db0Keys":$keys}
EOT
mv "$work" "$target"
trap - EXIT
log "backup $name: $size bytes"

retention=${HOIST_BACKUP_RETENTION:-0}
if [ "$retention" -gt 0 ]; then
  # names are compared by creation time recorded in the directory mtime
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
