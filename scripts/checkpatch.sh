#!/bin/bash
# Run the kernel's checkpatch.pl --no-tree -f over the given files.
# checkpatch.pl is not in the linux-headers/linux-kbuild packages, so it is
# taken (with spelling.txt and const_structs.checkpatch) from Debian 12's
# linux-source-6.1 package, fetched once with apt-get download into
# build/checkpatch. Exit status is checkpatch's.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/build/checkpatch
cp=$dir/linux-source-6.1/scripts/checkpatch.pl
if [ ! -f "$cp" ]; then
	mkdir -p "$dir"
	deb=$(ls "$dir"/linux-source-6.1_*_all.deb 2>/dev/null | head -1 || true)
	if [ -z "$deb" ]; then
		(cd "$dir" && apt-get download -q -o APT::Sandbox::User=root linux-source-6.1 >&2)
		deb=$(ls "$dir"/linux-source-6.1_*_all.deb | head -1)
	fi
	dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.1.tar.xz |
		tar -xJ -C "$dir" linux-source-6.1/scripts/checkpatch.pl \
			linux-source-6.1/scripts/spelling.txt \
			linux-source-6.1/scripts/const_structs.checkpatch
fi
exec perl "$cp" --no-tree --no-summary --terse --show-types -f "$@"
