# Bad input (tests/redis/malformed.py): wrong lengths, a bulk length of
# 2^62, binary garbage, commands cut in half, clients that vanish mid-
# command or never read; each gets an error reply or a closed connection,
# the server lives on and its memory stays bounded. Once with Redis'
# default limits, once with 4 MB query/output caps to hit them quickly.
. "$TOP/tests/redis/common.bash"
start_kv defaults || { fail "kv-server starts" "see above"; done_testing; exit 0; }
tap_run "default limits: " timeout 300 python3 "$TOP/tests/redis/malformed.py" "$KV_PORT" "$KV_PID" 0
start_kv limited --max-query 4M --max-output 4M || { fail "kv-server starts" "see above"; done_testing; exit 0; }
tap_run "small limits: " timeout 300 python3 "$TOP/tests/redis/malformed.py" "$KV_PORT" "$KV_PID" 1
grep -q "closing client" "$T/limited.err" && pass "kv-server says which client it closed and why" \
	|| fail "kv-server logs closed clients" "stderr: $(tail -2 "$T/limited.err")"
done_testing
