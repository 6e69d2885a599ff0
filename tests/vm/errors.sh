# Guests that cannot run the suite: a bad --kernel path, a bad suite, an
# --iommu QEMU has not got for the guest's arch, a file that is not a kernel, a kernel that panics (bogus root=, its initramfs not used) and a
# timeout each end with a clear error, a non-zero exit and nothing imported.
. "$TOP/tests/lib.sh"
. "$TOP/tests/vm/common.inc"
vm_ready option-typo bad-kernel-path bad-config iommu-bad-value iommu-x86-smmuv3 \
	iommu-arm64-intel iommu-default-arch iommu-nothing-booted not-a-kernel panic timeout || { done_testing; exit 0; }
db=$T/results.db
# expect_vm NAME EXIT PATTERN ARGS...: exit status EXIT, stderr matching
# PATTERN (grep -E), no complete run imported
expect_vm() {
	local name=$1 want=$2 pat=$3 rc; shift 3
	"$FB" vm --db "$db" --label "$name" "$@" > "$T/$name.out" 2>&1
	rc=$?
	if [ $rc != "$want" ]; then
		fail "$name" "exit $rc, wanted $want: $(tail -6 "$T/$name.out" | tr '\n' ' ')"
	elif ! grep -qE -- "$pat" "$T/$name.out"; then
		fail "$name" "no '$pat' in: $(tail -6 "$T/$name.out" | tr '\n' ' ')"
	elif [ "$(runs_of "$db" "$name" complete)" != 0 ]; then
		fail "$name" "a complete run was imported"
	else
		pass "$name ($(grep -E -- "$pat" "$T/$name.out" | head -1 | cut -c1-100))"
	fi
}
expect_vm option-typo 2 "unknown option '--apend' \\(did you mean '--append'\\?\\)" \
	--debian generic --apend preempt=none
expect_vm bad-kernel-path 2 "--kernel $T/no-such-bzImage: No such file" \
	--kernel "$T/no-such-bzImage"
# a suite the guest would reject is refused before any boot
printf 'jobs:\n  - workload: mprotect\n    npagez: 16\n' > "$T/bad.yaml"
expect_vm bad-config 2 "bad.yaml:3:5: unknown key 'npagez'" --debian generic \
	--arch x86_64 -c "$T/bad.yaml"
# an IOMMU QEMU has no model of, or not on that machine type: refused
# before anything is fetched, built or booted
expect_vm iommu-bad-value 2 "--iommu: unknown value 'smmu' \\(did you mean 'smmuv3'\\?\\)" \
	--debian generic --arch x86_64 --iommu smmu
expect_vm iommu-x86-smmuv3 2 "--iommu smmuv3: an IOMMU of arm64 guests, and this guest is x86_64: give --arch arm64" \
	--debian generic --arch x86_64 --iommu smmuv3
expect_vm iommu-arm64-intel 2 "--iommu intel: an IOMMU of x86_64 guests, and this guest is arm64: give --arch x86_64" \
	--debian generic --arch arm64 --iommu intel
# --arch left out: this machine's
case $(uname -m) in aarch64) other=intel ;; *) other=smmuv3 ;; esac
expect_vm iommu-default-arch 2 "--iommu $other: an IOMMU of .* guests, and this guest is" \
	--debian generic --iommu $other
booted=""
for n in iommu-bad-value iommu-x86-smmuv3 iommu-arm64-intel iommu-default-arch; do
	grep -q 'booting\|apt-get\|initramfs' "$T/$n.out" && booted="$booted $n"
done
[ -z "$booted" ] && pass "iommu-nothing-booted (no fetch, build or boot before the refusal)" ||
	fail "iommu-nothing-booted" "went on before refusing:$booted"
head -c 1M /dev/urandom > "$T/junk.img"
expect_vm not-a-kernel 1 "did not finish: (no-output|error)" --kernel "$T/junk.img" \
	--arch x86_64 --timeout 60
# the kernel finds no /fb-no-init in the initramfs, mounts root= and panics
expect_vm panic 1 "did not finish: panic" --debian generic --arch x86_64 \
	--append "rdinit=/fb-no-init root=/dev/fb-bogus" --timeout 120
grep -q 'Kernel panic\|VFS: Unable to mount root' "$T/panic.out" &&
	pass "panic shows the console (Kernel panic line)" ||
	fail "panic shows the console" "$(tail -6 "$T/panic.out" | tr '\n' ' ')"
expect_vm timeout 1 "did not finish: timeout after" --debian generic \
	--arch x86_64 --timeout 2
done_testing
