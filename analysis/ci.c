// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench ci --baseline BASE --candidate NEW: the regression gate over
 * the primary rows (one metric per job). A row fails when compare would
 * mark it (R) with --min-effect set to --max-regression: Holm-significant
 * and worse by at least that much. A row that could not detect such a
 * regression (its minimum detectable effect is larger, or it has no
 * run-to-run variance) makes the verdict inconclusive, with the runs x
 * samples that would decide it. Exit 0 (no regression, every row could
 * see one), 1 (a regression: listed), 2 (usage or data error), 3
 * (inconclusive: listed; --allow-inconclusive makes it 0 with a warning).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "result.h"
#include "cmp.h"
#include "plan.h"

static bool gated(const struct flb_row *r)
{
	return r->role == FLB_ROLE_PRIMARY && r->tested;
}

/* Could not have seen a regression of --max-regression (and did not). */
static bool inconclusive(const struct flb_cmp *c, const struct flb_row *r)
{
	double m = flb_row_mde_pct(r);

	return gated(r) && r->mark != FLB_MARK_REGRESSED &&
	       !(m <= c->o.min_effect * 100 * (1 + 1e-9));
}

/* What would make an inconclusive row decide, in words. */
static void needs(const struct flb_cmp *c, const struct flb_row *r, char *buf,
		  size_t len)
{
	struct flb_plan_opts po = {
		.alpha = c->o.alpha / (double)(c->nprimary ? c->nprimary : 1),
		.power = c->o.power, .warmup = 2,
	};
	struct flb_plan_row pr = { .sample_s = 0 };
	struct flb_plan pl;
	double w = 0, var = 0, m = 0, el = 0;
	int k = 0;

	if (!r->testable) {
		snprintf(buf, len, "%s: needs 2 invocations or more per side (flushbench run --repeat 1, the sides alternating), or a calibration of this host from several invocations (flushbench calibrate)",
			 flb_row_untested_why(c, r));
		return;
	}
	/* an invocation of rpg runs: all but the sampling part as between */
	for (int s = 0; s < 2; s++) {
		if (!isnan(r->rs[s].wvar)) {
			w += r->rs[s].wvar;
			k++;
		}
		var += r->rs[s].var / 2;
		m += r->rs[s].m * r->rs[s].rpg / 2;
		el = fmax(el, flb_median(r->side[s].el, r->side[s].n) / 1e9);
	}
	pr.within = k ? w / k : NAN;
	pr.between = k ? fmax(0, var - M_PI_2 * pr.within / m) : var;
	pr.sample_s = isnan(el) ? 0 : el;
	pr.extra_df = isinf(c->prior.d0) ? 1e6 : c->prior.d0;
	if (flb_plan_cheapest(&pr, &po, c->o.min_effect, &pl))
		snprintf(buf, len, "minimum detectable effect %.1f%%: needs %u runs x %u samples per side, each its own invocation, the sides alternating (about %.0f s for this job, both sides)",
			 flb_row_mde_pct(r), pl.runs, pl.samples, pl.seconds);
	else
		snprintf(buf, len, "minimum detectable effect %.1f%%: not reachable with up to %d runs per side at this noise",
			 flb_row_mde_pct(r), FLB_PLAN_MAX_RUNS);
}

static int write_junit(const struct flb_cmp *c, const char *path,
		       size_t failures)
{
	FILE *f = fopen(path, "w");
	size_t skipped = 0, tests = 0;
	char name[512], why[512];

	if (!f) {
		flb_msg(c->o.cmd, "%s: %m", path);
		return -1;
	}
	for (size_t i = 0; i < c->nrows; i++) {
		const struct flb_row *r = &c->rows[i];

		if (r->role != FLB_ROLE_PRIMARY)
			continue;
		tests++;
		skipped += !r->tested || inconclusive(c, r);
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"flushbench ci\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\">\n",
		tests, failures, skipped);
	fprintf(f, "  <testsuite name=\"");
	flb_xml_text(f, c->set[FLB_BASE].spec);
	fputs(" vs ", f);
	flb_xml_text(f, c->set[FLB_NEW].spec);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
		tests, failures, skipped);
	for (size_t i = 0; i < c->nrows; i++) {
		const struct flb_row *r = &c->rows[i];

		if (r->role != FLB_ROLE_PRIMARY)
			continue;
		flb_row_class(r, name, sizeof(name));
		fputs("    <testcase classname=\"flushbench.", f);
		flb_xml_text(f, r->workload);
		fputs("\" name=\"", f);
		flb_xml_text(f, name);
		fputs("\">\n", f);
		if (!r->tested) {
			fprintf(f, "      <skipped message=\"only in %s\"/>\n",
				r->side[FLB_BASE].n ? "baseline" : "candidate");
		} else if (r->mark == FLB_MARK_REGRESSED) {
			double lo, hi;

			flb_row_improvement_ci(r, &lo, &hi);
			fprintf(f, "      <failure type=\"regression\" message=\"improvement %.2f%% (%g%% CI %.2f%% .. %.2f%%), Holm p %.2g\">",
				flb_row_improvement(r), c->o.conf * 100, lo, hi,
				r->p_adj);
			fprintf(f, "baseline %.6g (%zu runs x %.0f samples), candidate %.6g (%zu runs x %.0f samples)</failure>\n",
				exp(r->rs[0].mean), r->rs[0].n, r->rs[0].m,
				exp(r->rs[1].mean), r->rs[1].n, r->rs[1].m);
		} else if (inconclusive(c, r)) {
			needs(c, r, why, sizeof(why));
			fputs("      <skipped message=\"inconclusive: ", f);
			flb_xml_text(f, why);
			fputs("\"/>\n", f);
		}
		fputs("    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	if (fclose(f)) {
		flb_msg(c->o.cmd, "%s: %m", path);
		return -1;
	}
	return 0;
}

struct ci_args {
	struct flb_cmp_opts o;
	const char *base, *cand, *junit;
	bool allow;
};

static const struct flb_cliopt ci_opts[] = {
	FLB_CLI_STRING(0, "baseline", struct ci_args, base, "BASE",
		       "the runs to compare against: a label or a run id"),
	FLB_CLI_STRING(0, "candidate", struct ci_args, cand, "NEW",
		       "the runs under test"),
	FLB_CLI_STRING(0, "duet", struct ci_args, o.duet, "LABEL",
		       "instead of --baseline/--candidate: gate side b against\n"
		       "side a of the native duets in LABEL's runs, paired"),
	FLB_CLI_CALLBACK(0, "max-regression", struct ci_args, o.min_effect, "PCT",
			 flb_cmp_cli_pct, NULL,
			 "a significant regression of at least PCT fails\n"
			 "the gate (default 1)"),
	FLB_CLI_FLAG(0, "allow-inconclusive", struct ci_args, allow,
		     "exit 0 (with a warning) instead of 3"),
	FLB_CLI_FLAG(0, "unpaired", struct ci_args, o.unpaired,
		     "BASE and NEW from `flushbench duet`: gate on the\n"
		     "unpaired analysis instead of the paired one"),
	FLB_CLI_STRING(0, "junit", struct ci_args, junit, "FILE",
		       "write JUnit XML: one test case per primary row"),
	FLB_CLI_TYPED(0, "format", struct ci_args, o.format, "FMT", &flb_cmp_format,
		      "table on stdout: rst (default), md, json, csv"),
	FLB_CLI_FLAG(0, "brief", struct ci_args, o.brief,
		     "rst/md: only Benchmark | Result Class | Improvement"),
	FLB_CLI_INCLUDE(struct ci_args, o, flb_cmp_cliopts),
	FLB_CLI_END
};

static const struct flb_cli ci_cli = {
	.cmd = "ci", .usage = "--baseline BASE --candidate NEW [OPTIONS]",
	.footer = "Exit: 0 no regression (and every gated row could detect one), 1 regression\n"
		  "(rows listed), 2 usage or data error, 3 inconclusive: some gated rows cannot\n"
		  "detect a regression of PCT with this design (rows listed, with the runs x\n"
		  "samples per side that would).",
	.opts = ci_opts,
};

int flb_cmd_ci(int argc, char **argv)
{
	const char *pos[2];
	char name[512], why[512];
	struct ci_args a = { 0 };
	struct flb_cmp_opts o;
	struct flb_cmp c;
	size_t bad = 0, unsure = 0;
	int npos, rc;

	flb_cmp_defaults(&a.o, "ci");
	a.o.effect_opt = "--max-regression";
	npos = flb_cli_parse(&ci_cli, argc, argv, &a, NULL, 0);
	if (npos < 0)
		return flb_cli_exit(npos);
	if (a.o.duet) {
		if (a.base || a.cand || a.junit)
			return flb_cli_usage_error(&ci_cli, "--duet goes without --baseline, --candidate and --junit");
		return flb_duet(&a.o, NULL, NULL, true, a.allow);
	}
	if (!a.base || !a.cand)
		return flb_cli_usage_error(&ci_cli, "--baseline and --candidate are required");
	if (!a.o.unpaired) {
		/* the two sides of guest duets: gated on the paired table */
		rc = flb_duet(&a.o, a.base, a.cand, true, a.allow);
		if (rc != FLB_DUET_UNPAIRED && a.junit)
			flb_msg(a.o.cmd, "warning: --junit %s: not written for duet rounds (the paired table above); --unpaired writes it",
				a.junit);
		if (rc != FLB_DUET_UNPAIRED) {
			if (rc == 0 || rc == 1 || rc == 3)
				return rc == 1 ? FLB_EXIT_FAIL : rc == 3 ?
				       FLB_EXIT_INCONCLUSIVE : 0;
			return rc;
		}
	}
	o = a.o;
	pos[0] = a.base;
	pos[1] = a.cand;
	rc = flb_cmp_load(&c, &o, pos, 2);
	if (!rc)
		rc = flb_cmp_analyse(&c);
	if (rc)
		goto out;
	flb_cmp_print(&c, stdout);
	for (size_t i = 0; i < c.nrows; i++) {
		bad += gated(&c.rows[i]) && c.rows[i].mark == FLB_MARK_REGRESSED;
		unsure += inconclusive(&c, &c.rows[i]);
	}
	if (a.junit && write_junit(&c, a.junit, bad)) {
		rc = 2;
		goto out;
	}
	if (bad) {
		flb_msg(o.cmd, "FAIL: %zu of %zu primary rows regress significantly by %g%% or more:",
		       bad, c.nprimary, o.min_effect * 100);
		for (size_t i = 0; i < c.nrows; i++) {
			const struct flb_row *r = &c.rows[i];

			if (!gated(r) || r->mark != FLB_MARK_REGRESSED)
				continue;
			flb_row_class(r, name, sizeof(name));
			fprintf(stderr, "  %s %s: %.2f%% (Holm p %.2g)\n",
				r->workload, name, flb_row_improvement(r),
				r->p_adj);
		}
		rc = FLB_EXIT_FAIL;
	}
	if (unsure) {
		flb_msg(o.cmd, "%s%zu gated row%s cannot detect a regression of %g%% with this design:",
		       bad || a.allow ? "warning: " : "INCONCLUSIVE: ", unsure,
		       unsure == 1 ? "" : "s", o.min_effect * 100);
		for (size_t i = 0; i < c.nrows; i++) {
			const struct flb_row *r = &c.rows[i];

			if (!inconclusive(&c, r))
				continue;
			flb_row_class(r, name, sizeof(name));
			needs(&c, r, why, sizeof(why));
			fprintf(stderr, "  %s %s: %s\n", r->workload, name, why);
		}
		if (!bad && a.allow)
			flb_msg(o.cmd, "warning: --allow-inconclusive: passing although the gate could not see a regression of %g%% in %zu row%s",
			       o.min_effect * 100, unsure, unsure == 1 ? "" : "s");
		else if (!bad)
			rc = FLB_EXIT_INCONCLUSIVE;
	}
	if (!bad && !unsure)
		flb_msg(o.cmd, "ok: no primary row of %zu regresses significantly by %g%% or more, and each could have detected it",
		       c.nprimary, o.min_effect * 100);
out:
	flb_cmp_free(&c);
	return rc;
}
