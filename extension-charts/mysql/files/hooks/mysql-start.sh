#!/bin/sh
# Container entrypoint. Starts mariadbd in the background (forwarding TERM),
# then makes the member what it should be:
#   * empty data dir, no primary, ordinal 0 -> new primary: root and
#     replication users from the environment
#   * empty data dir, a primary exists      -> clone it (logical dump with its
#     GTID position, not binlogged locally) and replicate from it
#   * existing replica or former primary while another primary runs
#                                            -> read-only, replicate from it
#                                               (GTID: slave_pos / current_pos)
# A member never starts writable while another writable primary exists.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

datadir=${MYSQL_DATADIR:?MYSQL_DATADIR is required}
conf=${BASE_CONF:-/etc/hoist/config/my.cnf}
port=${MYSQL_PORT:-3306}
socket=${MYSQL_SOCKET:-/run/mysqld/mysqld.sock}
self_host=${SELF_HOST:-$POD_NAME.$HEADLESS_SERVICE.$POD_NAMESPACE.svc}
self=$self_host:$port
ordinal=${POD_NAME##*-}
server_id=${SERVER_ID:-$((ordinal + 1))}

# a fresh data directory has a root account without password
local_sql() {
  (
    # MYSQL_HOST would make the client use TCP whatever --socket says
    unset MYSQL_PWD MYSQL_HOST
    mariadb -h localhost --protocol=socket --socket="$socket" -u root -N -B
  )
}

primary=$(find_primary "$self")
fresh=no
if [ ! -d "$datadir/mysql" ]; then
  if [ -z "$primary" ] && [ "$ordinal" != 0 ]; then
    die "no primary to clone from yet"
  fi
  mariadb-install-db --no-defaults --datadir="$datadir" --auth-root-authentication-method=normal \
    --skip-test-db >/dev/null
  fresh=yes
fi

read_only=1
if [ -z "$primary" ] && [ ! -s "$datadir/master.info" ]; then
  # nobody else is primary and this member was not replicating
  read_only=0
fi

mariadbd --defaults-file="$conf" --datadir="$datadir" --port="$port" --socket="$socket" \
  --server-id="$server_id" --report-host="$self_host" --report-port="$port" \
  --read-only="$read_only" --skip-slave-start &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT
# a failed set-up must not leave the server running without its role
trap 'status=$?; [ "$status" = 0 ] || kill -TERM "$pid" 2>/dev/null' EXIT

tries=0
# "ping" succeeds even when access is denied: the server is up either way
until (unset MYSQL_HOST && mariadb-admin -h localhost --protocol=socket --socket="$socket" -u root ping >/dev/null 2>&1); do
  kill -0 "$pid" 2>/dev/null || die "mariadbd exited during start-up"
  tries=$((tries + 1))
  [ "$tries" -lt 600 ] || die "mariadbd did not start"
  sleep 0.5
done

if [ "$fresh" = yes ] && [ -z "$primary" ]; then
  log "initialising a new primary"
  local_sql <<EOT
SET SESSION sql_log_bin = 0;
-- mariadb-install-db also makes password-less root@127.0.0.1, root@::1,
-- root@<hostname> and anonymous accounts: only root@localhost (socket) stays
DELETE FROM mysql.global_priv WHERE (User = 'root' AND Host <> 'localhost') OR User = '';
FLUSH PRIVILEGES;
ALTER USER 'root'@'localhost' IDENTIFIED BY $(sql_quote "$MYSQL_PWD");
-- root may not write to a read-only member (a replica or a fenced former
-- primary): without READ_ONLY ADMIN it obeys read_only like everyone else.
-- The hooks' own account keeps it, to switch read_only during failover.
CREATE USER 'root'@'%' IDENTIFIED BY $(sql_quote "$MYSQL_PWD");
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
REVOKE READ_ONLY ADMIN ON *.* FROM 'root'@'%';
CREATE USER 'hoist'@'%' IDENTIFIED BY $(sql_quote "$MYSQL_PWD");
GRANT ALL PRIVILEGES ON *.* TO 'hoist'@'%' WITH GRANT OPTION;
CREATE USER $(sql_quote "${REPLICATION_USER:-replicator}")@'%' IDENTIFIED BY $(sql_quote "${REPLICATION_PASSWORD:-}");
GRANT REPLICATION SLAVE, BINLOG MONITOR, SLAVE MONITOR ON *.* TO $(sql_quote "${REPLICATION_USER:-replicator}")@'%';
FLUSH PRIVILEGES;
EOT
elif [ "$fresh" = yes ]; then
  log "cloning $primary"
  # shellcheck disable=SC2046 # tls_args prints whole words
  {
    echo "SET SESSION sql_log_bin = 0;"
    mariadb-dump -h "${primary%:*}" -P "${primary##*:}" -u "${MYSQL_USER:-hoist}" $(tls_args) \
      --all-databases --single-transaction --gtid --master-data=1 --routines --events --triggers
    echo "FLUSH PRIVILEGES;"
  } | local_sql || die "clone from $primary failed"
  replicate_from "$self" "$primary" slave_pos
elif [ -n "$primary" ]; then
  if [ -s "$datadir/master.info" ]; then
    replicate_from "$self" "$primary" slave_pos
  else
    log "former primary: joining $primary"
    replicate_from "$self" "$primary" current_pos
  fi
elif [ -s "$datadir/master.info" ]; then
  # a replica whose primary is away: keep trying the configured source
  sql_at "$self" "START SLAVE" || true
fi

log "member ready (read_only=$(sql_at "$self" 'select @@read_only'))"
status=0
wait "$pid" || status=$?
# wait returns early when TERM arrives: wait again for the real exit
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid" || status=$?
done
exit "$status"
