# shellcheck shell=sh
# Shared helpers for the MySQL-compatible (MariaDB) hook scripts. Sourced.
#
# Inputs: MYSQL_HOST, MYSQL_PORT (default 127.0.0.1:3306), MYSQL_USER (hoist,
# the hooks' account: root without READ_ONLY ADMIN cannot switch read_only),
# MYSQL_PWD (read by the client itself, so never on argv),
# MYSQL_MEMBERS "host:port ..." (default: the StatefulSet pods),
# REPLICATION_USER/REPLICATION_PASSWORD, MYSQL_TLS=true for TLS links.

log() {
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

die() {
  log "ERROR: $*"
  exit 1
}

tls_args() {
  if [ "${MYSQL_TLS:-false}" = true ]; then
    printf '%s\n' --ssl --ssl-ca="${HOIST_TLS_DIR:-/etc/hoist/tls}/ca.crt"
  fi
}

# sql_at HOST:PORT QUERY: tab-separated rows, no headers, stop on error.
sql_at() {
  # shellcheck disable=SC2046 # tls_args prints whole words
  mariadb --connect-timeout="${MYSQL_CONNECT_TIMEOUT:-3}" -h "${1%:*}" -P "${1##*:}" \
    -u "${MYSQL_USER:-hoist}" $(tls_args) -N -B -e "$2"
}

sql() {
  sql_at "${MYSQL_HOST:-127.0.0.1}:${MYSQL_PORT:-3306}" "$1"
}

members() {
  if [ -n "${MYSQL_MEMBERS:-}" ]; then
    # shellcheck disable=SC2086 # a space-separated list
    printf '%s\n' $MYSQL_MEMBERS
    return
  fi
  i=0
  while [ "$i" -lt "${MYSQL_MAX_MEMBERS:-9}" ]; do
    echo "$HOIST_NAME-$i.$HEADLESS_SERVICE.$POD_NAMESPACE.svc:${MYSQL_PORT:-3306}"
    i=$((i + 1))
  done
}

# role_of HOST:PORT: primary (writable, no replication configured), replica
# (replication configured), fenced (read-only without replication: a former
# primary after a switchover, or a member not yet attached), or nothing.
role_of() {
  slave=$(sql_at "$1" "SHOW SLAVE STATUS" 2>/dev/null) || return 0
  if [ -n "$slave" ]; then
    echo replica
  elif [ "$(sql_at "$1" "select @@read_only" 2>/dev/null)" = 1 ]; then
    echo fenced
  else
    echo primary
  fi
}

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

# sql_quote TEXT: a single-quoted SQL string literal.
sql_quote() {
  printf "'%s'" "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/''/g")"
}

# replicate_from TARGET(host:port) SOURCE(host:port) POS(slave_pos|current_pos)
replicate_from() {
  ssl=0
  [ "${MYSQL_TLS:-false}" = true ] && ssl=1
  sql_at "$1" "STOP SLAVE; CHANGE MASTER TO MASTER_HOST=$(sql_quote "${2%:*}"), MASTER_PORT=${2##*:},
    MASTER_USER=$(sql_quote "${REPLICATION_USER:-replicator}"),
    MASTER_PASSWORD=$(sql_quote "${REPLICATION_PASSWORD:-}"), MASTER_USE_GTID=$3, MASTER_SSL=$ssl,
    MASTER_CONNECT_RETRY=5;
    SET GLOBAL read_only = 1; START SLAVE"
}
