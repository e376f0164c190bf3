#!/usr/bin/env bash
# Haul at scale: peak RSS, wall time and URLs/s of `haul get` on lists of N distinct URLs that nginx answers at once
# with a tiny file, the time of `haul status` on the job, and how fast a very long list is ingested.
# See usage() below or run `bench/scale.sh -h`.
set -euo pipefail
BENCH_NAME=scale.sh
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SW="$BENCH_WORK/scale"

SIZES="${SCALE_SIZES:-20000,200000}"
INGEST="${SCALE_INGEST:-}"
INGEST_RUN="${SCALE_INGEST_RUN:-3}"
PORT="${SCALE_PORT:-28090}"
J="${SCALE_J:-64}"
STATUS_REPS="${SCALE_STATUS_REPS:-3}"
RUN_TIMEOUT="${SCALE_TIMEOUT:-3600}"
OUT="${SCALE_OUT:-$SW/out}"
RECORD=""
BUILD=1
ARGS=("$@")

usage() {
  cat <<EOF
Usage: bench/scale.sh [options]

For each N of -n: writes a list of N distinct URLs (http://127.0.0.1:PORT/s/DDD/NNNNNNNN.jpg,
1,000 a folder), which nginx answers at once with the same 86-byte JPEG-like file, and runs

  haul get -i LIST -o OUT -j 64 --per-host 64 --no-progress -q

under /usr/bin/time -v (peak RSS, wall, user and system time), counts the files it wrote,
then times 'haul status OUT' (best of several). Only the command line is used, so it
measures whatever the engine is.

With --ingest N it also measures ingestion: 'haul get' on an N-line list against a server
that logs the time of every request; the time from start to the first request is the
ingest time (.NET start-up included). The job is interrupted (SIGINT) a few seconds after
its first request, and 'haul status' is timed on it (N items, most still pending).

Options (environment variable in brackets):
  -n LIST         list sizes, comma-separated                [SCALE_SIZES, default 20000,200000]
  --ingest N      also measure ingesting an N-line list      [SCALE_INGEST, e.g. 10000000]
  --ingest-run S  seconds the ingest job runs after its first request [SCALE_INGEST_RUN, default 3]
  -j N            -j and --per-host of haul                  [SCALE_J, default 64]
  -p PORT         nginx port on 127.0.0.1; PORT+1 logs times [SCALE_PORT, default 28090]
  -o DIR          haul's output folder (deleted after each run) [SCALE_OUT, default bench/work/scale/out]
  --status-reps N runs of 'haul status' (best taken)         [SCALE_STATUS_REPS, default 3]
  -T SECONDS      give up on a run after this                [SCALE_TIMEOUT, default 3600]
  --record LABEL  write the results into docs/benchmarks.md, section "scale LABEL"
  --no-build      reuse bench/work/haul/haul instead of running dotnet publish
  -h, --help      show this help

Examples:
  bench/scale.sh --record before                       # 20k and 200k
  bench/scale.sh -n 20000,200000,1000000 --ingest 10000000 --record after
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    -n) SIZES="$2"; shift 2 ;;
    --ingest) INGEST="$2"; shift 2 ;;
    --ingest-run) INGEST_RUN="$2"; shift 2 ;;
    -j) J="$2"; shift 2 ;;
    -p) PORT="$2"; shift 2 ;;
    -o) OUT="$2"; shift 2 ;;
    --status-reps) STATUS_REPS="$2"; shift 2 ;;
    -T) RUN_TIMEOUT="$2"; shift 2 ;;
    --record) RECORD="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "scale.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$SIZES" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "scale.sh: -n expects e.g. 20000,200000" >&2; exit 2; }
[[ -z "$INGEST" || "$INGEST" =~ ^[1-9][0-9]*$ ]] || { echo "scale.sh: --ingest expects a number of lines" >&2; exit 2; }
for v in INGEST_RUN J PORT STATUS_REPS RUN_TIMEOUT; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "scale.sh: $v must be a positive integer (got '${!v}')" >&2; exit 2; }
done
[[ -z "$RECORD" || "$RECORD" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "scale.sh: --record expects a label like 'before'" >&2; exit 2; }
IFS=, read -r -a SIZE_LIST <<<"$SIZES"
INGEST_PORT=$((PORT + 1))

bench_install_packages
mkdir -p "$SW/www" "$SW/lists" "$SW/results"
OUT_PARENT="$(dirname "$OUT")"
mkdir -p "$OUT_PARENT"

# The one file every URL gets: JPEG SOI + APP0/JFIF header, 64 seeded bytes, EOI.
python3 - "$SW/www/tiny.jpg" <<'PY'
import random, sys
head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
open(sys.argv[1], "wb").write(head + random.Random(20261127).randbytes(64) + b"\xff\xd9")
PY
chmod -R a+rX "$SW/www"

# A list of N distinct URLs on PORT, made once.
url_list() {  # n port -> path
  local n="$1" port="$2" f="$SW/lists/urls-$1-$2.txt"
  if [ ! -s "$f" ]; then
    bench_log "writing $n URLs to ${f#$BENCH_ROOT/}"
    awk -v n="$n" -v b="http://127.0.0.1:$port/s/" \
      'BEGIN { for (i = 1; i <= n; i++) printf "%s%03d/%08d.jpg\n", b, i % 1000, i }' >"$f.tmp"
    mv "$f.tmp" "$f"
  fi
  echo "$f"
}

trap bench_cleanup EXIT
trap 'exit 130' INT TERM
STAMP_LOG="$BENCH_WORK/nginx-scale/requests.log"
bench_nginx_start scale "$PORT" "$INGEST_PORT" <<EOF
  log_format stamp '\$msec';
  server {
    listen 127.0.0.1:$PORT backlog=4096;
    root $SW/www;
    location /s/ { try_files /tiny.jpg =404; }
    location / { return 404; }
  }
  server {
    listen 127.0.0.1:$INGEST_PORT backlog=4096;
    access_log $STAMP_LOG stamp;
    root $SW/www;
    location /s/ { try_files /tiny.jpg =404; }
    location / { return 404; }
  }
EOF
curl -sf -o /dev/null "http://127.0.0.1:$PORT/s/001/00000001.jpg" || bench_die "nginx does not serve (see $BENCH_WORK/nginx-scale/error.log)"
bench_build_haul "$BUILD"

RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)"
RES="$SW/results/$RUN_ID"
mkdir -p "$RES"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
HOST_DIR="127.0.0.1_$PORT"

# Reads a /usr/bin/time -v file: "wall_s rss_kib user_s sys_s".
read_time_v() {
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
    /Maximum resident set size/ { r = $2 }
    /User time \(seconds\)/ { u = $2 }
    /System time \(seconds\)/ { s = $2 }
    END { printf "%.2f %d %.2f %.2f\n", w, r, u, s }' "$1"
}

# Best of STATUS_REPS runs of `haul status DIR`: "seconds rc"; its output goes to FILE.
time_status() {  # dir file
  local best="" k rc=0 t
  for k in $(seq "$STATUS_REPS"); do
    rc=0
    /usr/bin/time -f '%e' -o "$2.time" timeout -k 5 300 "$BENCH_HAUL" status "$1" >"$2" 2>&1 || rc=$?
    t="$(tail -1 "$2.time")"
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a < b)}'; then best="$t"; fi
  done
  echo "$best $rc"
}

HAUL_ARGS=(-j "$J" --per-host "$J" --no-progress -q)
ROWS="$RES/rows.tsv"   # n wall rss user sys rc files status_s status_rc journal_bytes
: >"$ROWS"
for n in "${SIZE_LIST[@]}"; do
  list="$(url_list "$n" "$PORT")"
  rm -rf "$OUT"; mkdir -p "$OUT"; sync
  bench_log "haul get: $n URLs"
  rc=0
  /usr/bin/time -v -o "$RES/get-$n.time" timeout -k 10 "$RUN_TIMEOUT" \
    "$BENCH_HAUL" get -i "$list" -o "$OUT" "${HAUL_ARGS[@]}" >"$RES/get-$n.log" 2>&1 || rc=$?
  read -r wall rss user sys < <(read_time_v "$RES/get-$n.time")
  files="$(find "$OUT/$HOST_DIR" -type f 2>/dev/null | wc -l)"
  journal="$(du -sb "$OUT/.haul" 2>/dev/null | cut -f1)"
  read -r st src < <(time_status "$OUT" "$RES/status-$n.txt")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$wall" "$rss" "$user" "$sys" "$rc" "$files" "$st" "$src" "${journal:-0}" >>"$ROWS"
  bench_log "$(printf '%9d URLs: exit %s, %s s, peak RSS %s KiB, cpu %s+%s s, %s files, status %s s (exit %s)' "$n" "$rc" "$wall" "$rss" "$user" "$sys" "$files" "$st" "$src")"
  [ "$rc" -eq 0 ] || tail -5 "$RES/get-$n.log" >&2
  rm -rf "$OUT"
done

INGEST_ROW=""
if [ -n "$INGEST" ]; then
  list="$(url_list "$INGEST" "$INGEST_PORT")"
  rm -rf "$OUT"; mkdir -p "$OUT"; sync
  cat "$list" >/dev/null   # from the page cache, like the other lists
  : >"$STAMP_LOG"
  bench_log "ingest: $INGEST URLs"
  t0="$(date +%s.%N)"
  # Job control on, or bash would start the background job with SIGINT ignored (and haul would inherit that).
  set -m
  /usr/bin/time -v -o "$RES/ingest.time" "$BENCH_HAUL" get -i "$list" -o "$OUT" "${HAUL_ARGS[@]}" >"$RES/ingest.log" 2>&1 &
  tpid=$!
  set +m
  first=""
  while kill -0 "$tpid" 2>/dev/null; do
    first="$(head -1 "$STAMP_LOG")"
    [ -n "$first" ] && break
    awk -v a="$t0" -v b="$(date +%s.%N)" -v t="$RUN_TIMEOUT" 'BEGIN{exit !(b - a > t)}' && break
    sleep 0.05
  done
  [ -n "$first" ] && sleep "$INGEST_RUN"
  hpid="$(pgrep -P "$tpid" || true)"
  [ -n "$hpid" ] && kill -INT "$hpid" 2>/dev/null || true
  irc=0; wait "$tpid" || irc=$?
  read -r iwall irss iuser isys < <(read_time_v "$RES/ingest.time")
  ingest_s="$(awk -v a="$t0" -v b="${first:-0}" 'BEGIN{ if (b > 0) printf "%.2f", b - a; else print "-" }')"
  read -r ist isrc < <(time_status "$OUT" "$RES/status-ingest.txt")
  INGEST_ROW="$INGEST	$ingest_s	$irss	$irc	$ist	$isrc	$iwall"
  bench_log "ingest: first request after $ingest_s s; peak RSS $irss KiB; exit $irc after SIGINT; status $ist s (exit $isrc)"
  rm -rf "$OUT"
fi
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

TABLES="$RES/tables.md"
{
  echo "| URLs | Exit | Files written | Wall s | URLs/s | Peak RSS MiB | User s | Sys s | Journal MB | \`haul status\` s |"
  echo "|-----:|-----:|--------------:|-------:|-------:|-------------:|-------:|------:|-----------:|----------------:|"
  awk -F'\t' '{ w = ($2 > 0) ? $2 : 0.01
    printf "| %d | %s | %d | %.2f | %.0f | %.1f | %.2f | %.2f | %.1f | %s%s |\n", $1, $6, $7, $2, $1 / w, $3 / 1024, $4, $5, $10 / 1e6, $8, ($9 == 0 ? "" : " (exit " $9 ")") }' "$ROWS"
  awk -F'\t' 'NR == 1 { n0 = $1; r0 = $3 } { n = $1; r = $3 } END { if (NR > 1)
    printf "\nPeak RSS grows by %.1f MiB from %d to %d URLs.\n", (r - r0) / 1024, n0, n }' "$ROWS"
  if [ -n "$INGEST_ROW" ]; then
    echo
    echo "| Ingested lines | To first request s | Lines/s | Peak RSS MiB until interrupted | Exit | \`haul status\` s |"
    echo "|---------------:|-------------------:|--------:|-------------------------------:|-----:|----------------:|"
    awk -F'\t' '{ r = ($2 == "-" || $2 <= 0) ? "-" : sprintf("%.0f", $1 / $2)
      printf "| %d | %s | %s | %.1f | %s | %s%s |\n", $1, $2, r, $3 / 1024, $4, $5, ($6 == 0 ? "" : " (exit " $6 ")") }' <<<"$INGEST_ROW"
    echo
    echo "\`haul status\` on the interrupted ingest job said:"
    echo
    echo '```'
    head -20 "$RES/status-ingest.txt" | sed "s|$BENCH_ROOT/||g"
    echo '```'
  fi
} >"$TABLES"
echo
cat "$TABLES"
echo; echo "Load average (1, 5, 15 min): $LOAD_BEFORE before, $LOAD_AFTER after."
bench_log "logs: $RES"

if [ -n "$RECORD" ]; then
  SECTION="$RES/section.md"
  {
    echo "## Scale: $RECORD"
    echo
    echo '```sh'
    echo "bench/scale.sh ${ARGS[*]}"
    echo '```'
    echo
    bench_machine
    echo "- Load average (1, 5, 15 min): $LOAD_BEFORE before the measurements, $LOAD_AFTER after"
    echo "- Output folder: \`${OUT/#$BENCH_ROOT\//}\` ($(df -PT "$OUT_PARENT" | awk 'NR==2{print $2}'))"
    echo
    echo "Each run, with LIST holding N URLs \`http://127.0.0.1:$PORT/s/DDD/NNNNNNNN.jpg\` that nginx answers with one 86-byte file:"
    echo
    echo '```sh'
    echo "/usr/bin/time -v bench/work/haul/haul get -i LIST -o OUT ${HAUL_ARGS[*]}"
    echo "bench/work/haul/haul status OUT    # best of $STATUS_REPS"
    echo '```'
    echo
    cat "$TABLES"
  } >"$SECTION"
  bench_record "scale $RECORD" "$SECTION"
fi
