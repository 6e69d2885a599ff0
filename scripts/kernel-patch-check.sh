#!/bin/bash
# Check kernel patches against a kernel source: that they apply in order
# (patch -p1 --dry-run --fuzz=0: a hunk whose context does not match to the
# line fails, though plain patch -p1 would take it with fuzz), and that,
# applied, the arm64 objects they touch and a few users of the headers
# they change compile (cross, defconfig).
# Usage: scripts/kernel-patch-check.sh [--apply-only] SRC PATCH...
#   SRC  an unpacked kernel tree, or a linux-source-*.tar.xz (unpacked once
#        into build/kernel-check/src/)
#   --apply-only  only the dry run
# Exit: 0 ok; 1 usage or environment; 2 a patch does not apply (the patch
# file, the source file and the hunk are named); 3 the build failed (the
# log is named).
# Cache (build/kernel-check/): KEY = sha256 of the source's version
# (kernelversion, and the Debian package version when the tarball is a
# package's), the pristine content of every file the patches touch, and
# the patches (content, in order), and the objects. A KEY that built before prints "cache
# hit" and builds nothing. The defconfig + prepare (W=1) of the unpatched
# tree is kept in base-SRCKEY/ and copied to each KEY, whose make then
# redoes only what the patched files change (the objects are built W=1;
# a warning in a patched file fails the check). Builds run `nice -n 10`, -j$FLB_KCHECK_JOBS
# (default 2). FLB_KCHECK_OBJS replaces the list of objects.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/build/kernel-check
jobs=${FLB_KCHECK_JOBS:-2}
apply_only=0
if [ "${1:-}" = --apply-only ]; then apply_only=1; shift; fi
[ $# -ge 2 ] || { echo "usage: $0 [--apply-only] SRC_DIR|linux-source.tar.xz PATCH..." >&2; exit 1; }
src=$1; shift
patches=()
for p in "$@"; do
	[ -f "$p" ] || { echo "kernel-patch-check: $p: no such patch" >&2; exit 1; }
	patches+=("$(cd "$(dirname "$p")" && pwd)/$(basename "$p")")
done
say() { echo "kernel-patch-check: $*"; }
sha() { sha256sum | cut -c1-16; }

# A tarball: unpack once, by its content.
debver=
if [ -f "$src" ]; then
	tb=$(cd "$(dirname "$src")" && pwd)/$(basename "$src")
	pkg=$(dpkg-query -S "$tb" 2>/dev/null | cut -d: -f1 || true)
	[ -z "$pkg" ] || debver=$(dpkg-query -W -f '${Version}' "$pkg")
	d=$cache/src/$(basename "$tb" .tar.xz)-$(sha < "$tb")
	if [ ! -f "$d/.unpacked" ]; then
		say "unpacking $tb into $d"
		rm -rf "$d"; mkdir -p "$d"
		t0=$SECONDS
		nice -n 10 tar -xJf "$tb" -C "$d"
		printf '%s\n' "$debver" > "$d/.debian-version"
		touch "$d/.unpacked"
		say "unpacked in $((SECONDS - t0))s"
	fi
	[ -n "$debver" ] || debver=$(cat "$d/.debian-version")
	src=$(ls -d "$d"/*/ | head -1)
fi
src=$(cd "$src" && pwd)
[ -f "$src/Makefile" ] && [ -d "$src/arch/arm64" ] ||
	{ echo "kernel-patch-check: $src: not a kernel tree with arch/arm64" >&2; exit 1; }
kver=$(awk '/^VERSION =/ { v = $3 } /^PATCHLEVEL =/ { p = $3 }
	/^SUBLEVEL =/ { s = $3 } /^EXTRAVERSION =/ { e = $3 }
	END { print v "." p "." s e }' "$src/Makefile")

# The files the patches touch (new files have no pristine copy).
mapfile -t touched < <(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "${patches[@]}" | sort -u)
[ ${#touched[@]} -gt 0 ] || { echo "kernel-patch-check: the patches touch no file" >&2; exit 1; }

# hunk_header PATCH FILE N: the Nth "@@" line of FILE's section in PATCH
hunk_header() {
	awk -v f="$2" -v n="$3" '
		/^\+\+\+ / { in_f = ($2 == "b/" f); k = 0; next }
		in_f && /^@@ / && ++k == n { print; exit }' "$1"
}

# 1. Dry run, in order: each patch is checked against the previous ones
# applied, in a scratch copy of the touched files.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/kpc.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
for f in "${touched[@]}"; do
	if [ -f "$src/$f" ]; then
		mkdir -p "$scratch/$(dirname "$f")"
		cp "$src/$f" "$scratch/$f"
	fi
done
for p in "${patches[@]}"; do
	name=${p#"$top"/}
	if ! out=$(patch -p1 -d "$scratch" --dry-run --fuzz=0 --no-backup-if-mismatch < "$p" 2>&1); then
		say "$name does not apply to $src ($kver${debver:+, Debian $debver}):"
		file=
		while IFS= read -r line; do
			case "$line" in
			"checking file "*) file=${line#checking file } ;;
			"Hunk #"*" FAILED"*)
				n=${line#Hunk #}; n=${n%% *}
				echo "  $name: $file: hunk #$n FAILED (${line#*FAILED }): $(hunk_header "$p" "$file" "$n")" ;;
			*"can't find file"*|*"malformed patch"*|*"Only garbage"*|*"No file to patch"*)
				echo "  $name: $line" ;;
			esac
		done <<< "$out"
		exit 2
	fi
	grep -E 'offset' <<< "$out" | sed "s|^|  $name: note: |" || true
	patch -p1 -s -d "$scratch" --fuzz=0 --no-backup-if-mismatch < "$p"
done
say "${#patches[@]} patch(es) apply to $src ($kver${debver:+, Debian $debver})"
[ $apply_only = 0 ] || exit 0

# 2. The build, cached by KEY.
srckey=$( { echo "$kver $debver"
	for f in "${touched[@]}"; do
		[ -f "$src/$f" ] && sha256sum "$src/$f" | sed "s|$src/||" || echo "new $f"
	done; } | sha)
objs=${FLB_KCHECK_OBJS:-}
if [ -z "$objs" ]; then
	# the touched arm64 sources, and users of tlbflush.h / mmu_context.h
	# (KVM's nVHE hyp code is built apart, with its own flags)
	for f in "${touched[@]}"; do
		case "$f" in arch/arm64/*.c) objs="$objs ${f%.c}.o" ;; esac
	done
	objs="$objs arch/arm64/mm/hugetlbpage.o arch/arm64/mm/mmu.o \
arch/arm64/kernel/smp.o arch/arm64/kernel/sys_compat.o arch/arm64/kernel/efi.o \
arch/arm64/kvm/mmu.o arch/arm64/kvm/hyp/vhe/tlb.o \
arch/arm64/kvm/hyp/nvhe/tlb.nvhe.o mm/memory.o mm/mprotect.o"
fi
objs=$(tr ' ' '\n' <<< "$objs" | sed '/^$/d' | sort -u | tr '\n' ' ')
key=$( { echo "$srckey $objs"; sha256sum "${patches[@]}" | cut -d' ' -f1; } | sha)
dir=$cache/$key
if [ -f "$dir/ok" ]; then
	say "cache hit: $dir (built $(cat "$dir/ok")); nothing rebuilt"
	exit 0
fi
command -v aarch64-linux-gnu-gcc >/dev/null ||
	{ echo "kernel-patch-check: aarch64-linux-gnu-gcc missing (apt-get install gcc-aarch64-linux-gnu)" >&2; exit 1; }
kmake() {	# DIR TARGET...: make in DIR's tree, objects in DIR/linux/out
	local d=$1; shift
	nice -n 10 make -C "$d/linux" O=out ARCH=arm64 \
		CROSS_COMPILE=aarch64-linux-gnu- -j"$jobs" "$@"
}
tree() {	# DIR: DIR/linux, a hard-linked copy of the source
	rm -rf "$1"; mkdir -p "$1"
	cp -al "$src" "$1/linux" 2>/dev/null || cp -a "$src" "$1/linux"
	rm -rf "$1/linux/out"
}
t0=$SECONDS
base=$cache/base-$srckey
if [ ! -f "$base/prepared" ]; then
	say "defconfig + prepare of the unpatched tree in $base"
	tree "$base"
	if ! { kmake "$base" defconfig && kmake "$base" W=1 prepare; } > "$base.log" 2>&1; then
		say "defconfig/prepare of the unpatched tree failed: see $base.log"
		exit 3
	fi
	date -u +%FT%TZ > "$base/prepared"
	say "unpatched tree prepared in $((SECONDS - t0))s"
fi
t1=$SECONDS
say "building $dir: $objs"
tree "$dir"
for f in "${touched[@]}"; do	# break the links before patching
	[ -f "$src/$f" ] && cp --remove-destination "$src/$f" "$dir/linux/$f"
done
for p in "${patches[@]}"; do
	patch -p1 -s -d "$dir/linux" --fuzz=0 --no-backup-if-mismatch < "$p"
done
cp -a "$base/linux/out" "$dir/linux/out"
# shellcheck disable=SC2086
if ! kmake "$dir" W=1 $objs > "$dir/build.log" 2>&1; then
	say "build failed: see $dir/build.log"
	grep -E 'error|warning' "$dir/build.log" | head -20 >&2 || true
	exit 3
fi
# the patched sources' own warnings (W=1) are failures too
warn=$(grep -E '^[^ ]+:[0-9]+:[0-9]+: warning' "$dir/build.log" |
	grep -F -f <(printf '%s\n' "${touched[@]}") || true)
if [ -n "$warn" ]; then
	say "warnings in the patched files: see $dir/build.log"
	echo "$warn" | head -20 >&2
	exit 3
fi
date -u +%FT%TZ > "$dir/ok"
say "built $objs in $((SECONDS - t1))s ($((SECONDS - t0))s with the unpatched prepare)"
