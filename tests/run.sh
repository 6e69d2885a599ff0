#!/bin/bash
# Runs every test: cmocka unit programs (build/tests/test_*) and every
# tests/*/*.sh script, each under a time limit. Counts TAP lines ("ok",
# "not ok", "# SKIP") and ends with the line "N passed, N failed, N skipped".
# A program that exits non-zero without reporting a failure counts as one.
# Usage: tests/run.sh [PATTERN]   (run only tests whose path contains PATTERN)
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
export TOP FB="$TOP/flushbench" CMOCKA_MESSAGE_OUTPUT=TAP
pat=${1:-}
passed=0 failed=0 skipped=0
run_one() {	# NAME LIMIT CMD...
	local name=$1 limit=$2 out rc nok=0; shift 2
	T=$(mktemp -d /tmp/fbtest.XXXXXX); export T
	local t0=$SECONDS
	out=$(timeout -k 10 "$limit" "$@" 2>"$T/.stderr"); rc=$?
	while IFS= read -r line; do
		case "$line" in
		*ok*"# SKIP"*|*ok*"# skip"*) skipped=$((skipped + 1)); echo "  $name: $line" ;;
		"not ok"*) failed=$((failed + 1)); nok=1; echo "  $name: $line" ;;
		ok*) passed=$((passed + 1)); echo "  $name: $line" ;;
		esac
	done <<< "$out"
	if [ $rc -ne 0 ] && [ $nok = 0 ]; then
		failed=$((failed + 1))
		[ $rc = 124 ] && echo "  $name: not ok - timed out after ${limit}s" \
			|| echo "  $name: not ok - exited $rc with no failure reported"
		tail -5 "$T/.stderr" | sed 's/^/    /'
	elif ! grep -q '^ok\|^not ok' <<< "$out"; then
		failed=$((failed + 1)); echo "  $name: not ok - reported no test"
		tail -5 "$T/.stderr" | sed 's/^/    /'
	fi
	[ $rc -ne 0 ] || [ $nok = 1 ] && tail -20 "$T/.stderr" | sed 's/^/    | /'
	echo "# $name: $((SECONDS - t0))s"
	rm -rf "$T"
}
for bin in build/tests/test_*; do
	[ -x "$bin" ] || continue
	[[ "$bin" == *"$pat"* ]] || continue
	run_one "${bin#build/tests/}" 300 "$bin"
done
for sh in tests/*/*.sh; do
	[ -f "$sh" ] || continue
	[[ "$sh" == *"$pat"* ]] || continue
	run_one "${sh#tests/}" 1500 bash "$sh"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
