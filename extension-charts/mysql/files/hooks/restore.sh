#!/bin/sh
# restore: loads backup $HOIST_PARAM_BACKUPNAME into the running primary;
# replicas receive it through replication. With HOIST_PARAM_FLUSH=true
# (default) every user database not in the backup is dropped first, so the
# result equals the backup.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

dir=${HOIST_BACKUP_DIR:?HOIST_BACKUP_DIR is required}
name=${HOIST_PARAM_BACKUPNAME:?HOIST_PARAM_BACKUPNAME is required}
src=$dir/$name
[ -f "$src/dump.sql.gz" ] || die "backup $name not found in $dir"
(cd "$src" && sha256sum -c SHA256SUMS >/dev/null) || die "backup $name fails its checksums"
gzip -t "$src/dump.sql.gz" || die "backup $name is corrupt"
[ "$(role_of "${MYSQL_HOST:-127.0.0.1}:${MYSQL_PORT:-3306}")" = primary ] || die "restore into the primary only"

if [ "${HOIST_PARAM_FLUSH:-true}" = true ]; then
  keep=$(sed -n 's/.*"databases":"\([^"]*\)".*/\1/p' "$src/backup.json")
  for db in $(sql "select schema_name from information_schema.schemata where schema_name not in
      ('mysql', 'information_schema', 'performance_schema', 'sys')"); do
    case " $keep " in *" $db "*) ;; *) sql "DROP DATABASE \`$db\`" ;; esac
  done
fi
# shellcheck disable=SC2046 # tls_args prints whole words
gzip -dc "$src/dump.sql.gz" | mariadb -h "${MYSQL_HOST:-127.0.0.1}" -P "${MYSQL_PORT:-3306}" \
  -u "${MYSQL_USER:-hoist}" $(tls_args) || die "loading the dump failed"
echo "restored $name"
