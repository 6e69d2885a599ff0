// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench report BASE NEW -o DIR: the evidence for a patch in one
 * place. DIR/report.md (plots beside it as PNG) and DIR/report.html (one
 * self-contained file, plots inlined as SVG): the two environments side
 * by side with their differences highlighted, the table, the plots, and
 * how to read them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cmp.h"
#include "mreport.h"
#include "util.h"

static const struct flb_cliopt report_opts[] = {
	FLB_CLI_STRING('o', NULL, struct flb_cmp_opts, out, "DIR",
		       "the directory to write into (required)"),
	FLB_CLI_STRING(0, "matrix", struct flb_cmp_opts, matrix, "FILE|LABELS",
		       "one report over a matrix's cells (a matrix YAML, or a comma\n"
		       "list of labels and patterns such as 'pti/*'): a section per\n"
		       "question of the review, every kernel against the baseline"),
	FLB_CLI_STRING(0, "baseline", struct flb_cmp_opts, baseline, "KERNEL",
		       "--matrix: the kernel every other is compared with\n"
		       "(default: the file's baseline, else the first cell's)"),
	FLB_CLI_INCLUDE_HERE(flb_cmp_cliopts),
	FLB_CLI_END
};

static const struct flb_cli report_cli = {
	.cmd = "report", .usage = "[OPTIONS] -o DIR BASE NEW\n--matrix FILE|LABELS [--baseline KERNEL] [OPTIONS] -o DIR",
	.about = "Writes DIR/report.md (with change.png and dist.png beside it) and\n"
		 "DIR/report.html (self-contained: plots inlined as SVG).",
	.footer = "Exit: 0 done, 2 usage, data or gnuplot error.",
	.opts = report_opts,
};

static const char how_to_read[] =
"Each row is one job's primary metric (ns/op, or the workload's own, such as "
"Ops/sec for redis_like). The run is the unit of evidence: samples of one run "
"share its state, so each run is summarised by the median of its log values "
"and the sides are compared run against run (Welch's t, degrees of freedom "
"counted in runs). The variance between runs is estimated from each side's "
"runs, moderated across the rows of the table (empirical Bayes, as limma "
"does); a side of a single run takes it from this host's calibration "
"(flushbench calibrate), and without one the row cannot be marked. "
"Improvement > 0 is better: +x% is x% faster (x% more ops/s), -x% is x% "
"slower (x% more time per op), so a 1% slowdown and a 1% speed-up read alike. "
"The interval is the t interval of the change; p is shown after Holm's "
"correction over the primary rows (one per job), the raw value in brackets. "
"(I) or (R) marks a row only when the Holm-adjusted p is at most alpha AND "
"|change| is at least --min-effect. MDE is the smallest change the row could "
"have detected with 80% power: a change smaller than it going unmarked is no "
"evidence of no change. Counters and other metrics explain a change and are "
"tested in a family of their own (flushbench compare shows them).";

/* Both environments' keys, merged in key order (each is sorted). */
struct envrow {
	const char *key, *v[2];
	bool differs;
};

static struct envrow *env_rows(const struct flb_cmp *c, size_t *n)
{
	const struct flb_env *e[2] = { &c->set[0].env, &c->set[1].env };
	struct envrow *r = calloc(e[0]->n + e[1]->n + 1, sizeof(*r));
	struct flb_envdiff *d;
	size_t nd = flb_cmp_envdiff(c, &d), k = 0;

	*n = 0;
	if (!r) {
		free(d);
		return NULL;
	}
	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; i < e[s]->n; i++) {
			const char *key = e[s]->kv[i].key;

			if (s == 1 && flb_env_get(e[0], key))
				continue;
			r[k].key = key;
			r[k].v[0] = flb_env_get(e[0], key);
			r[k].v[1] = flb_env_get(e[1], key);
			for (size_t j = 0; j < nd; j++)
				r[k].differs |= !strcmp(d[j].key, key);
			k++;
		}
	}
	free(d);
	*n = k;
	return r;
}

static void md_cell(FILE *f, const char *s, bool bold)
{
	fputs(bold ? " **" : " ", f);
	for (s = s ? s : "(absent)"; *s; s++) {
		if (*s == '|' || *s == '*' || *s == '_')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputs(bold ? "** |" : " |", f);
}

static int write_md(const struct flb_cmp *c, const char *dir,
		    const struct flb_line *l, size_t nl,
		    const struct envrow *e, size_t ne)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/report.md", dir);
	f = fopen(path, "w");
	if (!f) {
		flb_msg(c->o.cmd, "%s: %m", path);
		return -1;
	}
	fprintf(f, "# flushbench report: %s (NEW) against %s (BASE)\n\n",
		c->set[FLB_NEW].spec, c->set[FLB_BASE].spec);
	flb_cmp_print_header(c, f, "- ");
	fprintf(f, "\n## Environments\n\nKeys that differ between the sets are in bold and marked ≠.\n\n");
	fprintf(f, "| | Key | BASE: %s | NEW: %s |\n|---|---|---|---|\n",
		c->set[FLB_BASE].spec, c->set[FLB_NEW].spec);
	for (size_t i = 0; i < ne; i++) {
		fprintf(f, "| %s |", e[i].differs ? "≠" : "");
		md_cell(f, e[i].key, e[i].differs);
		md_cell(f, e[i].v[0], e[i].differs);
		md_cell(f, e[i].v[1], e[i].differs);
		fputc('\n', f);
	}
	fprintf(f, "\n## Results\n\n");
	flb_print_md(f, flb_cmp_headers, FLB_CMP_NCOLS, l, nl);
	fprintf(f, "\n## Plots\n\n"
		"![Improvement per row with its interval](change.png)\n\n"
		"![Samples of both sides per row](dist.png)\n\n"
		"## How to read this\n\n%s\n", how_to_read);
	if (fclose(f)) {
		flb_msg(c->o.cmd, "%s: %m", path);
		return -1;
	}
	return 0;
}

static void html_text(FILE *f, const char *s)
{
	for (s = s ? s : "(absent)"; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* Copy DIR/NAME.svg from its <svg element on. */
static int inline_svg(const struct flb_cmp *c, FILE *f, const char *dir,
		      const char *name)
{
	char path[4096], *buf, *svg;

	snprintf(path, sizeof(path), "%s/%s.svg", dir, name);
	buf = flb_slurp(path, NULL);
	if (!buf) {
		flb_msg(c->o.cmd, "%s: %m", path);
		return -1;
	}
	svg = strstr(buf, "<svg");
	if (!svg) {
		flb_msg(c->o.cmd, "%s: not an SVG file", path);
		free(buf);
		return -1;
	}
	fprintf(f, "<figure>%s</figure>\n", svg);
	free(buf);
	return 0;
}

static int write_html(const struct flb_cmp *c, const char *dir,
		      const struct flb_line *l, size_t nl,
		      const struct envrow *e, size_t ne)
{
	char path[4096];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/report.html", dir);
	f = fopen(path, "w");
	if (!f) {
		flb_msg(c->o.cmd, "%s: %m", path);
		return -1;
	}
	fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>flushbench report: ");
	html_text(f, c->set[FLB_NEW].spec);
	fputs(" against ", f);
	html_text(f, c->set[FLB_BASE].spec);
	fputs("</title>\n<style>\n"
	      "body{font-family:sans-serif;margin:2em;max-width:110em}\n"
	      "table{border-collapse:collapse;margin:1em 0}\n"
	      "td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left;font-size:90%}\n"
	      "td.num{text-align:right;white-space:nowrap}\n"
	      "tr.diff td{background:#fff3b0;font-weight:bold}\n"
	      "tr.I td.mark{background:#c7e9c0}\n"
	      "tr.R td.mark{background:#fcbba1}\n"
	      "tr.group td{border-top:2px solid #555}\n"
	      "pre{background:#f4f4f4;padding:.5em}\n"
	      "</style></head><body>\n<h1>flushbench report: ", f);
	html_text(f, c->set[FLB_NEW].spec);
	fputs(" (NEW) against ", f);
	html_text(f, c->set[FLB_BASE].spec);
	fputs(" (BASE)</h1>\n<pre>", f);
	{
		char *hdr = NULL;
		size_t hl = 0;
		FILE *m = open_memstream(&hdr, &hl);

		if (m) {
			flb_cmp_print_header(c, m, "");
			fclose(m);
			html_text(f, hdr);
			free(hdr);
		}
	}
	fputs("</pre>\n<h2>Environments</h2>\n<p>Rows that differ between the sets are highlighted.</p>\n"
	      "<table><tr><th>Key</th><th>BASE: ", f);
	html_text(f, c->set[FLB_BASE].spec);
	fputs("</th><th>NEW: ", f);
	html_text(f, c->set[FLB_NEW].spec);
	fputs("</th></tr>\n", f);
	for (size_t i = 0; i < ne; i++) {
		fprintf(f, "<tr%s><td>", e[i].differs ? " class=\"diff\"" : "");
		html_text(f, e[i].key);
		fputs("</td><td>", f);
		html_text(f, e[i].v[0]);
		fputs("</td><td>", f);
		html_text(f, e[i].v[1]);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n<h2>Results</h2>\n<table><tr>", f);
	for (int j = 0; j < FLB_CMP_NCOLS; j++) {
		fputs("<th>", f);
		html_text(f, flb_cmp_headers[j]);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (size_t i = 0; i < nl; i++) {
		const char *m = l[i].cell[2];
		const char *cls = !strncmp(m, "(I)", 3) ? "I" :
				  !strncmp(m, "(R)", 3) ? "R" : "";

		fprintf(f, "<tr class=\"%s%s\">", cls,
			i && l[i].group_start ? " group" : "");
		for (int j = 0; j < FLB_CMP_NCOLS; j++) {
			fprintf(f, "<td%s>", j == 2 ? " class=\"num mark\"" :
					    j >= 3 ? " class=\"num\"" : "");
			html_text(f, l[i].cell[j]);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<h2>Plots</h2>\n", f);
	err |= inline_svg(c, f, dir, "change");
	err |= inline_svg(c, f, dir, "dist");
	fputs("<h2>How to read this</h2>\n<p>", f);
	html_text(f, how_to_read);
	fputs("</p>\n</body></html>\n", f);
	if (fclose(f)) {
		flb_msg(c->o.cmd, "%s: %m", path);
		return -1;
	}
	return err;
}

int flb_cmd_report(int argc, char **argv)
{
	struct flb_line *l = NULL;
	struct envrow *e = NULL;
	struct flb_cmp_opts o;
	struct flb_cmp c;
	size_t nl, ne;
	int rc;

	flb_cmp_defaults(&o, "report");
	rc = flb_cmp_begin(&c, &report_cli, &o, argc, argv, "-o DIR BASE NEW");
	if ((!rc || rc == 6) && !o.out)
		rc = flb_cli_usage_error(&report_cli, "-o DIR is required");
	if (rc == 6) {
		rc = flb_report_matrix(&o, o.matrix, o.baseline);
		goto out;
	}
	if (!rc)
		rc = flb_plot_compare(&c, o.out);
	if (rc)
		goto out;
	flb_cmp_warn_floor(&c);
	rc = 2;
	l = flb_cmp_lines(&c, false, &nl);
	e = env_rows(&c, &ne);
	if (!l || !e) {
		flb_msg(o.cmd, "out of memory");
		goto out;
	}
	if (write_md(&c, o.out, l, nl, e, ne) ||
	    write_html(&c, o.out, l, nl, e, ne))
		goto out;
	fprintf(stderr, "flushbench report: wrote %s/report.md and %s/report.html\n",
		o.out, o.out);
	rc = 0;
out:
	free(l);
	free(e);
	flb_cmp_free(&c);
	return rc == 1 ? 0 : rc;	/* 1: --help */
}
