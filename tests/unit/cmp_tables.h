/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Comparisons built in memory for the unit tests of analysis/ (no
 * database): table() makes the sets, row() a row, put() its values.
 * Include after cmocka.h and analysis/cmp.h.
 */
#ifndef FLB_TEST_CMP_TABLES_H
#define FLB_TEST_CMP_TABLES_H

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

/* An empty comparison of runs[0] BASE runs against runs[1] NEW runs. */
static void table(struct flb_cmp *c, unsigned int nb, unsigned int nn)
{
	unsigned int runs[2] = { nb, nn };
	int64_t id = 1;

	memset(c, 0, sizeof(*c));
	flb_cmp_defaults(&c->o, "test");
	c->nsets = 2;
	for (int s = 0; s < 2; s++) {
		c->set[s].spec = s ? "NEW" : "BASE";
		c->set[s].nruns = runs[s];
		c->set[s].runs = calloc(runs[s] + 1, sizeof(*c->set[s].runs));
		assert_non_null(c->set[s].runs);
		for (unsigned int r = 0; r < runs[s]; r++) {
			c->set[s].runs[r].id = id++;
			strcpy(c->set[s].runs[r].host, "h");
			snprintf(c->set[s].runs[r].boot_id,
				 sizeof(c->set[s].runs[r].boot_id), "boot-%d", s);
		}
	}
}

/* A row; its values are added with put(). Earlier row pointers move. */
static struct flb_row *row(struct flb_cmp *c, const char *w, const char *p,
			  const char *m, enum flb_better b)
{
	struct flb_row *r;

	c->rows = realloc(c->rows, (c->nrows + 1) * sizeof(*c->rows));
	assert_non_null(c->rows);
	r = &c->rows[c->nrows++];
	memset(r, 0, sizeof(*r));
	r->workload = xstrdup(w);
	r->params = xstrdup(p);
	r->metric = xstrdup(m);
	r->unit = xstrdup(strcmp(m, "ns_per_op") ? "events/op" : "ns");
	r->better = b;
	return r;
}

/* Value v of run k (0-based) of side s. */
static void put(struct flb_cmp *c, struct flb_row *r, int s, unsigned int k,
		double v)
{
	struct flb_vals *x = &r->side[s];

	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 16;
		x->v = realloc(x->v, x->cap * sizeof(double));
		x->el = realloc(x->el, x->cap * sizeof(double));
		x->run = realloc(x->run, x->cap * sizeof(int64_t));
		assert_non_null(x->v);
		assert_non_null(x->el);
		assert_non_null(x->run);
	}
	x->v[x->n] = v;
	x->el[x->n] = 1e8;
	x->run[x->n++] = c->set[s].runs[k].id;
}

#endif
