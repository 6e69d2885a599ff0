# Each fuzz target of tests/fuzz/ (build/fuzz/fuzz-NAME, `make test-progs`)
# for FUZZ_SECONDS (default 15) over its seeds (tests/fuzz/seeds/NAME/),
# one at a time, single process: one TAP line each with its executions and
# coverage (libFuzzer's final cov:/ft: and "Done N runs"); a failure names
# the finding and prints the input that caused it. FUZZ_SUMMARY=FILE (make
# fuzz) also writes the table: target, seconds, runs, edges, features,
# crashes. FUZZ_ONLY=NAME runs one.
. "$TOP/tests/lib.sh"
secs=${FUZZ_SECONDS:-15}
out=$TOP/build/fuzz
[ -n "${T:-}" ] || { T=$(mktemp -d /tmp/flb-fuzz.XXXXXX); trap 'rm -rf "$T"' EXIT; }
names=$(cd "$TOP/tests/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
mode=$(cat "$out/mode" 2>/dev/null || echo "not built")
# sanitizer reports are findings: stop at the first, with a stack
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
summary=
row() { summary+=$(printf '%-10s %8s %12s %8s %10s %8s' "$@")$'\n'; }
row target seconds runs edges features crashes
for n in $names; do
	[ -z "${FUZZ_ONLY:-}" ] || [ "$FUZZ_ONLY" = "$n" ] || continue
	bin=$out/fuzz-$n seeds=$TOP/tests/fuzz/seeds/$n
	if [ ! -x "$bin" ]; then
		fail "fuzz $n" "$bin not built (make test-progs)"
		row "$n" "$secs" - - - "not built"
		continue
	fi
	rm -rf "$T/corpus-$n" "$T/art-$n"
	mkdir -p "$T/corpus-$n" "$T/art-$n"
	# from the tree: the matrix target's configs/ paths resolve
	# TMPDIR: the input file a target writes stays in $T, also after a crash
	(cd "$TOP" && TMPDIR=$T timeout -k 10 $((secs + 120)) "$bin" -max_total_time="$secs" \
		-max_len=16384 -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$T/art-$n/" "$T/corpus-$n" "$seeds") >"$T/$n.log" 2>&1
	rc=$?
	runs=$(grep -o 'Done [0-9]* runs' "$T/$n.log" | tail -1 | grep -o '[0-9]*')
	cov=$(grep -E '(DONE|pulse|NEW|REDUCE|INITED) +cov: ' "$T/$n.log" | tail -1)
	edges=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$cov")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$cov")
	art=$(ls "$T/art-$n" 2>/dev/null | head -1)
	if [ $rc = 0 ] && [ -z "$art" ] && [ -n "$runs" ]; then
		if [ "$mode" = standalone ]; then
			pass "fuzz $n: ${secs}s randomized stand-in (no libFuzzer), $runs runs, no failure"
		else
			pass "fuzz $n: ${secs}s libFuzzer, $runs runs, cov ${edges:-?} edges, ft ${ft:-?}, no failure"
		fi
		row "$n" "$secs" "$runs" "${edges:--}" "${ft:--}" 0
	else
		what=$(grep -m1 -E 'fuzz property failed|ERROR: |runtime error|SUMMARY' "$T/$n.log")
		[ $rc = 124 ] || [ $rc = 137 ] && what="hung past ${secs}s + 120s"
		fail "fuzz $n" "exit $rc: ${what:-no final stats} (${runs:-?} runs)"
		grep -E 'fuzz property failed|ERROR|runtime error|#[0-9]+ 0x.* in ' "$T/$n.log" | head -12 | sed 's/^/# /'
		for a in "$T/art-$n"/*; do
			[ -f "$a" ] || continue
			echo "# input $(basename "$a") ($(stat -c %s "$a") bytes): $(head -c 300 "$a" | od -An -c | tr -s ' \n' ' ' | head -c 600)"
			mkdir -p "$out/artifacts" && cp "$a" "$out/artifacts/$n-$(basename "$a")" &&
				echo "# kept as build/fuzz/artifacts/$n-$(basename "$a"); replay: $bin FILE"
		done
		row "$n" "$secs" "${runs:--}" "${edges:--}" "${ft:--}" 1
	fi
done
if [ -n "${FUZZ_SUMMARY:-}" ]; then
	{ echo "# flushbench fuzz targets ($mode), $(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)"
	  printf '%s' "$summary"; } > "$FUZZ_SUMMARY"
	sed 's/^#* */# /' "$FUZZ_SUMMARY"
fi
done_testing
