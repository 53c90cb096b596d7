#!/usr/bin/env bash
# Kith's load figures beside this machine's raw limits, measured in the same
# run: the bare gRPC fan-out baseline and one synced RocksDB append, both
# from ../shared/bench/limits, what a system call, a thread wake-up and a
# loopback round trip cost (bench/machine_costs), and kith_load against a
# real kithd and against cluster mode (two kithd nodes on PostgreSQL with a
# synchronous standby), interleaved RUNS times, then medians.
#   bench/run.sh                 (RUNS=3 by default; about 3 minutes a run)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-3}"
LIMITS="${LIMITS:-../shared/bench/limits}"
OUT="${OUT:-bench/out}"
mkdir -p "$OUT"
raw="$OUT/raw.txt"
: > "$raw"

scripts/setup > /dev/null
cmake -S "$LIMITS" -B build/limits -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build/limits --target grpc_server grpc_load storage_bench > /dev/null

source bench/bare_fanout.sh
baseline() { bare_fanout "$1" >> "$raw"; }

for run in $(seq "$RUNS"); do
  echo "run $run of $RUNS" >&2
  baseline 64
  baseline 8
  baseline 4
  # This disk's speed for one synced append, which every Kith append waits for.
  build/limits/storage_bench put --dir=/tmp --sync=1 --writers=1 --seconds=3 | grep '^RESULT' >> "$raw"
  # What a system call, a thread wake-up and a loopback round trip cost now.
  build/bench/machine_costs >> "$raw"
  build/bench/kith_load fanout --seconds 5 2>/dev/null | grep '^RESULT' >> "$raw"
  build/bench/kith_load --cluster fanout --seconds 5 2>/dev/null | grep '^RESULT' >> "$raw"
done
echo "idle followers" >&2
build/bench/kith_load idle --followers 5000 2>/dev/null | grep '^RESULT' >> "$raw"
echo "cluster node start, empty and on its cache" >&2
for run in $(seq "$RUNS"); do
  build/bench/kith_load --cluster start --groups 1000 --messages 20 2>/dev/null | grep '^RESULT' >> "$raw"
done

# Median of each figure over the runs.
awk '{print $2, $3, $4}' "$raw" | sort -k1,1 -k2,2g | awk '
  function flush() {
    if (n == 0) return
    med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    printf "%-45s %12.1f %-13s (median of %d)\n", key, med, unit, n
    medians[key] = med
  }
  $1 != key { flush(); key = $1; n = 0 }
  { v[++n] = $2; unit = $3 }
  END {
    flush()
    k = medians["kith.fanout.m50.sat.deliveries_per_s"]
    b = medians["grpc.fanout.m50.w64.deliveries_per_s"]
    if (b > 0) printf "\nKith delivered messages/s at saturation: %.1f%% of bare gRPC fan-out (%.0f vs %.0f)\n", 100 * k / b, k, b
    kd = medians["kith.fanout.m50.half.deliveries_per_s"]; kp = medians["kith.fanout.m50.half.delivery_p99_us"]
    bd = medians["grpc.fanout.m50.w4.deliveries_per_s"]; bp = medians["grpc.fanout.m50.w4.delivery_p99_us"]
    if (kd > 0 && bd > 0) printf "Delivery p99 at a like rate: Kith at half of saturation %.1f ms (%.0f deliveries/s), bare gRPC at W=4 %.1f ms (%.0f deliveries/s)\n", kp / 1000, kd, bp / 1000, bd
    ks = medians["kith.fanout.m50.half.server_cpu_pct"]; kl = medians["kith.fanout.m50.half.load_cpu_pct"]
    bs = medians["grpc.fanout.m50.w4.server_cpu_pct"]; bl = medians["grpc.fanout.m50.w4.load_cpu_pct"]
    if (kd > 0 && bd > 0) printf "Server CPU a delivery at that rate: Kith %.1f us (kithd %.0f%% of a core, load tool %.0f%%), bare gRPC %.1f us (server %.0f%%, load %.0f%%)\n", 1e4 * ks / kd, ks, kl, 1e4 * bs / bd, bs, bl
    ms = medians["machine.syscall_ns"]; mw = medians["machine.thread_wakeup_us"]; mr = medians["machine.loopback_rtt_us"]
    if (ms > 0) printf "This machine, same run: a system call %.2f us, a thread wake-up %.1f us, a 64-byte loopback round trip %.1f us\n", ms / 1000, mw, mr
    sp = medians["rocksdb.put.sync.w1.tmp.p50_us"]; sq = medians["rocksdb.put.sync.w1.tmp.p99_us"]
    if (sp > 0) printf "One synced RocksDB append on this disk, same run: p50 %.0f us, p99 %.0f us (shared/bench/limits recorded 114 us and 275 us)\n", sp, sq
    c = medians["kith.cluster2.fanout.m50.sat.deliveries_per_s"]
    if (k > 0 && c > 0) printf "Cluster mode (2 nodes, synchronous standby) delivered messages/s at saturation: %.1f%% of embedded (%.0f vs %.0f)\n", 100 * c / k, c, k
    e = medians["kith.cluster2.start.g1000.m20.empty.first_group_read_ms"]
    a = medians["kith.cluster2.start.g1000.m20.empty.all_groups_ms"]
    if (e > 0 && a > 0) printf "A new cluster node served a group %.0f ms after launch; it had all 1,000 groups at %.0f ms\n", e, a
  }' | tee "$OUT/summary.txt"
