#!/bin/sh
# failover / switchover: asks Sentinel to promote a replica and waits until
# Sentinel reports the new primary.
#
# HOIST_PARAM_CANDIDATE (optional): the replica to promote, as pod name, pod
# DNS name or host:port. Sentinel has no "promote this one", so every other
# replica gets replica-priority 0 (never promoted) for the duration, and the
# old priorities are put back afterwards whatever happens.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

set_name=$(master_set)
timeout=${HOIST_FAILOVER_TIMEOUT:-60}
candidate=${HOIST_PARAM_CANDIDATE:-}

primary_addr() {
  scli SENTINEL get-master-addr-by-name "$set_name" | tr '\n' ' ' | sed 's/ *$//'
}

old=$(primary_addr) || die "Sentinel does not answer"
[ -n "$old" ] || die "Sentinel does not monitor $set_name"
log "current primary: $old"

# replicas as "host port" lines, from SENTINEL REPLICAS (flat field/value list)
replicas=$(scli SENTINEL REPLICAS "$set_name" | awk '
  /^ip$/ {getline; ip=$0; next}
  /^port$/ {getline; print ip, $0}')

restore_list=""
restore_priorities() {
  printf '%s' "$restore_list" | while read -r host port prio; do
    [ -n "$host" ] || continue
    rcli_at "$host" "$port" CONFIG SET replica-priority "$prio" >/dev/null || log "could not restore replica-priority on $host:$port"
  done
}

if [ -n "$candidate" ]; then
  found=no
  while read -r host port; do
    [ -n "$host" ] || continue
    case $host in
      "$candidate" | "$candidate".*) found=yes ;;
    esac
    case "$host:$port" in
      "$candidate") found=yes ;;
    esac
  done <<EOT
$replicas
EOT
  [ "$found" = yes ] || die "candidate '$candidate' is not a replica of $set_name"
  trap restore_priorities EXIT
  while read -r host port; do
    [ -n "$host" ] || continue
    prio=$(rcli_at "$host" "$port" CONFIG GET replica-priority | sed -n 2p)
    restore_list="$restore_list$host $port $prio
"
    case "$host" in
      "$candidate" | "$candidate".*) new_prio=1 ;;
      *) new_prio=0 ;;
    esac
    [ "$host:$port" != "$candidate" ] || new_prio=1
    rcli_at "$host" "$port" CONFIG SET replica-priority "$new_prio" >/dev/null
  done <<EOT
$replicas
EOT
fi

if [ -n "$candidate" ]; then
  # Sentinel reads replica priorities from INFO, every 10 s: wait until it
  # has seen the new ones, or it may promote the wrong replica.
  waited=0
  until [ "$(scli SENTINEL REPLICAS "$set_name" | awk '
    /^ip$/ {getline; ip=$0; next}
    /^port$/ {getline; port=$0; next}
    /^slave-priority$/ {getline; print ip, port, $0}' | while read -r host port prio; do
    want=0
    case $host in "$candidate" | "$candidate".*) want=1 ;; esac
    [ "$host:$port" != "$candidate" ] || want=1
    [ "$prio" = "$want" ] || echo stale
  done)" = "" ]; do
    waited=$((waited + 1))
    [ "$waited" -lt 30 ] || die "Sentinel did not pick up the new replica priorities"
    sleep 1
  done
fi

# A planned failover should lose nothing: give the replicas up to 10 s to
# reach the primary's replication offset before Sentinel switches.
# shellcheck disable=SC2086 # "host port"
target_offset=$(rcli_at $old INFO replication | tr -d '\r' | sed -n 's/^master_repl_offset://p') || target_offset=""
if [ -n "$target_offset" ]; then
  waited=0
  while scli SENTINEL REPLICAS "$set_name" | awk '
    /^ip$/ {getline; ip=$0; next}
    /^port$/ {getline; print ip, $0}' | while read -r host port; do
    off=$(rcli_at "$host" "$port" INFO replication | tr -d '\r' | sed -n 's/^slave_repl_offset://p') || off=0
    [ "${off:-0}" -ge "$target_offset" ] || echo behind
  done | grep -q behind; do
    waited=$((waited + 1))
    if [ "$waited" -ge 50 ]; then
      log "replicas still behind offset $target_offset; failing over anyway"
      break
    fi
    sleep 0.2
  done
fi

scli SENTINEL FAILOVER "$set_name" >/dev/null || die "SENTINEL FAILOVER refused"

waited=0
while :; do
  now=$(primary_addr) || now=""
  if [ -n "$now" ] && [ "$now" != "$old" ]; then
    # shellcheck disable=SC2086 # "host port"
    role=$(rcli_at $now INFO replication | tr -d '\r' | sed -n 's/^role://p') || role=""
    if [ "$role" = master ]; then
      break
    fi
  fi
  waited=$((waited + 1))
  [ "$waited" -lt "$timeout" ] || die "no new primary after ${timeout}s"
  sleep 1
done
log "new primary: $now"
echo "$now"
