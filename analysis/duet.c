// SPDX-License-Identifier: GPL-2.0
/*
 * compare --duet LABEL and ci --duet LABEL: the native duets of a label's
 * runs (docs/duet.md), side b against side a, paired. Each pair is window
 * i of both sides in one run; a run is a round. The statistic is
 * flb_paired_rounds() (lib/stats.c): per-window log ratio b/a, its median
 * per round, Student t over rounds, with the CPU sets' swap as a factor
 * when the duet ran concurrently and both assignments are present. Holm
 * over the duets. Only pairs the runner made are paired: the jobs named
 * by the runs' duet.pairs, window by window.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cmp.h"

#define MAX_DUETS 64

struct duet {
	unsigned int ja, jb;
	bool concurrent;
	char what_a[512], what_b[512], workload[64];
	double *d;		/* log(b / a) per pair */
	unsigned int *round;
	unsigned char *swap;
	size_t n, cap;
	struct flb_paired r;
	bool ok;		/* enough rounds for a test */
	double p_holm;
	enum flb_mark mark;
};

/* One run's windows of a duet's two jobs, by seq. */
struct windows {
	const struct duet *du;
	double *a, *b;		/* ns/op by seq, NAN: none */
	size_t len;
};

static int on_timed(void *arg, const struct flb_timed *t)
{
	struct windows *w = arg;
	double *side = t->job == w->du->ja ? w->a : t->job == w->du->jb ? w->b : NULL;

	if (!side || t->seq >= w->len)
		return 0;
	side[t->seq] = t->ns_per_op;
	if (t->job == w->du->ja && !((struct duet *)w->du)->what_a[0]) {
		struct duet *du = (struct duet *)w->du;

		snprintf(du->workload, sizeof(du->workload), "%s", t->workload);
		snprintf(du->what_a, sizeof(du->what_a), "%s", t->params);
	}
	if (t->job == w->du->jb && !w->du->what_b[0])
		snprintf(((struct duet *)w->du)->what_b, sizeof(w->du->what_b),
			 "%s", t->params);
	return 0;
}

static int pair_add(struct duet *du, double d, unsigned int round, bool swap)
{
	if (du->n == du->cap) {
		size_t nc = du->cap ? 2 * du->cap : 64;
		double *nd = realloc(du->d, nc * sizeof(*nd));
		unsigned int *nr = nd ? realloc(du->round, nc * sizeof(*nr)) : NULL;
		unsigned char *ns = nr ? realloc(du->swap, nc) : NULL;

		if (nd)
			du->d = nd;
		if (nr)
			du->round = nr;
		if (ns)
			du->swap = ns;
		if (!ns)
			return -1;
		du->cap = nc;
	}
	du->d[du->n] = d;
	du->round[du->n] = round;
	du->swap[du->n++] = swap;
	return 0;
}

/* "0:1 concurrent,2:3 alternating" into duets[]; their count, or -1. */
static int parse_pairs(const char *text, struct duet *duets)
{
	int n = 0;

	for (const char *p = text; p && *p && n < MAX_DUETS; ) {
		unsigned int a, b;
		char mode[32];

		if (sscanf(p, "%u:%u %31[a-z]", &a, &b, mode) != 3 || b != a + 1)
			return -1;
		memset(&duets[n], 0, sizeof(duets[n]));
		duets[n].ja = a;
		duets[n].jb = b;
		duets[n].concurrent = !strcmp(mode, "concurrent");
		n++;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return n;
}

static const char *env_get(const struct flb_env *e, const char *key)
{
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->kv[i].key, key))
			return e->kv[i].value;
	return NULL;
}

/* The params of a side without the trailing " duet=a". */
static void strip_side(char *s)
{
	char *d = strstr(s, " duet=");

	if (d)
		*d = '\0';
}

/*
 * Load, test and print the duets of o->duet; with gate, the exit status
 * of ci: 0 no regression and every duet could see one of o->min_effect,
 * 1 a regression, 3 inconclusive (0 with allow), 2 an error.
 */
int flb_duet(const struct flb_cmp_opts *o, bool gate, bool allow)
{
	struct duet duets[MAX_DUETS];
	struct flb_run_row *runs = NULL;
	struct flb_store *st = NULL;
	char err[512], *pairs0 = NULL;
	double p[MAX_DUETS], adj[MAX_DUETS];
	size_t nruns = 0, rounds = 0, np = 0, bad = 0, unsure = 0;
	int nd = 0, rc = 2;

	if (flb_store_open(o->db, FLB_STORE_RO, &st, err, sizeof(err))) {
		flb_msg(o->cmd, "%s", err);
		return 2;
	}
	if (flb_store_runs(st, o->duet, &runs, &nruns)) {
		flb_msg(o->cmd, "%s", flb_store_error(st));
		goto out;
	}
	for (size_t i = 0; i < nruns; i++) {
		struct flb_env env = { 0 };
		const char *pairs, *sw;

		if (strcmp(runs[i].status, "complete"))
			continue;	/* only finished rounds */
		if (flb_store_env(st, runs[i].id, &env)) {
			flb_msg(o->cmd, "%s", flb_store_error(st));
			goto out;
		}
		pairs = env_get(&env, "duet.pairs");
		sw = env_get(&env, "duet.swap");
		if (pairs && !pairs0) {
			pairs0 = strdup(pairs);
			nd = pairs0 ? parse_pairs(pairs0, duets) : -1;
			if (nd < 0) {
				flb_msg(o->cmd, "run %lld: duet.pairs '%s' is not a list of J:J+1 MODE",
					(long long)runs[i].id, pairs);
				flb_env_free(&env);
				goto out;
			}
		}
		if (!pairs || strcmp(pairs, pairs0)) {
			if (pairs) {
				flb_msg(o->cmd, "runs of '%s' ran different duets ('%s', then '%s' in run %lld): one suite per label",
					o->duet, pairs0, pairs, (long long)runs[i].id);
				flb_env_free(&env);
				goto out;
			}
			flb_env_free(&env);
			continue;	/* a run without duets */
		}
		for (int k = 0; k < nd; k++) {
			struct windows w = { .du = &duets[k], .len = 100000 };

			w.a = malloc(w.len * sizeof(double));
			w.b = malloc(w.len * sizeof(double));
			if (!w.a || !w.b) {
				free(w.a);
				free(w.b);
				flb_env_free(&env);
				flb_msg(o->cmd, "out of memory");
				goto out;
			}
			for (size_t j = 0; j < w.len; j++)
				w.a[j] = w.b[j] = NAN;
			if (flb_store_timed(st, runs[i].id, on_timed, &w)) {
				flb_msg(o->cmd, "%s", flb_store_error(st));
				free(w.a);
				free(w.b);
				flb_env_free(&env);
				goto out;
			}
			for (size_t j = 0; j < w.len; j++)
				if (w.a[j] > 0 && w.b[j] > 0 &&
				    pair_add(&duets[k], log(w.b[j] / w.a[j]),
					     (unsigned int)rounds, sw && !strcmp(sw, "1"))) {
					flb_msg(o->cmd, "out of memory");
					free(w.a);
					free(w.b);
					flb_env_free(&env);
					goto out;
				}
			free(w.a);
			free(w.b);
		}
		rounds++;
		flb_env_free(&env);
	}
	if (!pairs0) {
		flb_msg(o->cmd, "no native duet (duet.pairs) in the complete runs of '%s' (docs/duet.md)",
			o->duet);
		goto out;
	}
	for (int k = 0; k < nd; k++) {
		struct duet *du = &duets[k];
		bool both = false;

		for (size_t i = 1; i < du->n; i++)
			both |= du->swap[i] != du->swap[0];
		du->ok = !flb_paired_rounds(du->d, du->round,
					    du->concurrent && both ? du->swap : NULL,
					    du->n, o->alpha, o->power, &du->r);
		if (du->ok)
			p[np++] = du->r.p;
	}
	if (np && flb_holm(p, np, adj)) {
		flb_msg(o->cmd, "out of memory");
		goto out;
	}
	printf("Paired (duet, %zu rounds): the native duets of '%s', side b against side a; per-window\n"
	       "log ratio b/a, its median per round, Student t over rounds (the CPU sets' swap\n"
	       "as a factor when both assignments ran); Holm over %zu duets at alpha %g; a mark\n"
	       "needs |change| >= %g%%. Positive: b takes more time per op (slower).\n\n",
	       rounds, o->duet, np, o->alpha, o->min_effect * 100);
	printf("| duet | side a | side b | rounds | pairs | b vs a (ns/op) | %g%% CI | p Holm (raw) | MDE | mark |\n",
	       100 * (1 - o->alpha));
	printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
	np = 0;
	for (int k = 0; k < nd; k++) {
		struct duet *du = &duets[k];
		double ch, lo, hi, mde, lim = log1p(o->min_effect);

		strip_side(du->what_a);
		strip_side(du->what_b);
		if (!du->ok) {
			printf("| %s (jobs %u, %u) | %s | %s | %zu | %zu | not testable: %s | | | | |\n",
			       du->workload, du->ja, du->jb, du->what_a, du->what_b,
			       du->r.rounds, du->r.pairs, du->concurrent ?
			       "needs 3 rounds or more, both CPU assignments" :
			       "needs 2 rounds or more");
			unsure += gate;
			continue;
		}
		du->p_holm = adj[np++];
		ch = 100 * expm1(du->r.est);
		lo = 100 * expm1(du->r.lo);
		hi = 100 * expm1(du->r.hi);
		mde = 100 * expm1(du->r.mde);
		if (du->p_holm <= o->alpha && fabs(du->r.est) >= lim)
			du->mark = du->r.est > 0 ? FLB_MARK_REGRESSED : FLB_MARK_IMPROVED;
		bad += du->mark == FLB_MARK_REGRESSED;
		unsure += du->mark == FLB_MARK_NONE && !(du->r.mde <= lim * (1 + 1e-9));
		printf("| %s (jobs %u, %u) | %s | %s | %zu | %zu | %+.2f%% | [%+.2f%%, %+.2f%%] | %.3g (%.3g) | %.1f%% | %s |\n",
		       du->workload, du->ja, du->jb, du->what_a, du->what_b,
		       du->r.rounds, du->r.pairs, ch, lo, hi, du->p_holm, du->r.p,
		       mde, du->mark == FLB_MARK_REGRESSED ? "(R)" :
		       du->mark == FLB_MARK_IMPROVED ? "(I)" : "");
	}
	rc = 0;
	if (gate) {
		if (bad) {
			printf("\nFAIL: %zu duet%s regressed (side b slower by at least %g%%)\n",
			       bad, bad > 1 ? "s" : "", o->min_effect * 100);
			rc = 1;
		} else if (unsure && !allow) {
			printf("\nINCONCLUSIVE: %zu duet%s could not detect a regression of %g%% (MDE above it): more rounds\n",
			       unsure, unsure > 1 ? "s" : "", o->min_effect * 100);
			rc = 3;
		} else {
			if (unsure)
				flb_msg(o->cmd, "warning: --allow-inconclusive: passing although %zu duet%s could not see a regression of %g%%",
					unsure, unsure > 1 ? "s" : "", o->min_effect * 100);
			printf("\nPASS: no duet regressed\n");
		}
	}
out:
	for (int k = 0; k < (nd > 0 ? nd : 0); k++) {
		free(duets[k].d);
		free(duets[k].round);
		free(duets[k].swap);
	}
	free(pairs0);
	free(runs);
	flb_store_close(st);
	return rc;
}
