#!/bin/sh
# failover / switchover, over SQL only (runs from any member or Job):
#   1. find the primary among the members; if it answers (switchover), fence
#      it: hoist.fenced=on and default_transaction_read_only=on, reload,
#      terminate client sessions, and wait until the candidate has replayed
#      everything it wrote;
#   2. promote the candidate (HOIST_PARAM_CANDIDATE, else the standby with the
#      most WAL received) with pg_promote();
#   3. repoint the other standbys (primary_conninfo, reload; timeline
#      'latest' follows the promotion).
# The fenced former primary fails its liveness probe, restarts, and
# pg-start.sh rewinds it into a standby of the new primary.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

candidate=${HOIST_PARAM_CANDIDATE:-}
timeout=${HOIST_FAILOVER_TIMEOUT:-60}

old=""
standbys=""
for m in $(members); do
  case $(role_of "$m") in
    primary) old=$m ;;
    replica) standbys="$standbys $m" ;;
  esac
done
[ -n "$standbys" ] || die "no standby to promote"

if [ -n "$candidate" ]; then
  match=""
  for m in $standbys; do
    case $m in "$candidate" | "$candidate".* | "$candidate":*) match=$m ;; esac
  done
  [ -n "$match" ] || die "candidate '$candidate' is not a running standby"
  candidate=$match
else
  best=-1
  for m in $standbys; do
    lsn=$(sql_at "$m" "select coalesce(pg_wal_lsn_diff(greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), '0/0'), 0)::bigint") || continue
    if [ "$lsn" -gt "$best" ]; then
      best=$lsn
      candidate=$m
    fi
  done
fi
log "promoting $candidate (old primary: ${old:-unreachable})"

if [ -n "$old" ]; then
  sql_at "$old" "ALTER SYSTEM SET hoist.fenced = 'on'" >/dev/null
  sql_at "$old" "ALTER SYSTEM SET default_transaction_read_only = 'on'" >/dev/null
  sql_at "$old" "select pg_reload_conf()" >/dev/null
  # sessions keep their read-write default: end them, then wait until no
  # new WAL can appear and the candidate has replayed all of it
  sleep 0.5
  sql_at "$old" "select count(pg_terminate_backend(pid)) from pg_stat_activity
    where backend_type = 'client backend' and pid <> pg_backend_pid()" >/dev/null
  target=$(sql_at "$old" "select pg_current_wal_lsn()")
  waited=0
  until [ "$(sql_at "$candidate" "select pg_last_wal_replay_lsn() >= '$target'::pg_lsn")" = t ]; do
    waited=$((waited + 1))
    [ "$waited" -lt $((timeout * 5)) ] || die "candidate did not catch up with $target; old primary stays fenced"
    sleep 0.2
  done
fi

[ "$(sql_at "$candidate" "select pg_promote(true, $timeout)")" = t ] || die "pg_promote failed on $candidate"
# make the new timeline durable in the control file now (pg_rewind of the
# former primary reads it from there)
sql_at "$candidate" "CHECKPOINT" >/dev/null || log "CHECKPOINT on $candidate failed"

for m in $standbys; do
  [ "$m" != "$candidate" ] || continue
  conninfo=$(conninfo_for "$candidate" "$(printf '%s' "${m%%.*}" | tr ':' '_')")
  sql_at "$m" "ALTER SYSTEM SET primary_conninfo = $(conf_quote "$conninfo")" >/dev/null || log "could not repoint $m"
  sql_at "$m" "select pg_reload_conf()" >/dev/null || true
done
echo "$candidate"
