# The dependency check names what is missing and the Debian package that provides it.
. "$TOP/tests/lib.sh"
printf 'libnosuch-dev   pc:nosuch-module\nzzz-tools cmd:zzz-no-such-command\n' > "$T/p.pkgs"
out=$("$TOP/scripts/deps.sh" --check "$T/p.pkgs" 2>&1); rc=$?
[ $rc = 1 ] && pass "missing packages: exit 1" || fail "missing packages: exit 1" "exit $rc"
printf '%s' "$out" | grep -q 'nosuch-module (Debian package libnosuch-dev)' && printf '%s' "$out" | grep -q 'zzz-no-such-command (Debian package zzz-tools)' \
	&& pass "each missing library named with its Debian package" || fail "names packages" "$out"
"$TOP/scripts/deps.sh" --check build && pass "build dependencies all present after make" || fail "build deps" "missing"
out=$("$TOP/scripts/deps.sh" nosuchprofile 2>&1); [ $? = 2 ] && pass "unknown profile is an error" || fail "unknown profile" "$out"
done_testing
