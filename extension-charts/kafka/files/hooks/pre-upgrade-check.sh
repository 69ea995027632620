#!/bin/sh
# preUpgradeCheck: refuses (exit 1, reason on stdout) while partitions are
# under-replicated or offline: rolling a broker then could lose availability.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

under=$(kafka kafka-topics --describe --under-replicated-partitions) || { echo "not ready for upgrade: cluster does not answer"; exit 1; }
offline=$(kafka kafka-topics --describe --unavailable-partitions)
if [ -n "$under" ]; then
  echo "not ready for upgrade: $(printf '%s\n' "$under" | wc -l | tr -d ' ') under-replicated partitions"
  exit 1
fi
if [ -n "$offline" ]; then
  echo "not ready for upgrade: $(printf '%s\n' "$offline" | wc -l | tr -d ' ') offline partitions"
  exit 1
fi
echo ok
