#!/bin/bash
# Render a LAVA device and job for a local lava-run of flushbench's image.
#
# Usage: scripts/lava-job.sh --arch arm64|x86_64 --kernel PATH --initrd PATH
#          --out DIR [--suite PATH] [--label L] [--job FILE] [--git URL]
#        scripts/lava-job.sh --validate FILE...
#        scripts/lava-job.sh --rootfs INITRD TARBALL
#   --kernel, --initrd  the image (flushbench vm --build-only prints both)
#   --out DIR      writes DIR/device.yaml (lava/devices/qemu-ARCH.jinja2
#                  rendered with the job's context, as lava-server renders a
#                  device dictionary) and DIR/job.yaml (lava/jobs/qemu-ARCH.yaml
#                  with file:// URLs and this tree's lava/flushbench.yaml
#                  inline, its params defaulting to --suite and --label)
#   --suite PATH   the suite's path in the image (default /config.yaml)
#   --label L      the run's label (default lava-ARCH)
#   --job FILE     another job template (default lava/jobs/qemu-ARCH.yaml)
#   --git URL      keep the definition from git, this repository (a lab job)
#   --validate     check jobs with lava_common's job schema (strict, as
#                  lava-server does on submission) and every inline test
#                  definition with its testdef schema; exit 1 when one fails
#   --rootfs       the initramfs unpacked into a .tar.gz, an NFS root for a
#                  board (lava/jobs/board-arm64-uboot-nfs.yaml: init=/init)
# lava-server's device-type templates (not packaged with lava-dispatcher)
# come from `apt-get download lava-server`, unpacked once into
# build/lava/lava-server. Needs Debian's python3 with python3-jinja2 and
# python3-yaml (rendering) and lava-dispatcher (--validate): deps/lava.pkgs.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "lava-job: $*" >&2; exit 2; }
py=/usr/bin/python3	# Debian's: lava_common and jinja2 live there

arch="" kernel="" initrd="" out="" suite=/config.yaml label="" job="" git="" validate=0
while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arch=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--suite) suite=$2; shift 2 ;;
	--label) label=$2; shift 2 ;;
	--job) job=$2; shift 2 ;;
	--git) git=$2; shift 2 ;;
	--validate) validate=1; shift; break ;;
	--rootfs)
		[ $# = 3 ] || die "--rootfs INITRD TARBALL"
		[ -r "$2" ] || die "--rootfs $2: not readable"
		d=$(mktemp -d "${TMPDIR:-/tmp}/lava-rootfs.XXXXXX")
		trap 'rm -rf "$d"' EXIT
		zcat "$2" | (cd "$d" && cpio -id --quiet) || die "$2: not a gzipped cpio"
		tar -C "$d" --owner=0 --group=0 -czf "$3" . && echo "rootfs=$3"
		exit ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see $0 --help)" ;;
	esac
done

if [ $validate = 1 ]; then
	[ $# -gt 0 ] || die "--validate FILE..."
	exec "$py" - "$@" <<'EOF'
import sys
import yaml
from lava_common.schemas import validate
from lava_common.schemas.test import testdef

bad = 0
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            job = yaml.safe_load(f)
        validate(job, strict=True)
        for action in job["actions"]:
            for d in action.get("test", {}).get("definitions", []):
                if d.get("from") == "inline":
                    testdef.validate(d["repository"])
        print("valid: %s" % path)
    except Exception as exc:  # voluptuous.Invalid, yaml.YAMLError, OSError
        bad = 1
        print("invalid: %s: %s" % (path, exc))
sys.exit(bad)
EOF
fi

[ -n "$arch" ] && [ -n "$kernel" ] && [ -n "$initrd" ] && [ -n "$out" ] ||
	die "usage: $0 --arch ARCH --kernel PATH --initrd PATH --out DIR (see --help)"
case "$arch" in arm64 | x86_64) ;; *) die "--arch $arch: want arm64 or x86_64" ;; esac
[ -r "$kernel" ] || die "--kernel $kernel: not readable"
[ -r "$initrd" ] || die "--initrd $initrd: not readable"
job=${job:-$top/lava/jobs/qemu-$arch.yaml}
label=${label:-lava-$arch}
[ -r "$job" ] || die "--job $job: not readable"
"$py" -c 'import jinja2, yaml' 2>/dev/null ||
	die "$py has no jinja2 or yaml: apt-get install python3-jinja2 python3-yaml (deps/lava.pkgs)"

# lava-server's device-type templates, once (unpacked aside and renamed:
# another render may be reading them)
tmpl=$top/build/lava/lava-server
if [ ! -r "$tmpl/usr/share/lava-server/device-types/qemu.jinja2" ]; then
	mkdir -p "$top/build/lava"
	dl=$(mktemp -d "$top/build/lava/.lava-server.XXXXXX")
	(cd "$dl" && apt-get download -q -o APT::Sandbox::User=root lava-server >&2 &&
		dpkg-deb -x lava-server_*.deb root) || { rm -rf "$dl"; die "apt-get download lava-server failed"; }
	mv -T "$dl/root" "$tmpl" 2> /dev/null || true	# a concurrent one won
	rm -rf "$dl"
fi
mkdir -p "$out"

"$py" - "$top" "$tmpl/usr/share/lava-server/device-types" "$arch" \
	"$(realpath "$kernel")" "$(realpath "$initrd")" "$out" "$suite" "$label" \
	"$job" "$git" <<'EOF'
import sys
import jinja2
import yaml

top, types, arch, kernel, initrd, out, suite, label, jobf, git = sys.argv[1:]
with open(jobf) as f:
    job = yaml.safe_load(f)

# the device: the dictionary rendered with the job's context, as lava-server
# renders it for a job (its context is the templates' variables)
env = jinja2.Environment(
    loader=jinja2.FileSystemLoader([top + "/lava/devices", types]),
    trim_blocks=True, autoescape=False)
device = env.get_template("qemu-%s.jinja2" % arch).render(**job.get("context", {}))
yaml.safe_load(device)  # a template error shows here, not in lava-run
with open(out + "/device.yaml", "w") as f:
    f.write(device)

for action in job["actions"]:
    if "deploy" in action:
        images = action["deploy"]["images"]
        images["kernel"]["url"] = "file://" + kernel
        images["ramdisk"]["url"] = "file://" + initrd
    for d in action.get("test", {}).get("definitions", []):
        params = dict(d.get("parameters", {}), SUITE=suite, LABEL=label)
        if git:
            d["repository"] = git
            d["parameters"] = params
            continue
        # the tree's definition inline: what make test-lava tests is the file
        with open(top + "/" + d["path"]) as f:
            testdef = yaml.safe_load(f)
        testdef["params"].update(params)
        d.pop("parameters", None)
        d.pop("branch", None)
        d.update({"from": "inline", "repository": testdef,
                  "path": "inline/" + d["path"].split("/")[-1]})
with open(out + "/job.yaml", "w") as f:
    f.write("# rendered by scripts/lava-job.sh from %s\n" % jobf)
    yaml.safe_dump(job, f, sort_keys=False, width=1000)
print("device=%s/device.yaml" % out)
print("job=%s/job.yaml" % out)
EOF
