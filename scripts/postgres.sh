#!/usr/bin/env bash
# A private PostgreSQL cluster for tests and scripts, never the system's.
#   scripts/postgres.sh install          install Debian's postgresql when no initdb is found (needs root and apt-get)
#   scripts/postgres.sh bin              print the folder of initdb and pg_ctl
#   scripts/postgres.sh start DIR PORT   create (once) and start a cluster in DIR: user haul, trust authentication,
#                                        127.0.0.1:PORT only, its unix socket in DIR, fsync off (for tests only)
#   scripts/postgres.sh stop DIR         stop the cluster in DIR
# As root, initdb and postgres run as the user postgres (Debian's package makes it), since PostgreSQL refuses root.
set -euo pipefail

find_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
    return 0
  fi
  return 1
}

install() {
  if find_bin >/dev/null; then return 0; fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "postgres.sh: PostgreSQL is not installed and apt-get is not available to install it" >&2
    return 1
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "postgres.sh: installing Debian's postgresql" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  find_bin >/dev/null
}

# Runs a command as the cluster's user: the caller, or postgres when the caller is root.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
      useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    fi
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local dir=$1 port=$2 bin
  bin=$(find_bin) || { echo "postgres.sh: initdb not found (run: scripts/postgres.sh install)" >&2; return 1; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    chown postgres "$dir"
    runuser -u postgres -- test -w "$dir" \
      || { echo "postgres.sh: the user postgres cannot reach $dir (a parent folder is closed to it)" >&2; return 1; }
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U haul -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; return 1; }
  fi
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$dir/postgres.log" >&2; return 1; }
}

stop() {
  local dir=$1 bin
  bin=$(find_bin) || return 1
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
}

case "${1:-}" in
  install) install ;;
  bin) find_bin ;;
  start) [ $# -eq 3 ] || { echo "usage: $0 start DIR PORT" >&2; exit 2; }; start "$2" "$3" ;;
  stop) [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; stop "$2" ;;
  *) echo "usage: $0 install | bin | start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
