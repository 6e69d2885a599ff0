// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench ci --baseline BASE --candidate NEW: the regression gate.
 * A row fails when compare would mark it (R) with --min-effect set to
 * --max-regression: Holm-significant and worse by at least that much.
 * Exit 0 (no such row), 1 (some: listed), 2 (usage or data error).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cmp.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: flushbench ci --baseline BASE --candidate NEW [OPTIONS]\n"
"  --max-regression PCT  a significant regression of at least PCT fails\n"
"                        the gate (default 1)\n"
"  --junit FILE          write JUnit XML: one test case per row\n"
"  --format FMT          table on stdout: rst (default), md, json, csv\n%s"
"Exit: 0 no regression, 1 regression (rows listed), 2 usage or data error.\n",
		fb_cmp_common_help);
}

static void xml_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

static int write_junit(const struct fb_cmp *c, const char *path,
		       size_t failures)
{
	FILE *f = fopen(path, "w");
	size_t skipped = 0;
	char name[512];

	if (!f) {
		fb_msg(c->o.cmd, "%s: %m", path);
		return -1;
	}
	for (size_t i = 0; i < c->nrows; i++)
		skipped += !c->rows[i].tested;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"flushbench ci\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\">\n",
		c->nrows, failures, skipped);
	fprintf(f, "  <testsuite name=\"");
	xml_escape(f, c->set[FB_BASE].spec);
	fputs(" vs ", f);
	xml_escape(f, c->set[FB_NEW].spec);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
		c->nrows, failures, skipped);
	for (size_t i = 0; i < c->nrows; i++) {
		const struct fb_row *r = &c->rows[i];

		fb_row_class(r, name, sizeof(name));
		fputs("    <testcase classname=\"flushbench.", f);
		xml_escape(f, r->workload);
		fputs("\" name=\"", f);
		xml_escape(f, name);
		fputs("\">\n", f);
		if (!r->tested) {
			fprintf(f, "      <skipped message=\"only in %s\"/>\n",
				r->side[FB_BASE].n ? "baseline" : "candidate");
		} else if (r->mark == FB_MARK_REGRESSED) {
			fprintf(f, "      <failure type=\"regression\" message=\"");
			if (r->have_ratio) {
				double lo, hi;

				fb_row_improvement_ci(r, &lo, &hi);
				fprintf(f, "improvement %.2f%% (%g%% CI %.2f%% .. %.2f%%), Holm p %.2g",
					fb_row_improvement(r), c->o.conf * 100,
					lo, hi, r->p_adj);
			} else {
				fprintf(f, "worse from a baseline median of 0, Holm p %.2g",
					r->p_adj);
			}
			fprintf(f, "\">baseline median %.6g (n %zu, CV %.1f%%), candidate median %.6g (n %zu, CV %.1f%%)</failure>\n",
				r->sum[0].median, r->sum[0].n, r->sum[0].cv * 100,
				r->sum[1].median, r->sum[1].n, r->sum[1].cv * 100);
		}
		fputs("    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	if (fclose(f)) {
		fb_msg(c->o.cmd, "%s: %m", path);
		return -1;
	}
	return 0;
}

int fb_cmd_ci(int argc, char **argv)
{
	const char *base = NULL, *cand = NULL, *junit = NULL, *pos[2];
	char **rest, name[512];
	struct fb_cmp_opts o;
	struct fb_cmp c;
	size_t bad = 0;
	int n = 1, npos, rc;

	fb_cmp_defaults(&o, "ci");
	o.effect_opt = "--max-regression";
	/* our own options first; the shared ones go to fb_cmp_args */
	rest = calloc(argc + 1, sizeof(*rest));
	if (!rest)
		return 2;
	rest[0] = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = !strcmp(a, "--baseline") ? &base :
				   !strcmp(a, "--candidate") ? &cand :
				   !strcmp(a, "--junit") ? &junit : NULL;

		if (!strcmp(a, "--max-regression")) {
			if (i + 1 >= argc || fb_parse_pct(argv[++i], &o.min_effect)) {
				fb_msg(o.cmd, "--max-regression needs a percentage such as 5 or 2.5%%");
				free(rest);
				return 2;
			}
			continue;
		}
		if (!dst) {
			rest[n++] = argv[i];
			continue;
		}
		if (i + 1 >= argc) {
			fb_msg(o.cmd, "%s needs a value", a);
			free(rest);
			return 2;
		}
		*dst = argv[++i];
	}
	rc = fb_cmp_args(&o, n, rest, pos, 0, &npos);
	free(rest);
	if (rc == 1) {
		usage(stdout);
		return 0;
	}
	if (rc)
		return rc;
	if (!base || !cand) {
		fb_msg(o.cmd, "--baseline and --candidate are required (see --help)");
		return 2;
	}
	pos[0] = base;
	pos[1] = cand;
	rc = fb_cmp_load(&c, &o, pos, 2);
	if (!rc)
		rc = fb_cmp_analyse(&c);
	if (rc)
		goto out;
	fb_cmp_warn_floor(&c);
	fb_cmp_print(&c, stdout);
	for (size_t i = 0; i < c.nrows; i++)
		bad += c.rows[i].mark == FB_MARK_REGRESSED;
	if (junit && write_junit(&c, junit, bad)) {
		rc = 2;
		goto out;
	}
	if (!bad) {
		fb_msg(o.cmd, "ok: no row of %zu regresses significantly by %g%% or more",
		       c.ntested, o.min_effect * 100);
		goto out;
	}
	fb_msg(o.cmd, "FAIL: %zu of %zu rows regress significantly by %g%% or more:",
	       bad, c.ntested, o.min_effect * 100);
	for (size_t i = 0; i < c.nrows; i++) {
		const struct fb_row *r = &c.rows[i];

		if (r->mark != FB_MARK_REGRESSED)
			continue;
		fb_row_class(r, name, sizeof(name));
		fprintf(stderr, "  %s %s: %.2f%% (Holm p %.2g)\n", r->workload,
			name, fb_row_improvement(r), r->p_adj);
	}
	rc = 1;
out:
	fb_cmp_free(&c);
	return rc;
}
