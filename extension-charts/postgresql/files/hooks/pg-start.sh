#!/bin/sh
# Container entrypoint. Decides what this member is before postgres starts:
#   * empty data dir, a primary exists      -> clone it (pg_basebackup -R)
#   * empty data dir, no primary, ordinal 0 -> initdb, create the roles
#   * data of another cluster (restore)     -> wipe and clone
#   * a former primary (fenced, or no standby.signal) while another primary
#     runs                                   -> pg_rewind, rejoin as standby
#   * a standby                              -> repoint at the current primary
# Then execs postgres with the chart's config files.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

: "${PGDATA:?PGDATA is required}"
conf=${BASE_CONF:-/etc/hoist/config/postgresql.conf}
hba=${HBA_CONF:-/etc/hoist/config/pg_hba.conf}
port=${PGPORT:-5432}
socket_dir=${SOCKET_DIR:-/var/run/postgresql}
self=${SELF_HOST:-$POD_NAME.$HEADLESS_SERVICE.$POD_NAMESPACE.svc}:$port
ordinal=${POD_NAME##*-}
auto=$PGDATA/postgresql.auto.conf

# drop NAME lines from postgresql.auto.conf (the server is down)
auto_conf_drop() {
  [ -f "$auto" ] || return 0
  grep -v "^[[:space:]]*$1[[:space:]]*=" "$auto" >"$auto.tmp" || true
  mv "$auto.tmp" "$auto"
}

drop_recovery_targets() {
  for setting in restore_command recovery_target_time recovery_target_action recovery_target_inclusive; do
    auto_conf_drop "$setting"
  done
}

become_standby_of() {
  drop_recovery_targets
  auto_conf_drop primary_conninfo
  echo "primary_conninfo = $(conf_quote "$(conninfo_for "$1" "${POD_NAME:-member}")")" >>"$auto"
  touch "$PGDATA/standby.signal"
  rm -f "$PGDATA/recovery.signal"
}

clone_from() {
  log "cloning $1"
  rm -rf "${PGDATA:?}"/* "${PGDATA:?}"/.[!.]* 2>/dev/null || true
  PGPASSWORD=${REPLICATION_PASSWORD:-} pg_basebackup -h "${1%:*}" -p "${1##*:}" \
    -U "${REPLICATION_USER:-replicator}" -D "$PGDATA" -X stream --checkpoint=fast --no-password
  become_standby_of "$1"
}

init_primary() {
  log "initialising a new cluster"
  pwfile=$(mktemp)
  printf '%s\n' "$PGPASSWORD" >"$pwfile"
  initdb -D "$PGDATA" --username="${PGUSER:-postgres}" --pwfile="$pwfile" --data-checksums \
    --auth-local=peer --auth-host=scram-sha-256 --encoding=UTF8 --locale=C >/dev/null
  rm -f "$pwfile"
  pg_ctl -D "$PGDATA" -w -s -o "-c config_file=$conf -c hba_file=$hba -c listen_addresses='' -c archive_mode=off" start
  psql -X -q -v ON_ERROR_STOP=1 -h "$socket_dir" -p "$port" -d postgres \
    -v user="${REPLICATION_USER:-replicator}" -v pw="${REPLICATION_PASSWORD:-}" <<'EOT'
CREATE ROLE :"user" WITH REPLICATION LOGIN PASSWORD :'pw';
EOT
  pg_ctl -D "$PGDATA" -w -s -m fast stop
}

system_id_local() {
  pg_controldata "$PGDATA" | sed -n 's/^Database system identifier: *//p'
}

mkdir -p "$PGDATA"
chmod 700 "$PGDATA"
primary=$(find_primary "$self")

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -n "$primary" ]; then
    clone_from "$primary"
  elif [ "$ordinal" = 0 ]; then
    init_primary
  else
    die "no primary to clone from yet"
  fi
elif [ -n "$primary" ]; then
  remote_id=$(sql_at "$primary" "select system_identifier from pg_control_system()")
  fenced=no
  grep -q '^[[:space:]]*hoist.fenced' "$auto" 2>/dev/null && fenced=yes
  if [ "$remote_id" != "$(system_id_local)" ]; then
    log "data belongs to another cluster than $primary (restore?)"
    clone_from "$primary"
  elif [ "$fenced" = yes ] || [ ! -f "$PGDATA/standby.signal" ]; then
    log "former primary: rewinding onto $primary"
    auto_conf_drop hoist.fenced
    auto_conf_drop default_transaction_read_only
    # pg_rewind reads the timeline from the source's control file, which a
    # fresh promotion updates only at its next checkpoint
    sql_at "$primary" "CHECKPOINT" >/dev/null || log "CHECKPOINT on $primary failed"
    if ! pg_rewind -D "$PGDATA" --source-server="host=${primary%:*} port=${primary##*:} user=${PGUSER:-postgres} dbname=postgres" \
      --config-file="$conf" >&2; then
      log "pg_rewind failed: cloning instead"
      clone_from "$primary"
    fi
    become_standby_of "$primary"
  else
    become_standby_of "$primary"
  fi
fi
auto_conf_drop hoist.fenced
auto_conf_drop default_transaction_read_only
# point-in-time settings of a finished restore must not outlive it
[ -f "$PGDATA/recovery.signal" ] || drop_recovery_targets

exec postgres -D "$PGDATA" -c config_file="$conf" -c hba_file="$hba"
