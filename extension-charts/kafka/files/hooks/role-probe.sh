#!/bin/sh
# roleProbe: "primary" on the active KRaft controller, "replica" elsewhere.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

leader=$(kafka kafka-metadata-quorum describe --status | sed -n 's/^LeaderId:[[:space:]]*//p') ||
  die "cannot read the quorum status"
[ -n "$leader" ] || die "no quorum leader"
if [ "$leader" = "${POD_NAME##*-}" ]; then echo primary; else echo replica; fi
