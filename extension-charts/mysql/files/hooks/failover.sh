#!/bin/sh
# failover / switchover over SQL (runs from any member or Job):
#   1. find the primary; if it answers (switchover) fence it: read_only=1,
#      end client sessions, and wait (MASTER_GTID_WAIT) until the candidate
#      has applied its last GTID;
#   2. promote the candidate (HOIST_PARAM_CANDIDATE, else the replica with
#      the highest GTID sequence): STOP SLAVE, RESET SLAVE ALL, read_only=0;
#   3. point every other member at it (GTID slave_pos; the former primary
#      with current_pos, so its own binlog counts).
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

candidate=${HOIST_PARAM_CANDIDATE:-}
timeout=${HOIST_FAILOVER_TIMEOUT:-60}

old=""
replicas=""
for m in $(members); do
  case $(role_of "$m") in
    primary) old=$m ;;
    replica) replicas="$replicas $m" ;;
  esac
done
[ -n "$replicas" ] || die "no replica to promote"

if [ -n "$candidate" ]; then
  match=""
  for m in $replicas; do
    case $m in "$candidate" | "$candidate".* | "$candidate":*) match=$m ;; esac
  done
  [ -n "$match" ] || die "candidate '$candidate' is not a running replica"
  candidate=$match
else
  best=-1
  for m in $replicas; do
    seq=$(sql_at "$m" "select @@gtid_slave_pos" | tr ',' '\n' | awk -F- '{ if ($3 > max) max = $3 } END { print max + 0 }') || continue
    if [ "$seq" -gt "$best" ]; then
      best=$seq
      candidate=$m
    fi
  done
fi
log "promoting $candidate (old primary: ${old:-unreachable})"

if [ -n "$old" ]; then
  sql_at "$old" "SET GLOBAL read_only = 1"
  for id in $(sql_at "$old" "select id from information_schema.processlist
      where command not in ('Binlog Dump', 'Daemon', 'Slave_IO', 'Slave_SQL', 'Slave_worker')
      and user not in ('system user', 'event_scheduler') and id <> connection_id()"); do
    sql_at "$old" "KILL CONNECTION $id" 2>/dev/null || true
  done
  pos=$(sql_at "$old" "select @@gtid_binlog_pos")
  if [ -n "$pos" ]; then
    [ "$(sql_at "$candidate" "select master_gtid_wait($(sql_quote "$pos"), $timeout)")" = 0 ] ||
      die "candidate did not reach $pos; old primary stays read-only"
  fi
fi

sql_at "$candidate" "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only = 0" || die "promotion of $candidate failed"

for m in $replicas; do
  [ "$m" != "$candidate" ] || continue
  replicate_from "$m" "$candidate" slave_pos || log "could not repoint $m"
done
if [ -n "$old" ]; then
  replicate_from "$old" "$candidate" current_pos || log "could not attach the former primary $old"
fi
echo "$candidate"
