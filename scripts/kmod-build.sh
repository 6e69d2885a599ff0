#!/bin/bash
# Build kmod/ (flushbench.ko) for ARCH against Debian 12's headers.
# Usage: scripts/kmod-build.sh x86_64|arm64 OUTDIR [FLAVOUR]
# Kbuild builds in the source directory, so the sources are copied to
# OUTDIR first; the module ends in OUTDIR/flushbench.ko. Kernel packages
# come from scripts/debian-kernel.sh (cached in build/kernels).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { echo "usage: $0 x86_64|arm64 OUTDIR [FLAVOUR]" >&2; exit 2; }
arch=$1 out=$2 flavour=${3:-generic}
vars=$("$top/scripts/debian-kernel.sh" "$arch" "$flavour" "$top/build/kernels")
eval "$vars"
mkdir -p "$out/arch"
out=$(cd "$out" && pwd)
cp "$top"/kmod/Kbuild "$top"/kmod/*.c "$top"/kmod/*.h "$out/"
cp "$top"/kmod/arch/*.c "$out/arch/"
if [ "$arch" = arm64 ] && ! command -v aarch64-linux-gnu-gcc-12 >/dev/null; then
	echo "kmod-build: aarch64-linux-gnu-gcc-12 missing (apt-get install gcc-aarch64-linux-gnu)" >&2
	exit 1
fi
rm -f "$out/flushbench.ko"
rc=0
make -s -C "$HEADERS" M="$out" ARCH="$KARCH" CROSS_COMPILE="$CROSS_COMPILE" \
	modules > "$out/build.log" 2>&1 || rc=$?
grep -v 'Skipping BTF generation' "$out/build.log" >&2 || true
[ $rc = 0 ] && [ -f "$out/flushbench.ko" ] ||
	{ echo "kmod-build: $arch: make failed (exit $rc), see $out/build.log" >&2; exit 1; }
echo "$out/flushbench.ko"
