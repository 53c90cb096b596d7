#!/usr/bin/env bash
# Kith's fan-out before and after a change, in one run: kith_load fanout
# from an earlier build (BEFORE, a build directory of another checkout) and
# from this tree's build/, with the bare gRPC fan-out baseline from
# ../shared/bench/limits, interleaved RUNS times, then medians of each.
#   BEFORE=/path/to/old/build bench/compare.sh      (RUNS=3; about 2 minutes a run)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BEFORE:?set BEFORE to the build directory of the version to compare with}"
RUNS="${RUNS:-3}"
LIMITS="${LIMITS:-../shared/bench/limits}"
raw="$(mktemp)"

cmake -S "$LIMITS" -B build/limits -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build/limits --target grpc_server grpc_load > /dev/null
cmake --build build --target kith_load > /dev/null

source bench/bare_fanout.sh

for run in $(seq "$RUNS"); do
  echo "run $run of $RUNS" >&2
  bare_fanout 64 | sed 's/^RESULT/baseline/' >> "$raw"
  "$BEFORE/bench/kith_load" fanout --seconds 5 2>/dev/null | grep '^RESULT' | sed 's/^RESULT/before/' >> "$raw"
  build/bench/kith_load fanout --seconds 5 2>/dev/null | grep '^RESULT' | sed 's/^RESULT/after/' >> "$raw"
done

# Median of each figure, for each side.
sort -k1,2 -s "$raw" | awk '
  function flush() {
    if (n == 0) return
    med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    printf "%-7s %-45s %12.1f %s\n", side, key, med, unit
  }
  $1 != side || $2 != key { flush(); side = $1; key = $2; n = 0 }
  { v[++n] = $3; unit = $4; for (i = n; i > 1 && v[i - 1] > v[i]; --i) { t = v[i]; v[i] = v[i - 1]; v[i - 1] = t } }
  END { flush() }'
rm -f "$raw"
