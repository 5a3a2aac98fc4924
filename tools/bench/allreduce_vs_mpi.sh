#!/usr/bin/env bash
# dsflow's ring allreduce and transport latency against Open MPI and fi_pingpong, side by side.
#
#   tools/bench/allreduce_vs_mpi.sh [BUILD_DIR]      (default: build)
#
# Allreduce: `ds-bench allreduce` (libfabric shm, and tcp;ofi_rxm on lo) against
# tools/bench/mpi_allreduce.c, which times MPI_Allreduce(MPI_SUM, float, in place) the same
# way: 4 KiB .. 64 MiB, one warm-up, REPEATS timed calls (4x below 1 MiB), rank 0's median.
# MPI runs with its default on-node path (pml ob1 + btl vader, shared memory) against dsflow
# over shm, and with btl tcp on lo against dsflow over tcp. Latency: `ds-bench pingpong`
# against fi_pingpong (tagged messages, RDM endpoint) on the same provider, server and client
# on 127.0.0.1.
#
# Every measurement runs ROUNDS times, the runs of dsflow and of the reference alternating, so
# that a change in machine load hits both; the table shows the median over rounds of each
# run's own median (fi_pingpong reports a mean per run). Environment: REPEATS (default 11),
# ROUNDS (3), ROUND_TRIPS (2000), SIZES_MAX (67108864), RANKS ("2 4"), and BASELINE_BENCH: a
# ds-bench built from another commit, whose `allreduce` (all providers and world sizes) then
# runs in every round too and fills a "before" column; PARTS ("allreduce latency"): which
# measurements to run. Needs openmpi-bin, libopenmpi-dev and libfabric-bin, installed with
# apt-get when missing.
#
# fi_pingpong's server and client each get a core of their own (taskset -c 0, -c 1): both
# spin, and two spinning processes that share a core take a scheduler time slice per round
# trip (measured 550 us instead of 4 us on this 2-core VM while other builds ran).
set -euo pipefail

build=${1:-build}
repeats=${REPEATS:-11}
rounds=${ROUNDS:-3}
round_trips=${ROUND_TRIPS:-2000}
sizes_max=${SIZES_MAX:-67108864}
ranks_list=${RANKS:-"2 4"}
parts=${PARTS:-"allreduce latency"}
here=$(cd "$(dirname "$0")" && pwd)

"$here/../scripts/install-deps.sh" openmpi-bin libopenmpi-dev libfabric-bin

bench="$build/tools/ds-bench"
[[ -x "$bench" ]] || { echo "allreduce_vs_mpi: no $bench; build first (ninja -C $build tools/ds-bench)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mpicc -O2 -o "$work/mpi_allreduce" "$here/mpi_allreduce.c"

# Running as root is what this VM does; Open MPI refuses it unless told, and the ranks may
# outnumber the cores. An idle MPI rank yields its core, as dsflow's progress threads do:
# without it two ranks that spin on a machine with other work measured 100x slower at 4 KiB.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun_args=(--oversubscribe --bind-to none --mca mpi_yield_when_idle 1)
declare -A mpi_transport=(
  [shm]="--mca pml ob1 --mca btl vader,self"
  [tcp]="--mca pml ob1 --mca btl tcp,self --mca btl_tcp_if_include lo"
)
declare -A fabric=([shm]="shm" [tcp]="tcp;ofi_rxm")

echo "# $(date -u +%FT%TZ) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$work/load"
for round in $(seq 1 "$rounds"); do
  if [[ -n ${BASELINE_BENCH:-} && $parts == *allreduce* ]]; then
    "$BASELINE_BENCH" allreduce --repeats "$repeats" \
      | awk -v r="$round" '$4 == "KiB" { t = ($1 ~ /^tcp/) ? "tcp" : $1; print "before", r, t, $2, $3 * 1024, $8 }' >> "$work/allreduce"
  fi
  [[ $parts == *allreduce* ]] || ranks_list=""
  for ranks in $ranks_list; do
    for transport in shm tcp; do
      "$bench" allreduce --repeats "$repeats" --ranks "$ranks" --provider "${fabric[$transport]}" \
        | awk -v r="$round" -v t="$transport" '
            /^memcpy/ { print "memcpy", r, $(NF-1) }
            $3 ~ /^[0-9.]+$/ && $4 == "KiB" { print "dsflow", r, t, $2, $3 * 1024, $8 }' >> "$work/allreduce"
      # shellcheck disable=SC2086  # the MCA flags are words
      mpirun "${mpirun_args[@]}" ${mpi_transport[$transport]} -np "$ranks" \
        "$work/mpi_allreduce" "$repeats" "$sizes_max" \
        | awk -v r="$round" -v t="$transport" '$1 == "mpi" { print "mpi", r, t, $2, $3, $6 }' >> "$work/allreduce"
    done
  done
  [[ $parts == *latency* ]] || continue
  for transport in shm tcp; do
    "$bench" pingpong --round-trips "$round_trips" --provider "${fabric[$transport]}" \
      | awk -v r="$round" -v t="$transport" '$3 == "B" { print "dsflow", r, t, $2, $(NF-1) }' >> "$work/latency"
    domain=()
    [[ $transport == tcp ]] && domain=(-d lo)
    for size in 1 64 1024 4096 16384; do
      port=$((47000 + RANDOM % 1000))
      timeout 120 taskset -c 0 fi_pingpong -p "${fabric[$transport]}" -e rdm -m tagged "${domain[@]}" -B "$port" -I "$round_trips" -S "$size" >/dev/null 2>&1 &
      server=$!
      sleep 0.3
      timeout 120 taskset -c 1 fi_pingpong -p "${fabric[$transport]}" -e rdm -m tagged "${domain[@]}" -P "$port" -I "$round_trips" -S "$size" 127.0.0.1 \
        | awk -v r="$round" -v t="$transport" -v s="$size" '$1 ~ /^[0-9]/ { print "fi_pingpong", r, t, s, $7 }' >> "$work/latency" \
        || echo "allreduce_vs_mpi: fi_pingpong -p ${fabric[$transport]} -S $size failed" >&2
      wait "$server" || true
    done
  done
done

touch "$work/allreduce" "$work/latency"
python3 - "$work/allreduce" "$work/latency" <<'PY'
import statistics, sys
from collections import defaultdict

def median(values):
    return statistics.median(values) if values else float("nan")

busbw, memcpy = defaultdict(list), []
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == "memcpy":
        memcpy.append(float(f[2]))
    else:
        busbw[(f[0], f[2], int(f[3]), int(float(f[4])))].append(float(f[5]))
copy = median(memcpy)
before = any(k[0] == "before" for k in busbw)
print(f"\nallreduce busbw (GB/s), medians over alternating rounds; memcpy {copy:.2f} GB/s;")
print("ratio = dsflow / MPI" + ("; 'before' is BASELINE_BENCH, its ratio before / MPI" if before else ""))
print(f"{'transport':9} {'ranks':>5} {'size':>10} " + (f"{'before':>8} " if before else "")
      + f"{'dsflow':>8} {'MPI':>8} {'ratio':>7} " + (f"{'before':>7} " if before else "") + f"{'/memcpy':>8}")
for transport, ranks, size in sorted({k[1:] for k in busbw if k[0] == "dsflow"}, key=lambda k: (k[0], k[1], k[2])):
    ours, theirs = median(busbw[("dsflow", transport, ranks, size)]), median(busbw[("mpi", transport, ranks, size)])
    old = median(busbw[("before", transport, ranks, size)])
    label = f"{size // 1024} KiB" if size < 1 << 20 else f"{size >> 20} MiB"
    print(f"{transport:9} {ranks:5} {label:>10} " + (f"{old:8.2f} " if before else "")
          + f"{ours:8.2f} {theirs:8.3f} {ours / theirs:7.2f} " + (f"{old / theirs:7.2f} " if before else "")
          + f"{100 * ours / copy:7.0f}%")

latency = defaultdict(list)
for line in open(sys.argv[2]):
    f = line.split()
    latency[(f[0], f[2], int(f[3]))].append(float(f[4]))
print("\none-way latency (us): dsflow half its median round trip, fi_pingpong usec/xfer (a mean per")
print("run; median and best over rounds); ratio = dsflow / fi_pingpong's median. fi_pingpong has no")
print("figure above 16 KiB here, where dsflow switches to RMA reads")
print(f"{'transport':9} {'size':>8} {'dsflow':>9} {'fi_pingpong':>12} {'best':>9} {'ratio':>7}")
for transport, size in sorted({k[1:] for k in latency}):
    ours, theirs = median(latency[("dsflow", transport, size)]), latency[("fi_pingpong", transport, size)]
    if theirs:
        print(f"{transport:9} {size:8} {ours:9.2f} {median(theirs):12.2f} {min(theirs):9.2f} {ours / median(theirs):7.2f}")
    else:
        print(f"{transport:9} {size:8} {ours:9.2f} {'-':>12} {'-':>9} {'-':>7}")
PY
echo "# finished $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
