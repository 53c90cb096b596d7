# Sourced by bench/run.sh and bench/compare.sh: the bare gRPC fan-out
# baseline from ../shared/bench/limits (built into build/limits).
#   bare_fanout W     prints one measurement's RESULT lines: 50 members, W publishes in flight
bare_fanout() {
  local log port pid
  log=$(mktemp)
  build/limits/grpc_server > "$log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    port=$(sed -n 's/^LISTENING \([0-9]*\)/\1/p' "$log")
    [ -n "$port" ] && break
    sleep 0.1
  done
  build/limits/grpc_load fanout --target="127.0.0.1:$port" --subscribers=50 --window="$1" \
    --seconds=5 | grep '^RESULT'
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -f "$log"
}
