# Debian's redis-benchmark (a client we did not write) against kv-server:
# PING (inline and multibulk), SET, GET, INCR, plain and pipelined, with no
# error reply (redis-benchmark 7 exits 1 on the first one); then the
# replies are checked: every INCR counted, SET values stored at full size.
. "$TOP/tests/redis/common.bash"
command -v redis-benchmark >/dev/null || { skip "redis-benchmark vs kv-server" "redis-benchmark not installed (Debian package redis-tools)"; done_testing; exit 0; }
start_kv bench || { fail "kv-server starts" "see above"; done_testing; exit 0; }
n=20000
out=$(timeout 120 redis-benchmark -h 127.0.0.1 -p "$KV_PORT" -t ping,set,get,incr \
	-n $n -c 20 -r 100 -d 16 --csv 2>&1); rc=$?
if [ $rc = 0 ] && ! grep -qi error <<< "$out"; then
	pass "redis-benchmark -t ping,set,get,incr: exit 0, no error reply"
else
	fail "redis-benchmark -t ping,set,get,incr" "exit $rc: $(grep -i -m2 error <<< "$out")"
fi
for t in PING_INLINE PING_MBULK SET GET INCR; do
	if grep -q "^\"$t\",\"[1-9]" <<< "$out"; then pass "redis-benchmark $t ran"
	else fail "redis-benchmark $t ran" "no rate line for $t"; fi
done
keys=$(for i in $(seq 0 99); do printf 'counter:%012d ' "$i"; done)
# shellcheck disable=SC2086
sum=$(redis-cli -p "$KV_PORT" mget $keys | awk '{ s += $1 } END { print s + 0 }')
[ "$sum" = $n ] && pass "INCR replies add up: $n increments over 100 counters" \
	|| fail "INCR replies add up" "counters sum to $sum, want $n"
lens=$(for i in 1 2 3 50 99; do redis-cli -p "$KV_PORT" strlen "$(printf 'key:%012d' $i)"; done | sort -u | tr '\n' ' ')
[ "$lens" = "16 " ] && pass "SET stored the 16-byte values (STRLEN of 5 keys)" \
	|| fail "SET stored the 16-byte values" "STRLEN gave: $lens"
out=$(timeout 120 redis-benchmark -h 127.0.0.1 -p "$KV_PORT" -t set,get,incr \
	-n 100000 -c 20 -r 1000 -P 16 --csv 2>&1); rc=$?
[ $rc = 0 ] && ! grep -qi error <<< "$out" && pass "redis-benchmark pipelined (-P 16): no error" \
	|| fail "redis-benchmark pipelined (-P 16)" "exit $rc: $(grep -i -m2 error <<< "$out")"
expect_exit 1 "redis-benchmark stops on an error reply (INCR of a non-number)" \
	sh -c "redis-cli -p $KV_PORT set notnum abc >/dev/null && redis-benchmark -p $KV_PORT -n 5 -c 1 incr notnum"
[ "$(redis-cli -p "$KV_PORT" ping)" = PONG ] && pass "kv-server alive after redis-benchmark" \
	|| fail "kv-server alive after redis-benchmark" "no PONG"
done_testing
