#!/usr/bin/env bash
# A large crawl: pages/s, images/s and peak RSS of `haul crawl` on the hostile server's generated gallery (no faults),
# with the server in a process of its own. See usage() below or run `bench/crawl.sh -h`.
set -euo pipefail
BENCH_NAME=crawl.sh
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CW="$BENCH_WORK/crawl"

LISTING="${CRAWL_LISTING:-6000}"
IMAGE="${CRAWL_IMAGE:-4096}"
PORT="${CRAWL_PORT:-28190}"
J="${CRAWL_J:-16}"
PER_HOST="${CRAWL_PER_HOST:-8}"
RECORD=""
BUILD=1

usage() {
  cat <<USAGE
Usage: bench/crawl.sh [options]

Starts 'haul serve --gallery --gallery-pages L --gallery-image-size B --faults none' (a gallery of about 1.7 pages
for each listing page: listings, photo pages, special and trap pages; its originals are B/10 to B bytes), then runs

  haul crawl http://127.0.0.1:PORT/gallery/ -o OUT -j $J --per-host $PER_HOST --no-progress -q

under /usr/bin/time -v, and reports pages read, images saved, wall time, pages/s, images/s, CPU and peak RSS.

Options:
  -l L        listing pages (default $LISTING, about 10,000 pages in all)
  -b B        largest image in bytes (default $IMAGE)
  -p PORT     port of the gallery server (default $PORT)
  --no-build  use the haul already in bench/work/haul
  --record    write the results into docs/benchmarks.md (section crawl)
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    -l) LISTING="$2"; shift 2 ;;
    -b) IMAGE="$2"; shift 2 ;;
    -p) PORT="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --record) RECORD=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

bench_install_packages
mkdir -p "$CW"
bench_build_haul "$BUILD"
bench_port_in_use "$PORT" && bench_die "port $PORT on 127.0.0.1 is already in use; pick another with -p"

"$BENCH_HAUL" serve --gallery --gallery-pages "$LISTING" --gallery-image-size "$IMAGE" --faults none --files 0 --port "$PORT" \
  >"$CW/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do bench_port_in_use "$PORT" && break; sleep 0.1; done
bench_port_in_use "$PORT" || bench_die "the gallery server did not start (see $CW/serve.log)"

OUT="$CW/out"
rm -rf "$OUT"
bench_log "crawling $LISTING listing pages"
/usr/bin/time -v -o "$CW/time.txt" "$BENCH_HAUL" crawl "http://127.0.0.1:$PORT/gallery/" -o "$OUT" -j "$J" --per-host "$PER_HOST" \
  --no-progress -q >"$CW/crawl.log" 2>&1 || true
[ -f "$OUT/report.json" ] || bench_die "the crawl wrote no report (see $CW/crawl.log)"

RESULT=$(python3 - "$OUT/report.json" "$CW/time.txt" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
t = open(sys.argv[2]).read()
def field(name):
    return re.search(re.escape(name) + r": (.*)", t).group(1).strip()
parts = [float(p) for p in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
pages = r["pages"]["done"]
images = r["done"] - pages
user, system = float(field("User time (seconds)")), float(field("System time (seconds)"))
rss = int(field("Maximum resident set size (kbytes)"))
print(f"| {pages:,} | {images:,} | {wall:.1f} s | {pages / wall:.0f} | {images / wall:.0f} | {user:.1f} s + {system:.1f} s | {rss / 1024:.0f} MiB |")
PY
)
HEADER="| pages read | images saved | wall | pages/s | images/s | CPU user + sys | peak RSS |"
echo "$HEADER"
echo "|---|---|---|---|---|---|---|"
echo "$RESULT"

if [ -n "$RECORD" ]; then
  {
    echo "## A large crawl (\`bench/crawl.sh\`)"
    echo
    echo "\`bench/crawl.sh -l $LISTING -b $IMAGE --record\`: \`haul serve --gallery --gallery-pages $LISTING --gallery-image-size $IMAGE --faults none\`"
    echo "in a process of its own on the same machine, then"
    echo "\`haul crawl http://127.0.0.1:$PORT/gallery/ -o OUT -j $J --per-host $PER_HOST --no-progress -q\` under \`/usr/bin/time -v\`."
    echo "One run; the server shares the two cores with Haul, so the rates are a floor."
    echo
    bench_machine
    echo
    echo "$HEADER"
    echo "|---|---|---|---|---|---|---|"
    echo "$RESULT"
  } >"$CW/section.md"
  bench_record crawl "$CW/section.md"
fi
