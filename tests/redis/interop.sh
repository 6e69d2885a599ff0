# kv-bench (our client) against a real redis-server, started here on a free
# loopback port and stopped at exit: it writes every key, reads each back
# and checks the value (--verify); the same against kv-server. Also the
# JSON report's shape, and the exit status when the server is gone.
. "$TOP/tests/redis/common.bash"
N=20000
json_get() {	# FILE EXPR  (python3 reads the JSON kv-bench wrote)
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
roundtrip() {	# NAME PORT
	local name=$1 port=$2 w r
	w=$T/$name-write.json r=$T/$name-read.json
	if ! timeout 120 "$KV_BENCH" --port "$port" --clients 20 --threads 2 --pipeline 4 \
		--ratio 1:0 --key-pattern sequential --key-space $N --requests $N \
		--data-size 100 --json >"$w" 2>"$T/$name.err"; then
		fail "$name: kv-bench writes $N keys" "$(tail -2 "$T/$name.err") $(json_get "$w" 'd.get("error")' 2>/dev/null)"
		return
	fi
	[ "$(json_get "$w" 'd["sets"], d["errors"]')" = "($N, 0)" ] \
		&& pass "$name: kv-bench wrote $N keys, no error" \
		|| fail "$name: kv-bench wrote $N keys" "$(json_get "$w" 'd["sets"], d["errors"]')"
	[ "$(redis-cli -p "$port" dbsize)" = $N ] && pass "$name: DBSIZE is $N" \
		|| fail "$name: DBSIZE is $N" "DBSIZE $(redis-cli -p "$port" dbsize)"
	if timeout 120 "$KV_BENCH" --port "$port" --clients 20 --threads 2 --pipeline 4 \
		--ratio 0:1 --key-pattern sequential --key-space $N --requests $N \
		--data-size 100 --verify --json >"$r" 2>"$T/$name.err" &&
	   [ "$(json_get "$r" 'd["hits"], d["misses"], d["verify_failures"], d["errors"]')" = "($N, 0, 0, 0)" ]; then
		pass "$name: kv-bench read back all $N values, each as written"
	else
		fail "$name: kv-bench read back what it wrote" \
			"$(json_get "$r" 'd["hits"], d["misses"], d["verify_failures"], d.get("error")' 2>&1)"
	fi
	# a mixed run by time, random and gaussian keys
	for pat in random gaussian; do
		timeout 60 "$KV_BENCH" --port "$port" --clients 10 --ratio 1:5 --key-space $N \
			--data-size 100 --key-pattern $pat --test-time 1 --verify --json \
			>"$T/$name-$pat.json" 2>"$T/$name.err" &&
		json_get "$T/$name-$pat.json" \
			'd["ok"] and d["ops"] > 0 and d["misses"] == 0 and 0 < d["latency_us"]["p50"] <= d["latency_us"]["p99"] <= d["latency_us"]["p99.9"] or sys.exit(1)' >/dev/null \
			&& pass "$name: 1 s of 1:5 $pat load, all hits, ordered percentiles" \
			|| fail "$name: 1 s of 1:5 $pat load" "$(cat "$T/$name-$pat.json" "$T/$name.err" | tail -5 | tr '\n' ' ')"
	done
}

if start_redis; then
	roundtrip redis-server "$REDIS_PORT"
	# a value redis-server holds is the one kv-bench derives from the key
	v=$(redis-cli -p "$REDIS_PORT" get key:123)
	[ "${v:0:4}" = "123:" ] && [ ${#v} = 100 ] && pass "redis-server holds kv-bench's value for key:123" \
		|| fail "redis-server holds kv-bench's value for key:123" "got '${v:0:20}...' (${#v} bytes)"
else
	no_redis "kv-bench against redis-server"
fi
start_kv interop || { fail "kv-server starts" "see above"; done_testing; exit 0; }
roundtrip kv-server "$KV_PORT"
expect_exit 1 "kv-bench --verify catches values that are not what it wrote" \
	"$KV_BENCH" --port "$KV_PORT" --ratio 0:1 --key-space $N --requests 100 --data-size 50 --verify
kill "$KV_PID"; wait "$KV_PID" 2>/dev/null
expect_exit 2 "kv-bench exits 2 when nothing listens" \
	"$KV_BENCH" --port "$KV_PORT" --requests 10 --clients 1
expect_exit 2 "kv-bench rejects --ratio 0:0" "$KV_BENCH" --ratio 0:0
expect_exit 0 "kv-bench --help" "$KV_BENCH" --help
done_testing
