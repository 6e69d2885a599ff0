# flushbench vm --iommu: the guest has QEMU's edu device (1234:11e8) and
# it sits behind the IOMMU asked for. tiny.yaml in an x86_64 guest with
# VT-d (intel) and with edu alone (direct, the control: the check of an
# IOMMU group must fail there), and in an arm64 guest with an SMMUv3 and
# iommu.strict=0 (the SMMU probed, the module's PCI driver bound edu
# behind it in a lazy domain, and the run's environment says so);
# each run stores guest.iommu. The console (loglevel=7 for the kernel's
# info lines, --keep-log) says what the guest's kernel found.
. "$TOP/tests/lib.sh"
. "$TOP/tests/vm/common.inc"
names="intel-imported intel-env intel-edu intel-behind-iommu direct-imported direct-env direct-edu direct-no-iommu smmuv3-imported smmuv3-env smmuv3-edu smmuv3-probed smmuv3-env-lazy"
vm_ready $names || { done_testing; exit 0; }
db=$T/results.db

# guest NAME ARCH IOMMU: boot it; the console log's path into $log, the
# edu device's PCI address (from the kernel's enumeration) into $bdf
guest() {
	local name=$1 arch=$2 iommu=$3 append="loglevel=7 ${4:-}" t0=$SECONDS
	log="" bdf=""
	"$FB" vm --debian generic --arch "$arch" --iommu "$iommu" --smp 1 \
		-c "$TOP/tests/vm/tiny.yaml" --append "$append" --keep-log \
		--db "$db" --label "io-$name" --timeout 600 > "$T/$name.out" 2>&1
	rc=$?
	log=$(sed -n 's/^flushbench vm: booting .*, log \(.*\)$/\1/p' "$T/$name.out" | head -1)
	if [ $rc = 0 ] && [ "$(runs_of "$db" "io-$name" complete)" = 1 ]; then
		pass "$name-imported (in $((SECONDS - t0)) s)"
	else
		fail "$name-imported" "exit $rc: $(tail -6 "$T/$name.out" | tr '\n' ' ')"
	fi
	got=$(env_of "$db" "io-$name" guest.iommu)
	[ "$got" = "$iommu" ] && pass "$name-env (guest.iommu=$got)" ||
		fail "$name-env" "guest.iommu '$got', wanted '$iommu'"
	# "pci 0000:00:03.0: [1234:11e8] type 00 class 0x00ff00"
	[ -n "$log" ] && [ -f "$log" ] &&
		bdf=$(tr -d '\r' < "$log" | sed -n 's/.*pci \([0-9a-f:.]*\): \[1234:11e8\].*/\1/p' | head -1)
	[ -n "$bdf" ] && pass "$name-edu (the guest found edu at $bdf)" ||
		fail "$name-edu" "no [1234:11e8] in the console log '$log'"
}
# grouped LOG BDF: the kernel put BDF behind an IOMMU ("Adding to iommu group N")
grouped() {
	[ -n "$2" ] && tr -d '\r' < "$1" | grep -q "pci $2: Adding to iommu group"
}

guest intel x86_64 intel
cl=$(env_of "$db" io-intel guest.cmdline)
if grouped "$log" "$bdf" && grep -q 'DMAR: .*Virtualization Technology for Directed I/O' "$log" &&
   [[ "$cl" == *intel_iommu=on* ]]; then
	pass "intel-behind-iommu (VT-d on, edu in an IOMMU group: $(grep -o "pci $bdf: Adding to iommu group [0-9]*" "$log"))"
else
	fail "intel-behind-iommu" "cmdline '$cl'; $(grep -c DMAR "$log" 2>/dev/null) DMAR lines; $(grep -m1 "Adding to iommu group" "$log" 2>/dev/null)"
fi
rm -f "$log" "$log.qemu"

guest direct x86_64 direct
if [ -n "$bdf" ] && ! grouped "$log" "$bdf" && ! grep -q 'DMAR: .*Directed I/O' "$log"; then
	pass "direct-no-iommu (edu at $bdf, in no IOMMU group, no VT-d)"
else
	fail "direct-no-iommu" "bdf '$bdf'; $(grep -m1 "Adding to iommu group\|Directed I/O" "$log" 2>/dev/null)"
fi
rm -f "$log" "$log.qemu"

if arm64_ready; then
	# lazy from the cmdline (Debian's arm64 default is strict)
	guest smmuv3 arm64 smmuv3 iommu.strict=0
	# An arm64 PCI device joins its IOMMU group only when a driver binds
	# it (the DT's iommu-map is applied at bind time): the guest's
	# flushbench.ko binds edu ("flushbench 0000:00:02.0: Adding to iommu
	# group 0"), after "arm-smmu-v3 9050000.smmuv3: allocated 65536
	# entries for cmdq", in the lazy domain the cmdline asked for
	if grep -q 'arm-smmu-v3 .*: allocated .* entries for cmdq' "$log" &&
	   [ -n "$bdf" ] && tr -d '\r' < "$log" | grep -q "flushbench $bdf: Adding to iommu group" &&
	   tr -d '\r' < "$log" | grep -q "flushbench $bdf: bound: edu.*DMA domain DMA-FQ (lazy)"; then
		pass "smmuv3-probed (the SMMUv3 probed; the module bound edu at $bdf behind it, lazy: $(tr -d '\r' < "$log" | grep -o "flushbench $bdf: Adding to iommu group [0-9]*"))"
	else
		fail "smmuv3-probed" "'$log': $(grep -m1 'smmu' "$log" 2>/dev/null); $(grep -m2 "flushbench" "$log" 2>/dev/null | tr '\n' ' ')"
	fi
	# the run's environment: the cmdline's choice and the group's type
	st=$(env_of "$db" io-smmuv3 iommu.strict) fb=$(env_of "$db" io-smmuv3 iommu.flushbench)
	[ "$st" = 0 ] && [ "$fb" = "$bdf=DMA-FQ" ] &&
		pass "smmuv3-env-lazy (iommu.strict=$st, iommu.flushbench=$fb)" ||
		fail "smmuv3-env-lazy" "iommu.strict '$st', iommu.flushbench '$fb' (wanted 0 and $bdf=DMA-FQ)"
	rm -f "$log" "$log.qemu"
else
	for n in smmuv3-imported smmuv3-env smmuv3-edu smmuv3-probed smmuv3-env-lazy; do
		skip "$n" "arm64 is not a dpkg architecture here (dpkg --add-architecture arm64; apt-get update)"
	done
fi
done_testing
