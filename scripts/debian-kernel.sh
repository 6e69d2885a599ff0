#!/bin/bash
# Fetch a Debian 12 kernel (image, modules, headers, host kbuild tools) for
# a QEMU guest and for building out-of-tree modules against it.
#
# Usage: scripts/debian-kernel.sh ARCH FLAVOUR CACHE_DIR
#   ARCH     x86_64 | arm64
#   FLAVOUR  generic | rt | cloud
#   CACHE_DIR  where the .debs are kept (reused by file name) and unpacked
#
# The ABI is resolved through the linux-image-*/linux-headers-* metapackages
# (apt-cache depends), never hard-coded. Image, headers, headers-common and
# the amd64 linux-kbuild-6.1 (its fixdep/modpost run on this host, also for
# arm64) are unpacked into ONE root so the headers' relative
# scripts -> ../../lib/linux-kbuild-6.1/scripts symlinks resolve; the
# absolute include in the arch headers' Makefile is rewritten into the root.
#
# Prints KEY=VALUE lines (eval-able):
#   ABI      6.1.0-56          RELEASE  6.1.0-56-amd64 (uname -r in the guest)
#   KERNEL   path of the image (bzImage on x86_64, Image on arm64)
#   HEADERS  the headers dir to pass as make -C
#   MODDIR   lib/modules/RELEASE inside the root
#   ROOT     the unpacked root
#   KARCH    x86 | arm64 (make ARCH=)   CROSS_COMPILE  "" | aarch64-linux-gnu-
# A foreign ARCH (arm64 on amd64) is added to dpkg (and apt-get update run)
# when root and missing. Exit 1 (with why on stderr) when a package cannot
# be resolved or fetched.
set -euo pipefail

die() { echo "debian-kernel: $*" >&2; exit 1; }
[ $# -eq 3 ] || die "usage: $0 x86_64|arm64 generic|rt|cloud CACHE_DIR"
arch=$1 flavour=$2 cache=$3

case "$arch" in
x86_64) debarch=amd64 karch=x86 cross="" ;;
arm64) debarch=arm64 karch=arm64 cross=aarch64-linux-gnu- ;;
*) die "ARCH '$arch': want x86_64 or arm64" ;;
esac
case "$flavour" in
generic) fl="$debarch" ;;
rt | cloud) fl="$flavour-$debarch" ;;
*) die "FLAVOUR '$flavour': want generic, rt or cloud" ;;
esac

# A foreign architecture's packages need it in dpkg and apt's lists: add
# it when root (as deps.sh installs packages when root), else say how.
if [ "$debarch" != "$(dpkg --print-architecture)" ] &&
	! dpkg --print-foreign-architectures | grep -qx "$debarch"; then
	[ "$(id -u)" = 0 ] ||
		die "dpkg has no $debarch architecture: run dpkg --add-architecture $debarch && apt-get update"
	echo "debian-kernel: adding the $debarch architecture (dpkg --add-architecture, apt-get update)" >&2
	dpkg --add-architecture "$debarch" &&
		apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 ||
		die "could not add the $debarch architecture"
fi

# First Depends: of a metapackage that starts with PREFIX.
dep_of() {	# PKG PREFIX
	apt-cache depends "$1" 2>/dev/null |
		sed -n "s/^ *Depends: <\{0,1\}\($2[^>: ]*\).*/\1/p" | head -1
}
have_pkg() { apt-cache show "$1" >/dev/null 2>&1; }

img=$(dep_of "linux-image-$fl:$debarch" linux-image-) ||
	true
[ -n "$img" ] || die "cannot resolve linux-image-$fl:$debarch (apt-get update? dpkg --add-architecture $debarch?)"
release=${img#linux-image-}
abi=${release%-"$fl"}
hdr=linux-headers-$release
have_pkg "$hdr:$debarch" || die "no package $hdr:$debarch"
common=$(dep_of "$hdr:$debarch" "linux-headers-$abi-common")
[ -n "$common" ] || die "cannot resolve the headers-common package of $hdr"
kbuild=$(dep_of "$hdr:$debarch" linux-kbuild-)
[ -n "$kbuild" ] || die "cannot resolve the linux-kbuild package of $hdr"
# The unsigned image boots as it is with -kernel; prefer it when it exists.
have_pkg "$img-unsigned:$debarch" && img=$img-unsigned

mkdir -p "$cache/debs"
cache=$(cd "$cache" && pwd)
fetch() {	# PKG ARCH -> path of the .deb
	local f
	f=$(ls "$cache/debs/$1"_*_"$2".deb 2>/dev/null | head -1 || true)
	if [ -z "$f" ]; then
		(cd "$cache/debs" && apt-get download -q -o APT::Sandbox::User=root "$1:$2" >&2) ||
			die "apt-get download $1:$2 failed"
		f=$(ls "$cache/debs/$1"_*_"$2".deb | head -1)
	fi
	echo "$f"
}
debs=("$(fetch "$img" "$debarch")" "$(fetch "$hdr" "$debarch")"
      "$(fetch "$common" all)" "$(fetch "$kbuild" amd64)")

root=$cache/root-$release
stamp=$root/.unpacked
want=$(for d in "${debs[@]}"; do basename "$d"; done)
if [ ! -e "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
	rm -rf "$root"
	mkdir -p "$root"
	for d in "${debs[@]}"; do
		dpkg -x "$d" "$root" || die "dpkg -x $d failed"
	done
	headers=$root/usr/src/linux-headers-$release
	sed -i "s|^include /usr/src/|include $root/usr/src/|" "$headers/Makefile"
	echo "$want" > "$stamp"
fi

headers=$root/usr/src/linux-headers-$release
kernel=$root/boot/vmlinuz-$release
[ -f "$kernel" ] || die "no kernel image at $kernel"
[ -f "$headers/Makefile" ] || die "no headers at $headers"
grep -q "^include $root/" "$headers/Makefile" ||
	die "$headers/Makefile: absolute include not rewritten"

echo "ABI=$abi"
echo "RELEASE=$release"
echo "KERNEL=$kernel"
echo "HEADERS=$headers"
echo "MODDIR=$root/lib/modules/$release"
echo "ROOT=$root"
echo "KARCH=$karch"
echo "CROSS_COMPILE=$cross"
