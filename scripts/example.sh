#!/bin/bash
# make example: the worked example of the README (issue 16). Runs
# configs/matrix/pti.yaml (Debian's amd64 kernel with and without pti=on,
# preempt=none and full, in QEMU guests) into build/examples/pti.db unless
# that store already holds every cell (FRESH=1: run it again, into a new
# store), then writes `flushbench report --matrix` into docs/examples/pti/
# and keeps what is committed there: report.md and the PNGs it links.
# Usage: scripts/example.sh   (from the top of the tree)
set -euo pipefail
cd "$(dirname "$0")/.."
mx=configs/matrix/pti.yaml
db=build/examples/pti.db
out=docs/examples/pti
mkdir -p build/examples
if [ "${FRESH:-0}" = 1 ] && [ -e "$db" ]; then
	mv "$db" "$db.$(date +%s)"
fi
# a cell is there when the store has the matrix's `repeat` complete runs
# under its label
have_all() {
	[ -e "$db" ] || return 1
	local label n want
	want=$(sed -n 's/^repeat: *\([0-9]*\).*/\1/p' "$mx")
	for label in $(./flushbench matrix -m "$mx" --dry-run | sed -n 's/^  cell [0-9]*: //p'); do
		n=$(./flushbench runs --db "$db" "$label" 2>/dev/null | grep -c ' complete ' || true)
		[ "$n" -ge "${want:-1}" ] || return 1
	done
}
if have_all; then
	echo "example: $db holds every cell of $mx (FRESH=1 runs it again)"
else
	set -x
	./flushbench matrix -m "$mx" --db "$db"
	{ set +x; } 2>/dev/null
fi
mkdir -p "$(dirname "$out")"
rm -rf "$out.new"
./flushbench report --matrix "$mx" --db "$db" -o "$out.new"
# what is committed: the markdown and the PNGs it links (no .dat/.gp/.svg)
keep=$(grep -o '([^()]*\.png)' "$out.new/report.md" | tr -d '()' | sort -u)
rm -rf "$out"
mkdir -p "$out"
cp "$out.new/report.md" "$out/"
for f in $keep; do
	mkdir -p "$out/$(dirname "$f")"
	cp "$out.new/$f" "$out/$f"
done
mkdir -p "$(dirname "$out")"
rm -rf "$out.new"
echo "example: wrote $out/report.md ($(echo "$keep" | grep -c . || true) plots)"
