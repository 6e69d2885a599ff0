#!/bin/bash
# Our kv-server against Debian's redis-server, both pinned to the same CPU
# and driven by kv-bench pinned to another: ops/s and latency at a SET:GET
# ratio, then RSS with N keys of a given size. Numbers for
# docs/redis-like.md; not a test (timings depend on the machine's load).
#
# Usage: workloads/redis-like/compare.sh [SECONDS [ROUNDS]]
# Env: SERVER_CPU (0), CLIENT_CPU (1), CLIENTS (50), RATIO (1:5),
#      DATA_SIZE (32), KEYS (100000)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
wl=$top/workloads/redis-like
secs=${1:-10} rounds=${2:-3}
scpu=${SERVER_CPU:-0} ccpu=${CLIENT_CPU:-1}
clients=${CLIENTS:-50} ratio=${RATIO:-1:5} dsize=${DATA_SIZE:-32} keys=${KEYS:-100000}
tmp=$(mktemp -d /tmp/kv-compare.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
command -v redis-server >/dev/null || { echo "compare: redis-server not installed (apt-get install redis-server)" >&2; exit 1; }
[ -x "$wl/kv-server" ] && [ -x "$wl/kv-bench" ] || { echo "compare: run make first" >&2; exit 1; }

rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# CPU time (user + system, clock ticks) a server has used: less sensitive to
# other jobs on the machine than ops/s is
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
start() {	# sets KV_PID KV_PORT REDIS_PID REDIS_PORT
	taskset -c "$scpu" "$wl/kv-server" --port 0 --snapshot "$tmp/dump.kvs" >"$tmp/kv.out" &
	KV_PID=$!
	REDIS_PORT=$(free_port)
	taskset -c "$scpu" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" \
		--appendonly no --dir "$tmp" --logfile "$tmp/redis.log" &
	REDIS_PID=$!
	pids="$pids $KV_PID $REDIS_PID"
	for _ in $(seq 50); do
		KV_PORT=$(sed -n 's/^port //p' "$tmp/kv.out")
		[ -n "$KV_PORT" ] && [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && return
		sleep 0.1
	done
	echo "compare: servers did not start" >&2
	exit 1
}
stop() {
	kill "$KV_PID" "$REDIS_PID"
	wait "$KV_PID" "$REDIS_PID" 2>/dev/null
}
bench() {	# PORT ARGS...
	local port=$1; shift
	timeout $((secs + 60)) taskset -c "$ccpu" "$wl/kv-bench" --port "$port" \
		--key-space "$keys" --data-size "$dsize" "$@"
}
fill() {	# PORT
	bench "$1" --clients 1 --pipeline 100 --ratio 1:0 --key-pattern sequential \
		--requests "$keys" >/dev/null
}

echo "# $(date -u '+%F %T UTC'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# servers on CPU $scpu, kv-bench on CPU $ccpu: $clients clients, ratio $ratio, $dsize B values, $keys keys, $secs s x $rounds rounds"
start
echo "# RSS empty: kv-server $(rss "$KV_PID") KB, redis-server $(rss "$REDIS_PID") KB"
fill "$KV_PORT"
fill "$REDIS_PORT"
echo "# RSS with $keys keys of $dsize B: kv-server $(rss "$KV_PID") KB, redis-server $(rss "$REDIS_PID") KB"
printf '%-13s %5s %10s %9s %9s %9s %11s\n' server round ops/s p50_us p99_us p99.9_us server_us/op
for r in $(seq "$rounds"); do
	for s in kv-server redis-server; do
		port=$KV_PORT pid=$KV_PID
		[ $s = redis-server ] && port=$REDIS_PORT pid=$REDIS_PID
		t0=$(cpu_ticks "$pid")
		bench "$port" --clients "$clients" --ratio "$ratio" --test-time "$secs" --json \
			>"$tmp/$s.json" || { echo "compare: kv-bench against $s failed" >&2; exit 1; }
		ticks=$(($(cpu_ticks "$pid") - t0))
		python3 -c 'import json,os,sys
d = json.load(open(sys.argv[1])); l = d["latency_us"]
us = int(sys.argv[4]) * 1e6 / os.sysconf("SC_CLK_TCK") / max(d["ops"], 1)
print("%-13s %5s %10.0f %9.0f %9.0f %9.0f %11.2f" % (sys.argv[2], sys.argv[3], d["ops_per_sec"], l["p50"], l["p99"], l["p99.9"], us))' \
			"$tmp/$s.json" "$s" "$r" "$ticks"
	done
done
stop
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
