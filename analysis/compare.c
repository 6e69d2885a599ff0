// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench compare [OPTIONS] BASE NEW: the A/B table of two sets of runs
 * (by label or run id), one row per (workload, params, metric).
 */
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "cmp.h"

const char flb_cmp_common_help[] =
"  --db PATH          results database, opened read-only (default results.db)\n"
"  --min-effect PCT   smallest |change| that gets a mark (default 1): a 1%%\n"
"                     slowdown and a 1%% speed-up alike\n"
"  --alpha A          family-wise significance level, Holm (default 0.05)\n"
"  --conf C           interval level (default 0.95)\n"
"  --power P          power for the minimum detectable effect (default 0.8)\n"
"  --no-calibration   do not use this host's stored calibration for sides\n"
"                     of a single run (they then cannot be marked)\n"
"  --metric NAME      only this metric (ns_per_op, ops_per_sec, ...)\n"
"  --workload NAME    only this workload\n";

static void usage(FILE *f)
{
	fprintf(f,
"usage: flushbench compare [OPTIONS] BASE NEW\n"
"BASE and NEW each name a set of runs: a label (all its runs) or a run id\n"
"(12 or #12). Runs are the unit of inference: see docs/analysis.md.\n"
"  --format FMT       rst (default), md, json or csv\n"
"  --brief            rst/md: only Benchmark | Result Class | Improvement\n"
"  -o FILE            write the table to FILE instead of stdout\n%s"
"Exit: 0 done, 2 usage or data error.\n", flb_cmp_common_help);
}

/*
 * Parse argv into o and up to max positional arguments. 0, 1 on --help,
 * or 2 after a message.
 */
int flb_cmp_args(struct flb_cmp_opts *o, int argc, char **argv,
		const char **pos, int max, int *npos, flb_cmp_own_opt own,
		void *ctx)
{
	*npos = 0;
	for (int i = 1; i < argc; i++) {
		int r;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
		r = own ? own(ctx, argc, argv, &i) : 0;
		if (!r)
			r = flb_cmp_opt(o, argc, argv, &i);
		if (r < 0)
			return 2;
		if (r)
			continue;
		if (argv[i][0] == '-' && argv[i][1]) {
			flb_msg(o->cmd, "unknown option '%s' (see --help)", argv[i]);
			return 2;
		}
		if (*npos == max) {
			flb_msg(o->cmd, "unexpected argument '%s' (see --help)",
			       argv[i]);
			return 2;
		}
		pos[(*npos)++] = argv[i];
	}
	return 0;
}

int flb_cmp_begin(struct flb_cmp *c, struct flb_cmp_opts *o, int argc,
		 char **argv, unsigned int nsets, const char *what,
		 void (*usage)(FILE *f))
{
	const char *pos[2];
	int npos, rc;

	memset(c, 0, sizeof(*c));
	rc = flb_cmp_args(o, argc, argv, pos, nsets, &npos, NULL, NULL);
	if (rc == 1)
		usage(stdout);
	if (rc)
		return rc;
	if ((unsigned int)npos != nsets) {
		flb_msg(o->cmd, "expected %s (see --help)", what);
		return 2;
	}
	rc = flb_cmp_load(c, o, pos, nsets);
	return rc ? rc : flb_cmp_analyse(c);
}

int flb_cmd_compare(int argc, char **argv)
{
	struct flb_cmp_opts o;
	struct flb_cmp c;
	FILE *f = stdout;
	int rc;

	flb_cmp_defaults(&o, "compare");
	rc = flb_cmp_begin(&c, &o, argc, argv, 2, "BASE and NEW", usage);
	if (rc)
		goto out;
	if (o.out) {
		f = fopen(o.out, "w");
		if (!f) {
			flb_msg(o.cmd, "%s: %m", o.out);
			rc = 2;
			goto out;
		}
	}
	flb_cmp_warn_floor(&c);
	if (o.format == FLB_FMT_CSV) {
		/* the header goes where a CSV reader will not trip on it */
		flb_cmp_print_header(&c, stderr, "flushbench compare: ");
	}
	flb_cmp_print(&c, f);
	if (f != stdout && fclose(f)) {
		flb_msg(o.cmd, "%s: %m", o.out);
		rc = 2;
	}
out:
	flb_cmp_free(&c);
	return rc == 1 ? 0 : rc;	/* 1: --help */
}
