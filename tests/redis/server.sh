# kv-server's commands as redis-cli sees them: replies and errors like
# Redis', expiry, SAVE, BGSAVE while clients write (the fork/COW path),
# the unix socket, --help and bad options.
. "$TOP/tests/redis/common.bash"
command -v redis-cli >/dev/null || { skip "kv-server commands" "redis-cli not installed (Debian package redis-tools)"; done_testing; exit 0; }
start_kv cmds || { fail "kv-server starts" "see above"; done_testing; exit 0; }
PORT=$KV_PORT
cli() { redis-cli -p "$PORT" "$@" 2>&1; }
is() {	# NAME WANT CMD...
	local name=$1 want=$2 got; shift 2
	got=$(cli "$@" | tr '\n' ' ' | sed 's/ *$//')
	[ "$got" = "$want" ] && pass "$WHO$name" || fail "$WHO$name" "got '$got', want '$want'"
}
# The same replies from redis-server and from kv-server.
conformance() {
	is "PING" "PONG" ping
	is "PING msg" "hi" ping hi
	is "ECHO" "hello world" echo "hello world"
	is "SET" "OK" set k1 v1
	is "GET" "v1" get k1
	is "GET missing" "" get nokey
	is "SET NX on existing" "" set k1 v2 nx
	is "SET XX on missing" "" set k2 v2 xx
	is "SET XX on existing" "OK" set k1 v3 xx
	is "SET NX XX is a syntax error" "ERR syntax error" set k1 v nx xx
	is "SET EX 0 is refused" "ERR invalid expire time in 'set' command" set k1 v ex 0
	is "MSET" "OK" mset a 1 b 2 c 3
	is "MSET odd args" "ERR wrong number of arguments for 'mset' command" mset a 1 b
	is "MGET" "1 2  3" mget a b nokey c
	is "EXISTS counts" "3" exists a b nokey a
	is "DEL counts" "2" del a b nokey
	is "INCR new key" "1" incr n
	is "INCR" "2" incr n
	is "INCR non-number" "ERR value is not an integer or out of range" incr k1
	cli set big 9223372036854775807 >/dev/null
	is "INCR at INT64_MAX" "ERR increment or decrement would overflow" incr big
	is "DBSIZE" "4" dbsize
	is "wrong arity" "ERR wrong number of arguments for 'get' command" get
}
if start_redis; then
	PORT=$REDIS_PORT WHO="redis-server: "
	conformance
else
	no_redis "the same replies from redis-server"
fi
PORT=$KV_PORT WHO=""
conformance
is "CONFIG GET save" "save" config get save
is "CONFIG GET glob" "appendonly no" config get append*
is "unknown command" "ERR unknown command 'nosuch', with args beginning with:" nosuch x
is "SET PX then expiry" "OK" set tmp v px 150
sleep 0.4
is "key gone after PX" "0" exists tmp
cli set tmp2 v px 100 >/dev/null; sleep 0.5
info=$(cli info)
grep -q '^expired_keys:[1-9]' <<< "$info" && pass "active expiry removed a key nobody read" \
	|| fail "active expiry" "$(grep expired_keys <<< "$info")"
is "SAVE" "OK" save
[ "$(tail -c 8 "$T/cmds.kvs" | od -An -tu8 | tr -d ' ')" = 4 ] && pass "SAVE wrote a snapshot of 4 keys" \
	|| fail "SAVE wrote a snapshot of 4 keys" "trailer: $(tail -c 8 "$T/cmds.kvs" | od -An -tu8)"
is "FLUSHALL" "OK" flushall
is "DBSIZE after FLUSHALL" "0" dbsize

# BGSAVE while kv-bench writes: the child snapshots, the parent keeps serving
"$KV_BENCH" --port "$KV_PORT" --ratio 1:0 --key-pattern sequential --key-space 100000 \
	--requests 100000 --data-size 64 --clients 10 >/dev/null
"$KV_BENCH" --port "$KV_PORT" --ratio 1:1 --key-space 100000 --data-size 64 --clients 10 \
	--test-time 2 --json >"$T/load.json" 2>&1 &
lp=$!
sleep 0.3
is "BGSAVE" "Background saving started" bgsave
for _ in $(seq 100); do
	cli info | grep -q '^rdb_bgsave_in_progress:0' && break
	sleep 0.1
done
info=$(cli info)
grep -q '^rdb_last_bgsave_status:ok' <<< "$info" && grep -q '^total_forks:1' <<< "$info" \
	&& pass "BGSAVE child finished ok while clients wrote" \
	|| fail "BGSAVE child finished ok" "$(grep -E 'bgsave|forks' <<< "$info" | tr '\r\n' '  ')"
keys=$(tail -c 8 "$T/cmds.kvs" | od -An -tu8 | tr -d ' ')
[ "$keys" = 100000 ] && pass "BGSAVE snapshot holds the 100000 keys" \
	|| fail "BGSAVE snapshot holds the 100000 keys" "trailer says $keys"
if wait $lp && grep -q '"errors": 0' "$T/load.json"; then
	pass "clients served without error across the fork"
else
	fail "clients served without error across the fork" "$(tail -3 "$T/load.json")"
fi
r=$( (printf 'BGSAVE\r\nBGSAVE\r\n'; sleep 0.3) | timeout 5 python3 -c '
import socket,sys; s=socket.create_connection(("127.0.0.1",'"$KV_PORT"')); s.sendall(b"BGSAVE\r\nBGSAVE\r\n")
import time; time.sleep(0.3); print(s.recv(4096).decode().replace("\r\n"," ").strip())')
[ "$r" = "+Background saving started -ERR Background save already in progress" ] \
	&& pass "a second BGSAVE while one runs is refused" || fail "a second BGSAVE while one runs is refused" "$r"

# unix socket, --help, bad options
"$KV_SERVER" --unix "$T/kv.sock" --snapshot "$T/u.kvs" 2>"$T/u.err" &
up=$!; _pids="$_pids $up"
for _ in $(seq 50); do [ -S "$T/kv.sock" ] && break; sleep 0.1; done
[ "$(redis-cli -s "$T/kv.sock" ping 2>&1)" = PONG ] && pass "--unix PATH serves" \
	|| fail "--unix PATH serves" "$(cat "$T/u.err")"
timeout 30 "$KV_BENCH" --unix "$T/kv.sock" --requests 1000 --clients 4 >/dev/null \
	&& pass "kv-bench over the unix socket" || fail "kv-bench over the unix socket" "exit $?"
expect_exit 0 "kv-server --help" "$KV_SERVER" --help
expect_exit 1 "kv-server --port 70000 is refused" "$KV_SERVER" --port 70000
expect_exit 1 "kv-server --max-query 12Q is refused" "$KV_SERVER" --max-query 12Q
grep -q "^usage: kv-server" <("$KV_SERVER" --help) && pass "--help says usage" || fail "--help says usage" "no usage line"

# memory goes back to the kernel under churn: large values are mmap'd and
# unmapped, small ones freed and trimmed (malloc_trim) in the cron.
# make test-asan (FLB_SANITIZED=1): ASan's allocator stands in for glibc's
# (freed memory held in its quarantine, redzones, shadow memory), so RSS and
# fault counts are not kv-server's: the same commands run, their memory
# checks are skips there (make test has them)
asan_why="ASan's allocator (quarantine, redzones, shadow) replaces glibc malloc: RSS and faults are not kv-server's"
start_kv churn || { fail "kv-server starts" "see above"; done_testing; exit 0; }
for size in 262144 100; do
	n=$((50000000 / size))
	"$KV_BENCH" --port "$KV_PORT" --clients 4 --pipeline 16 --ratio 1:0 --key-pattern sequential \
		--key-space $n --requests $n --data-size $size >/dev/null
	full=$(rss_kb "$KV_PID")
	redis-cli -p "$KV_PORT" flushall >/dev/null
	sleep 0.5	# a few cron ticks
	empty=$(rss_kb "$KV_PID")
	if [ "${FLB_SANITIZED:-}" = 1 ]; then
		skip "memory returned after FLUSHALL ($size B values)" "$asan_why"
	else [ "$full" -gt 40000 ] && [ "$empty" -lt 10000 ] \
		&& pass "$n values of $size B: RSS $full KB, after FLUSHALL $empty KB" \
		|| fail "memory returned after FLUSHALL ($size B values)" "RSS $full KB full, $empty KB after"
	fi
done

# BGSAVE's point: the parent takes copy-on-write faults while the child runs
start_kv cow || { fail "kv-server starts" "see above"; done_testing; exit 0; }
"$KV_BENCH" --port "$KV_PORT" --clients 4 --pipeline 32 --ratio 1:0 --key-pattern sequential \
	--key-space 50000 --requests 50000 --data-size 1000 >/dev/null
minflt() { awk '{ print $10 }' "/proc/$1/stat"; }
overwrite() {
	"$KV_BENCH" --port "$KV_PORT" --clients 10 --ratio 1:0 --key-space 50000 \
		--data-size 1000 --requests 20000 >/dev/null
}
a=$(minflt "$KV_PID"); overwrite; quiet=$(( $(minflt "$KV_PID") - a ))
a=$(minflt "$KV_PID"); redis-cli -p "$KV_PORT" bgsave >/dev/null; overwrite
forked=$(( $(minflt "$KV_PID") - a ))
if [ "${FLB_SANITIZED:-}" = 1 ]; then
	skip "writes during BGSAVE take COW faults" "$asan_why"
else [ "$forked" -gt 500 ] && [ "$forked" -gt $((10 * quiet)) ] \
	&& pass "writes during BGSAVE take COW faults: $forked minor faults (without: $quiet)" \
	|| fail "writes during BGSAVE take COW faults" "$forked minor faults with BGSAVE, $quiet without"
fi
done_testing
