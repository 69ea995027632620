#!/bin/sh
# reload: applies dynamic parameters to the running server with CONFIG SET.
# Arguments: name=value pairs (the operator passes the changed dynamic
# parameters). Every value is read back; a mismatch fails the hook.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

[ "$#" -gt 0 ] || die "usage: reload.sh name=value..."

for pair in "$@"; do
  case $pair in
    *=*) ;;
    *) die "argument '$pair' is not name=value" ;;
  esac
  name=${pair%%=*}
  value=$(redis_value "${pair#*=}")
  rcli CONFIG SET "$name" "$value" >/dev/null || die "CONFIG SET $name failed"
done

for pair in "$@"; do
  name=${pair%%=*}
  want=$(redis_value "${pair#*=}")
  got=$(rcli CONFIG GET "$name" | sed -n 2p)
  # Redis normalises memory sizes to bytes; accept the server's spelling
  # when the wanted value is a size with a unit.
  case $want in
    *[kKmMgG][bB] | *[kKmMgG]) ;;
    *) [ "$got" = "$want" ] || die "$name is '$got' after CONFIG SET, wanted '$want'" ;;
  esac
  log "reloaded $name=$got"
done
echo reloaded
