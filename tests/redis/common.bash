# Helpers for tests/redis/*.sh (sourced; not a test itself): start our
# kv-server and a real redis-server on free loopback ports, and stop them
# when the script exits, whatever happens.
. "$TOP/tests/lib.sh"
RL=$FB_BIN/workloads/redis-like
KV_SERVER=$RL/kv-server
KV_BENCH=$RL/kv-bench
_pids=""
_cleanup() {
	for p in $_pids; do kill "$p" 2>/dev/null; done
	for p in $_pids; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

# start_kv NAME [OPTIONS]: kv-server --port 0; sets KV_PID, KV_PORT
start_kv() {
	local name=$1; shift
	"$KV_SERVER" --port 0 --snapshot "$T/$name.kvs" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	KV_PID=$!
	_pids="$_pids $KV_PID"
	KV_PORT=""
	for _ in $(seq 50); do
		KV_PORT=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$T/$name.out")
		[ -n "$KV_PORT" ] && return 0
		kill -0 "$KV_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "kv-server $name did not start: $(tail -3 "$T/$name.err")" >&2
	return 1
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_redis: a throw-away redis-server on 127.0.0.1; sets REDIS_PID,
# REDIS_PORT. Returns 2 (and says why) when redis-server is missing.
start_redis() {
	command -v redis-server >/dev/null || { REDIS_WHY="redis-server not installed (Debian package redis-server)"; return 2; }
	for _ in 1 2 3; do
		REDIS_PORT=$(free_port)
		redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
			--dir "$T" --daemonize no --logfile "$T/redis.log" &
		REDIS_PID=$!
		_pids="$_pids $REDIS_PID"
		for _ in $(seq 50); do
			[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && return 0
			kill -0 "$REDIS_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill "$REDIS_PID" 2>/dev/null
	done
	REDIS_WHY="redis-server did not start: $(tail -2 "$T/redis.log" 2>/dev/null | tr '\n' ' ')"
	return 1
}

# no_redis NAME: after start_redis failed, NAME is a skip when redis-server
# is not installed, a failure when it is and did not start
no_redis() {
	if command -v redis-server >/dev/null; then fail "$1" "$REDIS_WHY"
	else skip "$1" "$REDIS_WHY"; fi
}

# rss_kb PID
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null; }
