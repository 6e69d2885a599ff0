// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench report BASE NEW -o DIR: the evidence for a patch in one
 * place, in the order a maintainer reads it. DIR/report.md (plots beside
 * it as PNG) and DIR/report.html (one self-contained file, plots inlined
 * as SVG): the verdict in one paragraph, the seed-style table, the plots,
 * the configuration keys that differ (the rest folded away), then every
 * number and how to read them. The parts are report.h's, for reports
 * over many comparisons too.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis.h"
#include "mreport.h"
#include "report.h"
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
	.about = "Writes DIR/report.md (with the plots beside it as PNG) and\n"
		 "DIR/report.html (self-contained: plots inlined as SVG): the verdict\n"
		 "(rows improved, regressed, unmarked, not testable; the geometric\n"
		 "mean), the seed-style table, the plots, the configuration keys that\n"
		 "differ (the others folded away), every number, how to read them.",
	.footer = "Exit: 0 done, 2 usage, data or gnuplot error. The store is only read.",
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
"(flushbench calibrate), and without one the row cannot be marked (n/t). "
"Improvement > 0 is better: +x% is x% faster (x% more ops/s), -x% is x% "
"slower (x% more time per op), so a 1% slowdown and a 1% speed-up read alike. "
"The interval is the t interval of the change; p is shown after Holm's "
"correction over the primary rows (one per job), the raw value in brackets. "
"(I) or (R) marks a row only when the Holm-adjusted p is at most alpha AND "
"|change| is at least --min-effect. MDE is the smallest change the row could "
"have detected with 80% power: a change smaller than it going unmarked is no "
"evidence of no change. The geometric mean is the mean of the primary rows' "
"log changes, better-oriented. Counters and other metrics explain a change "
"and are tested in a family of their own (flushbench compare shows them).";

const char flb_report_css[] =
	"body{font-family:sans-serif;margin:2em;max-width:110em}\n"
	"table{border-collapse:collapse;margin:1em 0}\n"
	"td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left;font-size:90%}\n"
	"td.num{text-align:right;white-space:nowrap}\n"
	"td.I{background:#c7e9c0}\n"
	"td.R{background:#fcbba1}\n"
	"tr.group td{border-top:2px solid #555}\n"
	"p.verdict{font-size:110%;max-width:60em}\n"
	"p.legend,details{max-width:80em}\n"
	"summary{cursor:pointer;margin:.5em 0}\n"
	"li.sub{margin-left:2em;list-style:circle}\n"
	"figure{margin:1em 0}\n"
	"figure svg{max-width:100%;height:auto}\n";

/* --- the verdict --- */

void flb_verdict_count(const struct flb_cmp *c, struct flb_verdict_counts *n)
{
	memset(n, 0, sizeof(*n));
	n->mde_lo = n->mde_hi = NAN;
	for (size_t i = 0; i < c->nrows; i++) {
		const struct flb_row *r = &c->rows[i];
		double m = flb_row_mde_pct(r);

		if (r->role != FLB_ROLE_PRIMARY)
			continue;
		n->rows++;
		if (!r->tested) {
			n->one_side++;
		} else if (!r->testable) {
			n->untestable++;
		} else if (r->mark == FLB_MARK_IMPROVED) {
			n->improved++;
		} else if (r->mark == FLB_MARK_REGRESSED) {
			n->regressed++;
		} else {
			n->unmarked++;
			if (!(m >= n->mde_lo))
				n->mde_lo = m;
			if (!(m <= n->mde_hi))
				n->mde_hi = m;
		}
	}
}

/* c's primary rows as seed keys (*n of them), for their Result Class. */
static struct flb_seed_key *primary_keys(const struct flb_cmp *c, size_t *n)
{
	struct flb_seed_key *k = calloc(c->nrows + 1, sizeof(*k));

	*n = 0;
	for (size_t i = 0; k && i < c->nrows; i++) {
		if (c->rows[i].role != FLB_ROLE_PRIMARY)
			continue;
		k[*n].workload = c->rows[i].workload;
		k[(*n)++].params = c->rows[i].params;
	}
	return k;
}

/* ": fork rss=0, munmap size=2M" for the rows of a mark (at most 8). */
static void name_rows(const struct flb_cmp *c, FILE *f, bool html,
		      enum flb_mark mark, size_t count)
{
	void (*text)(FILE *, const char *) = html ? flb_xml_text : flb_md_text;
	struct flb_seed_key *k;
	size_t n, shown = 0;
	char cls[FLB_CELL];

	if (!count)
		return;
	k = primary_keys(c, &n);
	if (!k)
		return;
	fputs(" (", f);
	for (size_t i = 0, p = 0; i < c->nrows && shown < 8; i++) {
		const struct flb_row *r = &c->rows[i];

		if (r->role != FLB_ROLE_PRIMARY)
			continue;
		if (r->testable && r->mark == mark) {
			flb_seed_class(k, n, p, cls, sizeof(cls));
			fputs(shown++ ? ", " : "", f);
			text(f, r->workload);
			fputc(' ', f);
			text(f, cls);
		}
		p++;
	}
	fputs(count > shown ? ", ...)" : ")", f);
	free(k);
}

/* The first clause of why the first untestable primary row is. */
static const char *untestable_why(const struct flb_cmp *c, int *len)
{
	for (size_t i = 0; i < c->nrows; i++) {
		const struct flb_row *r = &c->rows[i];

		if (r->role == FLB_ROLE_PRIMARY && r->tested && !r->testable) {
			const char *why = flb_row_untested_why(c, r);

			*len = (int)strcspn(why, ":");
			return why;
		}
	}
	*len = 0;
	return "";
}

static double geo_pct(double v)
{
	return (v < 0 ? -1 : 1) * expm1(fabs(v)) * 100;
}

void flb_report_verdict(const struct flb_cmp *c, FILE *f, bool html)
{
	const char *b0 = html ? "<strong>" : "**", *b1 = html ? "</strong>" : "**";
	const struct flb_geo *g = &c->geo;
	struct flb_verdict_counts n;
	const char *why;
	int wl;

	flb_verdict_count(c, &n);
	why = untestable_why(c, &wl);
	fputs(html ? "<p class=\"verdict\">" : "", f);
	fprintf(f, "Of %zu primary row%s (one per job), %s%zu improved%s",
		n.rows, n.rows == 1 ? "" : "s", b0, n.improved, b1);
	name_rows(c, f, html, FLB_MARK_IMPROVED, n.improved);
	fprintf(f, ", %s%zu regressed%s", b0, n.regressed, b1);
	name_rows(c, f, html, FLB_MARK_REGRESSED, n.regressed);
	fprintf(f, ", %zu unmarked: no change seen above its MDE", n.unmarked);
	if (n.unmarked && n.mde_lo == n.mde_hi)
		fprintf(f, " (%.1f%%)", n.mde_lo);
	else if (n.unmarked && !isnan(n.mde_lo))
		fprintf(f, " (MDE %.1f%% to %.1f%%)", n.mde_lo, n.mde_hi);
	fprintf(f, ", %zu not testable", n.untestable);
	if (n.untestable) {
		fputs(" (", f);
		fprintf(f, "%.*s", wl, why);
		fputc(')', f);
	}
	if (n.one_side)
		fprintf(f, ", %zu only in BASE or only in NEW", n.one_side);
	fputs(". ", f);
	if (!g->n) {
		fputs("No primary row is on both sides: there is no geometric mean.", f);
	} else {
		fprintf(f, "The geometric mean of the primary changes is %s%+.2f%%%s",
			b0, geo_pct(g->est), b1);
		if (isnan(g->lo))
			fprintf(f, " over %zu rows (no interval: not every row is testable).",
				g->n);
		else
			fprintf(f, " (%g%% interval %+.2f%% to %+.2f%%, %zu rows).",
				c->o.conf * 100, geo_pct(g->lo), geo_pct(g->hi),
				g->n);
	}
	fputs(html ? "</p>\n" : "\n", f);
}

/* --- the environments --- */

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

/* Whether key's value differs between the runs of one set. */
static bool env_mixed(const struct flb_cmp *c, const char *key)
{
	for (int s = 0; s < 2; s++)
		for (size_t k = 0; k < c->set[s].nmixed; k++)
			if (!strcmp(c->set[s].mixed[k], key))
				return true;
	return false;
}

static void env_table_head(const struct flb_cmp *c, FILE *f, bool html)
{
	void (*text)(FILE *, const char *) = html ? flb_xml_text : flb_md_text;

	fputs(html ? "<table>\n<tr><th>Key</th><th>BASE: " : "| Key | BASE: ", f);
	text(f, c->set[FLB_BASE].spec);
	fputs(html ? "</th><th>NEW: " : " | NEW: ", f);
	text(f, c->set[FLB_NEW].spec);
	fputs(html ? "</th></tr>\n" : " |\n| --- | --- | --- |\n", f);
}

static void env_table_row(const struct flb_cmp *c, FILE *f, bool html,
			  const char *key, const char *base, const char *new)
{
	void (*text)(FILE *, const char *) = html ? flb_xml_text : flb_md_text;

	fputs(html ? "<tr class=\"diff\"><td>" : "| ", f);
	text(f, key);
	if (env_mixed(c, key))
		fputs(" (differs between runs of one set too)", f);
	fputs(html ? "</td><td>" : " | ", f);
	text(f, *base ? base : "(absent)");
	fputs(html ? "</td><td>" : " | ", f);
	text(f, *new ? new : "(absent)");
	fputs(html ? "</td></tr>\n" : " |\n", f);
}

/* The keys that do not differ in configuration: a <details> or one line. */
static void env_rest(const struct flb_cmp *c, FILE *f, bool html,
		     const struct envrow *e, size_t ne, size_t nrest)
{
	void (*text)(FILE *, const char *) = html ? flb_xml_text : flb_md_text;
	bool first = true;

	if (!nrest)
		return;
	if (html) {
		fprintf(f, "<details><summary>The other %zu keys: the same in both sets, or volatile (times, ids)</summary>\n",
			nrest);
		env_table_head(c, f, true);
	} else {
		fprintf(f, "\nThe other %zu keys, the same in both sets (volatile ones, such as times, as BASE -> NEW): ",
			nrest);
	}
	for (size_t i = 0; i < ne; i++) {
		const char *b = e[i].v[0] ? e[i].v[0] : "(absent)";
		const char *n = e[i].v[1] ? e[i].v[1] : "(absent)";

		if (e[i].differs)
			continue;
		if (html) {
			fputs("<tr><td>", f);
			text(f, e[i].key);
			fputs("</td><td>", f);
			text(f, b);
			fputs("</td><td>", f);
			text(f, n);
			fputs("</td></tr>\n", f);
			continue;
		}
		fputs(first ? "" : "; ", f);
		first = false;
		text(f, e[i].key);
		fputc('=', f);
		text(f, b);
		if (strcmp(b, n)) {
			fputs(" -> ", f);
			text(f, n);
		}
	}
	fputs(html ? "</table></details>\n" : ".\n", f);
}

void flb_report_env(const struct flb_cmp *c, FILE *f, bool html)
{
	struct flb_envdiff *d;
	size_t nd = flb_cmp_envdiff(c, &d), ne;
	struct envrow *e = env_rows(c, &ne);

	if (!e) {
		free(d);
		return;
	}
	if (!nd) {
		fputs(html ? "<p>No configuration key differs between the sets.</p>\n" :
		      "No configuration key differs between the sets.\n", f);
	} else {
		fprintf(f, "%sThe %zu configuration key%s that differ%s:%s\n",
			html ? "<p>" : "", nd, nd == 1 ? "" : "s",
			nd == 1 ? "s" : "", html ? "</p>" : "\n");
		env_table_head(c, f, html);
		for (size_t i = 0; i < nd; i++)
			env_table_row(c, f, html, d[i].key, d[i].base, d[i].new);
		if (html)
			fputs("</table>\n", f);
	}
	env_rest(c, f, html, e, ne, ne - nd);
	free(d);
	free(e);
}

/* --- plots --- */

/* The plots of a report, in order, each linked when plot drew it. */
static const struct {
	const char *name, *caption;
} plots[] = {
	{ "change", "The change of each primary row with its interval" },
	{ "dist", "The samples of both sides, per row" },
	{ "change-counters", "The change of the counters and other metrics" },
};
#define NPLOTS (sizeof(plots) / sizeof(plots[0]))

static bool plot_exists(const char *dir, const char *name, const char *ext)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	return !stat(path, &st) && st.st_size > 0;
}

/* At p, an attribute or reference to an id: its length up to the id. */
static size_t id_ref(const char *p)
{
	static const char *const refs[] = {
		" id=\"", " id='", "href=\"#", "href='#", "url(#", NULL,
	};

	for (int i = 0; refs[i]; i++)
		if (!strncmp(p, refs[i], strlen(refs[i])))
			return strlen(refs[i]);
	return 0;
}

int flb_report_svg(FILE *f, const char *cmd, const char *dir,
		   const char *name)
{
	char path[4096], *buf, *svg, *end;

	snprintf(path, sizeof(path), "%s/%s.svg", dir, name);
	buf = flb_slurp(path, NULL);
	if (!buf) {
		flb_msg(cmd, "%s: %m", path);
		return -1;
	}
	svg = strstr(buf, "<svg");
	end = svg ? strstr(svg, "</svg>") : NULL;
	if (!end) {
		flb_msg(cmd, "%s: not an SVG file", path);
		free(buf);
		return -1;
	}
	end[strlen("</svg>")] = '\0';
	for (char *p = svg; *p; p++) {
		size_t n = id_ref(p);

		if (n) {
			fprintf(f, "%.*s%s-", (int)n, p, name);
			p += n - 1;
		} else {
			fputc(*p, f);
		}
	}
	free(buf);
	return 0;
}

/* --- the documents --- */

static FILE *open_out(const struct flb_cmp *c, const char *dir,
		      const char *name, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		flb_msg(c->o.cmd, "%s: %m", path);
	return f;
}

static int close_out(const struct flb_cmp *c, FILE *f, const char *path)
{
	if (fclose(f)) {
		flb_msg(c->o.cmd, "%s: %m", path);
		return -1;
	}
	return 0;
}

/* The seed table's one column: "NEW vs BASE". */
static void seed_col(const struct flb_cmp *c, struct flb_seed_col *col,
		     char *name, size_t len)
{
	snprintf(name, len, "%s vs %s", c->set[FLB_NEW].spec,
		 c->set[FLB_BASE].spec);
	col->name = name;
	col->c = c;
}

static int write_md(const struct flb_cmp *c, const char *dir,
		    const struct flb_line *l, size_t nl)
{
	struct flb_seed_col col;
	char path[4096], name[512];
	FILE *f = open_out(c, dir, "report.md", path, sizeof(path));
	int err;

	if (!f)
		return -1;
	fprintf(f, "# flushbench report: %s (NEW) against %s (BASE)\n\n",
		c->set[FLB_NEW].spec, c->set[FLB_BASE].spec);
	flb_report_verdict(c, f, false);
	fputs("\n## Results\n\n", f);
	seed_col(c, &col, name, sizeof(name));
	err = flb_seed_table(f, &col, 1, NULL, false);
	if (!err)
		fputs("No primary row.\n", f);
	fputs("\n## Plots\n\n", f);
	for (size_t i = 0; i < NPLOTS; i++)
		if (plot_exists(dir, plots[i].name, "png"))
			fprintf(f, "![%s](%s.png)\n\n", plots[i].caption,
				plots[i].name);
	fputs("## Environment\n\n", f);
	flb_report_env(c, f, false);
	fputs("\n## All the numbers\n\n", f);
	flb_cmp_print_header(c, f, "- ");
	fputc('\n', f);
	flb_print_md(f, flb_cmp_headers, FLB_CMP_NCOLS, l, nl);
	fprintf(f, "\n## How to read this\n\n%s\n", how_to_read);
	if (err < 0)
		flb_msg(c->o.cmd, "out of memory");
	return close_out(c, f, path) || err < 0 ? -1 : 0;
}

/* flb_cmp_print_header as a list: nested lines (indented) as sub-items. */
static void html_header(const struct flb_cmp *c, FILE *f)
{
	char *hdr = NULL, *line, *save = NULL;
	size_t hl = 0;
	FILE *m = open_memstream(&hdr, &hl);

	if (!m)
		return;
	flb_cmp_print_header(c, m, "");
	if (fclose(m))
		return;
	fputs("<ul>\n", f);
	for (line = strtok_r(hdr, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		bool sub = line[0] == ' ';

		fputs(sub ? "<li class=\"sub\">" : "<li>", f);
		flb_xml_text(f, line + strspn(line, " "));
		fputs("</li>\n", f);
	}
	fputs("</ul>\n", f);
	free(hdr);
}

/* The full primary table, as compare prints it. */
static void html_numbers(FILE *f, const struct flb_line *l, size_t nl)
{
	fputs("<table>\n<tr>", f);
	for (int j = 0; j < FLB_CMP_NCOLS; j++) {
		fputs("<th>", f);
		flb_xml_text(f, flb_cmp_headers[j]);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (size_t i = 0; i < nl; i++) {
		const char *m = l[i].cell[2];
		const char *cls = !strncmp(m, "(I)", 3) ? " I" :
				  !strncmp(m, "(R)", 3) ? " R" : "";

		fprintf(f, "<tr%s>", i && l[i].group_start ? " class=\"group\"" : "");
		for (int j = 0; j < FLB_CMP_NCOLS; j++) {
			if (j == 2)
				fprintf(f, "<td class=\"num%s\">", cls);
			else
				fputs(j > 2 ? "<td class=\"num\">" : "<td>", f);
			flb_xml_text(f, l[i].cell[j]);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static int write_html(const struct flb_cmp *c, const char *dir,
		      const struct flb_line *l, size_t nl)
{
	struct flb_seed_col col;
	char path[4096], name[512];
	FILE *f = open_out(c, dir, "report.html", path, sizeof(path));
	int err = 0;

	if (!f)
		return -1;
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>flushbench report: ", f);
	flb_xml_text(f, c->set[FLB_NEW].spec);
	fputs(" against ", f);
	flb_xml_text(f, c->set[FLB_BASE].spec);
	fprintf(f, "</title>\n<style>\n%s</style></head><body>\n<h1>flushbench report: ",
		flb_report_css);
	flb_xml_text(f, c->set[FLB_NEW].spec);
	fputs(" (NEW) against ", f);
	flb_xml_text(f, c->set[FLB_BASE].spec);
	fputs(" (BASE)</h1>\n", f);
	flb_report_verdict(c, f, true);
	fputs("<h2>Results</h2>\n", f);
	seed_col(c, &col, name, sizeof(name));
	err = flb_seed_table(f, &col, 1, NULL, true);
	if (!err)
		fputs("<p>No primary row.</p>\n", f);
	if (err < 0)
		flb_msg(c->o.cmd, "out of memory");
	err = err < 0 ? -1 : 0;
	fputs("<h2>Plots</h2>\n", f);
	for (size_t i = 0; i < NPLOTS; i++) {
		if (!plot_exists(dir, plots[i].name, "svg"))
			continue;
		fputs("<figure>", f);
		err |= flb_report_svg(f, c->o.cmd, dir, plots[i].name);
		fprintf(f, "<figcaption>%s</figcaption></figure>\n",
			plots[i].caption);
	}
	fputs("<h2>Environment</h2>\n", f);
	flb_report_env(c, f, true);
	fputs("<h2>All the numbers</h2>\n", f);
	html_header(c, f);
	fputs("<details><summary>The full table: intervals, p-values, both sides' values, runs, noise</summary>\n",
	      f);
	html_numbers(f, l, nl);
	fputs("</details>\n<h2>How to read this</h2>\n<p>", f);
	flb_xml_text(f, how_to_read);
	fputs("</p>\n</body></html>\n", f);
	return close_out(c, f, path) || err ? -1 : 0;
}

int flb_cmd_report(int argc, char **argv)
{
	struct flb_line *l = NULL;
	struct flb_cmp_opts o;
	struct flb_cmp c;
	size_t nl;
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
	if (!l) {
		flb_msg(o.cmd, "out of memory");
		goto out;
	}
	if (write_md(&c, o.out, l, nl) || write_html(&c, o.out, l, nl))
		goto out;
	fprintf(stderr, "flushbench report: wrote %s/report.md and %s/report.html\n",
		o.out, o.out);
	rc = 0;
out:
	free(l);
	flb_cmp_free(&c);
	return rc == 1 ? 0 : rc;	/* 1: --help */
}
