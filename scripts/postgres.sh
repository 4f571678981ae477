#!/usr/bin/env bash
# A private PostgreSQL cluster on 127.0.0.1 for tests and benchmarks (see ../shared/DEPENDENCIES.md).
#   scripts/postgres.sh install          install Debian's postgresql when initdb is missing (idempotent)
#   scripts/postgres.sh start DIR        start a cluster with its data in DIR on a free port; prints its connection string
#   scripts/postgres.sh stop DIR         stop the cluster started in DIR (safe to call twice)
# The cluster trusts every local connection (loopback only, tests only): the connection string has no password.
set -euo pipefail

pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

free_port() {
  python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

install() {
  if pg_bin >/dev/null; then
    return 0
  fi
  echo "installing postgresql (Debian package)..." >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2
  # The package may create and start a default cluster where an init system exists; the tests use their own.
  $sudo service postgresql stop >/dev/null 2>&1 || true
  pg_bin >/dev/null || { echo "postgresql installed but no initdb found under /usr/lib/postgresql" >&2; return 1; }
}

# Runs a command as the postgres user (initdb and the server refuse root).
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    su -s /bin/bash postgres -c "$*"
  else
    bash -c "$*"
  fi
}

start() {
  local dir bin port
  dir=$(realpath -m "$1")
  bin=$(pg_bin) || { echo "initdb not found: run scripts/postgres.sh install" >&2; return 1; }
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$dir"
    chmod 700 "$dir"
  fi
  as_postgres "'$bin/initdb' -D '$dir/data' -U sync --auth=trust -E UTF8 --no-instructions" > "$dir/initdb.log" 2>&1 || {
    echo "initdb failed:" >&2; cat "$dir/initdb.log" >&2; return 1; }
  port=$(free_port)
  # fsync off: a test cluster is thrown away, durability across power loss buys nothing here.
  if ! as_postgres "'$bin/pg_ctl' -D '$dir/data' -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=off -c max_connections=200\" -l '$dir/log' -w -t 60 start" >/dev/null 2>&1; then
    echo "postgres did not start; last lines of its log:" >&2
    tail -n 30 "$dir/log" >&2 || true
    return 1
  fi
  echo "$bin" > "$dir/bin"
  echo "Host=127.0.0.1;Port=$port;Username=sync;Database=postgres"
}

stop() {
  local dir bin
  dir=$(realpath -m "$1")
  [ -f "$dir/bin" ] || return 0
  bin=$(cat "$dir/bin")
  as_postgres "'$bin/pg_ctl' -D '$dir/data' -m fast -w stop" >/dev/null 2>&1 || true
  rm -f "$dir/bin"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: postgres.sh start DIR}" ;;
  stop) stop "${2:?usage: postgres.sh stop DIR}" ;;
  *) echo "usage: $0 install | start DIR | stop DIR" >&2; exit 2 ;;
esac
