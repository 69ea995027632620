#!/bin/sh
# restore: loads backup $HOIST_PARAM_BACKUPNAME into the running primary.
#
# A scratch redis-server on loopback loads the RDB; every key is then copied
# into the target with MIGRATE ... COPY REPLACE (values, TTLs and types are
# carried by Redis' own serialisation). Replicas follow through replication.
# With HOIST_PARAM_FLUSH=true (default) the target is emptied first, and the
# key counts per database must then match exactly.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

dir=${HOIST_BACKUP_DIR:?HOIST_BACKUP_DIR is required}
name=${HOIST_PARAM_BACKUPNAME:?HOIST_PARAM_BACKUPNAME is required}
flush=${HOIST_PARAM_FLUSH:-true}
scratch_port=${SCRATCH_PORT:-6390}
scratch=${SCRATCH_DIR:-/tmp}/restore.$$
src=$dir/$name

[ -f "$src/dump.rdb" ] || die "backup $name not found in $dir"
(cd "$src" && sha256sum -c dump.rdb.sha256 >/dev/null) || die "backup $name fails its sha256 check"

mkdir -p "$scratch"
cp "$src/dump.rdb" "$scratch/dump.rdb"
pid=""
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

redis-server --port "$scratch_port" --bind 127.0.0.1 --dir "$scratch" --dbfilename dump.rdb \
  --save "" --appendonly no --protected-mode yes --logfile "$scratch/scratch.log" &
pid=$!

# the scratch server has no password: keep REDISCLI_AUTH away from it
scratch_cli() {
  (
    unset REDISCLI_AUTH
    redis-cli -h 127.0.0.1 -p "$scratch_port" "$@"
  )
}

tries=0
until [ "$(scratch_cli PING 2>/dev/null)" = PONG ] &&
  scratch_cli INFO persistence | tr -d '\r' | grep -qx 'loading:0'; do
  tries=$((tries + 1))
  [ "$tries" -lt 300 ] || die "scratch server did not load the RDB: $(tail -5 "$scratch/scratch.log")"
  kill -0 "$pid" 2>/dev/null || die "scratch server exited: $(tail -5 "$scratch/scratch.log")"
  sleep 0.2
done

if [ "$flush" = true ]; then
  rcli FLUSHALL >/dev/null || die "FLUSHALL on the target failed"
fi

host=${REDIS_HOST:-127.0.0.1}
port=${REDIS_PORT:-6379}
total=0
for db in $(scratch_cli INFO keyspace | tr -d '\r' | sed -n 's/^db\([0-9]*\):.*/\1/p'); do
  # MIGRATE takes the target password as an argument: it stays inside this
  # process tree on loopback, never in a file.
  scratch_cli -n "$db" --scan | {
    n=0
    set --
    while IFS= read -r key; do
      set -- "$@" "$key"
      n=$((n + 1))
      if [ "$n" -ge 500 ]; then
        scratch_cli -n "$db" MIGRATE "$host" "$port" "" "$db" 60000 COPY REPLACE AUTH "${REDIS_PASSWORD:-}" KEYS "$@" | grep -qx OK ||
          die "MIGRATE into db $db failed"
        n=0
        set --
      fi
    done
    if [ "$n" -gt 0 ]; then
      scratch_cli -n "$db" MIGRATE "$host" "$port" "" "$db" 60000 COPY REPLACE AUTH "${REDIS_PASSWORD:-}" KEYS "$@" | grep -qx OK ||
        die "MIGRATE into db $db failed"
    fi
  }
  want=$(scratch_cli -n "$db" DBSIZE)
  got=$(rcli -n "$db" DBSIZE)
  if [ "$flush" = true ] && [ "$want" != "$got" ]; then
    die "db $db: backup holds $want keys, target has $got after restore"
  fi
  total=$((total + want))
  log "db $db: $want keys restored"
done
echo "restored $total keys from $name"
