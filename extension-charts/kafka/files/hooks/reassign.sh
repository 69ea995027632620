#!/bin/sh
# memberJoin (after) / memberLeave (before): spreads every topic's partitions
# over the brokers that stay, with kafka-reassign-partitions, throttled, and
# waits until the reassignment is complete (which also removes the throttle).
# HOIST_PARAM_MEMBER: the leaving pod (memberLeave); its broker gets nothing.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
leaving=""
if [ "${HOIST_OP:-memberJoin}" = memberLeave ] || [ -n "${HOIST_PARAM_MEMBER:-}" ]; then
  leaving=${HOIST_PARAM_MEMBER##*-}
fi

brokers=$(broker_ids | grep -vx "${leaving:-none}" | paste -sd, -)
[ -n "$brokers" ] || die "no broker left to move partitions to"
topics=$(kafka kafka-topics --list)
if [ -z "$topics" ]; then
  echo "no topics"
  exit 0
fi
{
  printf '{"version":1,"topics":['
  printf '%s\n' "$topics" | awk 'NR > 1 {printf ","} {printf "{\"topic\":\"%s\"}", $0}'
  printf ']}\n'
} >"$work/topics.json"

kafka kafka-reassign-partitions --topics-to-move-json-file "$work/topics.json" --broker-list "$brokers" \
  --generate >"$work/generate.out" || die "could not generate a plan"
sed -n '/^Proposed partition reassignment configuration/{n;p;}' "$work/generate.out" >"$work/plan.json"
[ -s "$work/plan.json" ] || die "no plan in: $(cat "$work/generate.out")"

log "moving partitions onto brokers $brokers"
kafka kafka-reassign-partitions --reassignment-json-file "$work/plan.json" --execute \
  --throttle "${HOIST_REASSIGN_THROTTLE:-50000000}" >&2 || die "reassignment refused"
tries=0
until kafka kafka-reassign-partitions --reassignment-json-file "$work/plan.json" --verify >"$work/verify.out" 2>&1 &&
  ! grep -q 'in progress' "$work/verify.out"; do
  tries=$((tries + 1))
  [ "$tries" -lt "${HOIST_REASSIGN_POLLS:-1440}" ] || die "reassignment still running: $(tail -3 "$work/verify.out")"
  sleep "${HOIST_REASSIGN_INTERVAL:-5}"
done
echo "reassigned onto $brokers"
