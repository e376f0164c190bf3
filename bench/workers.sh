#!/usr/bin/env bash
# Many workers, one job: 1, 2 and 4 haul processes on one job in a shared PostgreSQL journal, against a server whose
# every connection is slow, so that more workers (more connections) should mean more speed. See `bench/workers.sh -h`.
set -euo pipefail
BENCH_NAME=workers.sh
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WW="$BENCH_WORK/workers"

FILES="${WORKERS_FILES:-120}"
COUNTS="1,2,4"
PORT="${WORKERS_PORT:-28291}"
PG_PORT="${WORKERS_PG_PORT:-28292}"
RECORD=""
BUILD=1

usage() {
  cat <<USAGE
Usage: bench/workers.sh [options]

Starts a private PostgreSQL (scripts/postgres.sh, in bench/work/workers/pg) and 'haul serve --files N
--faults slow-drip=1,max-faults-per-path=1' (every body sent at 256 KB/s a connection), then for each worker count W
runs one job: 'haul get --journal … --job wW -i URLS -o OUT1 -j 4 --per-host 16' and W-1 'haul worker' processes
(each its own folder), and times them until the last one leaves. The speed-up is files/s against one worker.
--per-host is shared by the workers of a job (divided among them): each is held by its own -j 4 until four
workers together reach the host's 16 connections.

Options:
  -n N         files (default $FILES, 1 KB to 256 KB)
  -w LIST      worker counts, comma-separated (default $COUNTS)
  -p PORT      port of the server (default $PORT)
  --no-build   use the haul already in bench/work/haul
  --record     write the results into docs/benchmarks.md (section workers)
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    -n) FILES="$2"; shift 2 ;;
    -w) COUNTS="$2"; shift 2 ;;
    -p) PORT="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --record) RECORD=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

mkdir -p "$WW"
bash "$BENCH_ROOT/scripts/postgres.sh" install
bench_build_haul "$BUILD"
bench_port_in_use "$PORT" && bench_die "port $PORT on 127.0.0.1 is already in use; pick another with -p"
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  bash "$BENCH_ROOT/scripts/postgres.sh" stop "$WW/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT
rm -rf "$WW/pg"
bash "$BENCH_ROOT/scripts/postgres.sh" start "$WW/pg" "$PG_PORT" >"$WW/pg.log" 2>&1 || bench_die "PostgreSQL did not start (see $WW/pg.log)"
JOURNAL="postgres://haul@127.0.0.1:$PG_PORT/postgres"

URLS="$WW/urls.txt"

# A fresh server for each run: its slow drip is a fault it plays once a path.
start_server() {
  [ -n "$SERVER" ] && { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
  rm -f "$URLS"
  "$BENCH_HAUL" serve --files "$FILES" --port "$PORT" --url-list "$URLS" --faults slow-drip=1,max-faults-per-path=1 >"$WW/serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do [ -s "$URLS" ] && bench_port_in_use "$PORT" && break; sleep 0.1; done
  [ -s "$URLS" ] || bench_die "the server did not start (see $WW/serve.log)"
}

HEADER="| workers | files verified | finish | files/s | speed-up | files per worker |"
ROWS=""
BASE=""
IFS=, read -r -a LIST <<<"$COUNTS"
for workers in "${LIST[@]}"; do
  bench_log "$workers worker(s)"
  job="w$workers-$$"
  rm -rf "$WW/out-$workers-"*
  start_server
  start=$(date +%s.%N)
  pids=()
  "$BENCH_HAUL" get --journal "$JOURNAL" --job "$job" -i "$URLS" -o "$WW/out-$workers-1" -j 4 --per-host 16 --no-progress -q \
    >"$WW/w$workers-1.log" 2>&1 &
  pids+=($!)
  # The job exists once the first process has added the list.
  for _ in $(seq 1 100); do
    rc=0; "$BENCH_HAUL" status --journal "$JOURNAL" --job "$job" >/dev/null 2>&1 || rc=$?
    [ "$rc" -ne 2 ] && break   # 2: no such job yet
    sleep 0.1
  done
  for i in $(seq 2 "$workers"); do
    "$BENCH_HAUL" worker --journal "$JOURNAL" --job "$job" -o "$WW/out-$workers-$i" -j 4 --per-host 16 --no-progress -q \
      >"$WW/w$workers-$i.log" 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  end=$(date +%s.%N)
  "$BENCH_HAUL" status --journal "$JOURNAL" --job "$job" >"$WW/status-$workers.txt" 2>&1 || true
  row=$(python3 - "$WW/status-$workers.txt" "$FILES" "$start" "$end" "$workers" "${BASE:-0}" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
files, start, end, workers, base = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
done = int(re.search(r"(\d+) done", text).group(1))
shares = [m for m in re.findall(r": (\d+) files done into", text)]
wall = end - start
rate = done / wall
speedup = rate / base if base else 1.0
print(f"{rate:.3f}||| {workers} | {done:,} of {files:,} | {wall:.1f} s | {rate:.1f} | {speedup:.2f}x | {', '.join(shares)} |")
PY
)
  [ -z "$BASE" ] && BASE="${row%%||*}"
  ROWS+="${row#*||}"$'\n'
done

echo "$HEADER"
echo "|---|---|---|---|---|---|"
printf '%s' "$ROWS"

if [ -n "$RECORD" ]; then
  {
    echo "## Many workers, one job (\`bench/workers.sh\`)"
    echo
    echo "\`bench/workers.sh -n $FILES -w $COUNTS --record\`: a private PostgreSQL, \`haul serve --files $FILES --faults"
    echo "slow-drip=1,max-faults-per-path=1\` (each body at 256 KB/s a connection), then for W workers one job: \`haul get"
    echo "--journal … -j 4 --per-host 16\` and W-1 \`haul worker\`, each its own folder, timed until the last one leaves (that"
    echo "includes each process's start, about a second, and the last worker's wait for the others). Target: linear to 4."
    echo "\`--per-host 16\` is shared by the workers of a job: each is held by its own \`-j 4\` until four reach the host's limit."
    echo
    bench_machine
    echo
    echo "$HEADER"
    echo "|---|---|---|---|---|---|"
    printf '%s' "$ROWS"
    echo
    cat <<'NOTE'
Reading it: not linear yet (target: linear to 4). On 2 cores the four haul processes, the server and PostgreSQL
share the CPU, each process takes about a second to start (the first has a head start, and the finish counts the last
worker's wait for the others), and each request costs a turn booked in the database (one round trip). Compare runs of
the same machine only.
NOTE
  } >"$WW/section.md"
  bench_record workers "$WW/section.md"
fi
