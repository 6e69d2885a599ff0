#!/bin/bash
# Build a guest kernel from source, cached by its inputs: the engine of
# `flushbench kernel build` (guest/kernel.c checks the options and runs
# this; run it directly the same way).
#
# Usage: scripts/kernel-build.sh --arch arm64|x86_64
#          (--source DIR | --debian-source) [--patch FILE]... [--config FRAG]...
#          [--cache DIR] [--jobs N] [--dry-run]
#
# Steps: the source (a tree, or Debian's linux-source-6.1, installed with
# apt-get and unpacked once into CACHE/src/); the patches applied in order
# with `patch -p1 --fuzz=0` (each checked with --dry-run first: a patch
# that does not apply is named with its failing hunk); the config: tinyconfig, then
# kernel/configs/kvm_guest.config, configs/kernel/common.config, the
# arch's configs/kernel/qemu-ARCH.config and each --config fragment merged
# with scripts/kconfig/merge_config.sh, then olddefconfig, and every
# option a fragment sets checked in the result (an option Kconfig dropped
# is an error, with the fragment's file:line); the build: make -jN, cross
# for arm64 (aarch64-linux-gnu-), through ccache.
#
# Cache: CACHE/ARCH-KEY/ (default build/kernel-cache), KEY a sha256 of the
# source's identity (linux-source's package version; a git tree's HEAD and
# its uncommitted diff; another tree's kernelversion, path and newest
# mtime), each patch's and fragment's content in order, the compiler's
# version and this script's own. A second call with the same inputs prints
# the cached image at once. Output: the image path on stdout (arm64: Image,
# x86_64: bzImage), beside it .config, build.log and inputs.txt.
# --dry-run prints the plan (inputs, key, cached or not, the steps) and
# builds nothing.
#
# Exit: 0 built or cached; 2 bad input (no such source or file, a patch
# that does not apply, a bad fragment line, an option that did not stick);
# 1 the build or a tool failed (the log's tail on stderr).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
arch="" src="" debsrc=0 dry=0 jobs=$(nproc) cache=$top/build/kernel-cache
patches=() frags=()
die() { echo "kernel build: $*" >&2; exit 2; }
fail() { echo "kernel build: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--arch) arch=${2:-}; shift 2 ;;
	--source) src=${2:-}; shift 2 ;;
	--debian-source) debsrc=1; shift ;;
	--patch) patches+=("${2:-}"); shift 2 ;;
	--config) frags+=("${2:-}"); shift 2 ;;
	--cache) cache=${2:-}; shift 2 ;;
	--jobs) jobs=${2:-}; shift 2 ;;
	--dry-run) dry=1; shift ;;
	*) die "unknown argument '$1' (see flushbench kernel build --help)" ;;
	esac
done

case $arch in
arm64) karch=arm64 cross=aarch64-linux-gnu- image=arch/arm64/boot/Image ;;
x86_64) karch=x86 cross= image=arch/x86/boot/bzImage ;;
*) die "--arch must be arm64 or x86_64 (got '$arch')" ;;
esac
[ -n "$src" ] && [ $debsrc = 1 ] && die "--source and --debian-source: give one"
[ -z "$src" ] && [ $debsrc = 0 ] && die "no source: give --source DIR or --debian-source"
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs must be a whole number >= 1 (got '$jobs')"
for p in "${patches[@]}"; do
	[ -f "$p" ] && [ -r "$p" ] || die "patch '$p': no such file"
done

# A fragment: CONFIG_X=value or "# CONFIG_X is not set", comments, blanks.
frag_list=("$top/configs/kernel/common.config" "$top/configs/kernel/qemu-$arch.config")
for f in "${frags[@]}"; do
	[ -f "$f" ] && [ -r "$f" ] || die "config fragment '$f': no such file"
	frag_list+=("$f")
done
for f in "${frag_list[@]}"; do
	bad=$(awk '!/^[[:space:]]*$/ && !/^#/ && !/^CONFIG_[A-Za-z0-9_]+=.+$/ { print FILENAME ":" FNR ":1: not CONFIG_NAME=value: " $0; exit }
		/^# CONFIG_/ && !/^# CONFIG_[A-Za-z0-9_]+ is not set$/ && /is not set/ { print FILENAME ":" FNR ":1: malformed: " $0; exit }' "$f")
	[ -z "$bad" ] || die "config fragment $bad"
done

cc=${cross}gcc
command -v "$cc" > /dev/null || fail "$cc not found (apt-get install gcc-aarch64-linux-gnu)"

# The source and its identity.
if [ $debsrc = 1 ]; then
	if ! dpkg-query -W -f='${Status}' linux-source-6.1 2>/dev/null | grep -q "ok installed"; then
		[ $dry = 1 ] && srcid="linux-source-6.1 (not installed yet)"
		if [ $dry = 0 ]; then
			[ "$(id -u)" = 0 ] || die "linux-source-6.1 is not installed (as root: apt-get install linux-source-6.1)"
			echo "kernel build: installing linux-source-6.1" >&2
			apt-get install -y -q linux-source-6.1 > /dev/null 2>&1 ||
				{ apt-get update -q > /dev/null 2>&1 && apt-get install -y -q linux-source-6.1 > /dev/null 2>&1; } ||
				fail "apt-get install linux-source-6.1 failed"
		fi
	fi
	if [ -z "${srcid:-}" ]; then
		ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
		srcid="linux-source-6.1 $ver"
		src=$cache/src/linux-source-$ver
	fi
else
	[ -d "$src" ] || die "source '$src': no such directory"
	[ -f "$src/Makefile" ] && grep -q '^VERSION =' "$src/Makefile" ||
		die "source '$src': not a kernel tree (no top-level Makefile with VERSION =)"
	src=$(cd "$src" && pwd)
	kv=$(make -s -C "$src" kernelversion 2>/dev/null) || kv=unknown
	if git -C "$src" rev-parse HEAD > /dev/null 2>&1; then
		srcid="git $kv $(git -C "$src" rev-parse HEAD) dirty:$(git -C "$src" diff HEAD | sha256sum | cut -c1-16)"
	else
		newest=$(find "$src/Makefile" "$src/arch/$karch" "$src/include" "$src/kernel" "$src/mm" \
			-type f -printf '%T@\n' 2>/dev/null | sort -n | tail -1)
		srcid="tree $kv $src newest:${newest:-0}"
	fi
fi

toolchain=$("$cc" --version | head -1)
key=$({
	echo "arch $arch"
	echo "source $srcid"
	for p in "${patches[@]}"; do echo "patch $(sha256sum < "$p" | cut -c1-64)"; done
	for f in "${frag_list[@]}"; do echo "config $(sha256sum < "$f" | cut -c1-64)"; done
	echo "toolchain $toolchain"
	echo "script $(sha256sum < "$0" | cut -c1-64)"
} | sha256sum | cut -c1-16)
out=$cache/$arch-$key
img=$out/$(basename $image)

if [ $dry = 1 ]; then
	echo "plan: $arch kernel, cache key $key"
	echo "  source:    $srcid"
	for p in "${patches[@]}"; do echo "  patch:     $p"; done
	echo "  config:    tinyconfig + kernel/configs/kvm_guest.config"
	for f in "${frag_list[@]}"; do echo "             + $f"; done
	echo "  toolchain: $toolchain (ccache), make -j$jobs ARCH=$karch${cross:+ CROSS_COMPILE=$cross}"
	if [ -f "$img" ]; then
		echo "  cached:    $img"
	else
		echo "  output:    $img (not built yet)"
	fi
	exit 0
fi

if [ -f "$img" ]; then
	echo "kernel build: cache hit ($out)" >&2
	echo "$img"
	exit 0
fi

# Unpack Debian's source once.
if [ $debsrc = 1 ] && [ ! -f "$src/.flb-unpacked" ]; then
	echo "kernel build: unpacking /usr/src/linux-source-6.1.tar.xz" >&2
	rm -rf "$src.tmp" && mkdir -p "$src.tmp" &&
		tar -xaf /usr/src/linux-source-6.1.tar.xz -C "$src.tmp" --strip-components=1 ||
		fail "unpacking linux-source-6.1 failed"
	touch "$src.tmp/.flb-unpacked" && rm -rf "$src" && mv "$src.tmp" "$src"
fi

command -v ccache > /dev/null || {
	[ "$(id -u)" = 0 ] && apt-get install -y -q ccache > /dev/null 2>&1
} || echo "kernel build: no ccache (apt-get install ccache): building without it" >&2
ccpre=""
command -v ccache > /dev/null && ccpre="ccache "

# A work tree: hard links to the source (patch writes new files, so the
# source is never changed), the patches applied.
work=$cache/work/$arch-$key
rm -rf "$work" && mkdir -p "$cache/work" && cp -al "$src" "$work" ||
	fail "cannot make the work tree $work"
rm -f "$work/.flb-unpacked"
for p in "${patches[@]}"; do
	# --fuzz=0: a hunk whose context moved is refused, not placed nearby
	if ! o=$(patch -p1 -d "$work" --dry-run --batch --fuzz=0 < "$p" 2>&1); then
		hunk=$(echo "$o" | grep -m1 -E 'FAILED|malformed|Only garbage|can.t find file' || echo "$o" | tail -1)
		rm -rf "$work"
		die "patch '$p' does not apply to $srcid: $hunk"
	fi
	patch -p1 -d "$work" --batch --fuzz=0 --quiet < "$p" > /dev/null ||
		fail "patch '$p' failed after a clean --dry-run"
done

mk() { make -C "$work" ARCH=$karch ${cross:+CROSS_COMPILE=$cross} CC="${ccpre}${cc}" "$@"; }
log=$work/build.log
echo "kernel build: config and build in $work (log: $log)" >&2
{
	mk tinyconfig &&
	(cd "$work" && ARCH=$karch scripts/kconfig/merge_config.sh -m .config \
		kernel/configs/kvm_guest.config "${frag_list[@]}") &&
	mk olddefconfig
} > "$log" 2>&1 || { tail -5 "$log" >&2; fail "configuring failed (log: $log)"; }

# Every option a fragment sets must be in the result.
for f in "${frag_list[@]}"; do
	miss=$(awk -v cfg="$work/.config" '
		BEGIN { while ((getline l < cfg) > 0) have[l] = 1 }
		/^CONFIG_[A-Za-z0-9_]+=/ { if (!($0 in have)) { print FILENAME ":" FNR ":1: " $0 " did not stick (a dependency is missing, or the option does not exist for this arch/version)"; exit } }
		/^# CONFIG_.* is not set$/ { n = $2; if ((n "=y") in have || (n "=m") in have) { print FILENAME ":" FNR ":1: " $0 " but it is set"; exit } }' "$f")
	[ -z "$miss" ] || die "config fragment $miss"
done

start=$(date +%s)
mk -j"$jobs" >> "$log" 2>&1 || { tail -15 "$log" >&2; fail "the build failed (log: $log)"; }
[ -f "$work/$image" ] || fail "the build made no $image (log: $log)"

mkdir -p "$out.tmp" &&
	cp "$work/$image" "$out.tmp/" && cp "$work/.config" "$out.tmp/config" &&
	cp "$log" "$out.tmp/build.log" || fail "cannot fill the cache entry $out"
{
	echo "arch $arch"
	echo "source $srcid"
	for p in "${patches[@]}"; do echo "patch $p $(sha256sum < "$p" | cut -c1-64)"; done
	for f in "${frag_list[@]}"; do echo "config $f"; done
	echo "toolchain $toolchain"
	echo "build_seconds $(( $(date +%s) - start ))"
} > "$out.tmp/inputs.txt"
rm -rf "$out" && mv "$out.tmp" "$out" && rm -rf "$work"
echo "kernel build: built in $(( $(date +%s) - start )) s" >&2
echo "$img"
