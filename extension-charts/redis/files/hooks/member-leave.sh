#!/bin/sh
# memberLeave, run in a Sentinel container.
#   HOIST_HOOK_PHASE=before: the member is about to go. If it is the primary,
#     fail over to another replica first; then give it replica-priority 0 so
#     Sentinel never promotes it while it shuts down.
#   HOIST_HOOK_PHASE=after: the member is gone; SENTINEL RESET on every
#     Sentinel so they forget it (else they keep counting it as a replica).
# HOIST_PARAM_MEMBER: pod name (or DNS name) of the leaving member.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

member=${HOIST_PARAM_MEMBER:?HOIST_PARAM_MEMBER is required}
set_name=$(master_set)

# matches HOST PORT: the member given as pod name, DNS name or host:port
matches() {
  case $1 in "$member" | "$member".*) return 0 ;; esac
  [ "$1:$2" = "$member" ]
}

case ${HOIST_HOOK_PHASE:-before} in
  before)
    primary=$(scli SENTINEL get-master-addr-by-name "$set_name" | tr '\n' ' ')
    # shellcheck disable=SC2086 # "host port"
    set -- $primary
    if matches "$1" "$2"; then
      log "$member is the primary: failing over first"
      HOIST_PARAM_CANDIDATE="" sh "$(dirname "$0")/failover.sh" >/dev/null
      target="$1 $2"
    else
      target=$(scli SENTINEL REPLICAS "$set_name" | awk '
        /^ip$/ {getline; ip=$0; next}
        /^port$/ {getline; print ip, $0}' | while read -r host port; do
        if matches "$host" "$port"; then
          echo "$host $port"
          break
        fi
      done)
    fi
    [ -n "$target" ] || die "no member matches $member"
    # shellcheck disable=SC2086 # "host port"
    rcli_at $target CONFIG SET replica-priority 0 >/dev/null || die "could not lower the priority of $target"
    ;;
  after)
    sentinels=$(scli SENTINEL SENTINELS "$set_name" | awk '
      /^ip$/ {getline; ip=$0; next}
      /^port$/ {getline; print ip, $0}')
    scli SENTINEL RESET "$set_name" >/dev/null
    printf '%s\n' "$sentinels" | while read -r host port; do
      [ -n "$host" ] || continue
      rcli_at "$host" "$port" SENTINEL RESET "$set_name" >/dev/null || log "Sentinel $host:$port did not reset"
    done
    ;;
  *) die "unknown HOIST_HOOK_PHASE '$HOIST_HOOK_PHASE'" ;;
esac
echo ok
