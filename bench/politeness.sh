#!/usr/bin/env bash
# Hosts that push back: finish time of `haul get` against the hostile server's rate limit, ban and stall modes,
# against the floor each allows. See usage() below or run `bench/politeness.sh -h`.
set -euo pipefail
BENCH_NAME=politeness.sh
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PW="$BENCH_WORK/politeness"

FILES="${POLITE_FILES:-1000}"
RATE="${POLITE_RATE:-40}"
BAN="${POLITE_BAN:-80}"
PORT="${POLITE_PORT:-28191}"
SCENARIOS="rate,ban,stall,hostile"
RECORD=""
BUILD=1

usage() {
  cat <<USAGE
Usage: bench/politeness.sh [options]

For each scenario, starts 'haul serve --files N …' in a process of its own, then runs

  haul get -i URLS -o OUT --no-progress -q          (the defaults: -j 16 --per-host 4)

and reports the finish time, the floor the server allows, their ratio, the files verified, and the 429s, bans and
stalls Haul absorbed (from report.json). Scenarios:

  rate      --rate-limit R --burst 10 --retry-after 2      floor N / R
  ban       --ban B --ban-seconds 10                       floor N / B
  stall     --faults stall=0.01 --stall-seconds 60         floor: the same files with no fault, measured
  hostile   rate + ban (B = 2R) + stalls + resets, truncation, soft blocks and 503s   floor N / R

Options:
  -n N         files (default $FILES, 1 KB to 256 KB)
  -r R         requests a second of the rate limit (default $RATE)
  -b B         requests a second above which the ban scenario bans (default $BAN)
  -s LIST      scenarios, comma-separated (default $SCENARIOS)
  -p PORT      port of the server (default $PORT)
  --no-build   use the haul already in bench/work/haul
  --record     write the results into docs/benchmarks.md (section politeness)
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    -n) FILES="$2"; shift 2 ;;
    -r) RATE="$2"; shift 2 ;;
    -b) BAN="$2"; shift 2 ;;
    -s) SCENARIOS="$2"; shift 2 ;;
    -p) PORT="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --record) RECORD=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

mkdir -p "$PW"
bench_build_haul "$BUILD"
bench_port_in_use "$PORT" && bench_die "port $PORT on 127.0.0.1 is already in use; pick another with -p"

SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true' EXIT

# run NAME FLOOR_SECONDS SERVE_ARGS...: one scenario; prints a table row.
run() {
  local name="$1" floor="$2"; shift 2
  local out="$PW/$name" urls="$PW/$name.urls"
  rm -rf "$out" "$urls"
  "$BENCH_HAUL" serve --files "$FILES" --port "$PORT" --url-list "$urls" "$@" >"$PW/$name.serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do [ -s "$urls" ] && bench_port_in_use "$PORT" && break; sleep 0.1; done
  [ -s "$urls" ] || bench_die "the server did not start (see $PW/$name.serve.log)"
  local start end
  start=$(date +%s.%N)
  "$BENCH_HAUL" get -i "$urls" -o "$out" --no-progress -q >"$PW/$name.log" 2>&1 || true
  end=$(date +%s.%N)
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  SERVER=""
  [ -f "$out/report.json" ] || bench_die "haul wrote no report (see $PW/$name.log)"
  python3 - "$out/report.json" "$name" "$floor" "$start" "$end" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
name, floor, start, end = sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
wall = end - start
hosts = r.get("hosts", [])
def total(key):
    return sum(h.get(key, 0) for h in hosts)
print(f"| {name} | {r['done']:,} of {r['total']:,} | {wall:.1f} s | {floor:.1f} s | {wall / floor:.2f}x | "
      f"{total('throttled')} | {total('bans')} | {total('stalls')} | {total('refused')} |")
PY
}

HEADER="| scenario | files verified | finish | floor | finish / floor | 429s | bans | stalls | resets |"
ROWS=""
IFS=, read -r -a LIST <<<"$SCENARIOS"
for scenario in "${LIST[@]}"; do
  bench_log "scenario $scenario"
  case "$scenario" in
    rate) ROWS+=$(run rate "$(python3 -c "print($FILES / $RATE)")" --rate-limit "$RATE" --burst 10 --retry-after 2 --faults none)$'\n' ;;
    ban) ROWS+=$(run ban "$(python3 -c "print($FILES / $BAN)")" --ban "$BAN" --ban-seconds 10 --faults none)$'\n' ;;
    stall)
      clean=$(run clean 1 --faults none | awk -F'|' '{print $4}' | tr -dc '0-9.')
      ROWS+=$(run stall "$clean" --faults stall=0.01 --stall-seconds 60)$'\n' ;;
    hostile)
      ROWS+=$(run hostile "$(python3 -c "print($FILES / $RATE)")" --rate-limit "$RATE" --burst 10 --retry-after 2 --ban "$((RATE * 2))" \
        --ban-seconds 10 --stall-seconds 60 \
        --faults "stall=0.01,reset-mid-body=0.02,truncate=0.02,soft-block=0.01,service-unavailable=0.02")$'\n' ;;
    *) bench_die "unknown scenario '$scenario'" ;;
  esac
done

echo "$HEADER"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s' "$ROWS"

if [ -n "$RECORD" ]; then
  {
    echo "## Hosts that push back (\`bench/politeness.sh\`)"
    echo
    echo "\`bench/politeness.sh -n $FILES -r $RATE -b $BAN -s $SCENARIOS --record\`: for each scenario \`haul serve --files $FILES …\` in a"
    echo "process of its own, then \`haul get -i URLS -o OUT --no-progress -q\` with the defaults (16 at once, 4 a host)."
    echo "The floor is what the server allows (files / rate); for the stall scenario, the same files with no fault."
    echo "One run each; target: every file verified within 1.5 × the floor."
    echo
    bench_machine
    echo
    echo "$HEADER"
    echo "|---|---|---|---|---|---|---|---|---|"
    printf '%s' "$ROWS"
    echo
    echo "Reading it: 'bans' counts the bans Haul recognized, a failed probe included (Haul's first ban pause is 5 s, the"
    echo "server's ban 10 s), so 2 is one ban; the first ban is unavoidable, since nothing warns before it. In 'hostile'"
    echo "each random 503 carries Retry-After: 2 and pauses the whole host, as the politeness rules ask; the controller"
    echo "cuts for the rate limit but not for that noise, whose share does not fall when Haul slows down (see README,"
    echo "Politeness); the stall scenario's floor is a clean run of the same files, so its ratio shows"
    echo "what ten stalls of 60 s cost (about 2 s each, the first ones more while the host's deadline is not yet learnt)."
    echo "The runs share the two cores with the server and other work: compare ratios, and rerun for a spread."
  } >"$PW/section.md"
  bench_record politeness "$PW/section.md"
fi
