# configs/quick.yaml in an x86_64 and an arm64 guest (Debian's generic
# kernels, fetched through scripts/debian-kernel.sh), both imported: rows
# and environment tags checked; --repeat K in a guest (tiny.yaml).
. "$TOP/tests/lib.sh"
. "$TOP/tests/vm/common.inc"
names="x86_64-imported x86_64-rows x86_64-env x86_64-repeat arm64-imported arm64-rows arm64-env"
vm_ready $names || { done_testing; exit 0; }
db=$T/results.db
want_wl=$(sed -n 's/^  - workload: *//p' "$TOP/configs/quick.yaml" | sort -u | tr '\n' ' ')

guest() {	# ARCH
	local a=$1 t0=$SECONDS
	if "$FB" vm --debian generic --arch "$a" -c "$TOP/configs/quick.yaml" \
		--db "$db" --label "q-$a" --timeout 600 > "$T/$a.out" 2>&1; then
		pass "$a-imported (in $((SECONDS - t0)) s)"
	else
		fail "$a-imported" "$(tail -8 "$T/$a.out" | tr '\n' ' ')"
		return
	fi
	# three complete runs (the suite's repeat: 3, each job a fresh process
	# in the guest too); every workload of the suite has ok samples in the
	# guest (the module's too: flushbench vm loads it there)
	n=$(samples_of "$db" "q-$a")
	got=$(sqlite3 "$db" "SELECT DISTINCT s.workload FROM samples s JOIN runs r
		ON r.id = s.run_id WHERE r.label = 'q-$a' AND s.status = 'ok'" | sort | tr '\n' ' ')
	if [ "$(runs_of "$db" "q-$a" complete)" = 3 ] && [ "$got" = "$want_wl" ]; then
		pass "$a-rows ($n ok samples: $got)"
	else
		fail "$a-rows" "complete runs $(runs_of "$db" "q-$a" complete), ok samples of '$got', want '$want_wl': $(sqlite3 "$db" "SELECT DISTINCT workload, status, reason FROM samples WHERE status != 'ok'" | head -3 | tr '\n' ' ')"
	fi
	want="virtualized=yes accelerator=tcg guest.arch=$a"
	got="virtualized=$(env_of "$db" "q-$a" virtualized) accelerator=$(env_of "$db" "q-$a" accelerator) guest.arch=$(env_of "$db" "q-$a" guest.arch)"
	[ "$a" = x86_64 ] && [ "$(env_of "$db" "q-$a" accelerator)" = kvm ] &&
		want=${want/tcg/kvm}
	qv=$(env_of "$db" "q-$a" qemu.version)
	cl=$(env_of "$db" "q-$a" guest.cmdline)
	kr=$(env_of "$db" "q-$a" kernel.release)
	if [ "$got" = "$want" ] && [ -n "$qv" ] && [[ "$cl" == *console=* ]] &&
	   [[ "$kr" == *-"${a/x86_64/amd64}" ]]; then
		pass "$a-env (qemu $qv, kernel $kr)"
	else
		fail "$a-env" "got '$got' qemu.version='$qv' guest.cmdline='$cl' kernel.release='$kr'"
	fi
}
guest x86_64
# --repeat 2: the guest runs the suite twice, two runs imported, rounds 1, 2
"$FB" vm --debian generic --arch x86_64 --smp 1 --repeat 2 -c "$TOP/tests/vm/tiny.yaml" \
	--db "$db" --label rep --timeout 600 > "$T/rep.out" 2>&1
rc=$?
r=$(sqlite3 "$db" "SELECT group_concat(v, ' ') FROM (SELECT e.value v FROM runs r JOIN environment e
	ON e.run_id = r.id AND e.key = 'repeat.round' WHERE r.label = 'rep' ORDER BY r.id)")
cl=$(env_of "$db" rep guest.cmdline)
[ $rc = 0 ] && [ "$r" = "1 2" ] && [ "$(runs_of "$db" rep complete)" = 2 ] && [[ "$cl" == *flushbench.repeat=2* ]] &&
	pass "x86_64-repeat: vm --repeat 2 imports 2 complete runs (repeat.round $r)" ||
	fail "x86_64-repeat" "exit $rc, rounds '$r', cmdline '$cl': $(tail -3 "$T/rep.out" | tr '\n' ' ')"
if arm64_ready; then
	guest arm64
else
	for n in arm64-imported arm64-rows arm64-env; do
		skip "$n" "arm64 is not a dpkg architecture here (dpkg --add-architecture arm64; apt-get update)"
	done
fi
done_testing
