# x86_64 guests under TCG survive kernel text patching. Every insmod and
# rmmod of flushbench.ko toggles a static key (preempt notifiers), and so
# does enabling a tracepoint. With QEMU 7.2's multi-threaded TCG a 2-vCPU
# x86_64 guest froze, both vCPUs silent, within a few hundred such
# patches: kmod/guest.sh hung at its second rmmod, a matrix guest after
# its insmod. scripts/qemu-boot.sh therefore runs x86_64 TCG guests
# single-threaded; this boots one through 300 tracepoint toggles (600
# patches), which froze the multi-threaded guest in 3 of 3 tries.
. "$TOP/tests/lib.sh"
. "$TOP/tests/vm/common.inc"
cd "$TOP" || exit 2
vm_ready textpatch || { done_testing; exit 0; }
if ! vars=$(scripts/debian-kernel.sh x86_64 generic build/kernels 2>"$T/err"); then
	fail "textpatch: fetch the Debian kernel" "$(tail -2 "$T/err")"
	done_testing; exit 0
fi
eval "$vars"
cat > "$T/loop.ash" <<'ASH'
mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
ev=/sys/kernel/tracing/events/tlb/tlb_flush/enable
[ -w $ev ] || echo "FBT: no $ev"
i=0
while [ $i -lt 300 ]; do
	echo 1 > $ev && echo 0 > $ev || { echo "FBT: toggle $i failed"; break; }
	i=$((i + 1))
done
echo "FBT: toggled $i"
ASH
if ! img=$(scripts/mkinitramfs.sh --arch x86_64 --script "$T/loop.ash" --out "$T" 2>"$T/err"); then
	fail "textpatch: build the initramfs" "$(tail -3 "$T/err")"
	done_testing; exit 0
fi
st=$(scripts/qemu-boot.sh --arch x86_64 --kernel "$KERNEL" --initrd "$img" --accel tcg \
	--log "$T/console" --smp 2 --mem 512M --timeout 120 2>"$T/boot")
got=$(tr -d '\r' < "$T/console" | sed -n 's/^FBT: //p' | tr '\n' ';')
if grep -qx STATUS=ok <<<"$st" && [ "$got" = "toggled 300;" ]; then
	pass "textpatch: a 2-vCPU x86_64 TCG guest toggles a static key 300 times"
else
	fail "textpatch: a 2-vCPU x86_64 TCG guest toggles a static key 300 times" \
		"$(tr '\n' ' ' <<<"$st") guest said '$got'; $(tail -3 "$T/boot" | tr '\n' ' ')"
fi
done_testing
