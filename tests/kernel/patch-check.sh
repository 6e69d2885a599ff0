# patches/arm64-tlbflush-local/ against Debian 12's linux-source-6.1
# (scripts/kernel-patch-check.sh): the patches apply in order, the arm64
# objects they touch and users of their headers compile (defconfig, cross),
# a mangled hunk is refused (exit 2) with the file and hunk named, and a
# second call with the same inputs is a cache hit (nothing rebuilt).
# linux-source-6.1 is installed when missing and we are root; the first
# build (unpack, defconfig, prepare, objects) takes some minutes, later runs
# come from build/kernel-check.
. "$TOP/tests/lib.sh"
cd "$TOP" || exit 2
tb=/usr/src/linux-source-6.1.tar.xz
pdir=patches/arm64-tlbflush-local
mapfile -t patches < <(ls "$pdir"/0*.patch)
if [ ! -f "$tb" ] && [ "$(id -u)" = 0 ]; then
	apt-get install -y -q linux-source-6.1 > "$T/apt" 2>&1 ||
		{ apt-get update -q > /dev/null 2>&1 &&
		  apt-get install -y -q linux-source-6.1 > "$T/apt" 2>&1; }
fi
if [ ! -f "$tb" ]; then
	skip "$pdir: apply, build, cache" "no $tb (apt-get install linux-source-6.1 as root)"
	done_testing; exit 0
fi
if ! command -v aarch64-linux-gnu-gcc > /dev/null; then
	skip "$pdir: apply, build, cache" "no aarch64-linux-gnu-gcc"
	done_testing; exit 0
fi
[ ${#patches[@]} -ge 2 ] && pass "$pdir: ${#patches[@]} patches" ||
	fail "$pdir: the patches" "found ${#patches[@]}"

check "$pdir: apply to linux-source-6.1 (patch -p1 --dry-run, in order)" \
	scripts/kernel-patch-check.sh --apply-only "$tb" "${patches[@]}"

t0=$SECONDS
if out=$(scripts/kernel-patch-check.sh "$tb" "${patches[@]}" 2>&1); then
	pass "$pdir: applied, the touched arm64 objects compile"
	echo "# first call $((SECONDS - t0))s: $(echo "$out" | grep -E 'cache hit|built|unpacked' | tr '\n' ' ')"
else
	fail "$pdir: applied, the touched arm64 objects compile" "$(echo "$out" | tail -5 | tr '\n' ' ')"
fi

# the same inputs again: a cache hit, no make
t0=$SECONDS
out=$(scripts/kernel-patch-check.sh "$tb" "${patches[@]}" 2>&1); rc=$?
if [ $rc = 0 ] && grep -q 'cache hit' <<< "$out" && ! grep -q 'building' <<< "$out"; then
	pass "$pdir: a second call is a cache hit ($((SECONDS - t0))s)"
else
	fail "$pdir: a second call is a cache hit" "exit $rc: $(echo "$out" | tail -3 | tr '\n' ' ')"
fi

# a mangled hunk: a line the second hunk of the last patch's first file
# removes, and one of its context lines (which alone fuzz would forgive)
bad=$T/$(basename "${patches[-1]}")
awk '/^@@ / { n++ }
	n == 2 && /^-[^-]/ && !m1 { sub(/^-/, "-MANGLED "); m1 = 1 }
	n == 2 && /^ [^ ]/ && !m2 { sub(/^ /, " MANGLED "); m2 = 1 } { print }' \
	"${patches[-1]}" > "$bad"
file=$(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$bad" | head -1)
out=$(scripts/kernel-patch-check.sh --apply-only "$tb" "${patches[@]:0:${#patches[@]}-1}" "$bad" 2>&1); rc=$?
if [ $rc = 2 ] && grep -q "$(basename "$bad"): $file: hunk #2 FAILED" <<< "$out"; then
	pass "a mangled hunk: exit 2, the patch, file and hunk named"
else
	fail "a mangled hunk: exit 2, the patch, file and hunk named" \
		"exit $rc: $(echo "$out" | tail -3 | tr '\n' ' ')"
fi
# ... also as a full check (no build is started)
out=$(scripts/kernel-patch-check.sh "$tb" "${patches[@]:0:${#patches[@]}-1}" "$bad" 2>&1); rc=$?
[ $rc = 2 ] && ! grep -q building <<< "$out" &&
	pass "a mangled hunk, full check: exit 2 before any build" ||
	fail "a mangled hunk, full check: exit 2 before any build" "exit $rc: $(echo "$out" | tail -2 | tr '\n' ' ')"
done_testing
