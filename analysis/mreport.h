/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flushbench report --matrix: one report over a matrix's cells, a
 * section per question of the review (analysis/mreport.c).
 */
#ifndef FLB_MREPORT_H
#define FLB_MREPORT_H

#include "cmp.h"

/*
 * Reads a matrix FILE into its cells' labels (*labels: n malloc'd
 * strings, in a malloc'd array) and its baseline kernel (*baseline,
 * malloc'd, or NULL). 0, or non-zero after a message (file:line:column).
 * The matrix parser is the guest layer's: the dispatcher hands it here.
 */
typedef int (*flb_mx_loader_fn)(const char *path, char ***labels, size_t *n,
				char **baseline);
void flb_report_set_matrix_loader(flb_mx_loader_fn fn);

/*
 * Write o->out/report.md and report.html for the cells of spec (a matrix
 * FILE, or a comma list of labels and patterns), every cell of a kernel
 * other than baseline (NULL: the file's, else the first cell's kernel)
 * against the baseline's cell of the same cmdline, mode and config.
 * 0, or 2 after a message.
 */
int flb_report_matrix(const struct flb_cmp_opts *o, const char *spec,
		      const char *baseline);

#endif
