#!/bin/sh
# reload: SET GLOBAL for each name=value argument, then reads every value
# back. A read-only (static) variable fails the hook with the server's error.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

upper() { printf '%s' "$1" | tr '[:lower:]' '[:upper:]'; }
is_number() { printf '%s' "$1" | grep -Eq '^-?[0-9]+(\.[0-9]+)?$'; }

[ "$#" -gt 0 ] || die "usage: reload.sh name=value..."
for pair in "$@"; do
  case $pair in *=*) ;; *) die "argument '$pair' is not name=value" ;; esac
  name=${pair%%=*}
  case $name in '' | *[!a-z0-9_]*) die "bad variable name '$name'" ;; esac
  value=${pair#*=}
  case $value in
    true) value=ON ;;
    false) value=OFF ;;
  esac
  if is_number "$value"; then
    literal=$value
  else
    literal=$(sql_quote "$value")
  fi
  sql "SET GLOBAL $name = $literal" || die "SET GLOBAL $name failed"
  got=$(sql "select @@GLOBAL.$name")
  want=$value
  case $want in ON) want=1 ;; OFF) want=0 ;; esac
  case $got in ON) got=1 ;; OFF) got=0 ;; esac
  if is_number "$want" && is_number "$got"; then
    # the server rounds some sizes to block multiples: accept 1%
    awk -v w="$want" -v g="$got" 'BEGIN { d = w - g; if (d < 0) d = -d; exit !(d <= w / 100 + 0.000001) }' ||
      die "$name is '$got' after SET GLOBAL, wanted '$want'"
  elif [ "$(upper "$got")" != "$(upper "$want")" ]; then
    die "$name is '$got' after SET GLOBAL, wanted '$want'"
  fi
  log "reloaded $name=$got"
done
echo reloaded
