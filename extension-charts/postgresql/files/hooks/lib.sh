# shellcheck shell=sh
# Shared helpers for the PostgreSQL hook scripts. Sourced, never executed.
#
# Connection settings are libpq's own environment: PGHOST, PGPORT, PGUSER,
# PGPASSWORD, PGSSLMODE, PGSSLROOTCERT. Other inputs:
#   PG_MEMBERS                 "host:port ..." of every member; default: the
#                              StatefulSet pods $HOIST_NAME-0..PG_MAX_MEMBERS-1
#   REPLICATION_USER/_PASSWORD the streaming-replication role

log() {
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

die() {
  log "ERROR: $*"
  exit 1
}

# sql [psql args...] QUERY: one query, unaligned tuples, stop on error.
sql() {
  psql -X -q -v ON_ERROR_STOP=1 -At -d "${PGDATABASE:-postgres}" "$@"
}

# sql_at HOST:PORT QUERY
sql_at() {
  PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-3} sql -h "${1%:*}" -p "${1##*:}" -c "$2"
}

members() {
  if [ -n "${PG_MEMBERS:-}" ]; then
    # shellcheck disable=SC2086 # a space-separated list
    printf '%s\n' $PG_MEMBERS
    return
  fi
  i=0
  while [ "$i" -lt "${PG_MAX_MEMBERS:-9}" ]; do
    echo "$HOIST_NAME-$i.$HEADLESS_SERVICE.$POD_NAMESPACE.svc:${PGPORT:-5432}"
    i=$((i + 1))
  done
}

# role_of HOST:PORT prints primary, fenced, replica or nothing (unreachable).
role_of() {
  sql_at "$1" "select case when pg_is_in_recovery() then 'replica'
    when current_setting('hoist.fenced', true) = 'on' then 'fenced' else 'primary' end" 2>/dev/null || true
}

# find_primary [EXCLUDE]: the writable primary among the members, as host:port.
find_primary() {
  for m in $(members); do
    [ "$m" != "${1:-}" ] || continue
    if [ "$(role_of "$m")" = primary ]; then
      echo "$m"
      return 0
    fi
  done
  return 0
}

# A value for postgresql.conf: single-quoted, quotes doubled.
conf_quote() {
  printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"
}

conninfo_for() {
  printf 'host=%s port=%s user=%s password=%s application_name=%s sslmode=%s' \
    "${1%:*}" "${1##*:}" "${REPLICATION_USER:-replicator}" "${REPLICATION_PASSWORD:-}" \
    "$(printf '%s' "${2:-member}" | tr -c 'a-zA-Z0-9_\n' '_')" "${PGSSLMODE:-prefer}"
}
