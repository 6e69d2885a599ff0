# Fuzz kv-server's RESP request parser for a bounded time (FUZZ_SECONDS,
# default 30): libFuzzer when clang provides it, else a randomized stand-in.
# The target parses each input whole and in chunks and aborts on any
# disagreement, out-of-bounds argument or sanitizer report.
. "$TOP/tests/lib.sh"
bin=$TOP/build/tests/redis/fuzz-resp
secs=${FUZZ_SECONDS:-30}
[ -x "$bin" ] || { fail "RESP parser fuzz" "$bin not built (make test-progs)"; done_testing; exit 0; }
mkdir -p "$T/corpus"
if timeout -k 5 $((secs + 60)) "$bin" -max_total_time="$secs" -rss_limit_mb=1024 \
	-timeout=10 -artifact_prefix="$T/" "$T/corpus" "$TOP/tests/redis/fuzz-seeds" \
	>"$T/fuzz.log" 2>&1; then
	if grep -q "standalone randomized" "$T/fuzz.log"; then
		pass "RESP parser: ${secs}s randomized test (no libFuzzer: clang missing), no failure"
	else
		pass "RESP parser: ${secs}s libFuzzer run, $(grep -o 'Done [0-9]* runs' "$T/fuzz.log" | head -1), no failure"
	fi
else
	fail "RESP parser fuzz" "$(grep -m3 -E 'ERROR|SUMMARY|disagree|abort' "$T/fuzz.log" | tr '\n' ' ')"
	for a in "$T"/crash-* "$T"/leak-* "$T"/timeout-*; do
		[ -f "$a" ] && echo "# input: $(od -c "$a" | head -3 | tr '\n' ' ')"
	done
fi
done_testing
