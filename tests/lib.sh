# Shell test helpers: each check prints one TAP line that tests/run.sh counts.
#   pass NAME            the check held
#   fail NAME WHY        it did not (WHY says what was seen)
#   skip NAME WHY        it could not run here (WHY says why): never a pass
#   check NAME CMD...    pass if CMD exits 0, else fail with its output tail
#   tap_run PREFIX CMD...  relay the TAP results of a program (see below)
#   wait_samples DB N    wait until the store DB holds N samples
#   in_private_mounts WHAT  go on in a mount namespace of our own
#   tiny_runs DB LABEL...  a run of tests/integration/tiny.yaml per label
#   done_testing         print the plan "1..N" (N: the checks reported so
#                        far); every script ends with it, also when it
#                        stops early on purpose, so that one that dies
#                        before its end is a failure (no plan)
# Scripts get FB (./flushbench), TOP (the tree) and a private T (temp dir),
# and FB_BIN and FB_TESTS, where the programs under test are (tests/run.sh:
# the tree and build/tests, or build/asan and build/asan/tests).
: "${FB_BIN:=$TOP}" "${FB_TESTS:=$TOP/build/tests}"
_tap_n=0
pass() { _tap_n=$((_tap_n + 1)); echo "ok - $1"; }
fail() { _tap_n=$((_tap_n + 1)); echo "not ok - $1 # $2"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok - $1 # SKIP $2"; }
done_testing() { echo "1..$_tap_n"; }
check() {
	_name=$1; shift
	if _out=$("$@" 2>&1); then pass "$_name"
	else fail "$_name" "exit $?: $(printf '%s' "$_out" | tail -3 | tr '\n' ' ')"; fi
}
# expect_exit CODE NAME CMD...: CMD must exit with CODE
expect_exit() {
	_code=$1 _name=$2; shift 2
	_out=$("$@" 2>&1); _rc=$?
	if [ "$_rc" = "$_code" ]; then pass "$_name"
	else fail "$_name" "exit $_rc, wanted $_code: $(printf '%s' "$_out" | tail -3 | tr '\n' ' ')"; fi
}
# wait_samples DB N: wait (up to 30 s) until DB holds N samples; 0 if it does
wait_samples() {
	local i n
	for i in $(seq 1 300); do
		n=$(sqlite3 "$1" "select count(*) from samples" 2>/dev/null)
		[ "${n:-0}" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# tiny_runs DB LABEL...: a run of tests/integration/tiny.yaml per label
# into DB (a failure reported)
tiny_runs() {
	local db=$1 l
	shift
	for l; do
		"$FB" run -q -c "$TOP/tests/integration/tiny.yaml" --db "$db" \
			--label "$l" >/dev/null 2>&1 || fail "run $l into $db" "exit $?"
	done
}
# in_private_mounts WHAT: go on in a mount namespace of this script's own
# (it runs again there), so that what it mounts vanishes with it; where
# none can be made (unshare -m needs root), skip WHAT and end the script
in_private_mounts() {
	[ -z "${FB_PRIVATE_MOUNTS:-}" ] || return 0
	if ! unshare -m --propagation private true 2>/dev/null; then
		skip "$1" "no private mount namespace here (unshare -m needs root)"
		done_testing
		exit 0
	fi
	FB_PRIVATE_MOUNTS=1 exec unshare -m --propagation private bash "$0"
}
# tap_run PREFIX CMD...: run CMD, which prints TAP, and report each of its
# results ("ok"/"not ok", numbered or not) as ours, PREFIX before its name;
# its other lines are copied as comments. One failure more when CMD exits
# non-zero without reporting a failure, reports no result, or reports other
# than its plan (which it must print, as tests/run.sh requires of us).
tap_run() {
	local prefix=$1 rc line n=0 nok=0 plan="" why=""
	shift
	"$@" > "$T/.tap_run"; rc=$?
	while IFS= read -r line; do
		if [[ "$line" =~ ^(not ok|ok)( [0-9]+)?( -)?( (.*))?$ ]]; then
			n=$((n + 1))
			[ "${BASH_REMATCH[1]}" = ok ] || [[ "$line" == *"# SKIP"* ]] || nok=1
			_tap_n=$((_tap_n + 1))
			echo "${BASH_REMATCH[1]} - $prefix${BASH_REMATCH[5]}"
		elif [[ "$line" =~ ^1\.\.([0-9]+) ]]; then
			plan=$((${plan:-0} + BASH_REMATCH[1]))
		else
			echo "# $line"
		fi
	done < "$T/.tap_run"
	if [ $rc != 0 ] && [ $nok = 0 ]; then why="exited $rc with no failure reported"
	elif [ $n = 0 ]; then why="reported no result"
	elif [ -z "$plan" ]; then why="printed no plan (1..N)"
	elif [ "$plan" != $n ]; then why="planned $plan results, reported $n"
	fi
	[ -z "$why" ] || fail "${prefix}ran to its end" "$why"
}
