// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench report --matrix FILE|LABELS -o DIR: one report over the cells
 * of a matrix (kernels x cmdlines x native/vm x configs), one section per
 * question of the review (../shared/context: 004 (a)-(f), 000, 001,
 * 002/003), each answered by the rows and plots that bear on it, or by
 * the command that would produce what is missing. DIR/report.md and
 * DIR/report.html are written together (one emitter, two formats); each
 * A/B pair's plots go to DIR/pair-N/.
 *
 * Cells: a matrix FILE gives its cells' labels through the dispatcher's
 * loader (the matrix parser is the guest layer's, above this one); LABELS
 * is a comma list of labels or shell patterns over the store's labels.
 * A cell's dimensions (kernel, cmdline, mode, config) are its runs'
 * matrix.* tags, else its label NAME/KERNEL/CMDLINE/MODE/CONFIG. Pairs:
 * every cell of a kernel other than the baseline against the baseline's
 * cell of the same cmdline, mode and config; a duet's side a
 * (BASELINE@KERNEL) against side b. Each pair is compared as `flushbench
 * compare` does (unpaired: each run an invocation).
 */
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmp.h"
#include "mreport.h"
#include "report.h"
#include "util.h"

#define MX_NAME 128

struct mx_cell {
	char label[128];
	char kernel[MX_NAME], cmdline[MX_NAME], mode[16], config[MX_NAME];
	char preempt[32], arch[32];
	bool present;		/* runs under its label */
	struct flb_cmp one;	/* the cell alone, when present */
	struct flb_cmp raw;	/* the same not analysed: all-zero rows kept */
	bool loaded;
};

struct mx_pair {
	size_t a, b;		/* cells: BASE, NEW */
	struct flb_cmp c;
	bool ok;		/* loaded and analysed */
	char name[704];		/* "pti vs base, none, vm, review" */
	char dir[32];		/* "pair-N" */
};

struct mx {
	const struct flb_cmp_opts *o;
	const char *dir, *spec, *file;
	char baseline[MX_NAME];
	char file_tag[MX_NAME];	/* matrix.file of a cell's runs */
	struct mx_cell *cell;
	size_t ncells;
	struct mx_pair *pair;
	size_t npairs;
	FILE *md, *html;
};

static flb_mx_loader_fn mx_loader;

void flb_report_set_matrix_loader(flb_mx_loader_fn fn)
{
	mx_loader = fn;
}

/* --- the two formats at once --- */

static void d_heading(struct mx *x, int level, const char *id, const char *s)
{
	fprintf(x->md, "\n%.*s ", level, "######");
	flb_md_text(x->md, s);
	fputs("\n\n", x->md);
	fprintf(x->html, "<h%d id=\"%s\">", level, id);
	flb_xml_text(x->html, s);
	fprintf(x->html, "</h%d>\n", level);
}

static void d_para(struct mx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void d_para(struct mx *x, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return;
	flb_md_text(x->md, s);
	fputs("\n\n", x->md);
	fputs("<p>", x->html);
	flb_xml_text(x->html, s);
	fputs("</p>\n", x->html);
	free(s);
}

/* A paragraph that says what is missing and the command that produces it. */
static void d_missing(struct mx *x, const char *what, const char *cmd)
{
	fputs("**Missing:** ", x->md);
	flb_md_text(x->md, what);
	fputs(" Produce it with:\n\n    ", x->md);
	fputs(cmd, x->md);
	fputs("\n\n", x->md);
	fputs("<p class=\"missing\"><strong>Missing:</strong> ", x->html);
	flb_xml_text(x->html, what);
	fputs(" Produce it with:</p>\n<pre>", x->html);
	flb_xml_text(x->html, cmd);
	fputs("</pre>\n", x->html);
}

static void d_table(struct mx *x, const char *const *hdr, int ncols)
{
	fputs("|", x->md);
	for (int j = 0; j < ncols; j++) {
		fputc(' ', x->md);
		flb_md_text(x->md, hdr[j]);
		fputs(" |", x->md);
	}
	fputs("\n|", x->md);
	for (int j = 0; j < ncols; j++)
		fputs(" --- |", x->md);
	fputs("\n", x->md);
	fputs("<table><tr>", x->html);
	for (int j = 0; j < ncols; j++) {
		fputs("<th>", x->html);
		flb_xml_text(x->html, hdr[j]);
		fputs("</th>", x->html);
	}
	fputs("</tr>\n", x->html);
}

/* A row; a cell starting "(R)" or "(I)" is classed so in HTML. */
static void d_row(struct mx *x, const char *const *cell, int ncols)
{
	fputs("|", x->md);
	fputs("<tr>", x->html);
	for (int j = 0; j < ncols; j++) {
		const char *s = cell[j] ? cell[j] : "";

		fputc(' ', x->md);
		flb_md_text(x->md, s);
		fputs(" |", x->md);
		fprintf(x->html, "<td%s>", !strncmp(s, "(R)", 3) ? " class=\"R\"" :
			!strncmp(s, "(I)", 3) ? " class=\"I\"" : "");
		flb_xml_text(x->html, s);
		fputs("</td>", x->html);
	}
	fputs("\n", x->md);
	fputs("</tr>\n", x->html);
}

static void d_table_end(struct mx *x)
{
	fputs("\n", x->md);
	fputs("</table>\n", x->html);
}

/* A plot of a pair: PNG in md, the SVG file linked from HTML. */
static void d_plot(struct mx *x, const char *dir, const char *name,
		   const char *alt)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s.png", x->dir, dir, name);
	f = fopen(path, "r");
	if (!f)
		return;
	fclose(f);
	fprintf(x->md, "![");
	flb_md_text(x->md, alt);
	fprintf(x->md, "](%s/%s.png)\n\n", dir, name);
	fprintf(x->html, "<figure><img src=\"%s/%s.png\" width=\"1200\" alt=\"", dir,
		name);
	flb_xml_text(x->html, alt);
	fputs("\"><figcaption>", x->html);
	flb_xml_text(x->html, alt);
	fputs("</figcaption></figure>\n", x->html);
}

/* --- cells and pairs --- */

static void copy_field(char *dst, size_t len, const char *s, size_t n)
{
	snprintf(dst, len, "%.*s", (int)n, s);
}

/* NAME/KERNEL/CMDLINE/MODE/CONFIG, or the label as the kernel. */
static void dims_from_label(struct mx_cell *c)
{
	const char *f[5], *p = c->label;
	size_t len[5], k = 0;

	while (k < 5) {
		f[k] = p;
		len[k] = strcspn(p, "/");
		p += len[k];
		k++;
		if (!*p)
			break;
		p++;
	}
	if (k == 5 && !*p) {
		copy_field(c->kernel, sizeof(c->kernel), f[1], len[1]);
		copy_field(c->cmdline, sizeof(c->cmdline), f[2], len[2]);
		copy_field(c->mode, sizeof(c->mode), f[3], len[3]);
		copy_field(c->config, sizeof(c->config), f[4], len[4]);
	} else {
		snprintf(c->kernel, sizeof(c->kernel), "%s", c->label);
	}
}

static void env_field(char *dst, size_t len, const struct flb_env *e,
		      const char *key)
{
	const char *v = flb_env_get(e, key);

	if (v && *v)
		snprintf(dst, len, "%s", v);
}

static int add_cell(struct mx *x, const char *label)
{
	struct mx_cell *c;

	for (size_t i = 0; i < x->ncells; i++)
		if (!strcmp(x->cell[i].label, label))
			return 0;
	c = realloc(x->cell, (x->ncells + 1) * sizeof(*c));
	if (!c)
		return -1;
	x->cell = c;
	c = &x->cell[x->ncells++];
	memset(c, 0, sizeof(*c));
	snprintf(c->label, sizeof(c->label), "%s", label);
	dims_from_label(c);
	return 0;
}

/* LABELS: a comma list of labels or patterns over the store's labels. */
static int cells_from_labels(struct mx *x, struct flb_store *st)
{
	struct flb_run_row *runs = NULL;
	size_t nruns = 0;
	char *spec = strdup(x->spec), *save = NULL;
	int rc = 0;

	if (!spec || flb_store_runs(st, NULL, &runs, &nruns)) {
		free(spec);
		return -1;
	}
	for (char *t = strtok_r(spec, ",", &save); t && !rc;
	     t = strtok_r(NULL, ",", &save)) {
		size_t before = x->ncells;

		t += strspn(t, " ");
		for (size_t i = 0; i < nruns && !rc; i++)
			if (!fnmatch(t, runs[i].label, 0))
				rc = add_cell(x, runs[i].label);
		/* a label with no run is a cell all the same: absent */
		if (!rc && x->ncells == before && !strpbrk(t, "*?["))
			rc = add_cell(x, t);
		if (!rc && x->ncells == before)
			flb_msg(x->o->cmd, "--matrix: '%s' matches no label in %s",
			       t, x->o->db);
	}
	free(runs);
	free(spec);
	return rc;
}

/*
 * Each cell: present or not; its dimensions from its runs' tags (the
 * label's when untagged); loaded alone for the per-cell questions.
 */
static int load_cells(struct mx *x, struct flb_store *st)
{
	for (size_t i = 0; i < x->ncells; i++) {
		struct mx_cell *c = &x->cell[i];
		struct flb_run_row *runs = NULL;
		const char *spec = c->label;
		struct flb_env e = { 0 };
		size_t n = 0;

		if (flb_store_runs(st, c->label, &runs, &n) || !n) {
			free(runs);
			continue;
		}
		c->present = true;
		if (!flb_store_env(st, runs[0].id, &e)) {
			env_field(c->kernel, sizeof(c->kernel), &e, "matrix.kernel");
			env_field(c->cmdline, sizeof(c->cmdline), &e, "matrix.cmdline");
			env_field(c->mode, sizeof(c->mode), &e, "matrix.mode");
			env_field(c->config, sizeof(c->config), &e, "matrix.config");
			env_field(c->preempt, sizeof(c->preempt), &e, "kernel.preempt");
			env_field(c->arch, sizeof(c->arch), &e, "guest.arch");
			env_field(x->file_tag, sizeof(x->file_tag), &e, "matrix.file");
			flb_env_free(&e);
		}
		free(runs);
		if (!c->arch[0])
			snprintf(c->arch, sizeof(c->arch), "%s",
				 !strcmp(c->mode, "native") ? "host" : "?");
		if (flb_cmp_load(&c->one, x->o, &spec, 1) ||
		    flb_cmp_analyse(&c->one) ||
		    flb_cmp_load(&c->raw, x->o, &spec, 1)) {
			flb_cmp_free(&c->one);
			flb_cmp_free(&c->raw);
			continue;
		}
		c->loaded = true;
	}
	return 0;
}

/* A duet's side a is kernel "BASELINE@KERNEL": its own baseline. */
static bool is_base_of(const struct mx *x, const struct mx_cell *a,
		       const struct mx_cell *b)
{
	const char *at = strchr(a->kernel, '@');

	if (at)
		return !strcmp(at + 1, b->kernel);
	return !strcmp(a->kernel, x->baseline) && strcmp(b->kernel, x->baseline) &&
	       !strchr(b->kernel, '@');
}

static int make_pairs(struct mx *x)
{
	for (size_t j = 0; j < x->ncells; j++) {
		for (size_t i = 0; i < x->ncells; i++) {
			const struct mx_cell *a = &x->cell[i], *b = &x->cell[j];
			struct mx_pair *p;

			if (i == j || !is_base_of(x, a, b) ||
			    strcmp(a->cmdline, b->cmdline) ||
			    strcmp(a->mode, b->mode) || strcmp(a->config, b->config))
				continue;
			p = realloc(x->pair, (x->npairs + 1) * sizeof(*p));
			if (!p)
				return -1;
			x->pair = p;
			p = &x->pair[x->npairs];
			memset(p, 0, sizeof(*p));
			p->a = i;
			p->b = j;
			snprintf(p->name, sizeof(p->name), "%s vs %s, %s, %s, %s",
				 b->kernel, a->kernel, b->cmdline[0] ? b->cmdline : "-",
				 b->mode[0] ? b->mode : "-", b->config[0] ? b->config : "-");
			snprintf(p->dir, sizeof(p->dir), "pair-%zu", x->npairs);
			x->npairs++;
		}
	}
	return 0;
}

static void analyse_pairs(struct mx *x)
{
	for (size_t k = 0; k < x->npairs; k++) {
		struct mx_pair *p = &x->pair[k];
		const char *spec[2] = { x->cell[p->a].label, x->cell[p->b].label };
		char dir[4096];

		if (!x->cell[p->a].present || !x->cell[p->b].present)
			continue;
		if (flb_cmp_load(&p->c, x->o, spec, 2) || flb_cmp_analyse(&p->c)) {
			flb_cmp_free(&p->c);
			continue;
		}
		p->ok = true;
		snprintf(dir, sizeof(dir), "%s/%s", x->dir, p->dir);
		if (flb_plot_compare(&p->c, dir))
			flb_msg(x->o->cmd, "plots of %s were not drawn", p->name);
	}
}

/* --- rows --- */

/* Whether a params string has k=v (v NULL: any value but "0"). */
static bool has_param(const char *params, const char *k, const char *v)
{
	size_t kl = strlen(k);

	for (const char *p = params; *p; p += strcspn(p, " "), p += strspn(p, " ")) {
		if (strncmp(p, k, kl) || p[kl] != '=')
			continue;
		p += kl + 1;
		if (v)
			return !strncmp(p, v, strlen(v)) &&
			       (p[strlen(v)] == ' ' || !p[strlen(v)]);
		return strncmp(p, "0", 1) || (p[1] != ' ' && p[1]);
	}
	return false;
}

/*
 * The seed-style table over some pairs (report.h): Benchmark, Result
 * Class and a column per pair (its header col[k]), the primary rows that
 * keep keeps. Returns the lines of the table (0: none).
 */
static size_t seed_table(struct mx *x, const size_t *pairs, const char *const *col,
			 size_t npairs, flb_seed_keep keep)
{
	struct flb_seed_col c[16];
	int n;

	if (npairs > 16)
		npairs = 16;
	for (size_t k = 0; k < npairs; k++) {
		c[k].name = col[k];
		c[k].c = &x->pair[pairs[k]].c;
	}
	n = flb_seed_table(x->md, c, npairs, keep, false);
	if (n > 0)
		flb_seed_table(x->html, c, npairs, keep, true);
	return n > 0 ? (size_t)n : 0;
}

/* The pairs analysed, in order. */
static size_t ok_pairs(const struct mx *x, size_t *out, const char **col,
		       int by)
{
	size_t n = 0;

	for (size_t k = 0; k < x->npairs && n < 16; k++) {
		const struct mx_pair *p = &x->pair[k];
		const struct mx_cell *b = &x->cell[p->b];

		if (!p->ok)
			continue;
		out[n] = k;
		col[n++] = by == 1 ? b->cmdline : by == 2 ? b->mode : p->name;
	}
	return n;
}

/* --- the questions --- */

/* The command that fills the matrix's cells: its file, from the tags. */
static const char *matrix_cmd(const struct mx *x, char *buf, size_t len)
{
	const char *file = x->file ? x->file : x->file_tag[0] ? x->file_tag : NULL;

	if (file)
		snprintf(buf, len, "flushbench matrix -m %s --db %s", file, x->o->db);
	else
		snprintf(buf, len, "flushbench run -c CONFIG --label LABEL --db %s "
			 "(or flushbench vm, for a guest) for each cell's label", x->o->db);
	return buf;
}

static void q_verdict(struct mx *x)
{
	size_t npr = 0, ni = 0, nr = 0, nn = 0, nt = 0, npairs = 0;

	for (size_t k = 0; k < x->npairs; k++) {
		const struct flb_cmp *c = &x->pair[k].c;

		if (!x->pair[k].ok)
			continue;
		npairs++;
		for (size_t i = 0; i < c->nrows; i++) {
			const struct flb_row *r = &c->rows[i];

			if (r->role != FLB_ROLE_PRIMARY || !r->tested)
				continue;
			npr++;
			ni += r->mark == FLB_MARK_IMPROVED;
			nr += r->mark == FLB_MARK_REGRESSED;
			nn += r->testable && r->mark == FLB_MARK_NONE;
			nt += !r->testable;
		}
	}
	d_heading(x, 2, "verdict", "Verdict");
	if (!npairs) {
		char cmd[512];

		d_missing(x, "No A/B pair has runs on both sides: nothing can be compared.",
			  matrix_cmd(x, cmd, sizeof(cmd)));
		return;
	}
	d_para(x, "Over %zu A/B pair%s (%zu primary rows): %zu improved, %zu regressed, "
	       "%zu unmarked (no change seen above the row's MDE), %zu not testable. "
	       "Family-wise alpha %.3g (Holm, per pair), min effect %.3g%%.",
	       npairs, npairs == 1 ? "" : "s", npr, ni, nr, nn, nt, x->o->alpha,
	       x->o->min_effect * 100);
	for (size_t k = 0; k < x->npairs; k++) {
		const struct mx_pair *p = &x->pair[k];
		char w[1200], cmd[512];

		if (p->ok)
			continue;
		snprintf(w, sizeof(w), "Pair %s was not compared: %s.", p->name,
			 !x->cell[p->a].present ? "its baseline cell has no run" :
			 !x->cell[p->b].present ? "its cell has no run" :
			 "its runs could not be analysed (see the message above)");
		d_missing(x, w, matrix_cmd(x, cmd, sizeof(cmd)));
	}
	for (size_t k = 0; k < x->npairs; k++) {
		const struct flb_geo *g = &x->pair[k].c.geo;

		if (!x->pair[k].ok || !g->n)
			continue;
		d_para(x, "%s: geometric mean %+.2f%% [%+.2f%%, %+.2f%%] over %zu rows.",
		       x->pair[k].name, 100 * expm1(g->est), 100 * expm1(g->lo),
		       100 * expm1(g->hi), g->n);
	}
}

/* (a): the workloads covered, and those the review needs that are not. */
static const struct {
	const char *workload, *why;
} review_workloads[] = {
	{ "fork", "the posting's fork row" },
	{ "redis_like", "the posting's memtier rows" },
	{ "mprotect", "single- and multi-threaded mm flushes" },
	{ "munmap", "unmap flushes" },
	{ "madvise", "MADV_DONTNEED flushes" },
	{ "migrate", "a task hopping CPUs" },
	{ "tlbi", "the module: local vs broadcast, migrate_disable/enable" },
	{ "memregion", "thread 001: memregion flushes" },
	{ "race", "thread 000: the generation skip" },
	{ "iommu", "threads 002/003: IOMMU unmap" },
};

static bool workload_rows(const struct mx *x, const char *w)
{
	for (size_t i = 0; i < x->ncells; i++) {
		const struct flb_cmp *c = &x->cell[i].one;

		for (size_t j = 0; x->cell[i].loaded && j < c->nrows; j++)
			if (!strcmp(c->rows[j].workload, w))
				return true;
	}
	return false;
}

struct skipped {
	char workload[32], reason[200];
	bool any;
};

static int on_not_ok(void *arg, const struct flb_not_ok *t)
{
	struct skipped *s = arg;

	if (!strcmp(t->workload, s->workload) && !s->any) {
		snprintf(s->reason, sizeof(s->reason), "%s: %s", t->status,
			 t->reason ? t->reason : "");
		s->any = true;
	}
	return 0;
}

/* Why a workload has no rows: its first not-ok job's reason, if any. */
static bool skip_reason(const struct mx *x, const char *w, char *buf, size_t len)
{
	for (size_t i = 0; i < x->ncells; i++) {
		const struct flb_cmp *c = &x->cell[i].one;
		struct skipped s = { .any = false };

		if (!x->cell[i].loaded)
			continue;
		snprintf(s.workload, sizeof(s.workload), "%s", w);
		for (size_t r = 0; r < c->set[0].nruns && !s.any; r++)
			flb_store_not_ok(c->st, c->set[0].runs[r].id, on_not_ok, &s);
		if (s.any) {
			snprintf(buf, len, "%s (cell %s)", s.reason, x->cell[i].label);
			return true;
		}
	}
	return false;
}

static void q_a(struct mx *x)
{
	static const char *const hdr[] = { "Workload", "Rows", "Cells with data",
					   "Why the review needs it" };
	size_t absent = 0;
	char missing[1024] = "", why[600];

	d_para(x, "The workloads the review's questions need, and the cells that measured them.");
	d_table(x, hdr, 4);
	for (size_t w = 0; w < sizeof(review_workloads) / sizeof(review_workloads[0]); w++) {
		const char *name = review_workloads[w].workload;
		size_t rows = 0, cells = 0;
		char nr[16], nc[16];
		const char *cell[4];

		for (size_t i = 0; i < x->ncells; i++) {
			const struct flb_cmp *c = &x->cell[i].one;
			size_t here = 0;

			for (size_t j = 0; x->cell[i].loaded && j < c->nrows; j++)
				here += !strcmp(c->rows[j].workload, name) &&
					c->rows[j].role == FLB_ROLE_PRIMARY;
			rows = here > rows ? here : rows;
			cells += here > 0;
		}
		snprintf(nr, sizeof(nr), "%zu", rows);
		snprintf(nc, sizeof(nc), "%zu of %zu", cells, x->ncells);
		cell[0] = name;
		cell[1] = nr;
		cell[2] = nc;
		cell[3] = review_workloads[w].why;
		d_row(x, cell, 4);
		if (!rows) {
			size_t o = strlen(missing);

			snprintf(missing + o, sizeof(missing) - o, "%s%s", absent++ ? ", " : "",
				 name);
		}
	}
	d_table_end(x);
	for (size_t w = 0; w < sizeof(review_workloads) / sizeof(review_workloads[0]); w++)
		if (!workload_rows(x, review_workloads[w].workload) &&
		    skip_reason(x, review_workloads[w].workload, why, sizeof(why)))
			d_para(x, "%s was run but has no ok sample: %s.",
			       review_workloads[w].workload, why);
	if (absent) {
		char what[1200];

		snprintf(what, sizeof(what), "No rows of %s.", missing);
		d_missing(x, what, "flushbench matrix -m FILE with configs: [configs/review.yaml] "
			  "(every workload of the review; the module's in guests: flushbench vm)");
	}
}

/* (b): every primary row that got slower, across all pairs. */
struct slow {
	const struct mx_pair *p;
	const struct flb_row *r;
	double imp;
};

static int slow_cmp(const void *a, const void *b)
{
	const struct slow *x = a, *y = b;

	if ((x->r->mark == FLB_MARK_REGRESSED) != (y->r->mark == FLB_MARK_REGRESSED))
		return x->r->mark == FLB_MARK_REGRESSED ? -1 : 1;
	return x->imp < y->imp ? -1 : x->imp > y->imp;
}

static void q_b(struct mx *x)
{
	static const char *const hdr[] = { "Benchmark", "Result Class", "Pair",
					   "Improvement (MDE)" };
	struct flb_seed_key *keys = NULL;
	struct slow *s = NULL;
	size_t n = 0, nr = 0, shown;

	for (size_t k = 0; k < x->npairs; k++) {
		const struct flb_cmp *c = &x->pair[k].c;

		for (size_t i = 0; x->pair[k].ok && i < c->nrows; i++) {
			const struct flb_row *r = &c->rows[i];
			struct slow *g;

			if (r->role != FLB_ROLE_PRIMARY || !r->testable ||
			    flb_row_improvement(r) >= 0)
				continue;
			g = realloc(s, (n + 1) * sizeof(*g));
			if (!g)
				break;
			s = g;
			s[n].p = &x->pair[k];
			s[n].r = r;
			s[n++].imp = flb_row_improvement(r);
			nr += r->mark == FLB_MARK_REGRESSED;
		}
	}
	if (!n) {
		d_para(x, "No testable row got slower in any pair.");
		free(s);
		return;
	}
	qsort(s, n, sizeof(*s), slow_cmp);
	shown = n < 15 ? n : (nr > 15 ? nr : 15);
	d_para(x, "%zu row%s regressed (R) across all pairs. Every row that got slower is "
	       "listed, marked ones first, then by size%s: an unmarked slowdown smaller than "
	       "its MDE is one this design could not have seen.", nr, nr == 1 ? "" : "s",
	       shown < n ? " (the largest shown)" : "");
	keys = calloc(shown, sizeof(*keys));
	for (size_t i = 0; keys && i < shown; i++) {
		keys[i].workload = s[i].r->workload;
		keys[i].params = s[i].r->params;
	}
	d_table(x, hdr, 4);
	for (size_t i = 0; keys && i < shown; i++) {
		const struct flb_row *one = s[i].r;
		char cls[FLB_CELL], chg[FLB_CELL], m[64], full[FLB_CELL + 80];
		const char *cell[4];

		flb_seed_class(keys, shown, i, cls, sizeof(cls));
		flb_seed_metric(one, m, sizeof(m));
		snprintf(full, sizeof(full), "%s (%s)", cls, m);
		flb_seed_cell(&s[i].p->c, one, chg, sizeof(chg));
		cell[0] = one->workload;
		cell[1] = full;
		cell[2] = s[i].p->name;
		cell[3] = chg;
		d_row(x, cell, 4);
	}
	d_table_end(x);
	for (size_t k = 0; k < x->npairs; k++)
		if (x->pair[k].ok)
			d_plot(x, x->pair[k].dir, "change", x->pair[k].name);
	free(keys);
	free(s);
}

/* (c), (d): the pairs' changes side by side along one dimension. */
static void q_dimension(struct mx *x, int by, const char *what, const char *cmd)
{
	size_t pairs[16], n, distinct = 0;
	const char *col[16], *seen[16];
	char cols[16][800];

	n = ok_pairs(x, pairs, col, by);
	for (size_t k = 0; k < n; k++) {
		const struct mx_cell *b = &x->cell[x->pair[pairs[k]].b];
		const char *v = by == 1 ? (b->preempt[0] ? b->preempt : b->cmdline) : b->mode;
		bool dup = false;

		for (size_t q = 0; q < distinct; q++)
			dup |= !strcmp(seen[q], v);
		if (!dup)
			seen[distinct++] = v;
		snprintf(cols[k], sizeof(cols[k]), "%s: %s", by == 1 ? "preempt" : "mode", v);
		if (by == 1)
			snprintf(cols[k], sizeof(cols[k]), "%s vs %s, preempt=%s%s%s",
				 b->kernel, x->cell[x->pair[pairs[k]].a].kernel, v,
				 strcmp(b->mode, "vm") ? ", " : "",
				 strcmp(b->mode, "vm") ? b->mode : "");
		else
			snprintf(cols[k], sizeof(cols[k]), "%s vs %s, %s, %s", b->kernel,
				 x->cell[x->pair[pairs[k]].a].kernel, b->cmdline, b->mode);
		col[k] = cols[k];
	}
	if (distinct < 2) {
		char w[512];

		snprintf(w, sizeof(w), "Only %s %s was measured in an A/B pair%s.", what,
			 distinct ? seen[0] : "(none)", distinct ? "" : " (no pair has data)");
		d_missing(x, w, cmd);
		if (!n)
			return;
	}
	d_para(x, "Each column is one A/B pair; the same row across %s%s.", what,
	       distinct < 2 ? " (one value only: the table cannot answer the question yet)" : "");
	seed_table(x, pairs, col, n, NULL);
}

static void q_c(struct mx *x)
{
	q_dimension(x, 1, "preemption model",
		    "flushbench matrix -m FILE with cmdlines [{name: none, append: preempt=none}, "
		    "{name: full, append: preempt=full}] (configs/matrix/preempt.yaml)");
}

static void q_d(struct mx *x)
{
	q_dimension(x, 2, "environment",
		    "both kernels booted natively on a machine you can reboot: flushbench run -c "
		    "CONFIG --label A (boot A), then --label B (boot B), then flushbench report "
		    "--matrix A,B,VM_A,VM_B; a matrix's native cells hold only the running kernel "
		    "(configs/matrix/native-vs-vm.yaml: the same kernel native and in a guest)");
}

/* A per-cell table of metrics of one workload's rows: cells x row classes. */
struct metric_col {
	const char *metric;	/* the row's metric */
	const char *params_has;	/* a k=v its params must have, or NULL */
	const char *head;
};

static size_t metric_table(struct mx *x, const char *workload,
			   const struct metric_col *cols, int ncols)
{
	const char *hdr[1 + 8];
	size_t nrows = 0;

	hdr[0] = "Cell";
	for (int j = 0; j < ncols; j++)
		hdr[1 + j] = cols[j].head;
	for (size_t i = 0; i < x->ncells; i++) {
		const struct flb_cmp *c = &x->cell[i].raw;
		char v[8][64];
		const char *cell[1 + 8];
		bool any = false;

		if (!x->cell[i].loaded)
			continue;
		for (int j = 0; j < ncols; j++) {
			snprintf(v[j], sizeof(v[j]), "-");
			for (size_t r = 0; r < c->nrows; r++) {
				const struct flb_row *row = &c->rows[r];
				char k[64], *eq;
				double med;

				if (strcmp(row->workload, workload) ||
				    strcmp(row->metric, cols[j].metric))
					continue;
				if (cols[j].params_has) {
					snprintf(k, sizeof(k), "%s", cols[j].params_has);
					eq = strchr(k, '=');
					if (eq)
						*eq++ = '\0';
					if (!has_param(row->params, k, eq))
						continue;
				}
				med = flb_median(row->side[0].v, row->side[0].n);
				snprintf(v[j], sizeof(v[j]), fabs(med) >= 1000 ? "%.0f%s%s (%zu)" :
					 "%.4g%s%s (%zu)", med, *row->unit ? " " : "",
					 row->unit, row->side[0].n);
				any = true;
				break;
			}
			cell[1 + j] = v[j];
		}
		if (!any)
			continue;
		if (!nrows++)
			d_table(x, hdr, 1 + ncols);
		cell[0] = x->cell[i].label;
		d_row(x, cell, 1 + ncols);
	}
	if (nrows)
		d_table_end(x);
	return nrows;
}

static void q_e(struct mx *x)
{
	static const struct metric_col cols[] = {
		{ "migrate_pair_ns", "policy=auto-v2", "migrate_disable+enable pair" },
		{ "tlbi_median_ns", "policy=local", "one local TLBI (policy=local)" },
		{ "tlbi_median_ns", "policy=broadcast", "one broadcast TLBI" },
		{ "tlbi_median_ns", "policy=auto-v2", "auto-v2 (the patch)" },
	};

	d_para(x, "The module times a migrate_disable()/migrate_enable() pair beside the "
	       "invalidation it guards (tlbi workload, metric migrate_pair_ns), per cell: "
	       "median (samples). Compare it with one local and one broadcast TLBI.");
	if (!metric_table(x, "tlbi", cols, 4))
		d_missing(x, "No tlbi rows with migrate_pair_ns (the companion module's workload; "
			  "it needs /dev/flushbench, i.e. a guest).",
			  "flushbench vm -c configs/review.yaml (or a matrix with configs: "
			  "[configs/review.yaml])");
}

static bool migrating_row(const struct flb_row *r)
{
	return (!strcmp(r->workload, "tlbi") &&
		(has_param(r->params, "migrate_every", NULL) ||
		 has_param(r->params, "policy", "auto-noerratum"))) ||
	       !strcmp(r->workload, "migrate");
}

static void q_f(struct mx *x)
{
	static const struct metric_col cols[] = {
		{ "migrations", "migrate_every", "task moves" },
		{ "chose_local", "migrate_every", "went local" },
		{ "upgraded", "migrate_every", "upgraded to broadcast" },
		{ "tlbi_median_ns", "migrate_every", "TLBI median" },
	};
	size_t pairs[16], n;
	const char *col[16];
	bool arm64 = false;

	for (size_t i = 0; i < x->ncells; i++)
		arm64 |= !strcmp(x->cell[i].arch, "arm64") ||
			 !strcmp(x->cell[i].arch, "aarch64");
	n = ok_pairs(x, pairs, col, 0);
	d_para(x, "Rows where the task moves between (v)CPUs: the tlbi workload with "
	       "migrate_every (the module moves the task every N operations), "
	       "policy=auto-noerratum, and the migrate storm; their A/B change per pair, "
	       "then the module's counts per cell.");
	if (!seed_table(x, pairs, col, n, migrating_row))
		d_para(x, "No A/B pair has such rows.");
	metric_table(x, "tlbi", cols, 4);
	if (!arm64)
		d_missing(x, "The erratum workaround (repeat TLBI) exists on arm64 only, and no "
			  "cell here is arm64: its case when a vCPU migrates needs the patched "
			  "arm64 kernel's noerratum variant.",
			  "make seed-004 (flushbench matrix -m configs/matrix/seed-004.yaml: "
			  "kernel noerratum, tlbflush_local=noerratum)");
}

static void q_000(struct mx *x)
{
	static const struct metric_col cols[] = {
		{ "under_flushes", "gen_skip=racy", "under-flushes, gen_skip=racy (posted)" },
		{ "under_flushes", "gen_skip=batched", "under-flushes, gen_skip=batched (fix)" },
		{ "skipped", "gen_skip=racy", "skipped, racy" },
		{ "skipped", "gen_skip=batched", "skipped, batched" },
	};

	d_para(x, "Thread 000 asks whether the generation skip under-flushes. The race "
	       "workload counts requests served by a flush that began before the request "
	       "(under_flushes: must be 0) and flushes skipped, per cell: median per sample "
	       "(samples).");
	if (!metric_table(x, "race", cols, 4))
		d_missing(x, "No race rows (the module's race detector).",
			  "flushbench vm -c configs/review.yaml (race gen_skip: [racy, batched])");
}

static void q_001(struct mx *x)
{
	static const struct metric_col cols[] = {
		{ "max_irq_late_ns", "irqsave=true", "IRQ lateness, irqsave (posted)" },
		{ "max_irq_late_ns", "irqsave=false", "IRQ lateness, chunked" },
		{ "max_chunk_ns", "irqsave=true", "longest chunk, irqsave" },
		{ "max_chunk_ns", "irqsave=false", "longest chunk, chunked" },
	};

	d_para(x, "Thread 001 asks whether interrupts are held off for a huge region. The "
	       "memregion workload flushes with interrupts off per chunk (irqsave=true, as "
	       "the posted spinlock_irqsave) or chunked with resched points, and measures "
	       "how late a timer interrupt ran, per cell: median (samples).");
	if (!metric_table(x, "memregion", cols, 4))
		d_missing(x, "No memregion rows with irqsave true and false.",
			  "flushbench vm -c configs/review.yaml (memregion irqsave: [false, true])");
}

static void q_002(struct mx *x)
{
	static const struct metric_col cols[] = {
		{ "unmap_ns", "domain=strict", "unmap, strict" },
		{ "unmap_ns", "domain=lazy", "unmap, lazy (DMA-FQ)" },
		{ "map_ns", "domain=strict", "map, strict" },
		{ "check", "domain=strict", "stale-IOTLB check passed" },
	};
	char why[600];

	d_para(x, "Threads 002/003 ask what the SMMU's invalidation costs. The iommu "
	       "workload times dma_unmap in a strict domain (invalidate and wait) and a "
	       "lazy one (flush queue), per cell: median (samples).");
	if (!metric_table(x, "iommu", cols, 4)) {
		if (skip_reason(x, "iommu", why, sizeof(why)))
			d_para(x, "The iommu rows were run but not measured: %s.", why);
		d_missing(x, "No iommu rows measured (they need the module bound to a device "
			  "behind an IOMMU).",
			  "flushbench vm --iommu intel|smmuv3 -c configs/regress/iommu.yaml "
			  "(in a matrix: a kernel's iommu: key)");
	}
}

static const struct question {
	const char *id, *title;
	void (*answer)(struct mx *x);
} questions[] = {
	{ "a", "(a) A comprehensive set of benchmarks", q_a },
	{ "b", "(b) The ones that suffer", q_b },
	{ "c", "(c) Preemptible settings", q_c },
	{ "d", "(d) Native vs in a VM", q_d },
	{ "e", "(e) The cost of migrate_disable/enable", q_e },
	{ "f", "(f) The erratum workaround when a vCPU migrates", q_f },
	{ "t000", "000: does the generation skip under-flush?", q_000 },
	{ "t001", "001: are interrupts held off for huge regions?", q_001 },
	{ "t002", "002/003: strict vs lazy IOMMU unmap", q_002 },
};

/* --- the report --- */

static void cells_section(struct mx *x)
{
	static const char *const hdr[] = { "Cell", "Kernel", "Cmdline", "Mode",
					   "Config", "preempt", "Runs" };

	d_heading(x, 2, "cells", "Cells");
	d_table(x, hdr, 7);
	for (size_t i = 0; i < x->ncells; i++) {
		const struct mx_cell *c = &x->cell[i];
		char runs[32];
		const char *cell[7] = { c->label, c->kernel, c->cmdline, c->mode,
					c->config, c->preempt, runs };

		if (c->loaded)
			snprintf(runs, sizeof(runs), "%zu", c->one.set[0].nruns);
		else
			snprintf(runs, sizeof(runs), "%s", c->present ?
				 "no ok sample" : "absent");
		d_row(x, cell, 7);
	}
	d_table_end(x);
	for (size_t i = 0; i < x->ncells; i++)
		if (!x->cell[i].present) {
			char w[600], cmd[512];

			snprintf(w, sizeof(w), "Cell %s has no run in %s.", x->cell[i].label,
				 x->o->db);
			d_missing(x, w, matrix_cmd(x, cmd, sizeof(cmd)));
		}
}

static void begin(struct mx *x)
{
	char title[512];

	snprintf(title, sizeof(title), "flushbench matrix report: %s (baseline %s)",
		 x->file ? x->file : x->spec, x->baseline[0] ? x->baseline : "none");
	fprintf(x->md, "# ");
	flb_md_text(x->md, title);
	fputs("\n", x->md);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>",
	      x->html);
	flb_xml_text(x->html, title);
	fputs("</title>\n<style>\n"
	      "body{font-family:sans-serif;margin:2em;max-width:110em}\n"
	      "table{border-collapse:collapse;margin:1em 0}\n"
	      "td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left;font-size:90%}\n"
	      "td.I{background:#c7e9c0}\ntd.R{background:#fcbba1}\n"
	      "p.missing{background:#fff3b0;padding:.3em}\n"
	      "pre{background:#f4f4f4;padding:.5em;white-space:pre-wrap}\n"
	      "img{max-width:100%;height:auto}\n"
	      "</style></head><body>\n<h1>", x->html);
	flb_xml_text(x->html, title);
	fputs("</h1>\n", x->html);
}

static void end(struct mx *x)
{
	d_heading(x, 2, "how", "How to read this");
	d_para(x, "Each pair is the NEW cell against its baseline cell, analysed as "
	       "flushbench compare does (each run an invocation; Welch's t over runs; Holm "
	       "over the pair's primary rows). Improvement > 0 is better. (I)/(R): the "
	       "Holm-adjusted p is at most alpha and |change| at least the min effect. MDE: "
	       "the smallest change the pair could have seen with 80%% power; an unmarked "
	       "change smaller than it is no evidence of no change. Figures from guests "
	       "under TCG are emulated: the shape of a change, not its size on hardware.");
	fputs("</body></html>\n", x->html);
}

static void free_mx(struct mx *x)
{
	for (size_t i = 0; i < x->ncells; i++)
		if (x->cell[i].loaded) {
			flb_cmp_free(&x->cell[i].one);
			flb_cmp_free(&x->cell[i].raw);
		}
	for (size_t k = 0; k < x->npairs; k++)
		if (x->pair[k].ok)
			flb_cmp_free(&x->pair[k].c);
	free(x->cell);
	free(x->pair);
}

static FILE *open_out(struct mx *x, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", x->dir, name);
	f = fopen(path, "w");
	if (!f)
		flb_msg(x->o->cmd, "%s: %m", path);
	return f;
}

static bool is_file(const char *spec)
{
	FILE *f;

	if (!strstr(spec, ".yaml") && !strstr(spec, ".yml"))
		return false;
	f = fopen(spec, "r");
	if (f)
		fclose(f);
	return f != NULL;
}

static int resolve(struct mx *x, const char *baseline)
{
	char err[256], **labels = NULL, *base = NULL;
	struct flb_store *st;
	size_t n = 0;
	int rc = 0;

	if (flb_store_open(x->o->db, FLB_STORE_RO, &st, err, sizeof(err))) {
		flb_msg(x->o->cmd, "%s: %s", x->o->db, err);
		return 2;
	}
	if (is_file(x->spec)) {
		x->file = x->spec;
		if (!mx_loader) {
			flb_msg(x->o->cmd, "--matrix %s: this build cannot read matrix files",
			       x->spec);
			rc = 2;
		} else if (mx_loader(x->spec, &labels, &n, &base)) {
			rc = 2;		/* the loader said why (file:line:column) */
		}
		for (size_t i = 0; !rc && i < n; i++)
			if (add_cell(x, labels[i]))
				rc = 2;
		for (size_t i = 0; i < n; i++)
			free(labels[i]);
		free(labels);
	} else if (cells_from_labels(x, st)) {
		rc = 2;
	}
	if (!rc && !x->ncells) {
		flb_msg(x->o->cmd, "--matrix %s: no cell", x->spec);
		rc = 2;
	}
	if (!rc)
		load_cells(x, st);
	snprintf(x->baseline, sizeof(x->baseline), "%s",
		 baseline ? baseline : base ? base : x->ncells ? x->cell[0].kernel : "");
	free(base);
	flb_store_close(st);
	if (!rc && baseline) {
		bool found = false;

		for (size_t i = 0; i < x->ncells; i++)
			found |= !strcmp(x->cell[i].kernel, baseline);
		if (!found) {
			flb_msg(x->o->cmd, "--baseline %s: no cell of that kernel", baseline);
			rc = 2;
		}
	}
	return rc;
}

int flb_report_matrix(const struct flb_cmp_opts *o, const char *spec,
		      const char *baseline)
{
	struct mx x = { .o = o, .dir = o->out, .spec = spec };
	int rc;

	rc = resolve(&x, baseline);
	if (rc || flb_mkdir_out(o->cmd, o->out) || make_pairs(&x)) {
		free_mx(&x);
		return 2;
	}
	analyse_pairs(&x);
	x.md = open_out(&x, "report.md");
	x.html = open_out(&x, "report.html");
	if (!x.md || !x.html) {
		if (x.md)
			fclose(x.md);
		if (x.html)
			fclose(x.html);
		free_mx(&x);
		return 2;
	}
	begin(&x);
	q_verdict(&x);
	for (size_t q = 0; q < sizeof(questions) / sizeof(questions[0]); q++) {
		d_heading(&x, 2, questions[q].id, questions[q].title);
		questions[q].answer(&x);
	}
	cells_section(&x);
	end(&x);
	rc = 0;
	if (fclose(x.md) | fclose(x.html)) {
		flb_msg(o->cmd, "%s: writing the report: %m", o->out);
		rc = 2;
	}
	if (!rc)
		fprintf(stderr, "flushbench report: wrote %s/report.md and %s/report.html "
			"(%zu cells, %zu pairs)\n", o->out, o->out, x.ncells, x.npairs);
	free_mx(&x);
	return rc;
}
