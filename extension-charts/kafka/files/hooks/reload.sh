#!/bin/sh
# reload: sets name=value arguments as cluster-wide dynamic broker defaults
# (kafka-configs --entity-default), then reads them back.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

[ "$#" -gt 0 ] || die "usage: reload.sh name=value..."
configs=""
for pair in "$@"; do
  case $pair in *=*) ;; *) die "argument '$pair' is not name=value" ;; esac
  name=${pair%%=*}
  case $name in '' | *[!a-z0-9.]*) die "bad config name '$name'" ;; esac
  value=${pair#*=}
  # kafka-configs separates entries with commas: bracket values that have them
  case $value in *,*) value="[$value]" ;; esac
  configs="$configs${configs:+,}$name=$value"
done
kafka kafka-configs --entity-type brokers --entity-default --alter --add-config "$configs" >&2 ||
  die "kafka-configs refused $configs"
current=$(kafka kafka-configs --entity-type brokers --entity-default --describe)
for pair in "$@"; do
  name=${pair%%=*}
  printf '%s\n' "$current" | grep -q "[[:space:]]$name=${pair#*=}[[:space:]]" ||
    printf '%s\n' "$current" | grep -q "[[:space:]]$name=${pair#*=}$" ||
    die "$name is not ${pair#*=} after the change"
  log "reloaded $name"
done
echo reloaded
