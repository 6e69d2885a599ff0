# Every shipped suite passes `flushbench run --check` (configs/matrix/
# holds matrices, checked by tests/vm/matrix.sh; configs/kernel/ kernel
# config fragments), the regression suites of configs/regress/ among them.
. "$TOP/tests/lib.sh"
n=0 seen=0
for f in "$TOP"/configs/*.yaml "$TOP"/configs/*/*.yaml; do
	case $f in */configs/matrix/*) continue ;; esac
	n=$((n + 1))
	case $f in */configs/regress/iommu.yaml) seen=1 ;; esac
	out=$("$FB" run --check -c "$f" 2>&1); rc=$?
	[ $rc = 0 ] && [ -z "$out" ] && pass "run --check ${f#$TOP/}" || fail "run --check ${f#$TOP/}" "exit $rc: $out"
done
[ $seen = 1 ] && [ $n -ge 8 ] &&
	pass "configs/regress/iommu.yaml is among the $n suites checked" ||
	fail "configs/regress/iommu.yaml is among the suites checked" "$n suites"
done_testing
