#!/bin/bash
# Runs every test: cmocka unit programs (build/tests/test_*) and every
# tests/*/*.sh script, each under a time limit. Counts TAP lines ("ok",
# "not ok", "# SKIP") and ends with the line "N passed, N failed, N skipped".
# A program that exits non-zero without reporting a failure, reports no
# result, or reports other than its plan ("1..N") counts as one failure more
# (tests/runner.inc).
# Usage: tests/run.sh [PATTERN]   (run only tests whose path contains PATTERN)
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
# FLUSHBENCH_TOP: where test programs find the helper programs workloads start
export TOP FB="$TOP/flushbench" CMOCKA_MESSAGE_OUTPUT=TAP FLUSHBENCH_TOP="$TOP"
pat=${1:-}
passed=0 failed=0 skipped=0 failures=
. "$TOP/tests/runner.inc"
# every unit test source has its program: a missing one fails (exit 127)
for src in tests/unit/test_*.c; do
	bin=build/tests/$(basename "$src" .c)
	[[ "$bin" == *"$pat"* ]] || continue
	run_one "${bin#build/tests/}" 300 "$bin"
done
for sh in tests/*/*.sh; do
	[ -f "$sh" ] || continue
	[[ "$sh" == *"$pat"* ]] || continue
	run_one "${sh#tests/}" 1500 bash "$sh"
done
if [ -n "$failures" ]; then
	echo "# the failures again:"
	printf '%s' "$failures"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
