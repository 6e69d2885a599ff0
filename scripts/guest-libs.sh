#!/bin/bash
# Copy the shared libraries a dynamically linked program needs (recursively,
# from its DT_NEEDED entries) and its ELF interpreter into a guest root.
# Usage: scripts/guest-libs.sh x86_64|arm64 ROOT PROGRAM...
# Libraries land flat in ROOT/lib (the guest's /init sets LD_LIBRARY_PATH),
# the interpreter at the path the program asks for. x86_64 takes the host's
# libraries; arm64 takes build/arm64/sysroot and the cross toolchain's libc.
# Fails, naming the library, when one cannot be found.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
arch=$1 root=$2; shift 2
case "$arch" in
x86_64) dirs="/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib64" ;;
arm64|aarch64)
	sr=$top/build/arm64/sysroot
	dirs="$sr/lib/aarch64-linux-gnu $sr/usr/lib/aarch64-linux-gnu /usr/aarch64-linux-gnu/lib" ;;
*) echo "guest-libs: unknown arch '$arch'" >&2; exit 2 ;;
esac
mkdir -p "$root/lib"
declare -A seen
find_lib() {
	local d
	for d in $dirs; do
		[ -e "$d/$1" ] && { echo "$d/$1"; return 0; }
	done
	return 1
}
add() {	# ELF file: copy what it needs
	local lib path
	for lib in $(readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -n "${seen[$lib]:-}" ] && continue
		seen[$lib]=1
		path=$(find_lib "$lib") || {
			echo "guest-libs: $1 needs $lib, not found in: $dirs" >&2
			exit 1
		}
		cp -L "$path" "$root/lib/$lib"
		add "$path"
	done
}
for prog in "$@"; do
	interp=$(readelf -l "$prog" | sed -n 's/.*interpreter: \(.*\)\]/\1/p')
	if [ -n "$interp" ]; then
		path=$(find_lib "$(basename "$interp")") || {
			echo "guest-libs: interpreter $interp not found in: $dirs" >&2
			exit 1
		}
		mkdir -p "$root$(dirname "$interp")"
		cp -L "$path" "$root$interp"
	fi
	add "$prog"
done
