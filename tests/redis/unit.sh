# Unit tests of workloads/redis-like (histogram, RESP parser, hash table)
# and the redis_like workload through its struct, against our kv-server and
# a real redis-server started here.
. "$TOP/tests/redis/common.bash"
bin=$FB_TESTS/redis/unit
[ -x "$bin" ] || { fail "redis unit program" "$bin not built (make test-progs)"; done_testing; exit 0; }
# kv-server is built by `make` (PROGS): missing, the test fails
[ -x "$KV_SERVER" ] || fail "redis_like with the built-in server" "$KV_SERVER not built"
export FLUSHBENCH_KV_SERVER=$KV_SERVER
if start_redis; then
	export REDIS_ADDR=127.0.0.1:$REDIS_PORT
else
	no_redis "redis_like against redis-server"
fi
CMOCKA_MESSAGE_OUTPUT=TAP tap_run "" "$bin"
done_testing
