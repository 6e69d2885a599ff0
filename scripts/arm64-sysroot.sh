#!/bin/sh
# Unpack Debian's arm64 libraries (headers, .so links, runtime libraries)
# that flushbench links against into a sysroot for cross-compiling (and
# for scripts/mkinitramfs.sh --libdir to take the guest's libraries from).
# Cached: nothing is fetched when the sysroot already holds this list.
# Usage: scripts/arm64-sysroot.sh [DIR]   (default build/arm64/sysroot)
# Prints the sysroot path. Needs `dpkg --add-architecture arm64` and
# updated apt lists; installs nothing into the host.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-$top/build/arm64/sysroot}
# -dev packages for linking, their runtime libraries (and what those
# need beyond libc, which the aarch64-linux-gnu toolchain provides).
pkgs="libyaml-dev libsqlite3-dev libhwloc-dev libpfm4-dev libjansson-dev
libgsl-dev libhiredis-dev nettle-dev libyaml-0-2 libsqlite3-0 libhwloc15
libpfm4 libjansson4 libgsl27 libgslcblas0 libhiredis0.14 libnettle8 libudev1"
want=$(echo $pkgs)
if [ -f "$root/.pkgs" ] && [ "$(cat "$root/.pkgs")" = "$want" ]; then
	echo "$root"
	exit 0
fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	echo "arm64-sysroot: arm64 is not a dpkg architecture here;" \
	     "run: dpkg --add-architecture arm64 && apt-get update" >&2
	exit 1
fi
rm -rf "$root.tmp"
mkdir -p "$root.tmp/.debs"
args=""
for p in $want; do args="$args $p:arm64"; done
# shellcheck disable=SC2086
if ! (cd "$root.tmp/.debs" && apt-get download -q $args >&2); then
	echo "arm64-sysroot: apt-get download failed (are the arm64 apt lists" \
	     "updated? apt-get update)" >&2
	exit 1
fi
for deb in "$root.tmp"/.debs/*.deb; do
	dpkg -x "$deb" "$root.tmp"
done
rm -rf "$root.tmp/.debs"
# Only headers and libraries are used; the rest (docs, hooks
# directories named *.d that the top Makefile would take for dependency
# files) goes.
rm -rf "$root.tmp/usr/share" "$root.tmp/etc" "$root.tmp/lib/udev"
# Absolute .so symlinks (e.g. -> /lib/aarch64-linux-gnu/libudev.so.1)
# would point into the host: make them relative to the sysroot.
find "$root.tmp" -type l | while read -r l; do
	t=$(readlink "$l")
	case "$t" in /*) ln -sfn "$root$t" "$l" ;; esac
done
echo "$want" > "$root.tmp/.pkgs"
rm -rf "$root"
mv "$root.tmp" "$root"
echo "$root"
