#!/bin/bash
# Build a busybox initramfs for a QEMU guest, cached by content hash.
#
# Usage: scripts/mkinitramfs.sh --arch x86_64|arm64 --script FILE --out DIR
#          [--file SRC:DEST]... [--bin SRC]... [--libdir DIR]... [--cache DIR]
#   --script FILE  run by /init as /run.sh (sh), after the mounts
#   --file SRC:DEST  copy SRC to absolute DEST in the guest (.ko, configs)
#   --bin SRC      copy SRC to /bin/ (a program or a script); when
#                  dynamically linked, also its NEEDED libraries
#                  (recursively, into /lib) and its loader (at its PT_INTERP
#                  path), searched in --libdir dirs and the arch's default dirs
#   --cache DIR    where busybox-static:arm64 is fetched (default build/guest)
# Prints the path of the initramfs (OUT/initramfs-HASH.cpio.gz). The hash
# covers the arch, busybox, /init, the script and every added file (content
# and destination): an unchanged input reuses the file.
#
# /init mounts proc, sysfs, devtmpfs and debugfs, prints "FB-INIT: start",
# runs /run.sh, prints "FB-INIT: done rc=N" and ends with `poweroff -f`, so
# QEMU (-no-reboot) exits 0.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "mkinitramfs: $*" >&2; exit 1; }

arch="" script="" out="" cache="$top/build/guest"
files=() bins=() libdirs=()
while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arch=$2; shift 2 ;;
	--script) script=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--file) files+=("$2"); shift 2 ;;
	--bin) bins+=("$2"); shift 2 ;;
	--libdir) libdirs+=("$2"); shift 2 ;;
	--cache) cache=$2; shift 2 ;;
	*) die "unknown argument '$1' (see the header of $0)" ;;
	esac
done
[ -n "$arch" ] && [ -n "$script" ] && [ -n "$out" ] ||
	die "usage: $0 --arch ARCH --script FILE --out DIR [--file SRC:DEST] [--bin SRC]"
[ -r "$script" ] || die "script $script: not readable"

case "$arch" in
x86_64)
	busybox=/bin/busybox
	[ -x "$busybox" ] || die "no $busybox: apt-get install busybox-static"
	libdirs+=(/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib64)
	;;
arm64)
	mkdir -p "$cache"
	busybox=$cache/busybox-arm64/bin/busybox
	if [ ! -x "$busybox" ]; then
		deb=$(ls "$cache"/busybox-static_*_arm64.deb 2>/dev/null | head -1 || true)
		if [ -z "$deb" ]; then
			(cd "$cache" && apt-get download -q -o APT::Sandbox::User=root \
				busybox-static:arm64 >&2) ||
				die "apt-get download busybox-static:arm64 failed (dpkg --add-architecture arm64; apt-get update)"
			deb=$(ls "$cache"/busybox-static_*_arm64.deb | head -1)
		fi
		dpkg -x "$deb" "$cache/busybox-arm64"
	fi
	libdirs+=(/usr/aarch64-linux-gnu/lib /usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu)
	;;
*) die "ARCH '$arch': want x86_64 or arm64" ;;
esac

# The /init every image shares.
init_text='#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
echo "FB-INIT: start $(uname -m) $(uname -r) cpus=$(nproc)"
sh /run.sh
echo "FB-INIT: done rc=$?"
sync
poweroff -f'

find_lib() {	# NAME -> path
	local d
	for d in "${libdirs[@]}"; do
		[ -e "$d/$1" ] && { readlink -f "$d/$1"; return 0; }
	done
	return 1
}
# entries: "SRC DEST" lines, libraries pulled in recursively for --bin
entries=()
declare -A seen=()
add_deps() {	# ELF
	local interp lib p
	# none for a script (--bin of a shell script: readelf fails)
	interp=$(readelf -lW "$1" 2>/dev/null |
		sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p' || true)
	if [ -n "$interp" ] && [ -z "${seen[$interp]:-}" ]; then
		p=$(find_lib "$(basename "$interp")") ||
			die "$1: loader $interp not found in ${libdirs[*]}"
		seen[$interp]=1
		entries+=("$p $interp")
	fi
	for lib in $(readelf -dW "$1" 2>/dev/null |
		sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -n "${seen[$lib]:-}" ] && continue
		seen[$lib]=1
		p=$(find_lib "$lib") || die "$1: library $lib not found in ${libdirs[*]}"
		entries+=("$p /lib/$lib")
		add_deps "$p"
	done
}
for b in "${bins[@]}"; do
	[ -r "$b" ] || die "--bin $b: not readable"
	entries+=("$b /bin/$(basename "$b")")
	add_deps "$b"
done
for f in "${files[@]}"; do
	src=${f%%:*} dest=${f#*:}
	[ "$src" != "$f" ] && [ "${dest#/}" != "$dest" ] ||
		die "--file $f: want SRC:/ABSOLUTE/DEST"
	[ -r "$src" ] || die "--file $src: not readable"
	entries+=("$src $dest")
done

hash=$( {
	echo "$arch"
	sha256sum "$busybox" | cut -d' ' -f1
	echo "$init_text"
	sha256sum < "$script"
	for e in "${entries[@]}"; do
		echo "${e#* }"
		sha256sum < "${e%% *}"
	done
} | sha256sum | cut -c1-16)
mkdir -p "$out"
img=$(cd "$out" && pwd)/initramfs-$arch-$hash.cpio.gz
if [ -s "$img" ]; then
	echo "$img"
	exit 0
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/mkinitramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,lib,proc,sys,dev,tmp,etc,root}
cp "$busybox" "$stage/bin/busybox"
printf '%s\n' "$init_text" > "$stage/init"
chmod 755 "$stage/init"
cp "$script" "$stage/run.sh"
for e in "${entries[@]}"; do
	src=${e%% *} dest=${e#* }
	mkdir -p "$stage$(dirname "$dest")"
	cp -L "$src" "$stage$dest"
done
(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) > "$img.tmp"
mv "$img.tmp" "$img"
echo "$img"
