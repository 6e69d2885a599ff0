#!/bin/sh
# Install the Debian packages listed in deps/<profile>.pkgs that are missing.
# Usage: scripts/deps.sh [--check] PROFILE...   (build, run, test, or a path)
# Each line of a .pkgs file: PACKAGE CHECK, where CHECK is pc:MODULE (a
# pkg-config module), hdr:PATH (a header under /usr/include), cmd:NAME (a
# command on PATH) or file:PATH (an absolute path). When not root, missing
# packages are only reported; with --check first, they are only reported and
# the message names the Debian package. Exit 1 if anything is still missing.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
check_only=0
[ "${1:-}" = --check ] && { check_only=1; shift; }
missing=""
why=""
have() {
	case "$1" in
	pc:*) pkg-config --exists "${1#pc:}" 2>/dev/null ;;
	hdr:*) [ -e "/usr/include/${1#hdr:}" ] ;;
	cmd:*) command -v "${1#cmd:}" >/dev/null 2>&1 ;;
	file:*) [ -e "${1#file:}" ] ;;
	*) dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed' ;;
	esac
}
for prof in "$@"; do
	case "$prof" in */*) f=$prof ;; *) f="$top/deps/$prof.pkgs" ;; esac
	[ -r "$f" ] || { echo "deps: no such profile '$prof' ($f)" >&2; exit 2; }
	while read -r pkg check _; do
		case "$pkg" in ''|\#*) continue ;; esac
		[ -n "$check" ] || check=$pkg
		have "$check" || { missing="$missing $pkg"; why="$why\n  ${check#*:} (Debian package $pkg)"; }
	done < "$f"
done
[ -z "$missing" ] && exit 0
if [ $check_only = 1 ] || [ "$(id -u)" != 0 ]; then
	printf "deps: missing:$why\n" >&2
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: install them with: sudo apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing:$missing" >&2
stamp=/var/lib/apt/periodic/flushbench-update-stamp
if [ ! -e "$stamp" ] || [ -n "$(find /var/lib/apt/lists -maxdepth 0 -mmin +1440 2>/dev/null)" ]; then
	apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 || true
	mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >&2 || {
	echo "deps: apt-get install failed for:$missing" >&2
	exit 1
}
