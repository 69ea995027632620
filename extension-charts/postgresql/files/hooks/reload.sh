#!/bin/sh
# reload: ALTER SYSTEM SET for each name=value argument (name= resets it),
# then pg_reload_conf(). ALTER SYSTEM validates the value; afterwards the hook
# waits until the server runs with the value from postgresql.auto.conf, and a
# parameter that needs a restart (pending_restart) fails the hook.
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

[ "$#" -gt 0 ] || die "usage: reload.sh name=value..."
for pair in "$@"; do
  case $pair in *=*) ;; *) die "argument '$pair' is not name=value" ;; esac
  name=${pair%%=*}
  case $name in '' | *[!a-z0-9_.]*) die "bad parameter name '$name'" ;; esac
  value=${pair#*=}
  case $value in true) value=on ;; false) value=off ;; esac
  if [ -z "$value" ]; then
    sql -c "ALTER SYSTEM RESET $name" || die "ALTER SYSTEM RESET $name failed"
  else
    sql -c "ALTER SYSTEM SET $name = $(conf_quote "$value")" || die "ALTER SYSTEM SET $name failed"
  fi
done
[ "$(sql -c 'select pg_reload_conf()')" = t ] || die "pg_reload_conf() failed"

# The postmaster applies the file asynchronously: poll from fresh sessions.
for pair in "$@"; do
  name=${pair%%=*}
  tries=0
  while :; do
    row=$(sql -c "select pending_restart, coalesce(sourcefile, '') like '%postgresql.auto.conf'
      from pg_settings where name = '$name'")
    case $row in
      t\|*) die "$name needs a restart to change (static parameter)" ;;
      "f|t") [ -n "${pair#*=}" ] && break ;;
      "f|f") [ -z "${pair#*=}" ] && break ;;
      "") die "unknown parameter $name" ;;
    esac
    tries=$((tries + 1))
    [ "$tries" -lt 100 ] || die "$name was not applied by the server"
    sleep 0.1
  done
  log "reloaded $name=$(sql -c "select current_setting('$name')")"
done
echo reloaded
