#!/usr/bin/env bash
# Haul benchmark: `haul get` against curl --parallel and aria2c -i, on loopback nginx.
# See usage() below or run `bench/run.sh -h`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/bench/work"
DOC="$ROOT/docs/benchmarks.md"

J="${BENCH_J:-16}"
REPS="${BENCH_REPS:-3}"
SMALL_COUNT="${BENCH_SMALL_COUNT:-2000}"
SMALL_MIN_KB="${BENCH_SMALL_MIN_KB:-5}"
SMALL_MAX_KB="${BENCH_SMALL_MAX_KB:-200}"
LARGE_MIB="${BENCH_LARGE_MIB:-64,128,256,512}"
PORT="${BENCH_PORT:-18080}"
TOOLS="${BENCH_TOOLS:-curl,aria2c,haul}"
SETS="${BENCH_SETS:-small,large}"
SEED="${BENCH_SEED:-20261125}"
RUN_TIMEOUT="${BENCH_TIMEOUT:-600}"
RECORD=0
BUILD=1
MEMCHECK=1
VERIFY_CONTENT=1
ALL_TOOLS=(curl aria2c haul)

usage() {
  cat <<EOF
Usage: bench/run.sh [options]

Benchmarks 'haul get' against 'curl --parallel' and 'aria2c -i' at the same
concurrency, on small images and large files served by nginx on 127.0.0.1.
Installs nginx-light, aria2, curl and GNU time with apt-get if missing, generates a
deterministic data set under bench/work/, builds haul in Release, measures wall time
and peak RSS (/usr/bin/time), verifies every download (names, sizes, MD5) and prints
a Markdown table. Runnable from any directory; safe to re-run.

Options (environment variable in brackets):
  -j N            concurrency for every tool                 [BENCH_J, default 16]
  -r N            repetitions per measurement (median taken) [BENCH_REPS, default 3]
  -n N            number of small images                     [BENCH_SMALL_COUNT, default 2000]
  -L LIST         large file sizes in MiB, comma-separated   [BENCH_LARGE_MIB, default 64,128,256,512]
  -p PORT         nginx port on 127.0.0.1                    [BENCH_PORT, default 18080]
  -t LIST         tools to measure (curl,aria2c,haul)        [BENCH_TOOLS, default all]
  -s LIST         data sets to measure (small,large)         [BENCH_SETS, default both]
  -T SECONDS      give up on a single download run after this [BENCH_TIMEOUT, default 600]
  --record        rewrite docs/benchmarks.md with the results
  --no-build      reuse bench/work/haul/haul instead of running dotnet publish
  --no-mem-check  skip the single-file peak-RSS-versus-file-size runs
  --quick-verify  verify names and sizes only (skip MD5 of downloaded files)
  -h, --help      show this help

Examples:
  bench/run.sh --record                       # the recorded benchmark
  bench/run.sh -n 200 -L 8,32 -r 1 -t curl,aria2c
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    -j) J="$2"; shift 2 ;;
    -r) REPS="$2"; shift 2 ;;
    -n) SMALL_COUNT="$2"; shift 2 ;;
    -L) LARGE_MIB="$2"; shift 2 ;;
    -p) PORT="$2"; shift 2 ;;
    -t) TOOLS="$2"; shift 2 ;;
    -s) SETS="$2"; shift 2 ;;
    -T) RUN_TIMEOUT="$2"; shift 2 ;;
    --record) RECORD=1; shift ;;
    --no-build) BUILD=0; shift ;;
    --no-mem-check) MEMCHECK=0; shift ;;
    --quick-verify) VERIFY_CONTENT=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

for v in J REPS SMALL_COUNT PORT RUN_TIMEOUT; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: $v must be a positive integer (got '${!v}')" >&2; exit 2; }
done
[[ "$LARGE_MIB" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "run.sh: -L expects e.g. 64,128,256" >&2; exit 2; }
IFS=, read -r -a TOOL_LIST <<<"$TOOLS"
IFS=, read -r -a SET_LIST <<<"$SETS"
for t in "${TOOL_LIST[@]}"; do case "$t" in curl|aria2c|haul) ;; *) echo "run.sh: unknown tool '$t'" >&2; exit 2 ;; esac; done
for s in "${SET_LIST[@]}"; do case "$s" in small|large) ;; *) echo "run.sh: unknown data set '$s'" >&2; exit 2 ;; esac; done

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
has_tool() { local t; for t in "${TOOL_LIST[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }

# ---------------------------------------------------------------- 1. packages
install_packages() {
  local need=()
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
  command -v aria2c >/dev/null 2>&1 || need+=(aria2)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  [ -x /usr/bin/time ] || need+=(time)
  command -v python3 >/dev/null 2>&1 || need+=(python3)
  if [ ${#need[@]} -gt 0 ]; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    log "installing: ${need[*]}"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${need[@]}"
  fi
}
install_packages
NGINX_BIN="$(command -v nginx || echo /usr/sbin/nginx)"

# ---------------------------------------------------------------- 2. data set
mkdir -p "$WORK"
WWW="$WORK/www"
DATA_STAMP="count=$SMALL_COUNT kb=$SMALL_MIN_KB-$SMALL_MAX_KB large=$LARGE_MIB seed=$SEED v=1"
if [ "$(cat "$WORK/data.stamp" 2>/dev/null || true)" != "$DATA_STAMP" ]; then
  log "generating data set ($DATA_STAMP)"
  rm -rf "$WWW" "$WORK/data.stamp"
  mkdir -p "$WWW/small" "$WWW/large"
  python3 - "$WWW" "$SMALL_COUNT" "$SMALL_MIN_KB" "$SMALL_MAX_KB" "$LARGE_MIB" "$SEED" <<'PY'
import hashlib, os, random, sys
www, count, kmin, kmax, large, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
# JPEG SOI + APP0/JFIF header, random payload, EOI marker: looks like an image to a sniffer.
head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
tail = b"\xff\xd9"
rng = random.Random(seed)
with open(os.path.join(www, "small.manifest"), "w") as man:
    for i in range(1, count + 1):
        name = "img-%05d.jpg" % i
        size = rng.randint(kmin * 1024, kmax * 1024)
        data = head + rng.randbytes(size - len(head) - len(tail)) + tail
        with open(os.path.join(www, "small", name), "wb") as f:
            f.write(data)
        man.write("%s\t%d\t%s\n" % (name, size, hashlib.md5(data).hexdigest()))
with open(os.path.join(www, "large.manifest"), "w") as man:
    for mib in (int(x) for x in large.split(",")):
        name = "large-%04dMiB.bin" % mib
        rng = random.Random(seed * 7919 + mib)
        h = hashlib.md5()
        with open(os.path.join(www, "large", name), "wb") as f:
            for _ in range(mib):
                block = rng.randbytes(1 << 20)
                h.update(block)
                f.write(block)
        man.write("%s\t%d\t%s\n" % (name, mib << 20, h.hexdigest()))
PY
  chmod -R a+rX "$WWW"
  echo "$DATA_STAMP" >"$WORK/data.stamp"
else
  log "data set up to date ($DATA_STAMP)"
fi
BASE_URL="http://127.0.0.1:$PORT"
for s in small large; do
  awk -F'\t' -v b="$BASE_URL/$s/" '{print b $1}' "$WWW/$s.manifest" >"$WORK/$s.txt"
  # curl config: one url/output pair per file; the output directory is given per run.
  awk -F'\t' -v b="$BASE_URL/$s/" '{printf "url = \"%s%s\"\noutput = \"%s\"\n", b, $1, $1}' \
    "$WWW/$s.manifest" >"$WORK/$s.curlrc"
done

# ---------------------------------------------------------------- 3. nginx
NGX="$WORK/nginx"
mkdir -p "$NGX/tmp"
NGINX_PID=""
stop_nginx() {
  local pid
  pid="$(cat "$NGX/nginx.pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -QUIT "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null || true
  fi
  rm -f "$NGX/nginx.pid"
}
cleanup() {
  local rc=$?
  if [ -n "$NGINX_PID" ]; then log "stopping nginx"; stop_nginx; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

user_line=""
[ "$(id -u)" -eq 0 ] && user_line="user nobody nogroup;"
cat >"$NGX/nginx.conf" <<EOF
# Generated by bench/run.sh; serves bench/work/www on 127.0.0.1:$PORT only.
$user_line
worker_processes auto;
daemon on;
pid $NGX/nginx.pid;
error_log $NGX/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 100000;
  client_body_temp_path $NGX/tmp/body;
  proxy_temp_path $NGX/tmp/proxy;
  fastcgi_temp_path $NGX/tmp/fastcgi;
  uwsgi_temp_path $NGX/tmp/uwsgi;
  scgi_temp_path $NGX/tmp/scgi;
  types { image/jpeg jpg; application/octet-stream bin; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$PORT;
    root $WWW;
    location / { }
  }
}
EOF
stop_nginx   # a stale instance of ours from an interrupted run
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "run.sh: port $PORT on 127.0.0.1 is already in use; pick another with -p" >&2; exit 1
fi
"$NGINX_BIN" -p "$NGX/" -e "$NGX/error.log" -c "$NGX/nginx.conf" -t -q
"$NGINX_BIN" -p "$NGX/" -e "$NGX/error.log" -c "$NGX/nginx.conf"
NGINX_PID="$(cat "$NGX/nginx.pid")"
first="$(head -1 "$WORK/small.txt")"
if ! curl -sf -o /dev/null "$first"; then
  echo "run.sh: nginx does not serve $first (see $NGX/error.log)" >&2; exit 1
fi
log "nginx $NGINX_PID serving $WWW on $BASE_URL"

# ---------------------------------------------------------------- 4. haul build
HAUL="$WORK/haul/haul"
if has_tool haul; then
  if [ "$BUILD" -eq 1 ]; then
    log "dotnet publish src/Haul.Cli -c Release -o bench/work/haul"
    (cd "$ROOT" && dotnet publish src/Haul.Cli -c Release -o "$WORK/haul" --nologo -v quiet) >"$WORK/publish.log" 2>&1 || {
      tail -40 "$WORK/publish.log" >&2; echo "run.sh: haul build failed (full log: $WORK/publish.log)" >&2; exit 1; }
  fi
  [ -x "$HAUL" ] || { echo "run.sh: $HAUL not found (drop --no-build)" >&2; exit 1; }
fi

# ---------------------------------------------------------------- 5. measurement
OUT="$WORK/out"
RES="$WORK/results"
mkdir -p "$RES"
RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
ROWS="$RES/$RUN_ID.tsv"     # tool set rep files bytes wall_s rss_kib status
: >"$ROWS"
NOTES="$RES/$RUN_ID.notes"
: >"$NOTES"

HAUL_OPTS=(-j "$J" --per-host "$J" --no-progress)   # may be trimmed by probe_haul
HAUL_CHANGES=()

# Arguments for one tool; LIST/DIR are the URL list and output directory.
tool_cmd() {  # tool set dir -> fills CMD array
  local tool="$1" set="$2" dir="$3"
  case "$tool" in
    curl)   CMD=(curl --parallel --parallel-max "$J" --parallel-immediate -s -S --fail --create-dirs
                 --output-dir "$dir" -K "$WORK/$set.curlrc") ;;
    aria2c) CMD=(aria2c -i "$WORK/$set.txt" -j "$J" -x 1 -d "$dir" --console-log-level=warn
                 --summary-interval=0 --auto-file-renaming=false --allow-overwrite=true
                 --file-allocation=none) ;;
    haul)   CMD=("$HAUL" get -i "$WORK/$set.txt" -o "$dir" "${HAUL_OPTS[@]}") ;;
  esac
}

# Exact command line as written in the report (paths relative to the repository).
show_cmd() {
  local tool="$1" set="$2" dir="bench/work/out/$1-$2" s
  tool_cmd "$tool" "$set" "$dir"
  s="${CMD[*]}"
  s="${s//$WORK/bench/work}"
  printf '%s' "$s"
}

# Verifies DIR against the manifest of SET; prints "files bytes" of matching files,
# reports problems on stderr, and fails unless every expected file is present and intact.
verify() {  # set dir
  python3 - "$WWW/$1.manifest" "$2" "$VERIFY_CONTENT" <<'PY'
import hashlib, os, sys
manifest, root, content = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
want = {}
for line in open(manifest):
    n, s, m = line.rstrip("\n").split("\t")
    want[n] = (int(s), m)
found, extra = {}, []
for d, _, fs in os.walk(root):
    for f in fs:
        p = os.path.join(d, f)
        (found.__setitem__(f, p) if f in want and f not in found else extra.append(os.path.relpath(p, root)))
ok_files = ok_bytes = 0
problems = []
for n, (size, md5) in want.items():
    p = found.get(n)
    if p is None:
        problems.append("missing " + n); continue
    got = os.path.getsize(p)
    if got != size:
        problems.append("%s: %d bytes, expected %d" % (n, got, size)); continue
    if content:
        h = hashlib.md5()
        with open(p, "rb") as f:
            for b in iter(lambda: f.read(1 << 20), b""):
                h.update(b)
        if h.hexdigest() != md5:
            problems.append("%s: content differs" % n); continue
    ok_files += 1; ok_bytes += size
print(ok_files, ok_bytes)
if extra:
    more = " and %d more" % (len(extra) - 5) if len(extra) > 5 else ""
    print("extra files: %s%s" % (", ".join(sorted(extra)[:5]), more), file=sys.stderr)
if problems:
    print("verification failed: %d of %d files bad (e.g. %s)" % (len(problems), len(want), "; ".join(problems[:5])), file=sys.stderr)
    sys.exit(1)
PY
}

# One timed run. Appends a row to $ROWS; returns non-zero if the run or verification failed.
measure() {  # tool set rep [label]
  local tool="$1" set="$2" rep="$3" label="${4:-$2}" dir tf lf rc=0 wall rss files bytes status
  dir="$OUT/$tool-$label"
  tf="$RES/$RUN_ID.$tool.$label.$rep.time"
  lf="$RES/$RUN_ID.$tool.$label.$rep.log"
  rm -rf "$dir"; mkdir -p "$dir"; sync
  tool_cmd "$tool" "$set" "$dir"
  # timeout runs under time, so %M still reports the tool (the largest process reaped).
  /usr/bin/time -f '%e %M' -o "$tf" timeout -k 5 "$RUN_TIMEOUT" "${CMD[@]}" >"$lf" 2>&1 || rc=$?
  read -r wall rss < <(tail -1 "$tf")
  status=ok
  if [ "$rc" -ne 0 ]; then
    status="exit-$rc"
    [ "$rc" -eq 124 ] && status="timeout-${RUN_TIMEOUT}s"
    log "$tool $label rep $rep: exit code $rc; output (last lines of $lf):"
    tail -15 "$lf" >&2
  fi
  local vout vrc=0
  vout="$(verify "$set" "$dir" 2>"$lf.verify")" || vrc=$?
  read -r files bytes <<<"$vout" || true
  files="${files:-0}"; bytes="${bytes:-0}"
  if [ "$vrc" -ne 0 ]; then
    if [ "$status" = ok ]; then status=verify-failed; else status="$status,verify-failed"; fi
  fi
  if [ -s "$lf.verify" ]; then
    log "$tool $label rep $rep: $(tr '\n' ' ' <"$lf.verify")"
    local line
    while IFS= read -r line; do
      case "$line" in
        "extra files"*) printf '%s leaves files next to the downloads: %s\n' "$tool" "${line/extra files: /}" >>"$NOTES" ;;
        *) printf '%s %s rep %s: %s\n' "$tool" "$label" "$rep" "$line" >>"$NOTES" ;;
      esac
    done <"$lf.verify"
  fi
  if [ "$status" != ok ] && [ "$status" != verify-failed ]; then
    printf '%s %s rep %s: %s; last output: %s\n' "$tool" "$label" "$rep" "$status" \
      "$(tail -3 "$lf" | tr '\n' ' ' | cut -c1-300)" >>"$NOTES"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$label" "$rep" "$files" "$bytes" "$wall" "$rss" "$status" >>"$ROWS"
  log "$(printf '%-6s %-14s rep %s: %6s s  %8s KiB  %5s files  %s' "$tool" "$label" "$rep" "$wall" "$rss" "$files" "$status")"
  rm -rf "$dir"
  [ "$status" = ok ]
}

# Runs haul once on three small files; drops options the CLI rejects, reporting what it said.
probe_haul() {
  local dir="$OUT/haul-probe" list="$WORK/probe.txt" out rc opt tries=0 dropped
  head -3 "$WORK/small.txt" >"$list"
  while :; do
    rm -rf "$dir"; mkdir -p "$dir"
    rc=0; out="$(timeout -k 5 120 "$HAUL" get -i "$list" -o "$dir" "${HAUL_OPTS[@]}" 2>&1)" || rc=$?
    [ "$rc" -eq 0 ] && break
    log "haul probe: exit $rc with options: ${HAUL_OPTS[*]}"
    printf '%s\n' "$out" | head -20 >&2
    dropped=""
    for opt in --per-host --no-progress -j; do
      if printf '%s' "$out" | grep -qiE "(unrecognized|unknown|not recognized|invalid).*'?$opt\b|'?$opt'? .*(unrecognized|unknown|not recognized)"; then
        dropped="$opt"; break
      fi
    done
    tries=$((tries + 1))
    if [ -z "$dropped" ] || [ "$tries" -gt 3 ]; then
      printf 'haul probe failed (exit %s): %s\n' "$rc" "$(printf '%s' "$out" | head -5 | tr '\n' ' ')" >>"$NOTES"
      rm -rf "$dir"; return 1
    fi
    local kept=() i=0
    while [ $i -lt ${#HAUL_OPTS[@]} ]; do
      if [ "${HAUL_OPTS[$i]}" = "$dropped" ]; then
        case "$dropped" in -j|--per-host) i=$((i + 2)) ;; *) i=$((i + 1)) ;; esac
        continue
      fi
      kept+=("${HAUL_OPTS[$i]}"); i=$((i + 1))
    done
    HAUL_OPTS=("${kept[@]}")
    HAUL_CHANGES+=("dropped $dropped (haul said: $(printf '%s' "$out" | grep -iE 'unrecognized|unknown|not recognized|invalid' | head -1))")
    log "haul probe: retrying without $dropped"
  done
  rm -rf "$dir"
  return 0
}

HAUL_OK=1
if has_tool haul; then
  log "haul: $("$HAUL" --version 2>&1 | head -1 || true)"
  probe_haul || { HAUL_OK=0; log "haul probe failed; haul will not be measured"; }
fi

# Warm the page cache so every tool is served from memory.
cat "$WWW"/small/* "$WWW"/large/* >/dev/null

ACTIVE=()
for t in "${TOOL_LIST[@]}"; do
  [ "$t" = haul ] && [ "$HAUL_OK" -eq 0 ] && continue
  ACTIVE+=("$t")
done

for set in "${SET_LIST[@]}"; do
  for rep in $(seq "$REPS"); do
    for tool in "${ACTIVE[@]}"; do   # tools interleaved inside each repetition
      measure "$tool" "$set" "$rep" || true
    done
  done
done

# Peak RSS versus file size: each large file alone, REPS runs per tool (largest peak kept).
if [ "$MEMCHECK" -eq 1 ]; then
  IFS=, read -r -a mibs <<<"$LARGE_MIB"
  for mib in "${mibs[@]}"; do
    name="$(printf 'large-%04dMiB.bin' "$mib")"
    grep -P "^\Q$name\E\t" "$WWW/large.manifest" >"$WWW/mem-$mib.manifest"
    echo "$BASE_URL/large/$name" >"$WORK/mem-$mib.txt"
    printf 'url = "%s"\noutput = "%s"\n' "$BASE_URL/large/$name" "$name" >"$WORK/mem-$mib.curlrc"
    for rep in $(seq "$REPS"); do
      for tool in "${ACTIVE[@]}"; do
        measure "$tool" "mem-$mib" "$rep" "mem-$mib" || true
      done
    done
  done
fi

# ---------------------------------------------------------------- 6. report
# Median wall time and maximum peak RSS over the successful repetitions.
summarize() {  # tool label -> "files bytes wall rss ok_reps total_reps"
  awk -F'\t' -v t="$1" -v l="$2" '
    $1==t && $2==l { n++; if ($8=="ok") { w[++k]=$6; if ($7>r) r=$7; f=$4; b=$5 } else { bad=$4 } }
    END {
      if (k==0) { printf "%d - - - 0 %d\n", bad, n; exit }
      for (i=1;i<=k;i++) for (j=i+1;j<=k;j++) if (w[j]<w[i]) { x=w[i]; w[i]=w[j]; w[j]=x }
      m = (k%2) ? w[(k+1)/2] : (w[k/2]+w[k/2+1])/2
      printf "%d %.0f %.2f %d %d %d\n", f, b, m, r, k, n
    }' "$ROWS"
}

main_table() {
  echo "| Tool | Data set | Files | Bytes | Wall s (median) | Files/s | MB/s | Peak RSS MiB |"
  echo "|------|----------|------:|------:|----------------:|--------:|-----:|-------------:|"
  local set tool files bytes wall rss ok n
  for set in "${SET_LIST[@]}"; do
    for tool in "${ALL_TOOLS[@]}"; do
      read -r files bytes wall rss ok n < <(summarize "$tool" "$set")
      if [ "$n" -eq 0 ]; then
        echo "| $tool | $set | not measured yet | | | | | |"
      elif [ "$ok" -eq 0 ]; then
        echo "| $tool | $set | failed: $n of $n runs failed (last run: $files files verified; see notes) | | | | | |"
      else
        awk -v t="$tool" -v s="$set" -v f="$files" -v b="$bytes" -v w="$wall" -v r="$rss" -v ok="$ok" -v n="$n" 'BEGIN {
          note = (ok < n) ? sprintf(" (%d of %d runs ok)", ok, n) : ""
          ws = (w > 0) ? w : 0.01
          printf "| %s | %s | %d | %.0f | %.2f%s | %.1f | %.1f | %.1f |\n", t, s, f, b, w, note, f/ws, b/ws/1e6, r/1024 }'
      fi
    done
  done
}

mem_table() {
  local mibs
  IFS=, read -r -a mibs <<<"$LARGE_MIB"
  local hdr="| Tool |" sep="|------|" mib tool row files bytes wall rss ok n
  for mib in "${mibs[@]}"; do hdr+=" $mib MiB file |"; sep+="------:|"; done
  echo "$hdr"; echo "$sep"
  for tool in "${ALL_TOOLS[@]}"; do
    row="| $tool |"
    for mib in "${mibs[@]}"; do
      read -r files bytes wall rss ok n < <(summarize "$tool" "mem-$mib")
      if [ "$n" -eq 0 ]; then row+=" not measured yet |"
      elif [ "$ok" -eq 0 ]; then row+=" failed |"
      else row+=" $(awk -v r="$rss" 'BEGIN{printf "%.1f", r/1024}') |"; fi
    done
    echo "$row"
  done
}

# Plain statements derived from the numbers above, for the "Reading the numbers" section.
reading() {
  local set tool files bytes wall rss ok n cw hw mibs mib lo hi first last
  for set in "${SET_LIST[@]}"; do
    read -r files bytes hw rss ok n < <(summarize haul "$set")
    [ "$ok" -gt 0 ] 2>/dev/null || { echo "- \`$set\`: haul has no successful run, so there is nothing to compare."; continue; }
    for tool in curl aria2c; do
      read -r files bytes cw rss ok n < <(summarize "$tool" "$set")
      [ "$ok" -gt 0 ] 2>/dev/null || continue
      awk -v s="$set" -v t="$tool" -v h="$hw" -v c="$cw" 'BEGIN {
        if (h <= 0 || c <= 0) exit
        r = c / h
        if (r >= 1.05) printf "- `%s`: haul is %.2fx as fast as %s (%.2f s against %.2f s).\n", s, r, t, h, c
        else if (r <= 0.95) printf "- `%s`: haul reaches %.0f%% of the throughput of %s (%.2f s against %.2f s).\n", s, 100*r, t, h, c
        else printf "- `%s`: haul and %s are within 5%% of each other (%.2f s against %.2f s).\n", s, t, h, c }'
    done
  done
  if [ "$MEMCHECK" -eq 1 ]; then
    IFS=, read -r -a mibs <<<"$LARGE_MIB"
    for tool in "${ALL_TOOLS[@]}"; do
      lo=""; hi=""; first=""; last=""
      for mib in "${mibs[@]}"; do
        read -r files bytes wall rss ok n < <(summarize "$tool" "mem-$mib")
        [ "$ok" -gt 0 ] 2>/dev/null || continue
        [ -z "$first" ] && first="$mib:$rss"
        last="$mib:$rss"
      done
      [ -n "$first" ] && [ "$first" != "$last" ] || continue
      awk -v t="$tool" -v a="$first" -v b="$last" 'BEGIN {
        split(a, x, ":"); split(b, y, ":")
        printf "- Peak RSS of %s: %.1f MiB for the %d MiB file, %.1f MiB for the %d MiB file (%+.1f MiB for %.0fx the size).\n", t, x[2]/1024, x[1], y[2]/1024, y[1], (y[2]-x[2])/1024, y[1]/x[1] }'
    done
  fi
}

LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
TABLE="$(main_table)"
MEMTABLE=""
[ "$MEMCHECK" -eq 1 ] && MEMTABLE="$(mem_table)"
echo
echo "$TABLE"
if [ -n "$MEMTABLE" ]; then echo; echo "Peak RSS (MiB) downloading one large file alone:"; echo; echo "$MEMTABLE"; fi
if [ -s "$NOTES" ]; then echo; echo "Notes:"; awk '!seen[$0]++ { print "- " $0 }' "$NOTES"; fi
echo; echo "Load average (1, 5, 15 min): $LOAD_BEFORE before the measurements, $LOAD_AFTER after."
echo
log "raw rows: $ROWS"

if [ "$RECORD" -eq 1 ]; then
  mkdir -p "$(dirname "$DOC")"
  small_bytes="$(awk -F'\t' '{s+=$2} END{print s}' "$WWW/small.manifest")"
  large_bytes="$(awk -F'\t' '{s+=$2} END{print s}' "$WWW/large.manifest")"
  cpu="$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
  mem="$(free -h | awk '/^Mem:/{print $2}')"
  haul_ver="not built"
  [ -x "$HAUL" ] && haul_ver="$("$HAUL" --version 2>&1 | head -1 || true)"
  {
    echo "# Benchmarks"
    echo
    echo "How fast \`haul get\` downloads many small files and a few large ones, next to"
    echo "\`curl --parallel\` and \`aria2c -i\` at the same concurrency, against nginx on loopback."
    echo
    echo "## Machine"
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- CPU: $cpu, $(nproc) cores (\`nproc\`)"
    echo "- Memory: $mem (\`free -h\`)"
    echo "- Kernel: $(uname -r)"
    echo "- OS: $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "- $(curl --version | head -1)"
    echo "- $(aria2c --version | head -1)"
    echo "- $("$NGINX_BIN" -v 2>&1)"
    echo "- .NET SDK $(dotnet --version 2>/dev/null || echo 'not installed')"
    echo "- Load average (1, 5, 15 min): $LOAD_BEFORE before the measurements, $LOAD_AFTER after"
    echo "- haul: $haul_ver (Release, \`dotnet publish src/Haul.Cli -c Release\`)"
    echo
    echo "## Command"
    echo
    echo '```sh'
    if [ "$J" = 16 ] && [ "$REPS" = 3 ] && [ "$SMALL_COUNT" = 2000 ] && [ "$LARGE_MIB" = 64,128,256,512 ] && [ "$TOOLS" = curl,aria2c,haul ] && [ "$SETS" = small,large ]; then
      echo "bench/run.sh --record"
    else
      echo "bench/run.sh --record -j $J -r $REPS -n $SMALL_COUNT -L $LARGE_MIB -t $TOOLS -s $SETS"
    fi
    echo '```'
    echo
    echo "The script installs nginx-light, aria2, curl and GNU time with apt-get if they are"
    echo "missing, generates the data set, starts its own nginx, builds haul and runs every"
    echo "measurement below. \`bench/run.sh -h\` lists the options."
    echo
    echo "## Method"
    echo
    echo "- Server: nginx on 127.0.0.1:$PORT (\`worker_processes auto\`, sendfile, keep-alive,"
    echo "  access log off), serving files from the page cache (warmed before measuring)."
    echo "- Data set \`small\`: $SMALL_COUNT JPEG-like files (JFIF header, random payload),"
    echo "  $SMALL_MIN_KB–$SMALL_MAX_KB KiB each, $small_bytes bytes in all; seeded generator, so every run serves the same bytes."
    echo "- Data set \`large\`: $(echo "$LARGE_MIB" | sed 's/,/, /g') MiB files of random bytes, $large_bytes bytes in all."
    echo "- Concurrency $J for every tool; one connection per file (no segmented downloads)."
    echo "- Each measurement starts with an empty output directory and is repeated $REPS times,"
    echo "  the tools interleaved within each repetition. The table shows the median wall time"
    echo "  and the largest peak RSS over the repetitions, both from \`/usr/bin/time -f '%e %M'\`."
    echo "- A run counts only if every file arrived with the right size and MD5"
    echo "  $( [ "$VERIFY_CONTENT" -eq 1 ] && echo "(checked after the timer stops)" || echo "(MD5 check skipped: sizes only)")."
    echo "- MB/s uses MB = 10^6 bytes. Files/s and MB/s are computed from the median wall time."
    echo "- Client, server and disk writes share the same $(nproc) cores, so these are client"
    echo "  overhead numbers on loopback, not network numbers."
    echo
    echo "Commands, exactly as run (\`-K\` files hold one \`url\`/\`output\` pair per file;"
    echo "the \`.txt\` lists hold one URL per line):"
    echo
    echo '```sh'
    for set in "${SET_LIST[@]}"; do
      for tool in "${ALL_TOOLS[@]}"; do
        has_tool "$tool" || continue
        [ "$tool" = haul ] && [ "$HAUL_OK" -eq 0 ] && continue
        echo "/usr/bin/time -f '%e %M' $(show_cmd "$tool" "$set")"
      done
    done
    echo '```'
    if [ ${#HAUL_CHANGES[@]} -gt 0 ]; then
      echo
      echo "Options changed for haul because the CLI rejected them:"
      echo
      for c in "${HAUL_CHANGES[@]}"; do echo "- $c"; done
    fi
    echo
    echo "## Results"
    echo
    echo "$TABLE"
    if [ -n "$MEMTABLE" ]; then
      echo
      echo "Peak RSS (MiB) downloading each large file alone (same options, largest of $REPS runs):"
      echo
      echo "$MEMTABLE"
    fi
    if [ -s "$NOTES" ]; then
      echo
      echo "Notes from this run:"
      echo
      awk '!seen[$0]++ { print "- " $0 }' "$NOTES"
    fi
    echo
    echo "## Reading the numbers"
    echo
    reading
  } >"$DOC"
  log "wrote $DOC"
fi
