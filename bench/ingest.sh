#!/usr/bin/env bash
# Haul ingest benchmark: how fast a list streams into the journal, and how fast 'haul status' answers on it.
# See usage() below or run `bench/ingest.sh -h`.
set -euo pipefail
BENCH_NAME=ingest.sh
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${INGEST_N:-1000000}"
PORT="${INGEST_PORT:-28097}"
RECORD=""
BUILD=1

usage() {
  cat <<USAGE
Usage: bench/ingest.sh [options]

Writes an N-line list of distinct URLs (1,000 a folder) on a loopback server that accepts connections and never
answers, and runs 'haul get -i LIST -j 2 --header-timeout 3600': the two workers wait on their first requests, so
what the run does is ingest. It polls 'haul status' until the journal holds all N items and reports the ingest rate
(lines per second, .NET start-up included), then times 'haul status' on the N-item job (best of 3).

Options (environment variable in brackets):
  -n N            lines in the list                      [INGEST_N, default 1000000]
  -p PORT         port of the silent server on 127.0.0.1 [INGEST_PORT, default 28097]
  --record LABEL  write the results into docs/benchmarks.md, section "ingest LABEL"
  --no-build      reuse bench/work/haul/haul
  -h, --help      show this help
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    -n) N="$2"; shift 2 ;;
    -p) PORT="$2"; shift 2 ;;
    --record) RECORD="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) bench_die "unknown option $1 (see -h)" ;;
  esac
done

bench_install_packages
bench_build_haul "$BUILD"
work="$BENCH_WORK/ingest"
rm -rf "$work"; mkdir -p "$work"
list="$work/urls.txt"
bench_log "writing $N URLs"
python3 - "$N" "$PORT" > "$list" <<'PY'
import sys
n, port = int(sys.argv[1]), sys.argv[2]
w = sys.stdout.write
for i in range(n):
    w(f"http://127.0.0.1:{port}/s/{i // 1000:05d}/{i:08d}.jpg\n")
PY

# A server that accepts and never answers: the workers wait, the ingest runs alone.
python3 - "$PORT" <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
held = []
while True:
    c, _ = s.accept(); held.append(c)
PY
silent=$!
trap 'kill $silent 2>/dev/null || true; [ -n "${haul_pid:-}" ] && kill -9 $haul_pid 2>/dev/null || true' EXIT
sleep 0.5

out="$work/out"
start=$(date +%s.%N)
"$BENCH_HAUL" get -i "$list" -o "$out" -j 2 --per-host 2 --header-timeout 3600 -q > "$work/get.log" 2>&1 &
haul_pid=$!
ingested=""
while kill -0 $haul_pid 2>/dev/null; do
  sleep 0.5
  line=$("$BENCH_HAUL" status "$out" 2>/dev/null | head -n 1 || true)
  total=$(printf '%s' "$line" | sed -n 's/.* of \([0-9]*\).*/\1/p')
  if [ "${total:-0}" -ge "$N" ]; then
    ingested=$(date +%s.%N)
    break
  fi
done
[ -n "$ingested" ] || bench_die "haul ended before the journal held $N items (see $work/get.log)"
kill -9 $haul_pid 2>/dev/null || true
wait $haul_pid 2>/dev/null || true
seconds=$(python3 -c "print(f'{$ingested - $start:.1f}')")
rate=$(python3 -c "print(f'{$N / ($ingested - $start):,.0f}')")
best=""
for _ in 1 2 3; do
  t0=$(date +%s.%N); "$BENCH_HAUL" status "$out" > /dev/null 2>&1 || true; t1=$(date +%s.%N)
  t=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
  if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $t < $best else 1)"; then best=$t; fi
done
result="| $N | $seconds s | $rate lines/s | $best s |"
bench_log "$result"
if [ -n "$RECORD" ]; then
  {
    echo "Command: \`bench/ingest.sh -n $N --record $RECORD\` ($(date -u +'%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg))"
    echo
    echo "| lines | until all are in the journal (start-up included) | rate | \`haul status\` (best of 3) |"
    echo "|---|---|---|---|"
    echo "$result"
  } > "$work/section.md"
  bench_record "ingest $RECORD" "$work/section.md"
fi
