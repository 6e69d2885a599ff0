# The command line: help, unknown commands, and every command's options
# through the one parser (lib/cliopt.c). The commands are read from
# `flushbench --help`, their options from each `--help`, so that a new
# command or option is checked without being listed here.
. "$TOP/tests/lib.sh"
expect_exit 0 "flushbench --help exits 0" "$FB" --help
expect_exit 2 "unknown command exits 2" "$FB" no-such-command

cmds=$("$FB" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
if [ "$(echo $cmds | wc -w)" -ge 2 ]; then
	pass "flushbench --help lists the commands ($(echo $cmds))"
else
	fail "flushbench --help lists the commands" "got '$cmds'"
fi

# usage_error CMD MESSAGE RC: exit 2, MESSAGE then the --help hint on stderr
usage_error() {
	[ "$3" = 2 ] && grep -qxF "flushbench $1: $2" "$T/err" &&
		grep -qxF "see flushbench $1 --help" "$T/err"
}
# stopped_at_end CMD RC: the parse stopped at --zz-end (with or without a
# suggestion): what came before it was taken
stopped_at_end() {
	[ "$2" = 2 ] && grep -q "^flushbench $1: unknown option '--zz-end'" "$T/err" &&
		grep -qxF "see flushbench $1 --help" "$T/err"
}

for c in $cmds; do
	# --help: exit 0, the usage line and the options (-h, --help included)
	"$FB" "$c" --help >"$T/help" 2>"$T/err"; rc=$?
	longs=$(sed -n 's/^  \(-[a-zA-Z0-9], \|    \)--\([a-z0-9-]*\).*/\2/p' "$T/help")
	if [ $rc = 0 ] && [ ! -s "$T/err" ] && grep -q "^usage: flushbench $c\b" "$T/help" &&
	   echo "$longs" | grep -qx help; then
		pass "$c --help: exit 0, usage and options ($(echo $longs))"
	else
		fail "$c --help" "exit $rc: $(head -3 "$T/help" "$T/err" | tr '\n' ' ')"
	fi
	"$FB" "$c" -h >"$T/h" 2>&1 && cmp -s "$T/h" "$T/help" &&
		pass "$c -h is --help" || fail "$c -h is --help" "$(head -2 "$T/h")"

	# a misspelt option: its longest name with the first letter doubled
	name=$(echo "$longs" | awk '{ print length($0), $0 }' | sort -rn | head -1 | cut -d' ' -f2)
	typo=$(echo "$name" | sed 's/^\(.\)/\1\1/')
	"$FB" "$c" "--$typo" x >/dev/null 2>"$T/err"; rc=$?
	if usage_error "$c" "unknown option '--$typo' (did you mean '--$name'?)" $rc; then
		pass "$c --$typo: exit 2, did you mean '--$name'"
	else
		fail "$c --$typo: exit 2, did you mean '--$name'" "exit $rc: $(head -2 "$T/err" | tr '\n' ' ')"
	fi

	# --opt=value as --opt value: an option with a value that takes any
	# string (the parse then stops at --zz-end, before the command runs)
	opt=
	for o in $(sed -n 's/^  \(-[a-zA-Z0-9], \|    \)--\([a-z0-9-]*\) [A-Z].*/\2/p' "$T/help"); do
		"$FB" "$c" "--$o" "$T/v" --zz-end >/dev/null 2>"$T/err"; rc=$?
		stopped_at_end "$c" $rc && { opt=$o; break; }
	done
	if [ -z "$opt" ]; then
		# none takes a value (list, env): then a value for one is refused
		"$FB" "$c" --help=x >/dev/null 2>"$T/err"; rc=$?
		usage_error "$c" "option '--help' takes no value" $rc &&
			pass "$c --help=x: exit 2, takes no value" ||
			fail "$c --help=x: exit 2, takes no value" "exit $rc: $(head -2 "$T/err" | tr '\n' ' ')"
		continue
	fi
	mv "$T/err" "$T/err.space"
	"$FB" "$c" "--$opt=$T/v" --zz-end >/dev/null 2>"$T/err"; rc=$?
	if stopped_at_end "$c" $rc && cmp -s "$T/err" "$T/err.space"; then
		pass "$c --$opt=VALUE is --$opt VALUE"
	else
		fail "$c --$opt=VALUE is --$opt VALUE" "exit $rc: $(head -2 "$T/err" | tr '\n' ' ')"
	fi
	# and without its value
	"$FB" "$c" "--$opt" >/dev/null 2>"$T/err"; rc=$?
	usage_error "$c" "option '--$opt' needs a value ($(sed -n "s/^.*--$opt \([A-Z][^ ]*\).*/\1/p" "$T/help" | head -1))" $rc &&
		pass "$c --$opt without a value: exit 2" ||
		fail "$c --$opt without a value: exit 2" "exit $rc: $(head -2 "$T/err" | tr '\n' ' ')"
done

# The values reach the command: run --check through --config=, -c and -cFILE
printf 'jobs:\n  - workload: munmap\n' > "$T/ok.yaml"
printf 'jobs:\n  - workload: munmap\n    bogus: 1\n' > "$T/bad.yaml"
for form in "--config=$T/ok.yaml" "-c$T/ok.yaml"; do
	out=$("$FB" run --check "$form" 2>&1); rc=$?
	[ $rc = 0 ] && [ -z "$out" ] && pass "run --check $form: exit 0, silent" ||
		fail "run --check $form: exit 0, silent" "exit $rc: $out"
done
"$FB" run --check -c "$T/bad.yaml" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "bad.yaml:3:5: unknown key 'bogus'" "$T/err" &&
	pass "run --check of a bad suite: exit 2, file:line:col" ||
	fail "run --check of a bad suite" "exit $rc: $(head -2 "$T/err" | tr '\n' ' ')"
"$FB" run --check -c "$T/ok.yaml" --only=fork >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "fork" "$T/err" &&
	pass "run --check --only=W: a workload the suite has none of is refused" ||
	fail "run --check --only=W" "exit $rc: $(head -2 "$T/err" | tr '\n' ' ')"
done_testing
