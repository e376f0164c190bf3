#!/usr/bin/env bash
# Haul throughput benchmark: `haul get` against curl --parallel and aria2c -i, on loopback nginx, over HTTP/1.1 and
# over HTTPS with HTTP/2. See usage() below or run `bench/run.sh -h`.
set -euo pipefail
BENCH_NAME=run.sh
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK="$BENCH_WORK"

J="${BENCH_J:-16}"
REPS="${BENCH_REPS:-5}"
MIXED_COUNT="${BENCH_MIXED_COUNT:-2000}"
MIXED_MIN="${BENCH_MIXED_MIN:-2000}"
MIXED_MAX="${BENCH_MIXED_MAX:-3000000}"
LARGE_MIB="${BENCH_LARGE_MIB:-64,128,256,512}"
PORT="${BENCH_PORT:-28080}"
TOOLS="${BENCH_TOOLS:-curl,aria2c,haul}"
SETS="${BENCH_SETS:-mixed,large,mixed-https}"
SEED="${BENCH_SEED:-20261125}"
RUN_TIMEOUT="${BENCH_TIMEOUT:-600}"
OUT="${BENCH_OUT:-$WORK/out}"
RECORD=""
BUILD=1
MEMCHECK=1
VERIFY_CONTENT=1
ALL_TOOLS=(curl aria2c haul)
ARGS=("$@")

usage() {
  cat <<EOF
Usage: bench/run.sh [options]

Benchmarks 'haul get' against 'curl --parallel' and 'aria2c -i' at the same
concurrency, on nginx at 127.0.0.1: a mixed set of images and a few large files,
over plain HTTP/1.1 and over HTTPS with HTTP/2 (certificates made by the script).
Installs nginx-light, aria2, curl, openssl and GNU time with apt-get if missing,
generates a deterministic data set under bench/work/, builds haul in Release, runs
every tool once per repetition (the order rotating), verifies every download (names,
sizes, MD5), and prints best-of-N wall time, files/s, MB/s, CPU seconds per GB
(user+sys) and peak RSS per tool, with the ratios haul/curl.

Data sets (-s):
  mixed        N JPEG-like files, sizes log-uniform in [MIN, MAX] bytes, over http://
  large        one file per size of -L, random bytes, over http://
  mixed-https  the mixed files over https:// with HTTP/2 (aria2c: HTTP/1.1, it has no HTTP/2)
  large-https  the large files over https:// with HTTP/2

Options (environment variable in brackets):
  -j N            concurrency for every tool                 [BENCH_J, default 16]
  -r N            repetitions per measurement (best taken)   [BENCH_REPS, default 5]
  -n N            number of mixed files                      [BENCH_MIXED_COUNT, default 2000]
  --min B --max B size range of the mixed files in bytes     [BENCH_MIXED_MIN/MAX, default 2000, 3000000]
  -L LIST         large file sizes in MiB, comma-separated   [BENCH_LARGE_MIB, default 64,128,256,512]
  -p PORT         nginx port on 127.0.0.1; HTTPS on PORT+1   [BENCH_PORT, default 28080]
  -t LIST         tools to measure (curl,aria2c,haul)        [BENCH_TOOLS, default all]
  -s LIST         data sets to measure                       [BENCH_SETS, default mixed,large,mixed-https]
  -o DIR          where the tools write (tmpfs takes the disk out) [BENCH_OUT, default bench/work/out]
  -T SECONDS      give up on a single download run after this [BENCH_TIMEOUT, default 600]
  --record LABEL  write the results into docs/benchmarks.md, section "run LABEL"
  --no-build      reuse bench/work/haul/haul instead of running dotnet publish
  --no-mem-check  skip the single-file peak-RSS-versus-file-size runs
  --quick-verify  verify names and sizes only (skip MD5 of downloaded files)
  -h, --help      show this help

Examples:
  bench/run.sh --record after                      # the recorded benchmark
  bench/run.sh -r 3 -s mixed-https -t curl,haul    # HTTP/2 only, two tools
  bench/run.sh -n 200 -L 8,32 -r 1 -o /dev/shm/haul-bench
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    -j) J="$2"; shift 2 ;;
    -r) REPS="$2"; shift 2 ;;
    -n) MIXED_COUNT="$2"; shift 2 ;;
    --min) MIXED_MIN="$2"; shift 2 ;;
    --max) MIXED_MAX="$2"; shift 2 ;;
    -L) LARGE_MIB="$2"; shift 2 ;;
    -p) PORT="$2"; shift 2 ;;
    -t) TOOLS="$2"; shift 2 ;;
    -s) SETS="$2"; shift 2 ;;
    -o) OUT="$2"; shift 2 ;;
    -T) RUN_TIMEOUT="$2"; shift 2 ;;
    --record) RECORD="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --no-mem-check) MEMCHECK=0; shift ;;
    --quick-verify) VERIFY_CONTENT=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

for v in J REPS MIXED_COUNT MIXED_MIN MIXED_MAX PORT RUN_TIMEOUT; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: $v must be a positive integer (got '${!v}')" >&2; exit 2; }
done
[ "$MIXED_MIN" -ge 64 ] && [ "$MIXED_MIN" -le "$MIXED_MAX" ] || { echo "run.sh: need 64 <= --min <= --max" >&2; exit 2; }
[[ "$LARGE_MIB" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "run.sh: -L expects e.g. 64,128,256" >&2; exit 2; }
[[ -z "$RECORD" || "$RECORD" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "run.sh: --record expects a label like 'before'" >&2; exit 2; }
IFS=, read -r -a TOOL_LIST <<<"$TOOLS"
IFS=, read -r -a SET_LIST <<<"$SETS"
for t in "${TOOL_LIST[@]}"; do case "$t" in curl|aria2c|haul) ;; *) echo "run.sh: unknown tool '$t'" >&2; exit 2 ;; esac; done
for s in "${SET_LIST[@]}"; do case "$s" in mixed|large|mixed-https|large-https) ;; *) echo "run.sh: unknown data set '$s'" >&2; exit 2 ;; esac; done
TLS_PORT=$((PORT + 1))
has_tool() { local t; for t in "${TOOL_LIST[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }
data_of() { echo "${1%-https}"; }               # mixed-https -> mixed
base_of() { case "$1" in *-https) echo "https://127.0.0.1:$TLS_PORT" ;; *) echo "http://127.0.0.1:$PORT" ;; esac; }

# ---------------------------------------------------------------- 1. packages
bench_install_packages

# ---------------------------------------------------------------- 2. data set
mkdir -p "$WORK"
WWW="$WORK/www"
DATA_STAMP="mixed=$MIXED_COUNT:$MIXED_MIN-$MIXED_MAX large=$LARGE_MIB seed=$SEED v=2"
if [ "$(cat "$WORK/data.stamp" 2>/dev/null || true)" != "$DATA_STAMP" ]; then
  bench_log "generating data set ($DATA_STAMP)"
  rm -rf "$WWW" "$WORK/data.stamp"
  mkdir -p "$WWW/mixed" "$WWW/large"
  python3 - "$WWW" "$MIXED_COUNT" "$MIXED_MIN" "$MIXED_MAX" "$LARGE_MIB" "$SEED" <<'PY'
import hashlib, math, os, random, sys
www, count, smin, smax, large, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
# JPEG SOI + APP0/JFIF header, random payload, EOI marker: looks like an image to a sniffer.
head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
tail = b"\xff\xd9"
rng = random.Random(seed)
with open(os.path.join(www, "mixed.manifest"), "w") as man:
    for i in range(1, count + 1):
        name = "img-%05d.jpg" % i
        # Log-uniform: as many thumbnails (2-20 KB) as web images (20-200 KB) as photos (0.2-3 MB), roughly.
        size = int(round(math.exp(rng.uniform(math.log(smin), math.log(smax)))))
        size = min(max(size, smin), smax)
        data = head + rng.randbytes(size - len(head) - len(tail)) + tail
        with open(os.path.join(www, "mixed", name), "wb") as f:
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
  bench_log "data set up to date ($DATA_STAMP)"
fi
CERTS="$WORK/certs"
bench_certificates "$CERTS"
CA="$CERTS/ca.pem"

write_lists() {  # label data base
  local label="$1" data="$2" base="$3"
  awk -F'\t' -v b="$base/$data/" '{print b $1}' "$WWW/$data.manifest" >"$WORK/$label.txt"
  # curl config: one url/output pair per file; the output directory is given per run.
  awk -F'\t' -v b="$base/$data/" '{printf "url = \"%s%s\"\noutput = \"%s\"\n", b, $1, $1}' \
    "$WWW/$data.manifest" >"$WORK/$label.curlrc"
  cp "$WWW/$data.manifest" "$WORK/$label.manifest"
}
for s in "${SET_LIST[@]}"; do write_lists "$s" "$(data_of "$s")" "$(base_of "$s")"; done

# ---------------------------------------------------------------- 3. nginx
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
PROTO_LOG="$WORK/nginx-run/protocols.log"   # the protocol of every request, to see what each tool spoke
bench_nginx_start run "$PORT" "$TLS_PORT" <<EOF
  log_format protocol '\$server_protocol';
  server {
    listen 127.0.0.1:$PORT;
    access_log $PROTO_LOG protocol;
    root $WWW;
    location / { }
  }
  server {
    listen 127.0.0.1:$TLS_PORT ssl http2;
    access_log $PROTO_LOG protocol;
    root $WWW;
    ssl_certificate $CERTS/server.pem;
    ssl_certificate_key $CERTS/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:bench:10m;
    location / { }
  }
EOF
first="$(head -1 "$WWW/mixed.manifest" | cut -f1)"
curl -sf -o /dev/null "http://127.0.0.1:$PORT/mixed/$first" || bench_die "nginx does not serve http (see $WORK/nginx-run/error.log)"
proto="$(curl -sf --http2 --cacert "$CA" -o /dev/null -w '%{http_version}' "https://127.0.0.1:$TLS_PORT/mixed/$first")" \
  || bench_die "nginx does not serve https (see $WORK/nginx-run/error.log)"
[ "$proto" = 2 ] || bench_die "nginx answered HTTP/$proto over TLS, not HTTP/2"

# ---------------------------------------------------------------- 4. haul build
has_tool haul && bench_build_haul "$BUILD"

# ---------------------------------------------------------------- 5. measurement
RES="$WORK/results"
mkdir -p "$RES" "$OUT"
RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
ROWS="$RES/$RUN_ID.tsv"     # tool label rep files bytes wall_s rss_kib user_s sys_s status protocols
: >"$ROWS"
NOTES="$RES/$RUN_ID.notes"
: >"$NOTES"
HAUL_OPTS=(-j "$J" --per-host "$J" --no-progress -q)

# The command of one tool on one set, into CMD.
tool_cmd() {  # tool label dir
  local tool="$1" label="$2" dir="$3" tls=()
  case "$tool" in
    curl)
      # Over HTTP/1.1 curl opens its J connections at once; over HTTP/2 it multiplexes the transfers as streams.
      case "$label" in
        *-https) tls=(--http2 --cacert "$CA") ;;
        *) tls=(--parallel-immediate) ;;
      esac
      CMD=(curl --parallel --parallel-max "$J" "${tls[@]}" -s -S --fail --create-dirs --output-dir "$dir" -K "$WORK/$label.curlrc") ;;
    aria2c)
      case "$label" in *-https) tls=(--ca-certificate="$CA") ;; esac
      CMD=(aria2c -i "$WORK/$label.txt" -j "$J" -x 1 -d "$dir" "${tls[@]}" --console-log-level=warn
           --summary-interval=0 --auto-file-renaming=false --allow-overwrite=true --file-allocation=none) ;;
    haul)
      case "$label" in *-https) tls=(--cacert "$CA") ;; esac
      CMD=("$BENCH_HAUL" get -i "$WORK/$label.txt" -o "$dir" "${HAUL_OPTS[@]}" "${tls[@]}") ;;
  esac
}

# The command line as written in the report (paths relative to the repository).
show_cmd() {  # tool label
  tool_cmd "$1" "$2" "OUT/$1-$2"
  local s="${CMD[*]}"
  s="${s//$WORK/bench/work}"
  printf '%s' "$s"
}

# Checks DIR against the manifest of LABEL; prints "files bytes" of intact files, problems on stderr; fails unless
# every file is there and intact.
verify() {  # label dir
  python3 - "$WORK/$1.manifest" "$2" "$VERIFY_CONTENT" <<'PY'
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

# One timed run: appends a row to $ROWS; fails if the run or its verification failed.
measure() {  # tool label rep
  local tool="$1" label="$2" rep="$3" dir tf lf rc=0 wall rss user sys files bytes status
  dir="$OUT/$tool-$label"
  tf="$RES/$RUN_ID.$tool.$label.$rep.time"
  lf="$RES/$RUN_ID.$tool.$label.$rep.log"
  rm -rf "$dir"; mkdir -p "$dir"; sync
  : >"$PROTO_LOG"
  tool_cmd "$tool" "$label" "$dir"
  # timeout runs under time, so the figures are the tool's (wait4 sums a child's reaped children, and %M is the
  # largest of them).
  /usr/bin/time -f '%e %M %U %S' -o "$tf" timeout -k 5 "$RUN_TIMEOUT" "${CMD[@]}" >"$lf" 2>&1 || rc=$?
  read -r wall rss user sys < <(tail -1 "$tf")
  status=ok
  if [ "$rc" -ne 0 ]; then
    status="exit-$rc"
    [ "$rc" -eq 124 ] && status="timeout-${RUN_TIMEOUT}s"
    bench_log "$tool $label rep $rep: exit code $rc; last lines of $lf:"
    tail -15 "$lf" >&2
  fi
  local vout vrc=0
  vout="$(verify "$label" "$dir" 2>"$lf.verify")" || vrc=$?
  read -r files bytes <<<"$vout" || true
  files="${files:-0}"; bytes="${bytes:-0}"
  if [ "$vrc" -ne 0 ]; then
    if [ "$status" = ok ]; then status=verify-failed; else status="$status,verify-failed"; fi
  fi
  if [ -s "$lf.verify" ]; then
    bench_log "$tool $label rep $rep: $(tr '\n' ' ' <"$lf.verify")"
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
  local protocols
  protocols="$(sort "$PROTO_LOG" | uniq -c | sort -rn | awk '{printf "%s%s %s", (NR>1?", ":""), $2, $1}')"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$label" "$rep" "$files" "$bytes" "$wall" "$rss" "$user" "$sys" "$status" "${protocols:-none}" >>"$ROWS"
  bench_log "$(printf '%-6s %-14s rep %s: %6s s  %8s KiB  cpu %5s+%-5s s  %5s files  %s' "$tool" "$label" "$rep" "$wall" "$rss" "$user" "$sys" "$files" "$status")"
  rm -rf "$dir"
  [ "$status" = ok ]
}

HAUL_OK=1
if has_tool haul; then
  probe="$OUT/haul-probe"
  rm -rf "$probe"
  head -3 "$WORK/${SET_LIST[0]}.txt" >"$WORK/probe.txt"
  tool_cmd haul "${SET_LIST[0]}" "$probe"
  CMD[3]="$WORK/probe.txt"
  if ! out="$(timeout -k 5 120 "${CMD[@]}" 2>&1)"; then
    HAUL_OK=0
    printf 'haul probe failed: %s\n' "$(printf '%s' "$out" | head -5 | tr '\n' ' ')" >>"$NOTES"
    bench_log "haul probe failed; haul will not be measured: $out"
  fi
  rm -rf "$probe"
fi
ACTIVE=()
for t in "${TOOL_LIST[@]}"; do
  [ "$t" = haul ] && [ "$HAUL_OK" -eq 0 ] && continue
  ACTIVE+=("$t")
done

# Warm the page cache so every tool is served from memory.
cat "$WWW"/mixed/* "$WWW"/large/* >/dev/null

# Tools interleaved inside each repetition, the order rotating from one repetition to the next, so that none is always
# first after another tool's writeback or always last.
run_reps() {  # label
  local rep i k n=${#ACTIVE[@]}
  for rep in $(seq "$REPS"); do
    for i in $(seq 0 $((n - 1))); do
      k=$(((i + rep - 1) % n))
      measure "${ACTIVE[$k]}" "$1" "$rep" || true
    done
  done
}
for set in "${SET_LIST[@]}"; do run_reps "$set"; done

# Peak RSS versus file size: each large file alone (over http).
MEM_LABELS=()
if [ "$MEMCHECK" -eq 1 ]; then
  IFS=, read -r -a mibs <<<"$LARGE_MIB"
  for mib in "${mibs[@]}"; do
    name="$(printf 'large-%04dMiB.bin' "$mib")"
    label="mem-$mib"
    grep -P "^\Q$name\E\t" "$WWW/large.manifest" >"$WORK/$label.manifest"
    echo "http://127.0.0.1:$PORT/large/$name" >"$WORK/$label.txt"
    printf 'url = "%s"\noutput = "%s"\n' "http://127.0.0.1:$PORT/large/$name" "$name" >"$WORK/$label.curlrc"
    MEM_LABELS+=("$label")
    run_reps "$label"
  done
fi
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- 6. report
TABLES="$RES/$RUN_ID.md"
python3 - "$ROWS" "$REPS" "$(IFS=,; echo "${SET_LIST[*]}")" "$(IFS=,; echo "${MEM_LABELS[*]}")" >"$TABLES" <<'PY'
import statistics, sys
rows_file, reps, sets, mems = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","), [m for m in sys.argv[4].split(",") if m]
tools = ["curl", "aria2c", "haul"]
runs = {}
for line in open(rows_file):
    t, label, rep, files, size, wall, rss, user, sys_, status, protocols = line.rstrip("\n").split("\t")
    runs.setdefault((t, label), []).append(dict(rep=int(rep), files=int(files), bytes=int(size), wall=float(wall),
        rss=int(rss), cpu=float(user) + float(sys_), ok=status == "ok", protocols=protocols))

def ok(t, label):
    return [r for r in runs.get((t, label), []) if r["ok"]]

def best(t, label):
    good = ok(t, label)
    return min(good, key=lambda r: r["wall"]) if good else None

TARGET_SPEED = {"mixed": 1.2, "large": 0.95, "mixed-https": 1.0, "large-https": 1.0}
TARGET_CPU = 1.5
print("| Set | Tool | Files | Bytes | Best wall s | Median wall s | Files/s | MB/s | CPU s/GB | Peak RSS MiB | Runs ok | Requests (nginx), best run |")
print("|-----|------|------:|------:|------------:|--------------:|--------:|-----:|---------:|-------------:|--------:|-------------|")
for label in sets:
    for t in tools:
        all_runs = runs.get((t, label), [])
        if not all_runs:
            continue
        good = ok(t, label)
        if not good:
            print("| %s | %s | failed | | | | | | | | 0 of %d | |" % (label, t, len(all_runs)))
            continue
        b = best(t, label)
        med = statistics.median(r["wall"] for r in good)
        cpu = min(r["cpu"] for r in good) / b["bytes"] * 1e9
        rss = max(r["rss"] for r in good) / 1024
        w = max(b["wall"], 0.01)
        print("| %s | %s | %d | %d | %.2f | %.2f | %.0f | %.0f | %.2f | %.1f | %d of %d | %s |" % (
            label, t, b["files"], b["bytes"], b["wall"], med, b["files"] / w, b["bytes"] / w / 1e6, cpu, rss, len(good), len(all_runs), b["protocols"]))
print()
print("Ratios haul ÷ curl (speed: curl's best wall time ÷ haul's, above 1 means haul is faster; paired: the median of")
print("the same ratio within each repetition; CPU: haul's CPU seconds per GB ÷ curl's, below 1 means haul uses less):")
print()
print("| Set | Speed, best of N | Speed, paired median | Target speed | CPU per GB | Target CPU | Met |")
print("|-----|-----------------:|---------------------:|-------------:|-----------:|-----------:|-----|")
for label in sets:
    h, c = best("haul", label), best("curl", label)
    if not h or not c:
        print("| %s | no successful runs of both | | | | | |" % label)
        continue
    speed = c["wall"] / h["wall"]
    hr = {r["rep"]: r for r in ok("haul", label)}
    paired = [r["wall"] / hr[r["rep"]]["wall"] for r in ok("curl", label) if r["rep"] in hr]
    cpu = min(r["cpu"] for r in ok("haul", label)) / min(r["cpu"] for r in ok("curl", label))
    ts = TARGET_SPEED.get(label)
    met = "yes" if ts is not None and speed >= ts and cpu <= TARGET_CPU else "no"
    print("| %s | %.2f | %.2f | ≥ %.2f | %.2f | ≤ %.1f | %s |" % (label, speed, statistics.median(paired), ts, cpu, TARGET_CPU, met))
if mems:
    print()
    print("Peak RSS (MiB) downloading one large file alone, largest over the runs:")
    print()
    print("| Tool | " + " | ".join("%s MiB file" % m.split("-")[1] for m in mems) + " |")
    print("|------|" + "------:|" * len(mems))
    for t in tools:
        if not any(runs.get((t, m)) for m in mems):
            continue
        cells = []
        for m in mems:
            good = ok(t, m)
            cells.append("%.1f" % (max(r["rss"] for r in good) / 1024) if good else "failed")
        print("| %s | %s |" % (t, " | ".join(cells)))
PY
echo
cat "$TABLES"
if [ -s "$NOTES" ]; then echo; echo "Notes:"; awk '!seen[$0]++ { print "- " $0 }' "$NOTES"; fi
echo; echo "Load average (1, 5, 15 min): $LOAD_BEFORE before, $LOAD_AFTER after."
bench_log "raw rows: $ROWS"

if [ -n "$RECORD" ]; then
  SECTION="$RES/$RUN_ID.section.md"
  mixed_bytes="$(awk -F'\t' '{s+=$2} END{print s}' "$WWW/mixed.manifest")"
  large_bytes="$(awk -F'\t' '{s+=$2} END{print s}' "$WWW/large.manifest")"
  {
    echo "## Throughput: $RECORD"
    echo
    echo '```sh'
    echo "bench/run.sh ${ARGS[*]}"
    echo '```'
    echo
    bench_machine
    echo "- Load average (1, 5, 15 min): $LOAD_BEFORE before the measurements, $LOAD_AFTER after"
    echo "- Output folder: \`${OUT/#$BENCH_ROOT\//}\` ($(df -PT "$OUT" | awk 'NR==2{print $2}'))"
    echo
    echo "Data: \`mixed\` is $MIXED_COUNT JPEG-like files, $MIXED_MIN–$MIXED_MAX bytes (log-uniform), $mixed_bytes bytes in all;"
    echo "\`large\` is $(echo "$LARGE_MIB" | sed 's/,/, /g') MiB of random bytes, $large_bytes bytes in all. Concurrency $J, $REPS"
    echo "repetitions, tools interleaved (order rotating). Commands, exactly as run (OUT is the output folder of the run):"
    echo
    echo '```sh'
    for set in "${SET_LIST[@]}"; do
      for tool in "${ACTIVE[@]}"; do echo "/usr/bin/time -f '%e %M %U %S' $(show_cmd "$tool" "$set")"; done
    done
    echo '```'
    if [ ${#MEM_LABELS[@]} -gt 0 ]; then
      echo
      echo "The one-file runs (peak RSS against file size) are the \`large\` commands with a list of one of its files."
    fi
    echo
    cat "$TABLES"
    if [ -s "$NOTES" ]; then
      echo
      echo "Notes from this run:"
      echo
      awk '!seen[$0]++ { print "- " $0 }' "$NOTES"
    fi
  } >"$SECTION"
  bench_record "run $RECORD" "$SECTION"
fi
