// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench vm: run a suite inside a QEMU guest (the guest's kernel, its
 * preemption model, virtualised TLB invalidation) and import the results.
 *
 * The host side builds a busybox initramfs (scripts/mkinitramfs.sh, cached
 * by content hash) holding flushbench for the guest's architecture, the
 * module built for that kernel when headers are given, and the suite;
 * boots it (scripts/qemu-boot.sh: KVM when it works, else TCG); takes the
 * guest's results.db back from the console (guest/vm_xfer.c) and imports
 * its complete runs with flb_store_import(), tagged with how the guest ran.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cliopt.h"
#include "env.h"
#include "options.h"
#include "result.h"
#include "store.h"
#include "util.h"
#include "vm.h"

#define VM_PATH FLB_VM_PATH

/* Who the messages are from: flushbench vm, or duet for its guests. */
static const char *who = "flushbench vm";

struct vm_args {
	struct flb_guest g;
	const char *label;
	const char *db;
	bool keep_log, build_only;
	uint64_t repeat;
};

/* At most this many programs the suite's workloads start go into a guest. */
#define VM_HELPERS 16

/*
 * The guest side: runs the suite, then frames results.db on the console;
 * or, booted with flushbench.shell (a LAVA job, lava/), a shell on the
 * console with the prompt "flushbench# ".
 */
static const char guest_script[] =
"# Guest side of flushbench vm (written by guest/vm.c): run the suite, then\n"
"# print results.db framed on the console (see guest/vm.h); with\n"
"# flushbench.shell on the kernel command line, a shell on the console.\n"
"mount -t tmpfs tmpfs /tmp 2>/dev/null\n"
"# loopback: workloads talk to the servers they start\n"
"ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up\n"
"echo \"FB-VM: uptime-start $(cut -d' ' -f1 /proc/uptime)\"\n"
"echo \"FB-VM: cmdline $(cat /proc/cmdline)\"\n"
"if [ -f /flushbench.ko ]; then\n"
"	insmod /flushbench.ko || echo 'FB-VM: insmod /flushbench.ko failed'\n"
"fi\n"
"cd /tmp\n"
"# a LAVA job (lava/jobs/) boots it with flushbench.shell: an interactive\n"
"# shell whose prompt LAVA waits for; the test definition runs the suite.\n"
"# cttyhack opens the real console (a controlling tty, which /dev/console\n"
"# cannot be) in a new session; the shell reads PS1 from $ENV. When it\n"
"# exits, /init powers off.\n"
"for w in $(cat /proc/cmdline); do\n"
"	[ \"$w\" = flushbench.shell ] || continue\n"
"	echo \"PS1='flushbench# '\" > /etc/flushbench.shrc\n"
"	echo 'FB-VM: shell'\n"
"	ENV=/etc/flushbench.shrc setsid cttyhack sh\n"
"	exit $?\n"
"done\n"
"# flushbench duet (guest/duet.c) boots it with flushbench.duet=SEED: one\n"
"# round, its jobs in the order SEED gives (the same in both guests), each\n"
"# sample on the host's go over the console\n"
"duet=$(sed -n 's/.*flushbench[.]duet=\\([0-9]*\\).*/\\1/p' /proc/cmdline)\n"
"# flushbench vm --repeat K boots it with flushbench.repeat=K: K runs\n"
"rep=$(sed -n 's/.*flushbench[.]repeat=\\([0-9]*\\).*/\\1/p' /proc/cmdline)\n"
"if [ -n \"$duet\" ]; then\n"
"	flushbench run -q -c /config.yaml --db /tmp/results.db --label guest \\\n"
"		--repeat 1 --seed \"$duet\" --sync /dev/console\n"
"else\n"
"	flushbench run -q -c /config.yaml --db /tmp/results.db --label guest \\\n"
"		${rep:+--repeat \"$rep\"}\n"
"fi\n"
"rc=$?\n"
"echo \"FB-VM: run rc=$rc uptime-end $(cut -d' ' -f1 /proc/uptime)\"\n"
"# test only (tests/vm/hostile.sh): flushbench.frame_fault=F prints a frame\n"
"# the host must refuse instead (guest/flb-frame)\n"
"fault=$(sed -n 's/.*flushbench[.]frame_fault=\\([a-z]*\\).*/\\1/p' /proc/cmdline)\n"
"[ -s /tmp/results.db ] && FLB_FRAME_FAULT=$fault flb-frame /tmp/results.db\n"
"exit $rc\n";

int flb_vm_top(char *top, size_t len)
{
	const char *env = getenv("FLUSHBENCH_TOP");
	char probe[VM_PATH];

	if (env)
		snprintf(top, len, "%s", env);
	else if (flb_exe_dir(top, len))
		return -1;
	snprintf(probe, sizeof(probe), "%s/scripts/qemu-boot.sh", top);
	return access(probe, R_OK) ? -1 : 0;
}

int flb_vm_spawn(char *const argv[], char *out, size_t len)
{
	int fd[2], status;
	size_t got = 0;
	pid_t pid, self = getpid();

	if (pipe(fd))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (!pid) {
		/* a run stops as aborted, qemu-boot.sh stops its QEMU */
		flb_die_with_parent(self, SIGTERM);
		close(fd[0]);
		dup2(out ? fd[1] : STDERR_FILENO, STDOUT_FILENO);
		close(fd[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: %s: %s\n", who, argv[0], strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	for (;;) {
		char sink[512];
		char *p = out && got + 1 < len ? out + got : sink;
		size_t room = out && got + 1 < len ? len - 1 - got : sizeof(sink);
		ssize_t n = read(fd[0], p, room);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (p != sink)
			got += n;
	}
	if (out)
		out[got] = '\0';
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The value of a "KEY=VALUE" line of text into buf; NULL when absent. */
const char *flb_vm_kv(const char *text, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		if (!strncmp(l, key, kl) && l[kl] == '=') {
			size_t n = strcspn(l + kl + 1, "\n");

			snprintf(buf, len, "%.*s", (int)n, l + kl + 1);
			return buf;
		}
	}
	return NULL;
}

/* The first line after "prefix" in the console log into buf, or NULL. */
static const char *log_field(const char *log, const char *prefix, char *buf,
			     size_t len)
{
	const char *p = strstr(log, prefix);
	size_t n;

	if (!p)
		return NULL;
	p += strlen(prefix);
	n = strcspn(p, "\r\n");
	snprintf(buf, len, "%.*s", (int)n, p);
	return buf;
}

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ret = 0;

	if (!f)
		return -1;
	if (fwrite(data, 1, len, f) != len)
		ret = -1;
	if (fclose(f))
		ret = -1;
	return ret;
}

/*
 * The last n lines of the log on stderr, indented: each cut at 160
 * characters, its other bytes as \xNN (a guest may print anything, NULs
 * and terminal escapes too).
 */
void flb_vm_log_tail(const char *log, size_t len, int n)
{
	const char *p = log + len, *end = log + len;
	char shown[161];

	/* the log's final newline ends its last line, it starts none */
	if (p > log && p[-1] == '\n')
		p--;
	while (p > log && n > 0)
		if (*--p == '\n')
			n--;
	if (p < end && *p == '\n' && n == 0)
		p++;
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		while (l && p[l - 1] == '\r')
			l--;
		flb_vm_printable(shown, sizeof(shown), p, l);
		fprintf(stderr, "  | %s\n", shown);
		p = nl ? nl + 1 : end;
	}
}

const char *flb_vm_host_arch(void)
{
	static struct utsname u;

	uname(&u);
	return !strcmp(u.machine, "aarch64") ? "arm64" : u.machine;
}

/* What qemu-boot.sh's STATUS means, in words. */
const char *flb_vm_status_why(const char *status)
{
	static const char *const why[][2] = {
		{ "timeout", "hung or too slow: killed at --timeout" },
		{ "panic", "the kernel panicked (see its last lines above)" },
		{ "no-output", "the guest printed nothing (not a kernel for this --arch? no console?)" },
		{ "error", "QEMU failed (see its message above)" },
		{ "stopped", "stopped by flushbench (SIGTERM)" },
	};

	for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++)
		if (!strcmp(status, why[i][0]))
			return why[i][1];
	return "unknown end";
}

static const char *const vm_arches[] = { "x86_64", "arm64", NULL };
static const char *const debian_flavours[] = { "generic", "rt", "cloud", NULL };
static const char *const accels[] = { "auto", "kvm", "tcg", NULL };
const char *const flb_vm_iommus[] = { "none", "smmuv3", "intel", "direct", NULL };
static const struct flb_option smp_opt = {
	.name = "smp", .type = FLB_OPT_U64, .min = 1, .max = 64,
};
static const struct flb_option repeat_opt = {
	.name = "repeat", .type = FLB_OPT_U64, .min = 1, .max = 1000,
};
static const struct flb_option timeout_opt = {
	.name = "timeout", .type = FLB_OPT_U64, .min = 1, .max = 86400,
};

const struct flb_cliopt flb_guest_cliopts[] = {
	FLB_CLI_STRING(0, "kernel", struct flb_guest, kernel, "IMAGE",
		       "the guest kernel (bzImage/vmlinux, arm64 Image)"),
	FLB_CLI_STRING(0, "headers", struct flb_guest, headers, "DIR",
		       "its headers (make -C DIR): build the module for it"),
	FLB_CLI_CHOICE(0, "debian", struct flb_guest, debian, "FLAVOUR",
		       debian_flavours,
		       "fetch Debian's kernel (generic, rt or cloud) and headers"),
	FLB_CLI_STRING(0, "append", struct flb_guest, append, "ARGS",
		       "extra kernel command line (e.g. preempt=none)"),
	FLB_CLI_CHOICE(0, "arch", struct flb_guest, arch, "ARCH", vm_arches,
		       "guest architecture: x86_64 or arm64 (default: this\nmachine's)"),
	FLB_CLI_TYPED(0, "smp", struct flb_guest, smp, "N", &smp_opt,
		      "guest CPUs (1 to 64, default 2)"),
	FLB_CLI_STRING(0, "mem", struct flb_guest, mem, "SIZE",
		       "guest memory (default 1G)"),
	FLB_CLI_STRING('c', "config", struct flb_guest, config, "FILE",
		       "the suite (default configs/quick.yaml)"),
	FLB_CLI_TYPED(0, "timeout", struct flb_guest, timeout, "SEC", &timeout_opt,
		      "give up on the guest after SEC seconds (default 600)"),
	FLB_CLI_CHOICE(0, "accel", struct flb_guest, accel, "A", accels,
		       "auto (default: KVM when a probe boot works, else\nTCG), kvm or tcg"),
	FLB_CLI_CHOICE(0, "iommu", struct flb_guest, iommu, "MODEL", flb_vm_iommus,
		       "QEMU's edu PCI device behind an IOMMU: smmuv3\n"
		       "(arm64), intel (x86_64, VT-d), direct (edu, no\n"
		       "IOMMU) or none (default: no edu)"),
	FLB_CLI_END
};

static const struct flb_cliopt vm_opts[] = {
	FLB_CLI_INCLUDE(struct vm_args, g, flb_guest_cliopts),
	FLB_CLI_STRING('l', "label", struct vm_args, label, "L",
		       "label of the imported runs (default vm-ARCH-KERNEL)"),
	FLB_CLI_STRING(0, "db", struct vm_args, db, "PATH",
		       "the host results store (default results.db)"),
	FLB_CLI_FLAG(0, "keep-log", struct vm_args, keep_log,
		     "keep the console log even when all went well"),
	FLB_CLI_TYPED(0, "repeat", struct vm_args, repeat, "K", &repeat_opt,
		      "run the suite K times in the guest, each a run of its\nown (flushbench run --repeat; default 1)"),
	FLB_CLI_FLAG(0, "build-only", struct vm_args, build_only,
		     "fetch and build the kernel, module and initramfs, print\n"
		     "kernel=PATH and initrd=PATH, boot nothing (for LAVA\n"
		     "jobs: boot it with flushbench.shell for a shell, lava/)"),
	FLB_CLI_END
};

static const struct flb_cli vm_cli = {
	.cmd = "vm", .usage = "(--kernel IMAGE | --debian FLAVOUR) [OPTIONS]",
	.about = "Run a suite inside a QEMU guest and import its results (see docs/vm.md).",
	.opts = vm_opts,
};

/* The command line into a: 0, else FLB_CLI_HELP or FLB_CLI_ERROR. */
static int parse_args(int argc, char **argv, struct vm_args *a)
{
	int n = flb_cli_parse(&vm_cli, argc, argv, a, NULL, 0);

	if (n < 0)
		return n;
	if (!a->g.kernel == !a->g.debian) {
		flb_cli_usage_error(&vm_cli, "give one of --kernel IMAGE or --debian FLAVOUR");
		return FLB_CLI_ERROR;
	}
	return flb_guest_arch_ok(&vm_cli, a->g.arch) ||
	       flb_guest_iommu_ok(&vm_cli, "iommu", a->g.arch, a->g.iommu) ?
	       FLB_CLI_ERROR : 0;
}

const char *flb_vm_iommu_arch(const char *iommu)
{
	/* the IOMMUs QEMU puts on one machine type only (scripts/qemu-boot.sh) */
	static const char *const arch_of[][2] = {
		{ "smmuv3", "arm64" },	/* -M virt,iommu=smmuv3 */
		{ "intel", "x86_64" },	/* -M q35 -device intel-iommu */
	};

	for (size_t i = 0; i < sizeof(arch_of) / sizeof(arch_of[0]); i++)
		if (!strcmp(iommu, arch_of[i][0]))
			return arch_of[i][1];
	return NULL;
}

int flb_guest_iommu_ok(const struct flb_cli *cli, const char *opt,
		       const char *arch, const char *iommu)
{
	const char *need = flb_vm_iommu_arch(iommu);

	if (!need || !strcmp(need, arch))
		return 0;
	flb_cli_usage_error(cli, "--%s %s: an IOMMU of %s guests, and this guest is %s: give --arch %s, or --%s %s or direct",
			    opt, iommu, need, arch, need, opt,
			    !strcmp(arch, "arm64") ? "smmuv3" : "intel");
	return -1;
}

int flb_guest_arch_ok(const struct flb_cli *cli, const char *arch)
{
	int n;

	/* the default, this machine's, may have no guests */
	for (n = 0; vm_arches[n] && strcmp(arch, vm_arches[n]); n++)
		;
	if (!vm_arches[n]) {
		flb_cli_usage_error(cli, "no %s guests: give --arch x86_64 or arm64",
				    arch);
		return -1;
	}
	return 0;
}

/* This binary's path into buf (a guest of this architecture runs it too). */
static int self_exe(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);

	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/*
 * A suite the guest would reject is an error now, not after a boot: the
 * runner's own check, as a user would type it (`flushbench run --check`),
 * its messages on our stderr. 0, or -1 when the suite is refused.
 */
static int check_suite(const char *config)
{
	char self[VM_PATH];
	char *argv[] = { self, "run", "--check", "-c", (char *)config, NULL };
	int rc;

	if (self_exe(self, sizeof(self))) {
		fprintf(stderr, "%s: /proc/self/exe: %s\n", who, strerror(errno));
		return -1;
	}
	rc = flb_vm_spawn(argv, NULL, 0);
	if (rc && rc != FLB_EXIT_USAGE)
		fprintf(stderr, "%s: checking %s with `flushbench run --check` failed (exit %d)\n", who,
			config, rc);
	return rc ? -1 : 0;
}

/*
 * The answer of scripts/debian-kernel.sh is kept in build/kernels/ARCH-
 * FLAVOUR.env and reused while it is newer than the apt lists (resolving
 * through apt-cache takes seconds) and the image it names is there.
 */
static int debian_cached(const char *envf, char *out, size_t len)
{
	struct stat e, lists;
	char *text;

	if (stat(envf, &e) || stat("/var/lib/apt/lists", &lists) ||
	    e.st_mtime <= lists.st_mtime)
		return -1;
	text = flb_slurp(envf, NULL);
	if (!text)
		return -1;
	snprintf(out, len, "%s", text);
	free(text);
	return 0;
}

int flb_vm_debian_kernel(const char *arch, const char *flavour, char *kernel,
			char *headers, size_t len)
{
	char top[PATH_MAX], script[VM_PATH], cache[VM_PATH], envf[VM_PATH];
	char out[4096];
	char *argv[] = { script, (char *)arch, (char *)flavour, cache, NULL };

	if (flb_vm_top(top, sizeof(top)))
		return -1;
	snprintf(script, sizeof(script), "%s/scripts/debian-kernel.sh", top);
	snprintf(cache, sizeof(cache), "%s/build/kernels", top);
	snprintf(envf, sizeof(envf), "%s/build/kernels/%s-%s.env", top, arch,
		 flavour);
	if (!debian_cached(envf, out, sizeof(out)) &&
	    flb_vm_kv(out, "KERNEL", kernel, len) && flb_vm_kv(out, "HEADERS", headers, len) &&
	    !access(kernel, R_OK) && !access(headers, R_OK))
		return 0;
	if (flb_vm_spawn(argv, out, sizeof(out)) || !flb_vm_kv(out, "KERNEL", kernel, len) ||
	    !flb_vm_kv(out, "HEADERS", headers, len)) {
		fprintf(stderr, "%s: cannot get Debian's %s %s kernel (above)\n", who,
			arch, flavour);
		return -1;
	}
	write_file(envf, out, strlen(out));
	return 0;
}

/* flushbench built for the guest's architecture into bin. */
static int guest_binary(const char *top, const char *arch, char *bin, size_t len)
{
	char *make[] = { "make", "-s", "-C", (char *)top, "arm64", NULL };

	if (!strcmp(arch, flb_vm_host_arch()))
		return self_exe(bin, len);
	if (strcmp(arch, "arm64")) {
		fprintf(stderr, "%s: no cross build for %s guests\n", who, arch);
		return -1;
	}
	if (flb_vm_spawn(make, NULL, 0)) {
		fprintf(stderr, "%s: make arm64 failed (above)\n", who);
		return -1;
	}
	snprintf(bin, len, "%s/build/arm64/flushbench", top);
	return 0;
}

/*
 * The companion module built for the guest's kernel into ko, by the kmod
 * helper's `scripts/kmod-build.sh ARCH OUTDIR FLAVOUR [HEADERS]`. Empty,
 * with why, when this tree has no module or no headers are known, or the
 * build failed (a warning: the guest runs without it and the workloads
 * that need it skip, saying so).
 */
static void guest_module(const char *top, const struct flb_guest *a, char *ko,
			 size_t len, char *why, size_t whylen)
{
	char script[VM_PATH], kbuild[VM_PATH], outdir[VM_PATH], out[4096];
	/* the headers always: kmod-build.sh need not resolve Debian's again */
	char *argv[] = { script, (char *)a->arch, outdir,
			 (char *)(a->debian ? a->debian : "generic"),
			 (char *)a->headers, NULL };
	uint8_t h[32];
	char *nl;

	ko[0] = '\0';
	snprintf(script, sizeof(script), "%s/scripts/kmod-build.sh", top);
	snprintf(kbuild, sizeof(kbuild), "%s/kmod/Kbuild", top);
	if (access(script, X_OK) || access(kbuild, R_OK)) {
		snprintf(why, whylen, "none (this tree has no kmod/)");
		return;
	}
	if (!a->headers) {
		snprintf(why, whylen, "none (no --headers for this kernel)");
		return;
	}
	/* one build directory per (arch, headers) */
	flb_sha256(a->headers, strlen(a->headers), h);
	snprintf(outdir, sizeof(outdir), "%s/build/vm/kmod-%s-%02x%02x%02x%02x",
		 top, a->arch, h[0], h[1], h[2], h[3]);
	if (flb_vm_spawn(argv, out, sizeof(out))) {
		snprintf(why, whylen, "none (the build against %.200s failed)",
			 a->headers);
		fprintf(stderr, "%s: warning: module not built for this kernel (above): the guest runs without it\n", who);
		return;
	}
	/* the last line it prints is the .ko */
	for (size_t n = strlen(out); n && out[n - 1] == '\n';)
		out[--n] = '\0';
	nl = strrchr(out, '\n');
	snprintf(ko, len, "%s", nl ? nl + 1 : out);
	snprintf(why, whylen, "%s", ko);
}

/*
 * The programs the suite's workloads start, as `flushbench list --helpers`
 * names them (paths below the tree), built for the guest below bin's
 * directory, into path[]: how many are built, or -1. One not built is
 * left out with a note: the workloads that need it skip in the guest,
 * saying so.
 */
static int guest_helpers(const struct flb_guest *a, const char *bin,
			 char path[][VM_PATH], int max)
{
	char self[PATH_MAX], out[4096], *line, *save;
	char *argv[] = { self, "list", "--helpers", "-c", (char *)a->config,
			 NULL };
	const char *slash = strrchr(bin, '/');
	ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int n = 0;

	if (l < 0)
		return -1;
	self[l] = '\0';
	if (flb_vm_spawn(argv, out, sizeof(out))) {
		fprintf(stderr, "%s: flushbench list --helpers -c %s failed (above)\n", who,
			a->config);
		return -1;
	}
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (n == max) {
			fprintf(stderr, "%s: the suite's workloads start more than %d programs\n", who,
				max);
			return -1;
		}
		snprintf(path[n], VM_PATH, "%.*s/%s", slash ? (int)(slash - bin) : 1,
			 slash ? bin : ".", line);
		if (access(path[n], X_OK)) {
			fprintf(stderr, "%s: note: %s is not built: the workloads that start it skip in the guest\n", who,
				path[n]);
			continue;
		}
		n++;
	}
	return n;
}

/*
 * A script of the image into path, executable: written aside and renamed,
 * as a concurrent vm may be reading it. 0, or -1 said on stderr.
 */
static int put_script(const char *path, const char *text)
{
	char tmp[VM_PATH + 16];

	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	if (write_file(tmp, text, strlen(text)) || chmod(tmp, 0755) ||
	    rename(tmp, path)) {
		fprintf(stderr, "%s: %s: %s\n", who, path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The cached initramfs for this guest into img. */
static int guest_initramfs(const char *top, const struct flb_guest *a,
			   const char *bin, const char *ko, char *img, size_t len)
{
	char script[VM_PATH], mk[VM_PATH], outdir[VM_PATH], libdir[VM_PATH];
	char cfg[VM_PATH], kof[VM_PATH], frame[VM_PATH], out[8192];
	char helper[VM_HELPERS][VM_PATH], worker[VM_PATH];
	const char *slash = strrchr(bin, '/');
	char *argv[24 + 2 * VM_HELPERS];
	int n = 0, nhelpers;
	char *last;

	nhelpers = guest_helpers(a, bin, helper, VM_HELPERS);
	if (nhelpers < 0)
		return -1;
	/* flushbench run starts each job in it: beside flushbench in /bin */
	snprintf(worker, sizeof(worker), "%.*s/flushbench-worker",
		 slash ? (int)(slash - bin) : 1, slash ? bin : ".");
	if (access(worker, X_OK)) {
		fprintf(stderr, "%s: %s is missing (%s): flushbench "
			"run needs it in the guest; build it with make%s\n", who,
			worker, strerror(errno),
			strcmp(a->arch, flb_vm_host_arch()) ? " arm64" : "");
		return -1;
	}

	snprintf(outdir, sizeof(outdir), "%s/build/vm", top);
	mkdir(outdir, 0755);
	snprintf(script, sizeof(script), "%s/build/vm/run.sh", top);
	/* the frame's one copy, also used by lava/flushbench.yaml */
	snprintf(frame, sizeof(frame), "%s/guest/flb-frame", top);
	if (put_script(script, guest_script))
		return -1;
	snprintf(mk, sizeof(mk), "%s/scripts/mkinitramfs.sh", top);
	snprintf(cfg, sizeof(cfg), "%s:/config.yaml", a->config);
	snprintf(libdir, sizeof(libdir),
		 "%s/build/arm64/sysroot/usr/lib/aarch64-linux-gnu", top);
	argv[n++] = mk;
	argv[n++] = "--arch";
	argv[n++] = (char *)a->arch;
	argv[n++] = "--script";
	argv[n++] = script;
	argv[n++] = "--out";
	argv[n++] = outdir;
	argv[n++] = "--bin";
	argv[n++] = (char *)bin;
	argv[n++] = "--bin";
	argv[n++] = worker;
	argv[n++] = "--bin";
	argv[n++] = frame;
	argv[n++] = "--file";
	argv[n++] = cfg;
	if (!strcmp(a->arch, "arm64")) {
		argv[n++] = "--libdir";
		argv[n++] = libdir;
	}
	if (ko[0]) {
		snprintf(kof, sizeof(kof), "%s:/flushbench.ko", ko);
		argv[n++] = "--file";
		argv[n++] = kof;
	}
	/* beside flushbench in /bin, with the libraries they need */
	for (int i = 0; i < nhelpers; i++) {
		argv[n++] = "--bin";
		argv[n++] = helper[i];
	}
	argv[n] = NULL;
	if (flb_vm_spawn(argv, out, sizeof(out))) {
		fprintf(stderr, "%s: building the initramfs failed (above)\n", who);
		return -1;
	}
	out[strcspn(out, "\n")] = '\0';
	last = strrchr(out, '\n');
	snprintf(img, len, "%.*s", (int)(len - 1), last ? last + 1 : out);
	return 0;
}

static void qemu_version(const char *arch, char *buf, size_t len)
{
	char *argv[] = { !strcmp(arch, "arm64") ? "qemu-system-aarch64" :
			 "qemu-system-x86_64", "--version", NULL };
	char out[512], *p;

	snprintf(buf, len, "unknown");
	if (flb_vm_spawn(argv, out, sizeof(out)))
		return;
	/* "QEMU emulator version 7.2.22 (Debian ...)" */
	p = strstr(out, "version ");
	if (p)
		snprintf(buf, len, "%.*s", (int)strcspn(p + 8, " \n"), p + 8);
}

/* Import the guest's store; 0 when at least one complete run came in. */
static int import_results(const struct vm_args *a, const char *guest_db,
			  const struct flb_env *extra)
{
	struct flb_store *st;
	int64_t *runs = NULL;
	size_t nruns = 0;
	char err[512];
	int ret = -1;

	if (flb_store_open(a->db, FLB_STORE_RW, &st, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", who, err);
		return -1;
	}
	if (flb_store_import(st, guest_db, a->label, extra, &runs, &nruns, NULL)) {
		fprintf(stderr, "%s: importing the guest's results: %s\n", who,
			flb_store_error(st));
	} else if (!nruns) {
		fprintf(stderr, "%s: the guest's store holds no complete run: nothing imported\n", who);
	} else {
		printf("%s: imported %zu run%s as '%s' into %s (run", who,
		       nruns, nruns == 1 ? "" : "s", a->label, a->db);
		for (size_t i = 0; i < nruns; i++)
			printf(" %lld", (long long)runs[i]);
		printf(")\n");
		ret = 0;
	}
	free(runs);
	flb_store_close(st);
	return ret;
}

void flb_vm_unlink_db(const char *path)
{
	char side[FLB_VM_PATH + 8];

	unlink(path);
	/* opening it (read-only too) leaves these beside it */
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

void flb_vm_set_who(const char *name)
{
	who = name;
}

int flb_guest_prepare(struct flb_guest *g)
{
	struct stat sb;

	if (flb_vm_top(g->top, sizeof(g->top))) {
		fprintf(stderr, "%s: cannot find the flushbench tree (scripts/qemu-boot.sh); set FLUSHBENCH_TOP\n", who);
		return FLB_EXIT_USAGE;
	}
	if (g->debian && !g->kernel) {
		if (flb_vm_debian_kernel(g->arch, g->debian, g->kbuf, g->hbuf,
					sizeof(g->kbuf)))
			return FLB_EXIT_FAIL;
		g->kernel = g->kbuf;
		if (!g->headers)
			g->headers = g->hbuf;
	}
	if (stat(g->kernel, &sb) || access(g->kernel, R_OK)) {
		fprintf(stderr, "%s: --kernel %s: %s\n", who, g->kernel,
			strerror(errno));
		return FLB_EXIT_USAGE;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size < 4096) {
		fprintf(stderr, "%s: --kernel %s: not a kernel image (%s)\n", who,
			g->kernel, S_ISREG(sb.st_mode) ? "too small" : "not a file");
		return FLB_EXIT_USAGE;
	}
	if (check_suite(g->config))
		return FLB_EXIT_USAGE;
	/* a guest of another architecture is always emulated */
	if (!strcmp(g->accel, "auto") && strcmp(g->arch, flb_vm_host_arch()))
		g->accel = "tcg";
	if (guest_binary(g->top, g->arch, g->bin, sizeof(g->bin)))
		return FLB_EXIT_FAIL;
	guest_module(g->top, g, g->ko, sizeof(g->ko), g->modwhy,
		     sizeof(g->modwhy));
	if (guest_initramfs(g->top, g, g->bin, g->ko, g->img, sizeof(g->img)))
		return FLB_EXIT_FAIL;
	return FLB_EXIT_OK;
}

int flb_guest_boot_argv(struct flb_guest *g, const char *logpath, char **argv)
{
	int n = 0;

	snprintf(g->append_buf, sizeof(g->append_buf), "quiet %s", g->append);
	snprintf(g->smp_buf, sizeof(g->smp_buf), "%" PRIu64, g->smp);
	snprintf(g->tmo_buf, sizeof(g->tmo_buf), "%" PRIu64, g->timeout);
	snprintf(g->boot_sh, sizeof(g->boot_sh), "%s/scripts/qemu-boot.sh",
		 g->top);
	argv[n++] = g->boot_sh;
	argv[n++] = "--arch";		argv[n++] = (char *)g->arch;
	argv[n++] = "--kernel";		argv[n++] = (char *)g->kernel;
	argv[n++] = "--initrd";		argv[n++] = g->img;
	argv[n++] = "--log";		argv[n++] = (char *)logpath;
	argv[n++] = "--append";		argv[n++] = g->append_buf;
	argv[n++] = "--smp";		argv[n++] = g->smp_buf;
	argv[n++] = "--mem";		argv[n++] = (char *)g->mem;
	argv[n++] = "--timeout";	argv[n++] = g->tmo_buf;
	argv[n++] = "--accel";		argv[n++] = (char *)g->accel;
	if (strcmp(g->iommu, "none")) {
		argv[n++] = "--iommu";	argv[n++] = (char *)g->iommu;
	}
	argv[n] = NULL;
	return n;
}

void flb_guest_accel_note(const struct flb_guest *g, const char *accel)
{
	if (!strcmp(accel, "tcg") && strcmp(g->arch, flb_vm_host_arch()))
		fprintf(stderr, "%s: note: a %s guest on this %s machine is emulated (TCG): timings are not hardware numbers\n",
			who, g->arch, flb_vm_host_arch());
	else if (!strcmp(accel, "tcg") && strcmp(g->accel, "tcg"))
		fprintf(stderr, "%s: warning: KVM does not work here, the guest ran under TCG (emulated: timings are not hardware numbers)\n", who);
}

int flb_guest_collect(const struct flb_guest *g, const char *log, size_t loglen,
		      const char *accel, double wall, const char *dbpath,
		      struct flb_env *extra)
{
	char qver[64], cmdline[2048], rcs[64], t0s[32] = "", out[1024];
	unsigned char *db = NULL;
	size_t dblen;

	if (!strstr(log, "FB-INIT: start")) {
		fprintf(stderr, "%s: the guest never reached its /init; last console lines:\n", who);
		flb_vm_log_tail(log, loglen, 20);
		return -1;
	}
	if (flb_vm_unframe(log, loglen, &db, &dblen, out, sizeof(out))) {
		fprintf(stderr, "%s: no results from the guest: %s; last console lines:\n", who,
			out);
		flb_vm_log_tail(log, loglen, 20);
		return -1;
	}
	if (log_field(log, "FB-VM: run rc=", rcs, sizeof(rcs)) && atoi(rcs))
		fprintf(stderr, "%s: warning: flushbench run in the guest exited %d: only complete runs are imported\n", who,
			atoi(rcs));
	if (write_file(dbpath, db, dblen)) {
		fprintf(stderr, "%s: %s: %s\n", who, dbpath, strerror(errno));
		free(db);
		return -1;
	}
	free(db);
	qemu_version(g->arch, qver, sizeof(qver));
	if (log_field(log, "FB-VM: cmdline ", cmdline, sizeof(cmdline))) {
		for (size_t l = strlen(cmdline); l && cmdline[l - 1] == ' ';)
			cmdline[--l] = '\0';
	} else {
		snprintf(cmdline, sizeof(cmdline), "unknown");
	}
	flb_env_set(extra, "virtualized", "yes");
	flb_env_set(extra, "accelerator", "%s", accel);
	flb_env_set(extra, "qemu.version", "%s", qver);
	flb_env_set(extra, "guest.cmdline", "%s", cmdline);
	flb_env_set(extra, "guest.arch", "%s", g->arch);
	flb_env_set(extra, "guest.kernel", "%s", g->kernel);
	flb_env_set(extra, "guest.smp", "%" PRIu64, g->smp);
	flb_env_set(extra, "guest.mem", "%s", g->mem);
	flb_env_set(extra, "guest.iommu", "%s", g->iommu);
	flb_env_set(extra, "guest.module", "%s%s", g->modwhy,
		   strstr(log, "FB-VM: insmod /flushbench.ko failed") ?
		   " (insmod failed in the guest)" : "");
	if (log_field(log, "FB-VM: uptime-start ", t0s, sizeof(t0s)))
		flb_env_set(extra, "guest.boot_uptime_s", "%s", t0s);
	flb_env_set(extra, "guest.elapsed_s", "%.1f", wall);
	return 0;
}

int flb_cmd_vm(int argc, char **argv)
{
	struct vm_args a = {
		.g = { .arch = flb_vm_host_arch(), .config = "configs/quick.yaml",
		       .mem = "1G", .accel = "auto", .smp = 2, .timeout = 600,
		       .append = "", .iommu = "none" },
		.db = "results.db", .repeat = 1,
	};
	struct flb_guest *g = &a.g;
	char logpath[VM_PATH], dbpath[VM_PATH], label[VM_PATH], out[1024];
	char append[sizeof(g->append_buf) - 16];
	char accel[16], status[32], t0s[32] = "", t1s[32] = "";
	char *boot[FLB_GUEST_ARGV], *log = NULL;
	size_t loglen = 0;
	struct flb_env extra = { 0 };
	double t0, wall;
	int rc, ret = FLB_EXIT_FAIL;

	flb_vm_set_who("flushbench vm");
	rc = parse_args(argc, argv, &a);
	if (rc)
		return flb_cli_exit(rc);
	rc = flb_guest_prepare(g);
	if (rc)
		return rc;
	if (a.build_only) {
		/* the image flushbench vm would boot, for other launchers (LAVA) */
		char kabs[PATH_MAX];

		printf("kernel=%s\ninitrd=%s\n",
		       realpath(g->kernel, kabs) ? kabs : g->kernel, g->img);
		if (!g->ko[0])
			fprintf(stderr, "%s: note: no module in the image: %s\n",
				who, g->modwhy);
		return FLB_EXIT_OK;
	}
	if (!a.label) {
		const char *k = strrchr(g->kernel, '/');

		snprintf(label, sizeof(label), "vm-%s-%.200s", g->arch,
			 g->debian ? g->debian : k ? k + 1 : g->kernel);
		a.label = label;
	}
	snprintf(logpath, sizeof(logpath), "%s/build/vm/console.%d.log", g->top,
		 (int)getpid());
	if (a.repeat > 1) {
		/* the guest script reads it (guest_script above) */
		snprintf(append, sizeof(append), "%s%sflushbench.repeat=%" PRIu64,
			 g->append, g->append[0] ? " " : "", a.repeat);
		g->append = append;
	}
	flb_guest_boot_argv(g, logpath, boot);
	fprintf(stderr, "%s: booting %s %s (%s) with %s, log %s\n", who,
		g->arch, g->kernel, g->append[0] ? g->append : "no extra cmdline",
		g->config, logpath);
	t0 = flb_mono_s();
	rc = flb_vm_spawn(boot, out, sizeof(out));
	wall = flb_mono_s() - t0;
	if (!flb_vm_kv(out, "ACCEL", accel, sizeof(accel)))
		snprintf(accel, sizeof(accel), "unknown");
	if (!flb_vm_kv(out, "STATUS", status, sizeof(status)))
		snprintf(status, sizeof(status), "error");
	flb_guest_accel_note(g, accel);
	log = flb_slurp(logpath, &loglen);
	if (rc || !log) {
		/* qemu-boot.sh printed the last console lines */
		fprintf(stderr, "%s: the guest did not finish: %s after %.0f s: %s (console log %s)\n", who,
			status, wall,
			!strcmp(status, "timeout") && wall + 1 < g->timeout ?
			"QEMU was killed before --timeout" : flb_vm_status_why(status),
			logpath);
		goto out;
	}
	snprintf(dbpath, sizeof(dbpath), "%s/build/vm/guest.%d.db", g->top,
		 (int)getpid());
	if (flb_guest_collect(g, log, loglen, accel, wall, dbpath, &extra)) {
		flb_vm_unlink_db(dbpath);
		goto out;
	}
	if (!import_results(&a, dbpath, &extra)) {
		ret = FLB_EXIT_OK;
		log_field(log, "FB-VM: uptime-start ", t0s, sizeof(t0s));
		log_field(log, "uptime-end ", t1s, sizeof(t1s));
		fprintf(stderr, "%s: %s guest (%s): booted in %s s, done at %s s guest time, %.1f s wall\n", who,
			g->arch, accel, t0s[0] ? t0s : "?", t1s[0] ? t1s : "?", wall);
	}
	flb_vm_unlink_db(dbpath);
out:
	if (ret == FLB_EXIT_OK && !a.keep_log) {
		char q[VM_PATH + 8];

		snprintf(q, sizeof(q), "%s.qemu", logpath);	/* QEMU's stderr */
		unlink(logpath);
		unlink(q);
	} else if (ret != FLB_EXIT_OK) {
		fprintf(stderr, "%s: console log kept: %s\n", who, logpath);
	}
	flb_env_free(&extra);
	free(log);
	return ret;
}
