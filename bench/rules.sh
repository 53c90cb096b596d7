#!/usr/bin/env bash
# The ground-rules engine's speed beside a per-message cost every client
# already pays: verifying one Ed25519 signature on a 1 KiB message, from the
# libsodium baseline in ../shared/bench/limits. Interleaved RUNS times, then
# medians (CPU time, one core).
#   bench/rules.sh               (RUNS=5 by default; under a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-5}"
LIMITS="${LIMITS:-../shared/bench/limits}"

scripts/setup > /dev/null
cmake -S . -B build -G Ninja > /dev/null
cmake --build build --target ground_rules_bench > /dev/null
cmake -S "$LIMITS" -B build/limits -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build/limits --target crypto_bench > /dev/null

raw=$(mktemp)
for run in $(seq "$RUNS"); do
  build/bench/ground_rules_bench --benchmark_min_time=1 --benchmark_format=csv 2>/dev/null |
    awk -F, '/^"BM_CheckMessage200"/ {print "rules_check_200B_ns", $4}' >> "$raw"
  build/limits/crypto_bench --benchmark_filter='Ed25519Verify' --benchmark_min_time=1 2>/dev/null |
    awk '/^RESULT sodium.Ed25519Verify/ {print "ed25519_verify_1KiB_ns", 1e9 / $3}' >> "$raw"
done
sort -k1,1 -k2,2g "$raw" | awk '
  function flush() {
    if (n == 0) return
    med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    printf "%-26s %10.0f ns (median of %d)\n", key, med, n
    m[key] = med
  }
  $1 != key { flush(); key = $1; n = 0 }
  { v[++n] = $2 }
  END {
    flush()
    r = m["rules_check_200B_ns"]; s = m["ed25519_verify_1KiB_ns"]
    printf "\nGround-rules check: %.0f messages/s per core (target 50000), %.2fx the time of one Ed25519 verify\n", 1e9 / r, r / s
  }'
rm -f "$raw"
