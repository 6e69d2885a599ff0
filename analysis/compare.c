// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench compare [OPTIONS] BASE NEW: the A/B table of two sets of runs
 * (by label or run id), one row per (workload, params, metric).
 */
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "cmp.h"

static const struct flb_cliopt compare_opts[] = {
	FLB_CLI_TYPED(0, "format", struct flb_cmp_opts, format, "FMT",
		      &flb_cmp_format, "rst (default), md, json or csv"),
	FLB_CLI_FLAG(0, "brief", struct flb_cmp_opts, brief,
		     "rst/md: only Benchmark | Result Class | Improvement"),
	FLB_CLI_STRING('o', NULL, struct flb_cmp_opts, out, "FILE",
		       "write the table to FILE instead of stdout"),
	FLB_CLI_STRING(0, "duet", struct flb_cmp_opts, duet, "LABEL",
		       "instead of BASE NEW: side b against side a of the\n"
		       "native duets in LABEL's runs, paired (docs/duet.md)"),
	FLB_CLI_FLAG(0, "unpaired", struct flb_cmp_opts, unpaired,
		     "BASE and NEW from `flushbench duet`: the unpaired\n"
		     "analysis instead of the paired one"),
	FLB_CLI_INCLUDE_HERE(flb_cmp_cliopts),
	FLB_CLI_END
};

static const struct flb_cli compare_cli = {
	.cmd = "compare", .usage = "[OPTIONS] BASE NEW",
	.about = "BASE and NEW each name a set of runs: a label (all its runs) or a run id\n"
		 "(12 or #12). The unit of inference is the invocation (one `flushbench run`\n"
		 "and its rounds): see docs/analysis.md.",
	.footer = "Exit: 0 done, 2 usage or data error.",
	.opts = compare_opts,
};

int flb_cmp_begin(struct flb_cmp *c, const struct flb_cli *cli,
		 struct flb_cmp_opts *o, int argc, char **argv, const char *what)
{
	const char *pos[2];
	int npos, rc;

	memset(c, 0, sizeof(*c));
	npos = flb_cli_parse(cli, argc, argv, o, pos, 2);
	if (npos == FLB_CLI_HELP)
		return 1;
	if (npos < 0)
		return 2;
	if (o->duet) {
		if (npos) {
			flb_cli_usage_error(cli, "--duet LABEL takes no %s", what);
			return 2;
		}
		return 4;	/* the caller runs the paired analysis */
	}
	if (o->matrix) {
		if (npos) {
			flb_cli_usage_error(cli, "--matrix takes no %s", what);
			return 2;
		}
		return 6;	/* the caller writes the matrix report */
	}
	if (o->baseline) {
		flb_cli_usage_error(cli, "--baseline goes with --matrix");
		return 2;
	}
	if (npos != 2) {
		flb_cli_usage_error(cli, "expected %s", what);
		return 2;
	}
	if (o->paired && !o->unpaired) {
		/* the two sides of guest duets: the paired table */
		rc = flb_duet(o, pos[0], pos[1], false, false);
		if (rc != FLB_DUET_UNPAIRED)
			return rc ? rc : 5;
	}
	rc = flb_cmp_load(c, o, pos, 2);
	return rc ? rc : flb_cmp_analyse(c);
}

int flb_cmd_compare(int argc, char **argv)
{
	struct flb_cmp_opts o;
	struct flb_cmp c;
	FILE *f = stdout;
	int rc;

	flb_cmp_defaults(&o, "compare");
	o.paired = true;
	rc = flb_cmp_begin(&c, &compare_cli, &o, argc, argv, "BASE and NEW");
	if (rc == 4) {
		rc = flb_duet(&o, NULL, NULL, false, false);
		goto out;
	}
	if (rc == 5) {	/* the paired table is printed */
		rc = 0;
		goto out;
	}
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
