# The LAVA files without a LAVA job (part of make test; tests/lava/run.sh
# runs the job): scripts/lava-job.sh renders a device and a job per arch
# that parse and say what the QEMU jobs need; the test definition's steps
# are valid sh; every job file passes lava_common's schema when
# lava-dispatcher is installed; --rootfs unpacks an initramfs.
. "$TOP/tests/lib.sh"
py=/usr/bin/python3	# Debian's, where jinja2, yaml and lava_common live
cd "$TOP" || exit 2
names="render-arm64 render-x86_64 testdef-sh jobs-valid rootfs"
if ! "$py" -c 'import jinja2, yaml' 2> /dev/null; then
	for n in $names; do skip "$n" "$py has no jinja2 or yaml: python3-jinja2 python3-yaml (deps/test.pkgs)"; done
	done_testing
	exit 0
fi
: > "$T/Image"
printf 'x' | gzip > "$T/initrd.gz"

# what each rendered pair must say, read back as YAML
read_back() {	# DIR ARCH
	"$py" - "$1" "$2" "$TOP/lava/flushbench.yaml" <<-'EOF'
	import sys
	import yaml
	d, arch, tdef = sys.argv[1:]
	dev = yaml.safe_load(open(d + "/device.yaml"))
	job = yaml.safe_load(open(d + "/job.yaml"))
	want = yaml.safe_load(open(tdef))
	qemu = {"arm64": "qemu-system-aarch64", "x86_64": "qemu-system-x86_64"}[arch]
	assert dev["actions"]["boot"]["methods"]["qemu"]["parameters"]["command"] == qemu, "device: not " + qemu
	assert arch in dev["available_architectures"], "device: no " + arch
	deploy = [a["deploy"] for a in job["actions"] if "deploy" in a][0]
	boot = [a["boot"] for a in job["actions"] if "boot" in a][0]
	test = [a["test"] for a in job["actions"] if "test" in a][0]
	img = deploy["images"]
	assert img["kernel"]["url"].startswith("file:///") and img["ramdisk"]["url"].startswith("file:///"), "not file:// URLs"
	assert "flushbench.shell" in img["kernel"]["image_arg"], "no flushbench.shell on the kernel command line"
	assert img["ramdisk"]["overlays"] == {"lava": True} and img["ramdisk"]["format"] == "cpio.newc", "LAVA's overlay not in the ramdisk"
	assert boot["prompts"] == ["flushbench# "] and boot["method"] == "qemu", "boot: prompts or method"
	inline = test["definitions"][0]
	assert inline["from"] == "inline", "definition not inline"
	got = inline["repository"]
	assert got["params"]["LABEL"] == "lava-" + arch and got["params"]["SUITE"] == "/config.yaml", "params"
	assert got["run"] == want["run"] and got["metadata"] == want["metadata"], "inline definition is not lava/flushbench.yaml"
	print("%s, %d steps inline" % (qemu, len(got["run"]["steps"])))
	EOF
}
for a in arm64 x86_64; do
	if ! out=$(scripts/lava-job.sh --arch "$a" --kernel "$T/Image" --initrd "$T/initrd.gz" \
		--out "$T/$a" 2>&1); then
		fail "render-$a" "$(tail -3 <<< "$out" | tr '\n' ' ')"
	elif got=$(read_back "$T/$a" "$a" 2>&1); then
		pass "render-$a: device and job ($got)"
	else
		fail "render-$a" "$(tail -2 <<< "$got" | tr '\n' ' ')"
	fi
done

# every step of the definition parses as sh (the image's: busybox ash)
sh=(sh)
[ -x /bin/busybox ] && sh=(/bin/busybox sh)
bad=""
n=0
while IFS= read -r -d '' step; do
	n=$((n + 1))
	printf '%s' "$step" | "${sh[@]}" -n 2> "$T/sh.err" || bad+="step $n: $(head -1 "$T/sh.err") "
done < <("$py" -c '
import sys, yaml
for s in yaml.safe_load(open(sys.argv[1]))["run"]["steps"]:
    sys.stdout.write(s + "\0")' lava/flushbench.yaml)
[ -z "$bad" ] && [ $n -gt 0 ] && pass "testdef-sh: the $n steps of lava/flushbench.yaml parse (${sh[*]} -n)" ||
	fail "testdef-sh" "${bad:-no steps}"

if "$py" -c 'import lava_common.schemas' 2> /dev/null; then
	check "jobs-valid: lava/jobs/*.yaml and the rendered jobs pass lava_common's job and testdef schemas" \
		scripts/lava-job.sh --validate lava/jobs/*.yaml "$T"/*/job.yaml
else
	skip "jobs-valid" "lava-dispatcher is not installed (lava_common's schemas): make test-lava installs it"
fi

mkdir -p "$T/root/bin" && echo hi > "$T/root/bin/x" &&
	(cd "$T/root" && find . | cpio -o -H newc --quiet | gzip) > "$T/root.cpio.gz"
if scripts/lava-job.sh --rootfs "$T/root.cpio.gz" "$T/root.tar.gz" > /dev/null &&
   [ "$(tar -xzOf "$T/root.tar.gz" ./bin/x)" = hi ]; then
	pass "rootfs: --rootfs makes the NFS root tarball of an initramfs"
else
	fail "rootfs" "no ./bin/x in $(tar -tzf "$T/root.tar.gz" 2>&1 | head -3 | tr '\n' ' ')"
fi
done_testing
