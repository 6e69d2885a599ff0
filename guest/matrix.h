/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The matrix of `flushbench matrix` (the file is described at the top of
 * guest/matrix.c): loading and checking it, its cells, and the schedule
 * of runs, none of which runs anything, so that tests need no QEMU.
 */
#ifndef FLB_MATRIX_H
#define FLB_MATRIX_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "options.h"
#include "yamlwalk.h"

#define FLB_MX_MAX 32		/* entries per dimension */

struct flb_mx_kernel {
	char name[FLB_STR_MAX];
	char path[FLB_STR_MAX];
	char headers[FLB_STR_MAX];
	int debian;		/* none, generic, rt, cloud */
	int arch;		/* host, x86_64, arm64 */
	int iommu;		/* index into flb_vm_iommus: none, smmuv3, intel, direct */
	bool running;
	char append[FLB_STR_MAX];	/* after the cmdline's append */
	char build[FLB_STR_MAX];	/* arguments of `flushbench kernel build` */
	const yaml_node_t *node;	/* its YAML node, for messages */
	/* a built kernel's image, built (or found in the cache) before the first run */
	char built[PATH_MAX];
	/* a Debian kernel, fetched once before the first run */
	char deb_image[PATH_MAX];
	char deb_headers[PATH_MAX];
};

struct flb_mx_cmdline {
	char name[FLB_STR_MAX];
	char append[FLB_STR_MAX];
};

enum { FLB_MX_INTERLEAVED, FLB_MX_DUET };

struct flb_mx_top {
	char name[FLB_STR_MAX];
	int design;		/* FLB_MX_INTERLEAVED or FLB_MX_DUET */
	char baseline[FLB_STR_MAX];	/* duet: side a's kernel */
	uint64_t runs;		/* duet: runs of the suite per guest and round */
	uint64_t rounds;	/* duet: rounds (boots of both guests) per slot */
	bool strict;		/* a skipped job fails the matrix */
	uint64_t repeat;
	uint64_t seed;
	uint64_t smp;
	char mem[FLB_STR_MAX];
	uint64_t timeout;
	int accel;
};

/*
 * One cell: a kernel, a cmdline, native or vm, a config; its label. In a
 * duet matrix the baseline's cells are side a of one duet each, labelled
 * NAME/BASELINE@KERNEL/CMDLINE/vm/CONFIG after side b's kernel.
 */
struct flb_mx_cell {
	const struct flb_mx_kernel *k;
	const struct flb_mx_cmdline *c;
	bool native;
	const char *config;
	char label[4 * FLB_STR_MAX];
	unsigned int done;	/* complete invocations */
	int64_t last;		/* its newest run already tagged (-1: not read yet) */
};

struct flb_matrix {
	struct flb_yw yw;	/* the file, its messages and their count */
	bool seeded;		/* the file gave a seed */
	struct flb_mx_top top;
	struct flb_mx_kernel kernels[FLB_MX_MAX];
	struct flb_mx_cmdline cmdlines[FLB_MX_MAX];
	char *configs[FLB_MX_MAX];
	bool modes[2];		/* native, vm */
	size_t nkernels, ncmdlines, nconfigs;
	struct flb_mx_cell *cells;	/* kernels x cmdlines x modes x configs */
	size_t ncells;
	/*
	 * With a baseline: each kernel's cell against the baseline's of the
	 * same cmdline, mode and config (indices into cells); in the duet
	 * design these are the duets, the units of the schedule.
	 */
	struct flb_mx_duet { size_t a, b; } *duets;
	size_t nduets;
	const yaml_node_t *baseline_node;	/* where the file names the baseline */
	const char *design;	/* set before loading: overrides the file's design */
};

/* What a round of the schedule permutes: the cells, or the duets. */
static inline size_t flb_matrix_units(const struct flb_matrix *m)
{
	return m->top.design == FLB_MX_DUET ? m->nduets : m->ncells;
}

/*
 * Load and check the matrix at path (zeroed m): its settings, kernels,
 * cmdlines, configs (which must be readable) and cells. 0, or -1 after
 * "file:line:col: message" lines on err. flb_matrix_free() either way.
 */
int flb_matrix_load(struct flb_matrix *m, const char *path, FILE *err);
void flb_matrix_free(struct flb_matrix *m);
/*
 * The order of the runs: top.repeat rounds of flb_matrix_units() slots,
 * each round a permutation of the cells (or duets) drawn from top.seed (the same seed gives the
 * same order everywhere). malloc'd; NULL without memory.
 */
size_t *flb_matrix_schedule(const struct flb_matrix *m);
/* The plan --dry-run prints: name, cells, seed and order. */
void flb_matrix_plan(const struct flb_matrix *m, const size_t *order, FILE *f);

#endif
