// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench kernel build: a guest kernel from source (a tree, or Debian's
 * linux-source-6.1), with patches and config fragments, cross-compiled for
 * arm64 or built for x86_64, cached under build/kernel-cache by a hash of
 * its inputs. The options are checked here; scripts/kernel-build.sh does
 * the work (its header says how) and prints the image's path.
 */
#include <errno.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cliopt.h"
#include "result.h"
#include "vm.h"

#define KB_MAX_LIST 32	/* patches, fragments */

struct kb_args {
	const char *arch;
	const char *source;
	bool debian_source;
	const char *patch[KB_MAX_LIST];
	int npatch;
	const char *config[KB_MAX_LIST];
	int nconfig;
	const char *cache;
	const char *jobs;
	bool dry_run;
};

/* --patch / --config: repeatable, kept in order */
static int kb_add(const struct flb_cliopt *o, const char *value, void *dst, char *why,
		  size_t len)
{
	const char **list = dst;
	int *n = (int *)((char *)dst + (size_t)o->arg);

	if (*n == KB_MAX_LIST) {
		snprintf(why, len, "at most %d", KB_MAX_LIST);
		return -1;
	}
	list[(*n)++] = value;
	return 0;
}

static const char *const kb_arches[] = { "arm64", "x86_64", NULL };

static const struct flb_cliopt kb_opts[] = {
	FLB_CLI_CHOICE('a', "arch", struct kb_args, arch, "ARCH", kb_arches,
		       "arm64 (cross, aarch64-linux-gnu-) or x86_64; default arm64"),
	FLB_CLI_STRING('s', "source", struct kb_args, source, "DIR",
		       "a kernel tree (git or not: its identity goes into the cache key)"),
	FLB_CLI_FLAG(0, "debian-source", struct kb_args, debian_source,
		     "Debian's linux-source-6.1, installed with apt-get and unpacked once"),
	FLB_CLI_CALLBACK('p', "patch", struct kb_args, patch, "FILE", kb_add,
			 (const void *)(offsetof(struct kb_args, npatch) -
					offsetof(struct kb_args, patch)),
			 "a patch, applied with patch -p1 in the order given (repeatable);\n"
			 "a directory: its *.patch files in name order (a numbered series)"),
	FLB_CLI_CALLBACK(0, "config", struct kb_args, config, "FRAGMENT", kb_add,
			 (const void *)(offsetof(struct kb_args, nconfig) -
					offsetof(struct kb_args, config)),
			 "a config fragment merged after configs/kernel/common.config and\n"
			 "qemu-ARCH.config (repeatable); every option it sets must stick"),
	FLB_CLI_STRING(0, "cache", struct kb_args, cache, "DIR",
		       "where built kernels are kept (default build/kernel-cache)"),
	FLB_CLI_STRING('j', "jobs", struct kb_args, jobs, "N", "make -jN (default: nproc)"),
	FLB_CLI_FLAG('n', "dry-run", struct kb_args, dry_run,
		     "print the plan (inputs, cache key, cached or not) and build nothing"),
	FLB_CLI_END
};

static const struct flb_cli kb_cli = {
	.cmd = "kernel",
	.usage = "[build] --arch ARCH (--source DIR | --debian-source) [--patch FILE|DIR]... [--config FRAGMENT]...",
	.about = "Build a guest kernel from source for QEMU's virt (arm64) or q35 (x86_64)\n"
		 "machine: tinyconfig + kvm_guest.config + configs/kernel/ + fragments,\n"
		 "the patches applied in order. Prints the image's path; a second call with\n"
		 "the same inputs (source, patches, fragments, compiler) is a cache hit.",
	.footer = "Exit: 0 built or cached; 2 bad input (a missing source or file, a patch\n"
		  "that does not apply, named with its hunk; a bad fragment line or an option\n"
		  "that did not stick, as file:line:col); 1 the build failed (the log's tail).",
	.opts = kb_opts,
};

/*
 * --patch DIR: the *.patch files in it, in name order (glob sorts), in
 * its place in the list; the cache key sees the files, not the directory.
 * 0, or the exit of a usage error. g holds the names until exec.
 */
static int kb_series(struct kb_args *a, glob_t *g)
{
	const char *in[KB_MAX_LIST];
	int nin = a->npatch, flags = 0;
	size_t from[KB_MAX_LIST + 1];
	struct stat st;
	char pat[FLB_VM_PATH + 16];

	memcpy(in, a->patch, sizeof(in));
	for (int i = 0; i < nin; i++) {
		from[i] = g->gl_pathc;
		if (stat(in[i], &st) || !S_ISDIR(st.st_mode))
			continue;
		snprintf(pat, sizeof(pat), "%s/*.patch", in[i]);
		if (glob(pat, flags, NULL, g) || g->gl_pathc == from[i])
			return flb_cli_usage_error(&kb_cli, "--patch %s: a directory with no *.patch in it",
						   in[i]);
		flags = GLOB_APPEND;
	}
	from[nin] = g->gl_pathc;
	a->npatch = 0;
	for (int i = 0; i < nin; i++) {
		bool dir = !stat(in[i], &st) && S_ISDIR(st.st_mode);
		size_t n = dir ? from[i + 1] - from[i] : 1;

		for (size_t k = 0; k < n; k++) {
			if (a->npatch == KB_MAX_LIST)
				return flb_cli_usage_error(&kb_cli, "--patch: more than %d patches",
							   KB_MAX_LIST);
			a->patch[a->npatch++] = dir ? g->gl_pathv[from[i] + k] : in[i];
		}
	}
	return 0;
}

static int kernel_build(int argc, char **argv)
{
	struct kb_args a = { .arch = "arm64" };
	glob_t g = { 0 };
	char top[FLB_VM_PATH], script[FLB_VM_PATH + 32];
	char *av[8 + 4 * KB_MAX_LIST];
	int rc, n = 0;

	rc = flb_cli_parse(&kb_cli, argc, argv, &a, NULL, 0);
	if (rc < 0)
		return flb_cli_exit(rc);
	if (!a.source == !a.debian_source)
		return flb_cli_usage_error(&kb_cli, "give one of --source DIR and --debian-source");
	if (a.source && access(a.source, R_OK))
		return flb_cli_usage_error(&kb_cli, "--source %s: %s", a.source, strerror(errno));
	for (int i = 0; i < a.npatch; i++)
		if (access(a.patch[i], R_OK))
			return flb_cli_usage_error(&kb_cli, "--patch %s: %s", a.patch[i],
						   strerror(errno));
	rc = kb_series(&a, &g);
	if (rc)
		return rc;
	for (int i = 0; i < a.nconfig; i++)
		if (access(a.config[i], R_OK))
			return flb_cli_usage_error(&kb_cli, "--config %s: %s", a.config[i],
						   strerror(errno));
	if (flb_vm_top(top, sizeof(top))) {
		fprintf(stderr, "flushbench kernel: cannot find the flushbench tree; set FLUSHBENCH_TOP\n");
		return FLB_EXIT_USAGE;
	}
	snprintf(script, sizeof(script), "%s/scripts/kernel-build.sh", top);
	av[n++] = script;
	av[n++] = "--arch";
	av[n++] = (char *)a.arch;
	if (a.source) {
		av[n++] = "--source";
		av[n++] = (char *)a.source;
	} else {
		av[n++] = "--debian-source";
	}
	for (int i = 0; i < a.npatch; i++) {
		av[n++] = "--patch";
		av[n++] = (char *)a.patch[i];
	}
	for (int i = 0; i < a.nconfig; i++) {
		av[n++] = "--config";
		av[n++] = (char *)a.config[i];
	}
	if (a.cache) {
		av[n++] = "--cache";
		av[n++] = (char *)a.cache;
	}
	if (a.jobs) {
		av[n++] = "--jobs";
		av[n++] = (char *)a.jobs;
	}
	if (a.dry_run)
		av[n++] = "--dry-run";
	av[n] = NULL;
	fflush(NULL);
	execv(script, av);
	fprintf(stderr, "flushbench kernel: %s: %s\n", script, strerror(errno));
	return FLB_EXIT_FAIL;
}

/* `kernel build ...`; build is the one subcommand, and the default */
int flb_cmd_kernel(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "build"))
		return kernel_build(argc - 1, argv + 1);
	return kernel_build(argc, argv);
}
