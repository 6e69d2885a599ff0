#!/bin/bash
# Runs every test: cmocka unit programs (build/tests/test_*) and every
# tests/*/*.sh script, each under a time limit. Counts TAP lines ("ok",
# "not ok", "# SKIP") and ends with the line "N passed, N failed, N skipped".
# A program that exits non-zero without reporting a failure, reports no
# result, or reports other than its plan ("1..N") counts as one failure more
# (tests/runner.inc).
# Usage: tests/run.sh [PATTERN...]   (run only tests whose path, e.g.
# build/tests/test_store or tests/integration/cli.sh, contains a PATTERN)
#
# The programs under test: FB_BIN holds flushbench, flushbench-worker and
# the helper programs at their places in the tree (default: the tree),
# FB_TESTS the test programs (default: build/tests). make test-asan sets
# both to build/asan and FLB_SANITIZED=1: then the sanitizers write any
# report into a directory of their own (also the reports of every child
# process: ASAN_OPTIONS/UBSAN_OPTIONS log_path, one file per process),
# tests/asan/check.bash first checks that the programs under test are the
# instrumented ones and at the end fails once per report file, whose first
# lines are printed. Sanitized programs run 2-3 times slower: the time
# limits here (300 s a program, 1500 s a script) are 3 times longer, and a
# test may widen a limit of its own (never drop a check) under
# FLB_SANITIZED=1.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
FB_BIN=${FB_BIN:-$TOP} FB_TESTS=${FB_TESTS:-$TOP/build/tests}
# FLUSHBENCH_TOP: where test programs find the helper programs workloads
# start, and the tree's scripts
export TOP FB_BIN FB_TESTS FB="$FB_BIN/flushbench" CMOCKA_MESSAGE_OUTPUT=TAP FLUSHBENCH_TOP="$TOP"
pats=("$@")
passed=0 failed=0 skipped=0 failures= slow=1
. "$TOP/tests/runner.inc"
# matches PATH: it contains one of the patterns (any path when none)
matches() {
	local p
	[ ${#pats[@]} = 0 ] && return 0
	for p in "${pats[@]}"; do [[ "$1" == *"$p"* ]] && return 0; done
	return 1
}
if [ "${FLB_SANITIZED:-}" = 1 ]; then
	slow=3
	san_logs=$(mktemp -d /tmp/fbsan.XXXXXX)
	# any report fails the run: ASan stops at the first error (halt_on_error),
	# UBSan too (-fno-sanitize-recover=undefined); LSan's suppressions are
	# third-party leaks only, each with its reason
	san_asan=halt_on_error=1:detect_leaks=1:exitcode=86
	san_ubsan=print_stacktrace=1:halt_on_error=1
	export FLB_SANITIZED ASAN_OPTIONS UBSAN_OPTIONS \
		LSAN_OPTIONS="suppressions=$TOP/tests/asan/lsan.supp:print_suppressions=0"
fi
# san_dir NAME: under FLB_SANITIZED=1, the reports of test NAME (and of
# every process it starts) go into a directory of its own, named after it
san_dir() {
	[ -n "${san_logs:-}" ] || return 0
	local d=$san_logs/${1//\//+}
	mkdir -p "$d"
	ASAN_OPTIONS="log_path=$d/asan:$san_asan" UBSAN_OPTIONS="log_path=$d/ubsan:$san_ubsan"
}
if [ -n "${san_logs:-}" ]; then
	san_dir asan/check.bash-instrumented
	run_one asan/check.bash-instrumented 300 bash tests/asan/check.bash instrumented
fi
# every unit test source has its program: a missing one fails (exit 127)
for src in tests/unit/test_*.c; do
	bin=build/tests/$(basename "$src" .c)
	matches "$bin" || continue
	san_dir "${bin#build/tests/}"
	run_one "${bin#build/tests/}" $((300 * slow)) "$FB_TESTS/${bin#build/tests/}"
done
for sh in tests/*/*.sh; do
	[ -f "$sh" ] || continue
	matches "$sh" || continue
	san_dir "${sh#tests/}"
	run_one "${sh#tests/}" $((1500 * slow)) bash "$sh"
done
if [ -n "${san_logs:-}" ]; then
	unset ASAN_OPTIONS UBSAN_OPTIONS
	run_one asan/check.bash-reports 60 bash tests/asan/check.bash reports "$san_logs"
	for f in "$san_logs"/*/*; do
		[ -f "$f" ] || continue
		echo "# sanitizer report ${f#"$san_logs"/} (first lines):"
		head -25 "$f" | sed 's/^/#   /'
	done
	# kept for reading when there is a report
	find "$san_logs" -mindepth 1 -type d -empty -delete
	if [ -n "$(ls -A "$san_logs")" ]; then echo "# the reports are in $san_logs"
	else rm -rf "$san_logs"; fi
fi
if [ -n "$failures" ]; then
	echo "# the failures again:"
	printf '%s' "$failures"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
