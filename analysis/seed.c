// SPDX-License-Identifier: GPL-2.0
/*
 * The seed-style table: the three columns a patch posting shows
 * (Benchmark | Result Class | Improvement), with a column per comparison
 * so one table holds every kernel of a matrix against its baseline. Only
 * the primary rows (one per job); the Result Class is what tells a
 * workload's rows apart, not the whole parameter string; each cell
 * carries its mark and the smallest change its row could have seen.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

void flb_md_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '|' || *s == '*' || *s == '`' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else
			fputc(*s, f);
	}
}

/* Whether params has the word w (n characters) among its own. */
static bool has_word(const char *params, const char *w, size_t n)
{
	for (const char *p = params; *p;) {
		size_t m;

		p += strspn(p, " ");
		m = strcspn(p, " ");
		if (m == n && !strncmp(p, w, n))
			return true;
		p += m;
	}
	return false;
}

/*
 * Whether word w of row i is kept: with others of its workload, when one
 * of them lacks it; alone, when it is not the workload's default.
 */
static bool class_word(const struct flb_seed_key *k, size_t n, size_t i,
		       const char *w, size_t len, bool alone)
{
	char word[FLB_CELL], cls[FLB_CELL];

	if (alone) {
		snprintf(word, sizeof(word), "%.*s", (int)len, w);
		flb_cmp_params_class(k[i].workload, word, cls, sizeof(cls));
		return cls[0];
	}
	for (size_t q = 0; q < n; q++)
		if (!strcmp(k[q].workload, k[i].workload) &&
		    !has_word(k[q].params, w, len))
			return true;
	return false;
}

static size_t class_words(const struct flb_seed_key *k, size_t n, size_t i,
			  bool alone, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (const char *p = k[i].params; *p;) {
		size_t m;

		p += strspn(p, " ");
		m = strcspn(p, " ");
		if (m && class_word(k, n, i, p, m, alone) && o + m + 2 < len)
			o += snprintf(buf + o, len - o, "%s%.*s", o ? " " : "",
				      (int)m, p);
		p += m;
	}
	return o;
}

void flb_seed_class(const struct flb_seed_key *k, size_t n, size_t i,
		    char *buf, size_t len)
{
	size_t same = 0;

	for (size_t q = 0; q < n; q++)
		same += !strcmp(k[q].workload, k[i].workload);
	if (same > 1 && class_words(k, n, i, false, buf, len))
		return;
	if (!class_words(k, n, i, true, buf, len))
		snprintf(buf, len, "defaults");
}

void flb_seed_metric(const struct flb_row *r, char *buf, size_t len)
{
	if (!strcmp(r->metric, "ns_per_op"))
		snprintf(buf, len, "time/op");
	else
		flb_metric_label(r, buf, len);
}

void flb_seed_cell(const struct flb_cmp *c, const struct flb_row *r,
		   char *buf, size_t len)
{
	const char *why;
	char mdes[32];
	double imp, mde;

	if (!r) {
		snprintf(buf, len, "not run");
		return;
	}
	why = flb_row_untested_why(c, r);
	if (why) {
		/* its first clause: "1 run per side", "only in BASE" */
		snprintf(buf, len, "n/t (%.*s)", (int)strcspn(why, ":"), why);
		return;
	}
	imp = flb_row_improvement(r);
	mde = flb_row_mde_pct(r);
	if (isnan(imp)) {
		snprintf(buf, len, "n/a (BASE 0)");
		return;
	}
	if (isnan(mde))
		snprintf(mdes, sizeof(mdes), "n/a");
	else
		snprintf(mdes, sizeof(mdes), "%.1f%%", mde);
	snprintf(buf, len, "%s%+.2f%% (MDE %s)",
		 r->mark == FLB_MARK_IMPROVED ? "(I) " :
		 r->mark == FLB_MARK_REGRESSED ? "(R) " : "", imp, mdes);
}

/* The rows of a table: the primary rows of every column, by workload. */
struct seed_table {
	struct flb_seed_key *key;
	const struct flb_row **cell;	/* [row][col], in key's first order */
	size_t *order;			/* rows as shown */
	size_t *wl;			/* the rank of a row's workload */
	size_t n, ncol;
};

static size_t seed_find(const struct seed_table *t, const struct flb_row *r,
			size_t *wl)
{
	size_t i;

	*wl = SIZE_MAX;
	for (i = 0; i < t->n; i++) {
		const struct flb_row *o = NULL;

		if (strcmp(t->key[i].workload, r->workload))
			continue;
		*wl = t->wl[i];
		for (size_t j = 0; j < t->ncol && !o; j++)
			o = t->cell[i * t->ncol + j];
		if (!strcmp(t->key[i].params, r->params) &&
		    !strcmp(o->metric, r->metric))
			break;
	}
	return i;
}

static const struct seed_table *sort_table;

static int seed_order(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	size_t wx = sort_table->wl[x], wy = sort_table->wl[y];

	if (wx != wy)
		return wx < wy ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int seed_build(struct seed_table *t, const struct flb_seed_col *col,
		      size_t ncol, flb_seed_keep keep)
{
	size_t max = 0, nwl = 0;

	memset(t, 0, sizeof(*t));
	t->ncol = ncol;
	for (size_t j = 0; j < ncol; j++)
		max += col[j].c ? col[j].c->nrows : 0;
	t->key = calloc(max + 1, sizeof(*t->key));
	t->cell = calloc((max + 1) * ncol, sizeof(*t->cell));
	t->order = calloc(max + 1, sizeof(*t->order));
	t->wl = calloc(max + 1, sizeof(*t->wl));
	if (!t->key || !t->cell || !t->order || !t->wl)
		return -ENOMEM;
	for (size_t j = 0; j < ncol; j++) {
		for (size_t i = 0; col[j].c && i < col[j].c->nrows; i++) {
			const struct flb_row *r = &col[j].c->rows[i];
			size_t wl, k;

			if (r->role != FLB_ROLE_PRIMARY || (keep && !keep(r)))
				continue;
			k = seed_find(t, r, &wl);
			if (k == t->n) {
				t->key[k].workload = r->workload;
				t->key[k].params = r->params;
				t->wl[k] = wl == SIZE_MAX ? nwl++ : wl;
				t->order[k] = k;
				t->n++;
			}
			t->cell[k * ncol + j] = r;
		}
	}
	sort_table = t;
	qsort(t->order, t->n, sizeof(*t->order), seed_order);
	return 0;
}

static void seed_free(struct seed_table *t)
{
	free(t->key);
	free(t->cell);
	free(t->order);
	free(t->wl);
}

/* The (I)/(R) classes of a row's cells: "", "I", "R" or "I R". */
static const char *row_marks(const struct seed_table *t, size_t k)
{
	bool m[3] = { false };

	for (size_t j = 0; j < t->ncol; j++)
		if (t->cell[k * t->ncol + j])
			m[t->cell[k * t->ncol + j]->mark] = true;
	return m[FLB_MARK_IMPROVED] && m[FLB_MARK_REGRESSED] ? "I R" :
	       m[FLB_MARK_IMPROVED] ? "I" : m[FLB_MARK_REGRESSED] ? "R" : "";
}

static void seed_head(FILE *f, const struct flb_seed_col *col, size_t ncol,
		      bool html)
{
	fputs(html ? "<table class=\"seed\">\n<thead><tr><th>Benchmark</th><th>Result Class</th>" :
	      "| Benchmark | Result Class |", f);
	for (size_t j = 0; j < ncol; j++) {
		fputs(html ? "<th>" : " ", f);
		(html ? flb_xml_text : flb_md_text)(f, col[j].name);
		fputs(html ? "</th>" : " |", f);
	}
	fputs(html ? "</tr></thead>\n<tbody>\n" : "\n| --- | --- |", f);
	for (size_t j = 0; !html && j < ncol; j++)
		fputs(" ---: |", f);
	if (!html)
		fputc('\n', f);
}

static void seed_line(FILE *f, const struct seed_table *t,
		      const struct flb_seed_col *col, size_t k, bool html)
{
	void (*text)(FILE *, const char *) = html ? flb_xml_text : flb_md_text;
	const struct flb_row *any = NULL;
	char cls[FLB_CELL], m[FLB_CELL], cell[FLB_CELL];

	for (size_t j = 0; j < t->ncol && !any; j++)
		any = t->cell[k * t->ncol + j];
	flb_seed_class(t->key, t->n, k, cls, sizeof(cls));
	flb_seed_metric(any, m, sizeof(m));
	if (html && *row_marks(t, k))
		fprintf(f, "<tr class=\"%s\"><td>", row_marks(t, k));
	else if (html)
		fputs("<tr><td>", f);
	else
		fputs("| ", f);
	text(f, any->workload);
	fputs(html ? "</td><td>" : " | ", f);
	text(f, cls);
	fputs(" (", f);
	text(f, m);
	fputs(html ? ")</td>" : ") |", f);
	for (size_t j = 0; j < t->ncol; j++) {
		const struct flb_row *r = t->cell[k * t->ncol + j];

		flb_seed_cell(col[j].c, r, cell, sizeof(cell));
		if (html)
			fprintf(f, "<td class=\"num%s\">",
				!r ? "" : r->mark == FLB_MARK_IMPROVED ? " I" :
				r->mark == FLB_MARK_REGRESSED ? " R" : "");
		else
			fputc(' ', f);
		text(f, cell);
		fputs(html ? "</td>" : " |", f);
	}
	fputs(html ? "</tr>\n" : "\n", f);
}

/* How to read the cells, with the first analysed column's options. */
static void seed_legend(FILE *f, const struct flb_seed_col *col, size_t ncol,
			bool html)
{
	const struct flb_cmp_opts *o = NULL;

	for (size_t j = 0; j < ncol && !o; j++)
		o = col[j].c ? &col[j].c->o : NULL;
	if (!o)
		return;
	fprintf(f, "%sEach cell: the improvement of the column's NEW over its BASE "
		"(+x%%: x%% faster, -x%%: x%% slower) and its MDE, the smallest "
		"change the row could have seen (power %g). (I)/(R): Holm-adjusted "
		"p %s %g and |change| %s %g%%; unmarked: no change seen above the "
		"MDE; n/t: not testable, and why. Result Class: the parameters "
		"that tell a workload's rows apart (flushbench compare lists them "
		"all), and the metric.%s\n", html ? "<p class=\"legend\">" : "",
		o->power, html ? "&le;" : "<=", o->alpha, html ? "&ge;" : ">=",
		o->min_effect * 100, html ? "</p>" : "");
}

int flb_seed_table(FILE *f, const struct flb_seed_col *col, size_t ncol,
		   flb_seed_keep keep, bool html)
{
	struct seed_table t;
	int n;

	if (seed_build(&t, col, ncol, keep)) {
		seed_free(&t);
		return -ENOMEM;
	}
	n = (int)t.n;
	if (n) {
		seed_head(f, col, ncol, html);
		for (size_t i = 0; i < t.n; i++)
			seed_line(f, &t, col, t.order[i], html);
		fputs(html ? "</tbody></table>\n" : "\n", f);
		seed_legend(f, col, ncol, html);
	}
	seed_free(&t);
	return n;
}
