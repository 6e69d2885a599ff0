#!/bin/bash
# Boot a kernel + initramfs in QEMU and report how it ended.
#
# Usage: scripts/qemu-boot.sh --arch x86_64|arm64 --kernel IMG --initrd CPIO
#          --log FILE [--append STR] [--smp N] [--mem SIZE] [--timeout SEC]
#          [--accel auto|kvm|tcg] [--no-pvh] [--qemu-arg ARG]...
#          [--cpus LIST] [--serial-socket PATH] [--iommu smmuv3|intel|direct]
# Defaults: smp 2, mem 1G, timeout 300, accel auto, append "quiet".
# --qemu-arg passes one more argument to QEMU (repeat for each: -drive ...).
# --cpus pins QEMU, all its threads, to host CPUs LIST (taskset -c).
# --serial-socket: the console is also a UNIX socket at PATH (QEMU the
#   server, waiting for one client before the guest starts; the log file
#   still gets every byte), so that a host program can talk to the guest
#   (flushbench duet's go signals).
# --iommu adds QEMU's edu PCI device (1234:11e8, a DMA engine the module's
#   PCI driver binds: docs/iommu.md) and an IOMMU in front of it: smmuv3
#   (arm64: -M virt,iommu=smmuv3), intel (x86_64: -M q35,kernel-irqchip=split
#   -device intel-iommu,intremap=on, and intel_iommu=on on the cmdline, as
#   Debian's kernel leaves VT-d off), or direct (edu alone: dma-direct).
# SIGTERM or SIGINT stops QEMU: STATUS=stopped.
#   x86_64: KVM is tried first (a probe boot with a short timeout, cached
#     next to the kernel as IMG.kvm-probe) and TCG used when it fails; the
#     XZ bzImage is unpacked once to IMG.vmlinux and booted through the PVH
#     entry (faster) unless --no-pvh or the unpacking fails.
#     Under TCG an x86_64 guest runs single-threaded (-accel
#     tcg,thread=single): with QEMU 7.2's multi-threaded TCG, a 2-vCPU
#     guest froze within a few hundred kernel text patches (static key
#     toggles: insmod/rmmod of flushbench.ko, enabling a tracepoint), and
#     tests/vm/textpatch.sh boots it through 300 of them.
#   arm64: TCG on an x86_64 host (-M virt -cpu max,pauth-impdef=on); on an
#     aarch64 host KVM is tried the same way (-cpu host, gic-version=max).
# The serial console goes to FILE. Prints "ACCEL=kvm|tcg" and
# "STATUS=ok|timeout|panic|no-output|error|stopped" on stdout; on anything
# but ok the last console lines go to stderr.
# Exit: 0 ok (QEMU exited 0, console output, no panic), 2 timeout, 3 panic,
#       4 no output, 5 stopped (TERM/INT), 1 usage or QEMU error.
set -uo pipefail
die() { echo "qemu-boot: $*" >&2; exit 1; }

arch="" kernel="" initrd="" log="" append="quiet" smp=2 mem=1G limit=300
accel=auto pvh=1 extra=() cpus="" sock="" stopped=0 iommu=
while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arch=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--timeout) limit=$2; shift 2 ;;
	--accel) accel=$2; shift 2 ;;
	--no-pvh) pvh=0; shift ;;
	--qemu-arg) extra+=("$2"); shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--serial-socket) sock=$2; shift 2 ;;
	--iommu) iommu=$2; shift 2 ;;
	*) die "unknown argument '$1' (see the header of $0)" ;;
	esac
done
[ -n "$arch" ] && [ -n "$kernel" ] && [ -n "$initrd" ] && [ -n "$log" ] ||
	die "usage: $0 --arch ARCH --kernel IMG --initrd CPIO --log FILE [...]"
[ -r "$kernel" ] || die "kernel $kernel: not readable"
[ -r "$initrd" ] || die "initrd $initrd: not readable"
case "$accel" in auto | kvm | tcg) ;; *) die "--accel $accel: want auto, kvm or tcg" ;; esac
case "$arch/$iommu" in
*/ | */direct | arm64/smmuv3 | x86_64/intel) ;;
*) die "--iommu $iommu: want smmuv3 (arm64), intel (x86_64) or direct" ;;
esac

# The uncompressed vmlinux inside an XZ bzImage (PVH-bootable), or nothing.
vmlinux_of() {	# BZIMAGE
	local out=$1.vmlinux off
	if [ ! -s "$out" ]; then
		off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$1" 2>/dev/null | head -1 | cut -d: -f1)
		[ -n "$off" ] || return 1
		tail -c +$((off + 1)) "$1" | xz -dc > "$out.tmp" 2>/dev/null
		if ! readelf -n "$out.tmp" 2>/dev/null | grep -q 'Xen'; then
			rm -f "$out.tmp"
			return 1
		fi
		mv "$out.tmp" "$out"
	fi
	echo "$out"
}

case "$arch" in
x86_64)
	qemu=qemu-system-x86_64
	console=ttyS0
	machine=(-M q35)
	if [ $pvh = 1 ] && vm=$(vmlinux_of "$kernel"); then
		kernel=$vm
	fi
	;;
arm64)
	qemu=qemu-system-aarch64
	console=ttyAMA0
	machine=(-M virt)
	if [ "$(uname -m)" = aarch64 ]; then
		# on arm64 hardware KVM is tried like on x86_64; the GIC
		# version follows the host's when KVM is used
		[ "$accel" = tcg ] || machine=(-M virt,gic-version=max)
	else
		[ "$accel" = kvm ] && die "arm64: no KVM on this $(uname -m) host; use tcg"
		accel=tcg
	fi
	;;
*) die "ARCH '$arch': want x86_64 or arm64" ;;
esac
case "$iommu" in
smmuv3) machine[1]=${machine[1]},iommu=smmuv3 ;;
intel)
	machine[1]=${machine[1]},kernel-irqchip=split
	extra=(-device intel-iommu,intremap=on "${extra[@]}")
	append="$append intel_iommu=on"
	;;
esac
[ -n "$iommu" ] && extra+=(-device edu)
command -v $qemu >/dev/null || die "$qemu not found"

run_qemu() {	# ACCEL LIMIT LOG APPEND [SOCKET]
	local cpu serial pin=() qpid rc
	if [ "$1" = kvm ] && [ "$arch" = arm64 ]; then
		cpu=(-cpu host)
	elif [ "$1" = kvm ]; then
		cpu=(-cpu host,-arch-capabilities)
	elif [ "$arch" = arm64 ]; then
		cpu=(-cpu max,pauth-impdef=on)
	else
		cpu=(-cpu max)
	fi
	: > "$3"
	local acc=$1
	[ "$1" = tcg ] && [ "$arch" = x86_64 ] && acc=tcg,thread=single
	serial=(-serial "file:$3")
	[ -n "${5:-}" ] && serial=(-chardev
		"socket,id=fbcon,path=$5,server=on,wait=on,logfile=$3"
		-serial chardev:fbcon)
	[ -n "$cpus" ] && pin=(taskset -c "$cpus")
	# in the background, so that a TERM to this script stops it at once
	timeout -k 5 "$2" "${pin[@]}" $qemu "${machine[@]}" -accel "$acc" \
		"${cpu[@]}" -smp "$smp" -m "$mem" -display none -monitor none \
		"${serial[@]}" -no-reboot -kernel "$kernel" -initrd "$initrd" \
		-append "console=$console panic=-1 $4" "${extra[@]}" \
		< /dev/null 2>> "$3.qemu" &
	qpid=$!
	trap 'stopped=1; kill -TERM $qpid 2>/dev/null' TERM INT
	wait $qpid
	rc=$?
	while kill -0 $qpid 2>/dev/null; do
		wait $qpid
		rc=$?
	done
	trap - TERM INT
	return $rc
}

# KVM works when a probe boot (no init) gets as far as mounting a root.
kvm_works() {
	local probe=$kernel.kvm-probe plog
	[ -e /dev/kvm ] || return 1
	if [ ! -s "$probe" ]; then
		plog=$(mktemp)
		run_qemu kvm 15 "$plog" "rdinit=/fb-no-such-init" >/dev/null 2>&1
		if grep -q 'Unable to mount root\|No working init found' "$plog"; then
			echo ok > "$probe"
		else
			echo fail > "$probe"
		fi
		rm -f "$plog" "$plog.qemu"
	fi
	[ "$(cat "$probe")" = ok ]
}

if [ "$accel" = auto ]; then
	if kvm_works; then accel=kvm; else accel=tcg; fi
fi
echo "ACCEL=$accel"
rm -f "$log.qemu"
[ -n "$sock" ] && rm -f "$sock"
run_qemu "$accel" "$limit" "$log" "$append" "$sock"
rc=$?
[ -n "$sock" ] && rm -f "$sock"

status=ok
if [ $stopped = 1 ]; then
	status=stopped
elif [ $rc = 124 ] || [ $rc = 137 ]; then
	status=timeout
elif grep -q 'Kernel panic' "$log"; then
	status=panic
elif [ ! -s "$log" ]; then
	status=no-output
elif [ $rc != 0 ]; then
	status=error
fi
echo "STATUS=$status"
if [ $status != ok ]; then
	{
		echo "qemu-boot: $arch guest ($accel) ended: $status (qemu exit $rc); last console lines of $log:"
		# a guest may print anything: lines cut short, bytes shown (cat -v)
		tail -25 "$log" | tr -d '\r' | cat -v | cut -c1-160 | sed 's/^/  | /'
		[ -s "$log.qemu" ] && sed 's/^/  qemu: /' "$log.qemu" | tail -5
	} >&2
fi
case $status in
ok) exit 0 ;; timeout) exit 2 ;; panic) exit 3 ;; no-output) exit 4 ;;
stopped) exit 5 ;; *) exit 1 ;;
esac
