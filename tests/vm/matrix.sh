# flushbench matrix: the shipped matrices load; the schedule is a seeded
# shuffle in rounds (every cell once per round, same seed same order);
# YAML errors carry file:line:column; a native + vm matrix runs every cell
# the same number of times under its label and summarises by dimension.
. "$TOP/tests/lib.sh"
. "$TOP/tests/vm/common.inc"
cd "$TOP" || exit 1
# loading, scheduling and YAML errors need no guest: they always run
# ab-kernels.yaml names two images to be copied in: point it at any file
mkdir -p "$T/k"; head -c 8192 /dev/zero > "$T/k/bzImage"
sed "s|build/kernels/[AB]/bzImage|$T/k/bzImage|" configs/matrix/ab-kernels.yaml > "$T/ab.yaml"
ok=1
for f in configs/matrix/preempt.yaml configs/matrix/native-vs-vm.yaml configs/matrix/seed-004.yaml configs/matrix/pti.yaml "$T/ab.yaml"; do
	"$FB" matrix -m "$f" --dry-run > "$T/dry.out" 2>&1 || {
		ok=0; fail shipped-matrices "$f: $(tail -3 "$T/dry.out" | tr '\n' ' ')"; }
done
[ $ok = 1 ] && pass "shipped-matrices (preempt, native-vs-vm, seed-004, ab-kernels)"

# order: 3 cells x 4 rounds; each round a permutation of 0..2
"$FB" matrix -m configs/matrix/preempt.yaml --repeat 4 --seed 11 -n > "$T/o1" 2>&1
"$FB" matrix -m configs/matrix/preempt.yaml --repeat 4 --seed 11 -n > "$T/o2" 2>&1
"$FB" matrix -m configs/matrix/preempt.yaml --repeat 4 --seed 12 -n > "$T/o3" 2>&1
order=$(sed -n 's/^order: //p' "$T/o1")
rounds_ok=1
set -- $order
[ $# = 12 ] || rounds_ok=0
while [ $# -ge 3 ]; do
	[ "$(printf '%s\n' "$1" "$2" "$3" | sort | tr '\n' ' ')" = "0 1 2 " ] || rounds_ok=0
	shift 3
done
[ $rounds_ok = 1 ] && pass "schedule-rounds ($order)" ||
	fail schedule-rounds "order '$order' is not 4 permutations of 3 cells"
if cmp -s "$T/o1" "$T/o2" && ! cmp -s "$T/o1" "$T/o3" && grep -q 'seed 11' "$T/o1"; then
	pass "schedule-seeded (same seed, same order; another seed, another)"
else
	fail schedule-seeded "$(grep order "$T/o1" "$T/o2" "$T/o3" | tr '\n' ' ')"
fi

printf 'name: x\nrepet: 3\nkernels:\n  - {name: a, debain: generic}\nvm: {smp: 0}\n' > "$T/bad.yaml"
"$FB" matrix -m "$T/bad.yaml" -n > "$T/bad.out" 2>&1; rc=$?
if [ $rc = 2 ] && grep -q "bad.yaml:2:1: unknown key 'repet' in the matrix (did you mean 'repeat'?)" "$T/bad.out" &&
   grep -q "bad.yaml:4:15: unknown key 'debain'" "$T/bad.out" &&
   grep -q "bad.yaml:5:11: smp: 0 is out of range" "$T/bad.out" &&
   printf 'kernels: [{debian: generic}]\nconfigs: [configs/quick.yaml, ./configs/quick.yaml]\n' > "$T/dup.yaml" &&
   ! "$FB" matrix -m "$T/dup.yaml" -n > "$T/dup.out" 2>&1 &&
   grep -q "share the label 'dup/generic/default/vm/quick'" "$T/dup.out"; then
	pass "yaml-errors (file:line:column, did you mean, label clash)"
else
	fail yaml-errors "exit $rc: $(cat "$T/bad.out" "$T/dup.out" 2>/dev/null | tr '\n' ' ')"
fi

# native cells need no QEMU: a suite with `repeat: 2` stores two runs per
# cell invocation, and every one of them is tagged; a run stored under the
# cell's label before the matrix is not
{ cat "$TOP/tests/vm/tiny.yaml"; echo 'repeat: 2'; } > "$T/rep.yaml"
printf 'name: n\nrepeat: 2\nseed: 5\nkernels:\n  - {name: host, running: true}\nmodes: [native]\nconfigs: [%s]\n' \
	"$T/rep.yaml" > "$T/n.yaml"
ndb=$T/native.db
"$FB" run -q -c "$T/rep.yaml" --repeat 1 --db "$ndb" --label n/host/default/native/rep >/dev/null 2>&1
if "$FB" matrix -m "$T/n.yaml" --db "$ndb" > "$T/n.out" 2> "$T/n.err"; then
	tags=$(sqlite3 -batch -noheader "$ndb" "select group_concat(coalesce(
		(select value from environment e where e.run_id = r.id and e.key = 'matrix.slot'), '-'), ' ')
		from (select id from runs where label = 'n/host/default/native/rep' order by id) r")
	[ "$tags" = "- 0 0 1 1" ] &&
		pass "matrix-tags-rounds (every run of a cell invocation tagged, older runs not: $tags)" ||
		fail matrix-tags-rounds "matrix.slot per run: '$tags', wanted '- 0 0 1 1'"
else
	fail matrix-tags-rounds "$(tail -5 "$T/n.err" | tr '\n' ' ')"
fi

# a job that cannot run is said, with its reason; it fails the matrix
# when it failed, or when it was skipped and the matrix is strict
printf 'samples: 2\nwarmup: 0\nduration: 10ms\njobs:\n  - workload: mprotect\n    npages: 4\n  - workload: tlbi\n' > "$T/sk.yaml"
printf 'name: s\nrepeat: 1\nkernels:\n  - {name: host, running: true}\nmodes: [native]\nconfigs: [%s]\n' \
	"$T/sk.yaml" > "$T/s.yaml"
{ cat "$T/s.yaml"; echo 'strict: true'; } > "$T/s2.yaml"
"$FB" matrix -m "$T/s.yaml" --db "$T/sk.db" > "$T/s.out" 2> "$T/s.err"; rc1=$?
"$FB" matrix -m "$T/s2.yaml" --db "$T/sk2.db" > "$T/s2.out" 2> "$T/s2.err"; rc2=$?
if [ $rc1 = 0 ] && [ $rc2 = 1 ] &&
   grep -q '^  s/host/default/native/sk run 1: job 1 tlbi .*: 1 sample skip: kernel module not loaded' "$T/s.out" &&
   ! grep -q 'job 0 mprotect' "$T/s.out" &&
   grep -q "0 jobs failed and 1 was skipped: see 'jobs that did not run' (strict: a skip fails too)" "$T/s2.err"; then
	pass "matrix-not-run (a skipped job listed with its reason; exit 0, 1 when strict)"
else
	fail matrix-not-run "exit $rc1/$rc2: $(grep -A2 'did not run' "$T/s.out" | tr '\n' ' ') $(tail -2 "$T/s2.err" | tr '\n' ' ')"
fi

# a small real matrix: the running kernel natively, Debian's in a guest
# (edu behind VT-d: the kernel's iommu: intel reaches flushbench vm)
vm_ready matrix-runs matrix-tags matrix-summary matrix-duet matrix-duet-table || { done_testing; exit 0; }
cp "$TOP/tests/vm/tiny.yaml" "$T/one.yaml"
cat > "$T/m.yaml" <<YAML
name: t
repeat: 2
seed: 3
kernels:
  - {name: host, running: true}
  - {name: deb, debian: generic, arch: x86_64, iommu: intel}
modes: [native, vm]
configs: [$T/one.yaml]
YAML
db=$T/results.db
if "$FB" matrix -m "$T/m.yaml" --db "$db" > "$T/m.out" 2> "$T/m.err"; then
	a=$(runs_of "$db" t/host/default/native/one complete)
	b=$(runs_of "$db" t/deb/default/vm/one complete)
	[ "$a" = 2 ] && [ "$b" = 2 ] && pass "matrix-runs (2 + 2 complete runs)" ||
		fail matrix-runs "native $a, vm $b complete runs"
else
	fail matrix-runs "$(tail -5 "$T/m.err" | tr '\n' ' ')"
fi
seed=$(env_of "$db" t/deb/default/vm/one matrix.seed)
mode=$(env_of "$db" t/deb/default/vm/one matrix.mode)
virt=$(env_of "$db" t/deb/default/vm/one virtualized)
nmode=$(env_of "$db" t/host/default/native/one matrix.mode)
# the kernel's iommu: reached flushbench vm (and qemu-boot.sh, which adds intel_iommu=on)
iommu=$(env_of "$db" t/deb/default/vm/one guest.iommu)
vcl=$(env_of "$db" t/deb/default/vm/one guest.cmdline)
[ "$seed" = 3 ] && [ "$mode" = vm ] && [ "$virt" = yes ] && [ "$nmode" = native ] &&
   [ "$iommu" = intel ] && [[ "$vcl" == *intel_iommu=on* ]] &&
	pass "matrix-tags (matrix.seed, matrix.mode, virtualized; iommu: intel as guest.iommu)" ||
	fail matrix-tags "seed '$seed' mode '$mode' virtualized '$virt' native mode '$nmode' guest.iommu '$iommu' guest.cmdline '$vcl'"
grep -q '^changes by mode' "$T/m.out" && grep -q 'mprotect npages=16' "$T/m.out" &&
	pass "matrix-summary (changes by mode)" ||
	fail matrix-summary "$(tail -8 "$T/m.out" | tr '\n' ' ')"

# design: duet: one kernel against itself with a mark on side b's command
# line and edu (iommu: direct) on side b, 3 boots of both guests in one slot; both sides stored under their
# labels, tagged, paired by vmduet.id; the seed-style table at the end
cat > "$T/d.yaml" <<YAML
name: d
design: duet
baseline: a
repeat: 1
rounds: 3
runs: 1
seed: 4
kernels:
  - {name: a, debian: generic, arch: x86_64}
  - {name: b, debian: generic, arch: x86_64, append: flb.side=b, iommu: direct}
configs: [$T/one.yaml]
vm: {smp: 1, timeout: 300}
YAML
if "$FB" matrix -m "$T/d.yaml" --db "$db" > "$T/d.out" 2> "$T/d.err"; then
	a=$(runs_of "$db" d/a@b/default/vm/one complete)
	b=$(runs_of "$db" d/b/default/vm/one complete)
	ids=$(sqlite3 -batch -noheader "$db" "select count(distinct e.value) from runs r join environment e
		on e.run_id = r.id and e.key = 'vmduet.id' where r.label in ('d/a@b/default/vm/one', 'd/b/default/vm/one')")
	slots=$(sqlite3 -batch -noheader "$db" "select count(*) from runs r join environment e
		on e.run_id = r.id and e.key = 'matrix.slot' and e.value = '0' where r.label like 'd/%'")
	ca=$(env_of "$db" d/a@b/default/vm/one kernel.cmdline)
	cb=$(env_of "$db" d/b/default/vm/one kernel.cmdline)
	ia=$(env_of "$db" d/a@b/default/vm/one guest.iommu)
	ib=$(env_of "$db" d/b/default/vm/one guest.iommu)
	if [ "$a" = 3 ] && [ "$b" = 3 ] && [ "$ids" = 3 ] && [ "$slots" = 6 ] &&
	   [ "$ia" = none ] && [ "$ib" = direct ] &&
	   case "$cb" in *flb.side=b*) true ;; *) false ;; esac &&
	   case "$ca" in *flb.side=b*) false ;; *) true ;; esac; then
		pass "matrix-duet (3 + 3 runs in 3 duet boots, tagged slot 0; side b's append and iommu on b only)"
	else
		fail matrix-duet "runs $a + $b, ids $ids, tagged $slots; cmdline a '$ca' b '$cb'; guest.iommu a '$ia' b '$ib'"
	fi
else
	fail matrix-duet "$(tail -5 "$T/d.err" | tr '\n' ' ')"
fi
if grep -q '^### duet 0: d/b/default/vm/one against d/a@b/default/vm/one' "$T/d.out" &&
   grep -q '^Paired (duet, 3 rounds)' "$T/d.out" &&
   grep -q '^## d, cmdline default (as booted), vm, config one: every kernel against a' "$T/d.out" &&
   grep -q '^| Benchmark | Result Class | b |$' "$T/d.out" &&
   grep -Eq '^\| mprotect \| npages=16[^|]* \(time/op\) \| (\([IR]\) )?[-+][0-9.]+% \(MDE [0-9.]+%\) \|$' "$T/d.out"; then
	pass "matrix-duet-table (each duet's paired table, then the seed-style table: $(grep '(time/op)' "$T/d.out"))"
else
	fail matrix-duet-table "$(tail -12 "$T/d.out" | tr '\n' ' ')"
fi
done_testing
