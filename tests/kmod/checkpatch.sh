# kmod/ stays clean under the kernel's checkpatch.pl --no-tree -f
# (scripts/checkpatch.sh fetches it from Debian's linux-source-6.1 once).
. "$TOP/tests/lib.sh"
cd "$TOP" || exit 2
files=$(ls kmod/*.c kmod/*.h kmod/arch/*.c kmod/Kbuild)
if out=$(scripts/checkpatch.sh $files 2>&1); then
	pass "kmod/ is checkpatch.pl --no-tree -f clean"
else
	fail "kmod/ is checkpatch.pl --no-tree -f clean" "$(echo "$out" | head -5 | tr '\n' ' ')"
fi
done_testing
