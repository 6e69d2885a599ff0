# flushbench kernel build (guest/kernel.c, scripts/kernel-build.sh) on a
# stand-in kernel tree: a Makefile with the targets the script drives
# (kernelversion, tinyconfig, olddefconfig, the image) and a
# merge_config.sh that appends fragments, counting its builds. A whole
# kernel takes minutes, so make test checks the orchestration here: the
# image path, a cache hit on identical inputs (no second build), a new
# key when a patch or a fragment changes, the errors (no source, a patch
# that does not apply named with its hunk, a bad fragment line and an
# option that does not stick as file:line:col, exit 2), --dry-run. The
# real build is a documented benchmark (docs/kernel-build.md).
. "$TOP/tests/lib.sh"
cd "$T" || exit 2

src=$T/linux
mkdir -p "$src/scripts/kconfig" "$src/kernel/configs" "$src/arch/arm64" "$src/include" "$src/mm" \
	"$src/init"
cat > "$src/Makefile" <<'EOF'
VERSION = 6
PATCHLEVEL = 1
SUBLEVEL = 0
kernelversion:
	@echo 6.1.0-fake
tinyconfig:
	@echo "CONFIG_64BIT=y" > .config
olddefconfig:
	@grep -v '^CONFIG_NOT_A_REAL_OPTION' .config > .config.new; mv .config.new .config
all:
	@echo built >> $(FAKE_BUILDS)
	@mkdir -p arch/arm64/boot
	@cat init/main.c .config > arch/arm64/boot/Image
.DEFAULT_GOAL := all
EOF
printf 'int main(void) { return 0; }\n' > "$src/init/main.c"
echo "CONFIG_KVM_GUEST=y" > "$src/kernel/configs/kvm_guest.config"
cat > "$src/scripts/kconfig/merge_config.sh" <<'EOF'
#!/bin/sh
[ "$1" = -m ] && shift
cfg=$1; shift
cat "$@" >> "$cfg"
EOF
chmod +x "$src/scripts/kconfig/merge_config.sh"
export FAKE_BUILDS=$T/builds.log
builds() { [ -f "$T/builds.log" ] && wc -l < "$T/builds.log" || echo 0; }
kb() { "$FB" kernel build --arch arm64 --source "$src" --cache "$T/cache" "$@"; }

if ! command -v aarch64-linux-gnu-gcc > /dev/null; then
	skip "kernel build" "no aarch64-linux-gnu-gcc (make test installs it: deps)"
	done_testing
	exit 0
fi

# a patch that applies, and one whose hunk does not
cat > "$T/good.patch" <<'EOF'
--- a/init/main.c
+++ b/init/main.c
@@ -1 +1 @@
-int main(void) { return 0; }
+int main(void) { return 1; }
EOF
cat > "$T/bad.patch" <<'EOF'
--- a/init/main.c
+++ b/init/main.c
@@ -1 +1 @@
-int main(void) { return 42; }
+int main(void) { return 7; }
EOF

img=$(kb 2> "$T/err"); rc=$?
if [ $rc = 0 ] && [ -f "$img" ] && [ "$(builds)" = 1 ] && grep -q CONFIG_SERIAL_AMBA_PL011=y "$img"; then
	pass "built: the image path on stdout, the arch fragment merged"
else
	fail "built: the image path on stdout, the arch fragment merged" "rc $rc img '$img' builds $(builds): $(tail -2 "$T/err")"
fi
img2=$(kb 2> "$T/err"); rc=$?
if [ $rc = 0 ] && [ "$img2" = "$img" ] && [ "$(builds)" = 1 ] && grep -q "cache hit" "$T/err"; then
	pass "the same inputs again: a cache hit, no build"
else
	fail "the same inputs again: a cache hit, no build" "rc $rc '$img2' builds $(builds): $(cat "$T/err")"
fi
img3=$(kb --patch "$T/good.patch" 2> "$T/err"); rc=$?
if [ $rc = 0 ] && [ "$img3" != "$img" ] && [ "$(builds)" = 2 ] && grep -q "return 1" "$img3" &&
	grep -q "return 0" "$src/init/main.c"; then
	pass "a patch: a new key, built patched, the source untouched"
else
	fail "a patch: a new key, built patched, the source untouched" "rc $rc builds $(builds): $(tail -2 "$T/err")"
fi
echo "CONFIG_HIGHMEM=y" > "$T/frag.config"
img4=$(kb --config "$T/frag.config" 2> "$T/err"); rc=$?
if [ $rc = 0 ] && [ "$img4" != "$img" ] && [ "$(builds)" = 3 ] && grep -q CONFIG_HIGHMEM=y "$img4"; then
	pass "a fragment: a new key, merged"
else
	fail "a fragment: a new key, merged" "rc $rc builds $(builds): $(tail -2 "$T/err")"
fi
out=$(kb --patch "$T/good.patch" --dry-run 2>&1); rc=$?
case "$rc:$out" in
0:*"plan: arm64 kernel"*"patch:     $T/good.patch"*"cached:    $img3"*) pass "--dry-run: the plan, cached" ;;
*) fail "--dry-run: the plan, cached" "rc $rc: $out" ;;
esac

# --patch DIR: its *.patch in name order, the same key as the files
mkdir -p "$T/series" "$T/empty"
cp "$T/good.patch" "$T/series/0001-good.patch"
printf -- '--- a/init/main.c\n+++ b/init/main.c\n@@ -1 +1 @@\n-int main(void) { return 1; }\n+int main(void) { return 2; }\n' \
	> "$T/series/0002-next.patch"
out=$(kb --patch "$T/series" --dry-run 2>&1); rc=$?
key_dir=$(echo "$out" | sed -n 's/.*cache key //p')
key_files=$(kb --patch "$T/series/0001-good.patch" --patch "$T/series/0002-next.patch" --dry-run 2>&1 |
	sed -n 's/.*cache key //p')
out2=$(kb --patch "$T/empty" --dry-run 2>&1); rc2=$?
case "$rc:$rc2:$out" in
0:2:*"patch:     $T/series/0001-good.patch"*"patch:     $T/series/0002-next.patch"*)
	if [ -n "$key_dir" ] && [ "$key_dir" = "$key_files" ] &&
	   echo "$out2" | grep -q "a directory with no \*.patch in it"; then
		pass "--patch DIR: its *.patch in name order, the key of the files; an empty one exit 2"
	else
		fail "--patch DIR" "keys '$key_dir' '$key_files'; empty: $out2"
	fi ;;
*) fail "--patch DIR" "rc $rc/$rc2: $out" ;;
esac

out=$(kb --patch "$T/good.patch" --patch "$T/bad.patch" 2>&1); rc=$?
case "$rc:$out" in
2:*"patch '$T/bad.patch' does not apply"*"Hunk #1 FAILED"*) pass "a patch that does not apply: named, with its hunk, exit 2" ;;
*) fail "a patch that does not apply: named, with its hunk, exit 2" "rc $rc: $out" ;;
esac
printf '# fragment\nCONFIG_OK=y\nCONFIG_BROKEN y\n' > "$T/bad.config"
out=$(kb --config "$T/bad.config" 2>&1); rc=$?
case "$rc:$out" in
2:*"$T/bad.config:3:1: not CONFIG_NAME=value"*) pass "a bad fragment line: file:line:col, exit 2" ;;
*) fail "a bad fragment line: file:line:col, exit 2" "rc $rc: $out" ;;
esac
printf 'CONFIG_NOT_A_REAL_OPTION=y\n' > "$T/nostick.config"
out=$(kb --config "$T/nostick.config" 2>&1); rc=$?
case "$rc:$out" in
2:*"$T/nostick.config:1:1: CONFIG_NOT_A_REAL_OPTION=y did not stick"*) pass "an option Kconfig drops: file:line:col, exit 2" ;;
*) fail "an option Kconfig drops: file:line:col, exit 2" "rc $rc: $out" ;;
esac
expect_exit 2 "no such source: exit 2" "$FB" kernel build --source "$T/none" --cache "$T/cache"
expect_exit 2 "no such patch: exit 2" "$FB" kernel build --source "$src" --patch "$T/none.patch"
expect_exit 2 "--source and --debian-source: exit 2" "$FB" kernel build --source "$src" --debian-source
expect_exit 2 "an unknown arch: exit 2" "$FB" kernel build --arch riscv --source "$src"
out=$("$FB" kernel build --source "$T" --cache "$T/cache" 2>&1); rc=$?
case "$rc:$out" in
2:*"not a kernel tree"*) pass "a directory that is not a kernel tree: said, exit 2" ;;
*) fail "a directory that is not a kernel tree: said, exit 2" "rc $rc: $out" ;;
esac
[ "$(builds)" = 3 ] && pass "no failed call built anything" || fail "no failed call built anything" "builds $(builds)"
done_testing
