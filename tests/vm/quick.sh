# configs/quick.yaml in an x86_64 and an arm64 guest (Debian's generic
# kernels, fetched through scripts/debian-kernel.sh), both imported: rows
# and environment tags checked.
. "$TOP/tests/lib.sh"
. "$TOP/tests/vm/common.inc"
names="x86_64-imported x86_64-rows x86_64-env arm64-imported arm64-rows arm64-env"
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
if arm64_ready; then
	guest arm64
else
	for n in arm64-imported arm64-rows arm64-env; do
		skip "$n" "arm64 is not a dpkg architecture here (dpkg --add-architecture arm64; apt-get update)"
	done
fi
done_testing
