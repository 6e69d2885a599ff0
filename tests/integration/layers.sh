# The layer rules (docs/HACKING.md), checked from the object files and
# the includes by tests/integration/layers.py: on the tree as built, and
# on scratch copies that each break one rule, which must fail naming it.
. "$TOP/tests/lib.sh"
L="$TOP/tests/integration/layers.py"

if out=$(python3 "$L" "$TOP" 2>&1); then
	pass "the tree keeps the layer rules"
else
	fail "the tree keeps the layer rules" "$(printf '%s' "$out" | head -5 | tr '\n' ';')"
fi

# A scratch copy: the sources and this build's objects and .d files.
S="$T/tree"
mkdir -p "$S/build"
cp -r "$TOP"/lib "$TOP"/bench "$TOP"/guest "$TOP"/analysis "$TOP"/cli \
	"$TOP"/workloads "$TOP"/kmod "$S"/
(cd "$TOP/build" && find lib bench guest analysis cli workloads \
	-type f \( -name '*.o' -o -name '*.d' \) -exec cp --parents {} "$S/build/" \;)
python3 "$L" "$S" >"$T/clean" 2>&1
clean_rc=$?

# violate FILE WANT NAME: add FILE (source on stdin) to the scratch copy,
# compile it as the Makefile does, and expect the checker to fail with a
# line matching WANT; then take it out again.
violate() {
	local file=$1 want=$2 name=$3 out rc
	mkdir -p "$S/$(dirname "$file")" "$S/build/$(dirname "$file")"
	cat >"$S/$file"
	if [ "${file%.c}" != "$file" ] && [ "${file#kmod/}" = "$file" ]; then
		(cd "$S" && cc -std=gnu11 -D_GNU_SOURCE -I. -Ilib -Ibench -Ikmod \
			-MMD -MP -c -o "build/${file%.c}.o" "$file") 2>"$T/cc" || {
			fail "$name" "scratch file does not compile: $(head -3 "$T/cc")"
			rm -f "$S/$file"; return; }
	fi
	out=$(python3 "$L" "$S" 2>&1); rc=$?
	if [ $rc = 1 ] && grep -q -- "$want" <<<"$out"; then
		pass "$name"
	else
		fail "$name" "exit $rc, wanted 1 and '$want': $(head -3 <<<"$out" | tr '\n' ';')"
	fi
	rm -f "$S/$file" "$S/build/${file%.c}.o" "$S/build/${file%.c}.d"
}

if [ $clean_rc = "$(python3 "$L" "$TOP" >/dev/null 2>&1; echo $?)" ]; then
	pass "a scratch copy checks as the tree does"
else
	fail "a scratch copy checks as the tree does" "$(head -3 "$T/clean")"
fi

violate analysis/zz_bad.c 'analysis -> runner: calls flb_job_new' \
	"fails when analysis calls the runner" <<'EOF'
#include "job.h"
void *zz_bad(void) { return flb_job_new(0, 0, 0, 0, 0); }
EOF
violate analysis/zz_bad.c 'analysis -> runner: includes bench/config.h' \
	"fails when analysis includes a runner header" <<'EOF'
#include "config.h"
int zz_bad;
EOF
violate workloads/zz/zz.c 'workloads -> store: calls flb_store_open' \
	"fails when a workload writes the store" <<'EOF'
#include "store.h"
int zz(void) { return flb_store_open("x", FLB_STORE_RW, 0, 0, 0); }
EOF
violate workloads/zz/zz.c 'uses SQLite (sqlite3_open)' \
	"fails when SQLite is used outside the store" <<'EOF'
int sqlite3_open(const char *, void **);
int zz(void) { return sqlite3_open("x", 0); }
EOF
violate bench/zz.c "includes hwloc's header" \
	"fails when hwloc is included outside pin" <<'EOF'
#include <hwloc.h>
int zz;
EOF
violate guest/zz.c 'guest -> runner: calls flb_config_load' \
	"fails when guest code calls the runner instead of the CLI" <<'EOF'
#include <stdio.h>
#include "config.h"
int zz(struct flb_suite *s) { return flb_config_load("x", 0, 0, s, stderr); }
EOF
violate lib/zz.c 'lib -> analysis: calls flb_cmp_primary' \
	"fails when lib/ reaches up" <<'EOF'
const char *flb_cmp_primary(const char *);
const char *zz(void) { return flb_cmp_primary("fork"); }
EOF
violate kmod/zz.c 'kmod includes ../bench/workload.h' \
	"fails when kmod/ includes a userspace header" <<'EOF'
#include "../bench/workload.h"
EOF
echo 'int zz_private;' >"$S/kmod/zz_private.h"
violate bench/zz.c 'runner -> kmod: includes kmod/zz_private.h' \
	"fails when userspace includes a kmod header but the UAPI" <<'EOF'
#include "zz_private.h"
int zz;
EOF
done_testing
