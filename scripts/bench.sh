#!/usr/bin/env bash
# Benchmark: builds Cairn from this tree, starts a server on 127.0.0.1 with
# a throwaway data directory (a fresh one per object size), drives it with
# `cairn bench` and prints one table:
#
#   64 MiB and 1 MiB objects, PUT then GET, 4 and 16 requests in flight;
#   4 KiB objects, PUT then GET, 16 in flight;
#   a 1 GiB multipart upload in 16 MiB parts, 4 in flight, and Complete +
#   ListParts over an upload of 10,000 one-byte parts (BENCH_MULTIPART=0
#   skips these two rows).
#
# Every row also has the server's CPU time and peak RSS (VmHWM), the
# client's CPU time, single-core MD5 throughput measured in the same run,
# and the load average when the row started.
#
# Environment:
#   BENCH_DURATION   length of each PUT and GET phase (default 12s)
#   BENCH_MAX_LOAD   wait until the 1-minute load average is below this
#                    before starting (default 1.5), and ...
#   BENCH_MAX_BUSY   ... before each row until the machine's CPUs were
#                    busy less than this many cores over 2 s while our
#                    server idles (default 0.3): the load average would
#                    mostly show our own previous row, other processes
#                    show here; 0 disables the per-row wait ...
#   BENCH_LOAD_WAIT  ... waiting at most this many seconds in all (default
#                    1200), then measuring anyway, which the others_cpu_s
#                    column shows
#   BENCH_MULTIPART  0 to skip the multipart rows
#   BENCH_KEEP       1 to keep the JSON results and server logs
#   TMPDIR           where the data directories go
#
# Disk use stays bounded: PUT phases cycle through a bounded key set (2 x
# concurrency objects at 64 MiB, 256 at 1 MiB; 4 KiB objects are inline in
# the metadata store), the server collects overwritten blobs every 5 s, and
# each size gets a fresh data directory that is removed afterwards.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

DURATION=${BENCH_DURATION:-12s}
MAX_LOAD=${BENCH_MAX_LOAD:-1.5}
MAX_BUSY=${BENCH_MAX_BUSY:-0.3}
LOAD_WAIT=${BENCH_LOAD_WAIT:-1200}
MULTIPART=${BENCH_MULTIPART:-1}
KEEP=${BENCH_KEEP:-0}

ACCESS_KEY=AKIDCAIRNBENCHROOT01
SECRET_KEY=bench-root-secret-key-0123456789abcdefgh

SERVER_PID=""
ENDPOINT=""
BENCH_TMP=""
# The PUT/GET rows' result names, in the order they ran.
RW_ROWS=()

die() {
  printf 'bench: %s\n' "$1" >&2
  exit 2
}

# stop_server: stops exactly the server start_server started: SIGTERM for a
# graceful shutdown, SIGKILL after 10 s.
stop_server() {
  local pid=$SERVER_PID i
  [[ -n $pid ]] || return 0
  SERVER_PID=""
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  stop_server
  if [[ -n $BENCH_TMP && -d $BENCH_TMP ]]; then
    if [[ $KEEP == 1 ]]; then
      rm -rf -- "$BENCH_TMP"/data-*
      printf '# results kept in %s\n' "$BENCH_TMP" >&2
    else
      rm -rf -- "$BENCH_TMP"
    fi
  fi
}

# start_server NAME [SERVER FLAGS...]: starts the built binary on a free
# loopback port with the fresh data directory data-NAME. Sets SERVER_PID
# and ENDPOINT.
start_server() {
  local name=$1
  shift
  local data="$BENCH_TMP/data-$name" log="$BENCH_TMP/server-$name.log"
  rm -rf -- "$data"
  # The subshell drops inherited CAIRN_* settings, then becomes the server,
  # so $! is the server's own pid.
  (
    while IFS= read -r var; do
      unset "$var"
    done < <(compgen -e | grep '^CAIRN_' || true)
    export CAIRN_ROOT_ACCESS_KEY=$ACCESS_KEY CAIRN_ROOT_SECRET_KEY=$SECRET_KEY
    exec "$BENCH_TMP/cairn" server --listen 127.0.0.1:0 --data "$data" \
      --log-level info --gc-interval 5s "$@"
  ) >"$log" 2>&1 &
  SERVER_PID=$!
  local addr="" i
  for ((i = 0; i < 200; i++)); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      cat "$log" >&2
      die "cairn exited at start-up"
    fi
    addr=$(sed -n 's/.*msg="cairn serving S3" listen=\([^ ]*\).*/\1/p' "$log" 2>/dev/null || true)
    [[ -n $addr ]] && break
    sleep 0.1
  done
  [[ -n $addr ]] || die "cairn did not log its listen address within 20 s"
  ENDPOINT="http://$addr"
}

load1() { cut -d' ' -f1 /proc/loadavg; }

# Seconds spent waiting for a quiet machine, against LOAD_WAIT.
WAITED=0

# wait_for_low_load: waits until the 1-minute load average is below
# MAX_LOAD; after LOAD_WAIT seconds of waiting in all, measures anyway.
wait_for_low_load() {
  while awk -v l="$(load1)" -v m="$MAX_LOAD" 'BEGIN { exit !(l >= m) }'; do
    if ((WAITED >= LOAD_WAIT)); then
      printf '# load %s still >= %s after %d s of waiting: measuring anyway\n' "$(load1)" "$MAX_LOAD" "$WAITED" >&2
      return 0
    fi
    if ((WAITED % 60 == 0)); then
      printf '# load %s >= %s: waiting\n' "$(load1)" "$MAX_LOAD" >&2
    fi
    sleep 5
    WAITED=$((WAITED + 5))
  done
}

# busy_ticks: the busy time of all CPUs so far, in USER_HZ ticks (user,
# nice, system, irq, softirq, steal).
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

# wait_for_quiet_cpus: waits until the CPUs were busy less than MAX_BUSY
# cores over 2 s, within the same LOAD_WAIT budget.
wait_for_quiet_cpus() {
  awk -v m="$MAX_BUSY" 'BEGIN { exit !(m > 0) }' || return 0
  local before after busy
  while :; do
    before=$(busy_ticks)
    sleep 2
    after=$(busy_ticks)
    busy=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", (b - a) / 100 / 2 }')
    awk -v b="$busy" -v m="$MAX_BUSY" 'BEGIN { exit !(b < m) }' && return 0
    if ((WAITED >= LOAD_WAIT)); then
      printf '# CPUs %s cores busy after %d s of waiting: measuring anyway\n' "$busy" "$WAITED" >&2
      return 0
    fi
    if ((WAITED % 30 == 0)); then
      printf '# CPUs %s cores busy (others): waiting\n' "$busy" >&2
    fi
    sleep 3
    WAITED=$((WAITED + 5))
  done
}

# run_bench ROW_NAME ARGS...: runs cairn bench against the current server
# with --json, saving the result as ROW_NAME.json with the load average at
# the start added.
run_bench() {
  local row=$1
  shift
  wait_for_quiet_cpus
  local load
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  printf '# %s: cairn bench --endpoint %s --access-key %s --secret-key ... --server-pid %s %s\n' \
    "$row" "$ENDPOINT" "$ACCESS_KEY" "$SERVER_PID" "$*" >&2
  local out
  if ! out=$("$BENCH_TMP/cairn" bench --endpoint "$ENDPOINT" --access-key "$ACCESS_KEY" \
    --secret-key "$SECRET_KEY" --server-pid "$SERVER_PID" --json "$@"); then
    printf '%s\n' "$out" >&2
    die "cairn bench failed for $row"
  fi
  jq --arg load "$load" '. + {loadavg: $load}' <<<"$out" >"$BENCH_TMP/$row.json"
  if [[ $row == rw-* ]]; then
    RW_ROWS+=("$row")
  fi
}

# print_table: the PUT/GET rows, then the multipart rows.
print_table() {
  {
    printf 'size\tconc\top\tMiB/s\tops/s\tp50_ms\tp99_ms\terrors\tsrv_cpu_s\tsrv_cores\tsrv_peak_rss_MiB\tcli_cpu_s\tothers_cpu_s\tmd5_MiB/s\tput/md5\tloadavg_at_start\n'
    local row
    for row in "${RW_ROWS[@]}"; do
      jq -r '
        . as $r | .phases[] |
        [ (if .size_bytes >= 1048576 then "\(.size_bytes / 1048576)MiB" else "\(.size_bytes / 1024)KiB" end),
          .concurrency, .op,
          (.mib_s * 10 | round / 10), (.ops_s | round), (.latency.p50_ms * 10 | round / 10),
          (.latency.p99_ms * 10 | round / 10), .errors,
          (.server.cpu_s * 100 | round / 100), (.server.cpu_s / .seconds * 100 | round / 100),
          (.server.peak_rss_bytes / 1048576 | round), (.client_cpu_s * 100 | round / 100),
          (.others_cpu_s * 100 | round / 100),
          ($r.md5_mib_s | round),
          (if .op == "put" then (.mib_s / $r.md5_mib_s * 100 | round / 100) else "" end),
          ($r.loadavg | gsub(" "; "/")) ] | @tsv' "$BENCH_TMP/$row.json"
    done
  } | column -t -s $'\t'
  if [[ $MULTIPART == 1 ]]; then
    printf '\n'
    jq -r '"multipart: \(.multipart.size_bytes / 1073741824) GiB in \(.multipart.parts) parts of \(.multipart.part_size_bytes / 1048576) MiB, \(.multipart.concurrency) in flight: \(.multipart.mib_s * 10 | round / 10) MiB/s (\(.multipart.mib_s / .md5_mib_s * 100 | round / 100) of md5 \(.md5_mib_s | round) MiB/s), UploadPart p50 \(.multipart.part_latency.p50_ms | round) ms, Complete \(.multipart.complete_ms * 10 | round / 10) ms; server cpu \(.multipart.server.cpu_s * 100 | round / 100) s, peak rss \(.multipart.server.peak_rss_bytes / 1048576 | round) MiB, client cpu \(.multipart.client_cpu_s * 100 | round / 100) s, others \(.multipart.others_cpu_s * 100 | round / 100) s; load \(.loadavg)"' \
      "$BENCH_TMP/mp-upload.json"
    jq -r '"complete: \(.complete.parts) parts of \(.complete.part_size_bytes) B (server run with --min-part-size 1): Complete \(.complete.complete_ms * 10 | round / 10) ms, ListParts \(.complete.list_parts_pages.count) pages in \(.complete.list_parts_ms * 10 | round / 10) ms (page p50 \(.complete.list_parts_pages.p50_ms * 10 | round / 10) ms, max \(.complete.list_parts_pages.max_ms * 10 | round / 10) ms); parts took \(.complete.upload_seconds * 10 | round / 10) s to upload; load \(.loadavg)"' \
      "$BENCH_TMP/mp-complete.json"
  fi
}

main() {
  command -v go >/dev/null 2>&1 || die "go is not installed"
  command -v jq >/dev/null 2>&1 || die "jq is required"
  BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench.XXXXXX")
  trap cleanup EXIT
  # Exiting from a signal runs the EXIT trap: the server never outlives us.
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM

  (cd "$REPO_ROOT" && go build -o "$BENCH_TMP/cairn" ./cmd/cairn) || die "go build ./cmd/cairn failed"
  printf '# %s, %s cores (%s), %s\n' "$(go version | cut -d' ' -f3-)" "$(nproc)" \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)" "$(uname -sr)" >&2
  printf '# phases of %s; data in %s\n' "$DURATION" "$BENCH_TMP" >&2
  wait_for_low_load

  local size conc objects
  for size in 64MiB 1MiB 4KiB; do
    start_server "$size"
    for conc in 4 16; do
      case $size in
        64MiB) objects=$((2 * conc)) ;;
        1MiB) objects=256 ;;
        4KiB)
          ((conc == 16)) || continue
          objects=0 # a new key per PUT
          ;;
      esac
      run_bench "rw-$size-c$conc" --op both --size "$size" --concurrency "$conc" \
        --duration "$DURATION" --objects "$objects"
    done
    stop_server
    rm -rf -- "$BENCH_TMP/data-$size"
  done

  if [[ $MULTIPART == 1 ]]; then
    start_server multipart --min-part-size 1
    run_bench mp-upload --op multipart --size 1GiB --part-size 16MiB --concurrency 4 --cleanup
    run_bench mp-complete --op complete --parts 10000 --concurrency 16 --cleanup
    stop_server
    rm -rf -- "$BENCH_TMP/data-multipart"
  fi

  print_table
  printf '# %d s, %d of them waiting for a quiet machine\n' "$SECONDS" "$WAITED" >&2
}

main "$@"
