/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests: `flushbench vm` runs a suite inside a QEMU guest and imports its
 * results; `flushbench matrix` runs suites over kernels x cmdlines x
 * {native, vm} x configs. See docs/vm.md.
 *
 * Transport: the guest prints its results.db on the serial console between
 *   FB-VM-DB: begin SIZE SHA256
 *   <base64, 76 columns>
 *   FB-VM-DB: end
 * and the host takes it from the console log only when it is the log's
 * one frame, both markers are there and size and SHA-256 match.
 */
#ifndef FLB_VM_H
#define FLB_VM_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "cliopt.h"
#include "env.h"

/* room for the tree's path (PATH_MAX) and what goes below it */
#define FLB_VM_PATH (PATH_MAX + 256)
/* qemu-boot.sh's argv from flb_guest_boot_argv, with room for 8 more */
#define FLB_GUEST_ARGV 32

/* The commands: each takes the arguments after its name, returns the exit status. */
int flb_cmd_vm(int argc, char **argv);		/* vm.c */
int flb_cmd_matrix(int argc, char **argv);	/* matrix.c */
/* report --matrix FILE: its cells' labels and baseline (matrix.c) */
int flb_matrix_labels(const char *path, char ***labels, size_t *n,
		      char **baseline);
int flb_cmd_duet(int argc, char **argv);	/* duet.c */
int flb_cmd_kernel(int argc, char **argv);	/* kernel.c */
int flb_cmd_import(int argc, char **argv);	/* import.c */

/*
 * A guest to boot: what `flushbench vm` takes, and each side of a duet.
 * The options are flb_guest_cliopts (include them in a command's table).
 */
struct flb_guest {
	const char *kernel, *headers, *debian, *append, *arch, *config;
	const char *mem, *accel;
	const char *iommu;	/* none, smmuv3, intel, direct (qemu-boot.sh --iommu) */
	uint64_t smp, timeout;
	/* filled by flb_guest_prepare() and flb_guest_boot_argv() */
	char top[PATH_MAX];
	char kbuf[FLB_VM_PATH], hbuf[FLB_VM_PATH], bin[FLB_VM_PATH];
	char ko[FLB_VM_PATH], img[FLB_VM_PATH], modwhy[FLB_VM_PATH + 64];
	char append_buf[2048], smp_buf[24], tmo_buf[24], boot_sh[FLB_VM_PATH];
};
extern const struct flb_cliopt flb_guest_cliopts[];

/* Messages of vm.c's functions start with name (default "flushbench vm"). */
void flb_vm_set_who(const char *name);
/* 0 when arch has guests, else a usage error of cli and -1. */
int flb_guest_arch_ok(const struct flb_cli *cli, const char *arch);
/* The IOMMU models --iommu takes, NULL-terminated: "none" first. */
extern const char *const flb_vm_iommus[];
/*
 * The guest architecture an IOMMU model needs ("arm64" for smmuv3,
 * "x86_64" for intel), or NULL when any has it (none, direct).
 */
const char *flb_vm_iommu_arch(const char *iommu);
/*
 * 0 when a guest of arch can have iommu (the --iommu of option opt, e.g.
 * "iommu" or "b-iommu"), else a usage error of cli and -1.
 */
int flb_guest_iommu_ok(const struct flb_cli *cli, const char *opt,
		       const char *arch, const char *iommu);
/*
 * Everything before the boot: Debian's kernel fetched (--debian), the
 * image checked, the suite checked (`flushbench run --check`), the
 * guest's flushbench, the module for its headers, the initramfs (cached).
 * FLB_EXIT_OK, FLB_EXIT_USAGE (a bad kernel or suite), FLB_EXIT_FAIL.
 */
int flb_guest_prepare(struct flb_guest *g);
/*
 * scripts/qemu-boot.sh's arguments for g, its console into logpath, into
 * argv[FLB_GUEST_ARGV], NULL-terminated: their count (add more there).
 */
int flb_guest_boot_argv(struct flb_guest *g, const char *logpath, char **argv);
/* The note or warning that the guest ran emulated (accel "tcg"). */
void flb_guest_accel_note(const struct flb_guest *g, const char *accel);
/*
 * After the guest ended: its console log checked (it reached /init, the
 * framed results.db arrived whole), the store written to dbpath, and
 * the environment keys of how it ran (docs/vm.md) into extra. 0, or -1
 * with the message and the log's last lines on stderr.
 */
int flb_guest_collect(const struct flb_guest *g, const char *log, size_t loglen,
		      const char *accel, double wall, const char *dbpath,
		      struct flb_env *extra);
/* qemu-boot.sh's STATUS in words. */
const char *flb_vm_status_why(const char *status);
/* The value of a "KEY=VALUE" line of text into buf; NULL when absent. */
const char *flb_vm_kv(const char *text, const char *key, char *buf, size_t len);
/* Remove a results store file and the -wal and -shm files beside it. */
void flb_vm_unlink_db(const char *path);
/* The last n lines of a console log on stderr, indented, made printable. */
void flb_vm_log_tail(const char *log, size_t len, int n);

/*
 * Run argv (a child process, PATH searched); its stdout into out (when not
 * NULL: NUL-terminated, truncated to len) or else to our stderr. Exit
 * status (128+signal when killed), or -1 when it could not start.
 */
int flb_vm_spawn(char *const argv[], char *out, size_t len);

/* The tree (scripts/, build/): FLUSHBENCH_TOP, else this binary's directory. */
int flb_vm_top(char *top, size_t len);
/* "x86_64", "arm64", ...: this machine, in the names --arch takes. */
const char *flb_vm_host_arch(void);
/*
 * Debian's kernel of a flavour (generic, rt, cloud) for arch, fetched and
 * unpacked by scripts/debian-kernel.sh (cached): image and headers paths.
 */
int flb_vm_debian_kernel(const char *arch, const char *flavour, char *kernel,
			char *headers, size_t len);

/*
 * n bytes of console output into buf as one printable line (always
 * terminated): other bytes and backslash as \xNN, "..." when it is cut
 * at len - 1 characters.
 */
void flb_vm_printable(char *buf, size_t len, const char *s, size_t n);

/* SHA-256 of len bytes into out[32]. */
void flb_sha256(const void *data, size_t len, uint8_t out[32]);

/*
 * Find the framed file in a console log (CR/LF line ends, other lines
 * around it, any bytes). *data is malloc'd. 0; -1 with why (no frame,
 * more than one, truncated, size or checksum mismatch, bad base64; the
 * log's bytes quoted in it made printable).
 */
int flb_vm_unframe(const char *log, size_t loglen, unsigned char **data,
		  size_t *len, char *why, size_t whylen);

#endif
