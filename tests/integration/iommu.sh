# The iommu workload on a host without the module: listed, its bad options
# refused by the config loader (file:line:column, exit 2, nothing written),
# a run of its rows stored as skips saying why, and the env keys. Every
# shipped suite, configs/regress/iommu.yaml too: tests/integration/configs.sh.
. "$TOP/tests/lib.sh"
out=$("$FB" list 2>&1)
printf '%s\n' "$out" | grep -q '^iommu: ' &&
	printf '%s\n' "$out" | sed -n '/^iommu: /,/^$/p' | grep -Eq '^    domain +choice +default asis +\{asis\|strict\|lazy\}' &&
	pass "list: iommu and its domain option" || fail "list: iommu and its domain option" "$(printf '%s' "$out" | grep -A3 '^iommu')"

# bad NAME BODY WANT (grep -E on the message)
bad() {
	printf '%s\n' "$2" > "$T/bad.yaml"
	out=$("$FB" run -q -c "$T/bad.yaml" --db "$T/new.db" 2>&1); rc=$?
	if [ $rc = 2 ] && printf '%s' "$out" | grep -Eq "$3" && [ ! -e "$T/new.db" ]; then
		pass "$1: $(printf '%s' "$out" | head -1)"
	else
		fail "$1" "exit $rc: $out"
		rm -f "$T/new.db"
	fi
}
bad "size not whole 4K pages" 'jobs:
  - workload: iommu
    size: 6K' "bad\.yaml:3:11: size: 6K is not a multiple of 4K"
bad "size above 2M" 'jobs:
  - workload: iommu
    size: 4M' "bad\.yaml:3:11: size: 4M is out of range \[4K, 2M\]"
bad "unknown mode" 'jobs:
  - workload: iommu
    mode: sgl' "bad\.yaml:3:11: mode: unknown value 'sgl' \(did you mean 'sg'\?\)"
bad "unknown domain" 'jobs:
  - workload: iommu
    domain: [strict, DMA-FQ]' "bad\.yaml:3:22: domain: unknown value 'DMA-FQ'; one of: asis strict lazy"
bad "batch 0" 'jobs:
  - workload: iommu
    batch: 0' "bad\.yaml:3:12: batch: 0 is out of range \[1, 256\]"
bad "batch above the module's cap" 'jobs:
  - workload: iommu
    batch: 257' "bad\.yaml:3:12: batch: 257 is out of range \[1, 256\]"
bad "kthreads above the module's cap" 'jobs:
  - workload: iommu
    kthreads: 65' "bad\.yaml:3:15: kthreads: 65 is out of range \[0, 64\]"

# a run stores each row as a skip with the reason
if [ -e /dev/flushbench ]; then
	skip "iommu rows skip without the module" "this host has /dev/flushbench"
else
	printf 'samples: 2\nwarmup: 0\nduration: 10ms\njobs:\n  - workload: iommu\n    domain: [asis, strict]\n' > "$T/ok.yaml"
	"$FB" run -q -c "$T/ok.yaml" --db "$T/r.db" --label iommu >"$T/out" 2>&1; rc=$?
	rows=$(sqlite3 "$T/r.db" "SELECT params || '|' || status || '|' || reason FROM samples WHERE workload = 'iommu' ORDER BY params" 2>&1 |
		sed 's/^.* \(domain=[a-z]*\) .*|\(.*|.*\)$/\1|\2/')
	want='domain=asis|skip|kernel module not loaded
domain=strict|skip|kernel module not loaded'
	[ "$rows" = "$want" ] && pass "run: iommu rows stored as skips, 'kernel module not loaded' (exit $rc)" ||
		fail "run: iommu rows stored as skips" "exit $rc, rows: $rows; $(tail -3 "$T/out")"
	env=$(sqlite3 "$T/r.db" "SELECT key || '=' || value FROM environment WHERE key LIKE 'iommu.%' ORDER BY key" 2>&1)
	printf '%s\n' "$env" | grep -q '^iommu.units=' && printf '%s\n' "$env" | grep -q '^iommu.flushbench=' &&
		pass "run: the environment has the iommu keys ($(echo $env))" ||
		fail "run: the environment has the iommu keys" "$env"
fi

done_testing
