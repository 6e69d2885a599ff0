# Guest test of kmod/: for x86_64 and arm64, fetch Debian 12's kernel
# (scripts/debian-kernel.sh, cached in build/kernels), build flushbench.ko
# against its headers, build the static test programs for the guest arch,
# make a busybox initramfs, boot it in QEMU (KVM if it works, else TCG;
# with QEMU's edu device behind smmuv3 on arm64, intel-iommu on x86_64)
# and turn the guest's "FBT:" lines (TAP, with a plan) into TAP lines of
# ours. The measured "FBR:" lines are echoed as comments and kept in
# build/kmod-guest/ARCH[-FLAVOUR].results. FLB_KMOD_FLAVOURS (default
# "generic") adds Debian flavours, e.g. "generic rt" for PREEMPT_RT kernels.
. "$TOP/tests/lib.sh"
cd "$TOP" || exit 2
out=$TOP/build/kmod-guest
mkdir -p "$out"
progs="tests/kmod/ioctl-test.c tests/kmod/race.c tests/kmod/ioctl-fuzz.c tests/kmod/dma.c"
# wldrive (tests/bare/): its sources as tests/bare/module.mk lists them
wl_srcs=$(make -s --no-print-directory print-wldrive-srcs)
cflags="-std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -I. -Ilib -Ibench -Ikmod -static"

# Without the module, the workloads skip with a reason (host: no module).
if [ ! -e /dev/flushbench ]; then
	gcc $cflags -o "$out/wldrive-host" $wl_srcs -lpthread -lm 2>"$T/cc" &&
		for w in tlbi memregion iommu; do
			l=$("$out/wldrive-host" $w 10)
			case "$l" in
			*'status=skip reason="kernel module not loaded"'*) pass "$w: skip without the module" ;;
			*) fail "$w: skip without the module" "$l" ;;
			esac
		done || fail "build wldrive for the host" "$(tail -3 "$T/cc")"
else
	skip "tlbi, memregion, iommu: skip without the module" "this host has /dev/flushbench"
fi

for flavour in ${FLB_KMOD_FLAVOURS:-generic}; do
	for arch in x86_64 arm64; do
		tag=$arch
		[ "$flavour" = generic ] || tag=$arch-$flavour
		# edu behind the arch's IOMMU, for the IOMMU part (kmod/dma.c)
		case $arch in
		x86_64) cc=gcc iommu=intel ;;
		arm64) cc=aarch64-linux-gnu-gcc iommu=smmuv3 ;;
		esac
		if ! vars=$(scripts/debian-kernel.sh $arch $flavour build/kernels 2>"$T/err"); then
			fail "$tag: fetch the Debian kernel" "$(tail -2 "$T/err")"
			continue
		fi
		eval "$vars"
		if ! ko=$(scripts/kmod-build.sh $arch build/kmod/$tag $flavour 2>"$T/err"); then
			fail "$tag: build flushbench.ko against $RELEASE headers" "$(tail -3 "$T/err")"
			continue
		fi
		pass "$tag: build flushbench.ko against $RELEASE headers"
		bins=() ok=1
		mkdir -p "$out/$arch"
		for src in $progs; do
			b=$out/$arch/$(basename "$src" .c)
			$cc $cflags -o "$b" "$src" -lpthread -lm 2>"$T/err" || { ok=0; break; }
			bins+=(--bin "$b")
		done
		$cc $cflags -o "$out/$arch/wldrive" $wl_srcs -lpthread -lm 2>>"$T/err" || ok=0
		bins+=(--bin "$out/$arch/wldrive")
		if [ $ok = 0 ]; then
			fail "$tag: build static test programs" "$(tail -3 "$T/err")"
			continue
		fi
		if ! img=$(scripts/mkinitramfs.sh --arch $arch --script tests/kmod/in-guest.ash \
			--out "$out" --file "$ko:/flushbench.ko" "${bins[@]}" 2>"$T/err"); then
			fail "$tag: build the initramfs" "$(tail -3 "$T/err")"
			continue
		fi
		log=$out/$tag.log
		st=$(scripts/qemu-boot.sh --arch $arch --kernel "$KERNEL" --initrd "$img" \
			--log "$log" --smp 2 --mem 2G --timeout 300 --iommu $iommu \
			--append "quiet watchdog_thresh=1" 2>"$T/boot")
		accel=$(sed -n 's/^ACCEL=//p' <<< "$st")
		status=$(sed -n 's/^STATUS=//p' <<< "$st")
		label="emulated (TCG)"
		[ "$accel" = kvm ] && label="KVM"
		if [ "$status" = ok ]; then
			pass "$tag: guest booted and powered off ($label)"
		else
			fail "$tag: guest booted and powered off ($label)" "$status: $(tail -5 "$T/boot" | tr '\n' ' ')"
		fi
		# the guest's checks and its plan (in-guest.ash counts them)
		tap_run "$tag: " sed -n 's/^FBT: //p' <(tr -d '\r' < "$log")
		grep -q '^FBT-END' <(tr -d '\r' < "$log") && pass "$tag: guest ran to the end" ||
			fail "$tag: guest ran to the end" "console cut off; see $log"
		{
			echo "# $arch $RELEASE, $label, $(date -u +%Y-%m-%dT%H:%MZ)"
			tr -d '\r' < "$log" | sed -n 's/^FBR: //p'
		} > "$out/$tag.results"
		sed 's/^/# /' "$out/$tag.results"
	done
done
done_testing
