# The sanitizer run's own checks (make test-asan: tests/run.sh runs this
# under FLB_SANITIZED=1, first with `instrumented`, last with `reports`;
# a .bash, not a test tests/run.sh would run on its own). TAP.
#   instrumented   every program under test (FB_BIN: flushbench, its worker,
#                  the helper programs, kv-bench; FB_TESTS: the test
#                  programs) calls into ASan and UBSan; flushbench finds the
#                  worker and the helpers there (nothing in the environment
#                  points elsewhere), and a fork job's worker really is
#                  $FB_BIN/flushbench-worker with libasan mapped
#   reports DIR    one failure per report file the sanitizers wrote below DIR
#                  (ASAN_OPTIONS/UBSAN_OPTIONS log_path, tests/run.sh), with
#                  its first error line (tests/run.sh prints their heads);
#                  one pass when there is none
. "$TOP/tests/lib.sh"

# sanitized FILE: why not, on stdout, or nothing
sanitized() {
	local u
	[ -x "$1" ] || { echo "no executable $1"; return; }
	u=$(nm -u "$1" 2>&1)
	grep -q '__asan_report_load' <<<"$u" || { echo "no __asan_report_* call in $1"; return; }
	grep -q '__ubsan_handle_' <<<"$u" || echo "no __ubsan_handle_* call in $1"
}

instrumented() {
	local p why bad=0 n=0 h
	local progs=("$FB" "$FB_BIN/flushbench-worker" "$FB_BIN/workloads/redis-like/kv-bench"
		"$FB_TESTS"/test_* "$FB_TESTS/fb-mkdb" "$FB_TESTS/wldrive" "$FB_TESTS/redis/unit")
	for h in $("$FB" list --helpers); do
		progs+=("$FB_BIN/$h")
		# flb_helper_path: $FLUSHBENCH_<NAME>, then beside flushbench, then
		# at its tree path below flushbench's directory
		env | grep -q "^FLUSHBENCH_$(basename "$h" | tr a-z- A-Z_)=" &&
			{ bad=1; fail "sanitizers: $h is found in FB_BIN" "FLUSHBENCH_$(basename "$h" | tr a-z- A-Z_) is set"; }
		[ ! -e "$FB_BIN/$(basename "$h")" ] || [ -z "$(sanitized "$FB_BIN/$(basename "$h")")" ] ||
			{ bad=1; fail "sanitizers: $h is found in FB_BIN" "$FB_BIN/$(basename "$h") shadows it"; }
	done
	for p in "${progs[@]}"; do
		n=$((n + 1))
		why=$(sanitized "$p")
		[ -z "$why" ] || { bad=1; fail "sanitizers: $(basename "$p") is instrumented" "$why"; }
	done
	[ $bad = 0 ] && pass "sanitizers: the $n programs under test call ASan and UBSan (nm -u)"
	env | grep -q '^FLUSHBENCH_WORKER=' &&
		fail "sanitizers: flushbench runs FB_BIN's worker" "FLUSHBENCH_WORKER is set"
	printf 'samples: 1\nwarmup: 0\nduration: 5ms\njobs:\n  - workload: fork\n    rss: 1M\n' > "$T/fork.yaml"
	mkdir -p "$T/probe"
	FLUSHBENCH_WORKER_PROBE=$T/probe "$FB" run -q -c "$T/fork.yaml" --db "$T/p.db" >"$T/p.out" 2>&1
	if grep -q " $FB_BIN/flushbench-worker\$" "$T/probe/maps" 2>/dev/null &&
	   grep -q '/libasan\.so' "$T/probe/maps"; then
		pass "sanitizers: a job's worker is $FB_BIN/flushbench-worker, libasan mapped"
	else
		fail "sanitizers: a job's worker is $FB_BIN/flushbench-worker" \
			"$(grep -m1 'flushbench-worker' "$T/probe/maps" 2>&1 | awk '{ print $NF }') $(tail -2 "$T/p.out" | tr '\n' ' ')"
	fi
}

reports() {
	local dir=$1 f n=0
	# DIR/TEST/asan.PID: TEST is the test's name, '/' as '+' (':' separates ASAN_OPTIONS)
	for f in "$dir"/*/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		fail "sanitizers: report ${f#"$dir"/}" "$(grep -m1 -E 'ERROR|runtime error|SUMMARY|fatal error' "$f" | cut -c1-200)"
	done
	[ $n = 0 ] && pass "sanitizers: no ASan, LSan or UBSan report in $dir"
}

case "${1:-}" in
instrumented) instrumented ;;
reports) reports "$2" ;;
*) fail "check.bash" "usage: check.bash instrumented | reports DIR" ;;
esac
done_testing
