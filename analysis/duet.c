// SPDX-License-Identifier: GPL-2.0
/*
 * Paired analysis of duets (docs/duet.md), the two kinds alike:
 *  - native duets (compare --duet LABEL, ci --duet LABEL): two jobs of one
 *    run, side a and side b, as the run's duet.pairs names them; a run is
 *    a round;
 *  - guest duets (`flushbench duet`; compare BASE NEW, ci --baseline BASE
 *    --candidate NEW when every run of both is one side of a round): run
 *    pairs sharing vmduet.id, job j of one against job j of the other.
 * A pair is window (seq) i of both: per-window log ratio, its median per
 * round, Student t over rounds with the CPU sets' swap as a factor when
 * both assignments ran (flb_paired_rounds, lib/stats.c); Holm over the
 * rows. Only windows the duet made are paired: unpaired data never is.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cmp.h"

/* One paired row: job ja of a round's first run against job jb of its second. */
struct duet {
	unsigned int ja, jb;
	bool concurrent;
	char what_a[512], what_b[512], workload[64];
	double *d;		/* log(b / a) per pair; guests: per run pair */
	size_t windows;		/* the pairs of windows behind them */
	unsigned int *round;
	unsigned char *swap;
	size_t n, cap;
	struct flb_paired r;
	bool ok;		/* enough rounds for a test */
	double p_holm;
	enum flb_mark mark;
};

/*
 * A pair of runs: the same run for a native duet (a round); for a guest
 * duet, run k of each guest in one boot of both (boot: the round).
 */
struct rnd {
	int64_t ra, rb;
	bool swap;
	unsigned int boot;
};

/* One run's timed ok windows, in the store's order (job, then seq). */
struct win {
	unsigned int job, seq;
	double v;
	char *workload, *params;	/* the first of each job's, else NULL */
};
struct wins {
	struct win *w;
	size_t n, cap;
};

struct paired {
	const struct flb_cmp_opts *o;
	struct flb_store *st;
	struct duet *du;
	size_t ndu, capdu;
	struct rnd *rd;
	size_t nrd;
	bool guests;
	const char *base, *cand;	/* guests: the labels */
};

static void wins_free(struct wins *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->w[i].workload);
		free(w->w[i].params);
	}
	free(w->w);
	memset(w, 0, sizeof(*w));
}

static int on_timed(void *arg, const struct flb_timed *t)
{
	struct wins *w = arg;
	struct win *x;
	bool first = !w->n || w->w[w->n - 1].job != t->job;

	if (w->n == w->cap) {
		size_t nc = w->cap ? 2 * w->cap : 256;
		struct win *n = realloc(w->w, nc * sizeof(*n));

		if (!n)
			return 1;
		w->w = n;
		w->cap = nc;
	}
	x = &w->w[w->n++];
	*x = (struct win){ .job = t->job, .seq = t->seq, .v = t->ns_per_op };
	if (first) {
		x->workload = strdup(t->workload);
		x->params = strdup(t->params);
		if (!x->workload || !x->params)
			return 1;
	}
	return 0;
}

/* The window (job, seq) of w, or NULL (w is sorted by job, then seq). */
static const struct win *win_find(const struct wins *w, unsigned int job,
				  unsigned int seq)
{
	size_t lo = 0, hi = w->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct win *x = &w->w[mid];

		if (x->job < job || (x->job == job && x->seq < seq))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->n && w->w[lo].job == job && w->w[lo].seq == seq ?
	       &w->w[lo] : NULL;
}

/* The first window of job in w (it carries the job's names), or NULL. */
static const struct win *job_first(const struct wins *w, unsigned int job)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->w[i].job == job && w->w[i].workload)
			return &w->w[i];
	return NULL;
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

/* The duet of jobs (ja, jb), made when new; NULL when out of memory. */
static struct duet *duet_get(struct paired *pd, unsigned int ja, unsigned int jb,
			     bool concurrent)
{
	struct duet *du;

	for (size_t i = 0; i < pd->ndu; i++)
		if (pd->du[i].ja == ja && pd->du[i].jb == jb)
			return &pd->du[i];
	if (pd->ndu == pd->capdu) {
		size_t nc = pd->capdu ? 2 * pd->capdu : 16;
		struct duet *n = realloc(pd->du, nc * sizeof(*n));

		if (!n)
			return NULL;
		pd->du = n;
		pd->capdu = nc;
	}
	du = &pd->du[pd->ndu++];
	memset(du, 0, sizeof(*du));
	du->ja = ja;
	du->jb = jb;
	du->concurrent = concurrent;
	return du;
}

/* "0:1 concurrent,2:3 alternating" into pd's duets; 0, or -1. */
static int parse_pairs(struct paired *pd, const char *text)
{
	for (const char *p = text; p && *p; ) {
		unsigned int a, b;
		char mode[32];

		if (sscanf(p, "%u:%u %31[a-z]", &a, &b, mode) != 3 || b != a + 1 ||
		    !duet_get(pd, a, b, !strcmp(mode, "concurrent")))
			return -1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
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

static int add_round(struct paired *pd, int64_t ra, int64_t rb, bool swap,
		     unsigned int boot)
{
	struct rnd *n = realloc(pd->rd, (pd->nrd + 1) * sizeof(*n));

	if (!n)
		return -1;
	pd->rd = n;
	pd->rd[pd->nrd++] = (struct rnd){ ra, rb, swap, boot };
	return 0;
}

/*
 * The native duets of label: its complete runs that ran the duets its
 * first such run names. 0, or 2 with a message.
 */
static int native_rounds(struct paired *pd, const char *label)
{
	const struct flb_cmp_opts *o = pd->o;
	struct flb_run_row *runs = NULL;
	size_t nruns = 0;
	char *pairs0 = NULL;
	int rc = 2;

	if (flb_store_runs(pd->st, label, &runs, &nruns)) {
		flb_msg(o->cmd, "%s", flb_store_error(pd->st));
		return 2;
	}
	for (size_t i = 0; i < nruns; i++) {
		struct flb_env env = { 0 };
		const char *pairs, *sw;

		if (strcmp(runs[i].status, "complete"))
			continue;	/* only finished rounds */
		if (flb_store_env(pd->st, runs[i].id, &env)) {
			flb_msg(o->cmd, "%s", flb_store_error(pd->st));
			goto out;
		}
		pairs = env_get(&env, "duet.pairs");
		sw = env_get(&env, "duet.swap");
		if (pairs && !pairs0) {
			pairs0 = strdup(pairs);
			if (!pairs0 || parse_pairs(pd, pairs0)) {
				flb_msg(o->cmd, "run %lld: duet.pairs '%s' is not a list of J:J+1 MODE",
					(long long)runs[i].id, pairs);
				flb_env_free(&env);
				goto out;
			}
		}
		if (pairs && strcmp(pairs, pairs0)) {
			flb_msg(o->cmd, "runs of '%s' ran different duets ('%s', then '%s' in run %lld): one suite per label",
				label, pairs0, pairs, (long long)runs[i].id);
			flb_env_free(&env);
			goto out;
		}
		if (pairs && add_round(pd, runs[i].id, runs[i].id,
				       sw && !strcmp(sw, "1"), (unsigned int)pd->nrd)) {
			flb_msg(o->cmd, "out of memory");
			flb_env_free(&env);
			goto out;
		}
		flb_env_free(&env);
	}
	if (!pairs0) {
		flb_msg(o->cmd, "no native duet (duet.pairs) in the complete runs of '%s' (docs/duet.md)",
			label);
		goto out;
	}
	rc = 0;
out:
	free(pairs0);
	free(runs);
	return rc;
}

/* A run's guest-duet keys: its round id, side ("" when none), run in it. */
struct gkey {
	int64_t id;
	char duet[64], side[4], k[24];
	bool swap;
};

static int guest_keys(struct paired *pd, const char *label, struct gkey **out,
		      size_t *n)
{
	struct flb_run_row *runs = NULL;
	size_t nruns = 0, m = 0;
	struct gkey *g;

	*out = NULL;
	*n = 0;
	if (flb_store_runs(pd->st, label, &runs, &nruns))
		return -1;
	g = calloc(nruns ? nruns : 1, sizeof(*g));
	if (!g) {
		free(runs);
		return -1;
	}
	for (size_t i = 0; i < nruns; i++) {
		struct flb_env env = { 0 };
		const char *id, *side, *sw, *k;

		if (strcmp(runs[i].status, "complete"))
			continue;
		if (flb_store_env(pd->st, runs[i].id, &env)) {
			free(g);
			free(runs);
			return -1;
		}
		id = env_get(&env, "vmduet.id");
		side = env_get(&env, "vmduet.side");
		sw = env_get(&env, "vmduet.swap");
		k = env_get(&env, "repeat.round");
		snprintf(g[m].k, sizeof(g[m].k), "%s", k ? k : "");
		g[m].id = runs[i].id;
		snprintf(g[m].duet, sizeof(g[m].duet), "%s", id ? id : "");
		snprintf(g[m].side, sizeof(g[m].side), "%s", side ? side : "");
		g[m++].swap = sw && !strcmp(sw, "1");
		flb_env_free(&env);
	}
	free(runs);
	*out = g;
	*n = m;
	return 0;
}

/*
 * BASE and NEW as rounds of guest duets: 0 when every complete run of
 * each is one side of a round whose other side is in the other (the
 * pairs into pd), 1 when they are not (a note on stderr when some runs
 * are duet rounds: the unpaired analysis follows), 2 on an error.
 */
static int guest_rounds(struct paired *pd)
{
	const struct flb_cmp_opts *o = pd->o;
	struct gkey *gb = NULL, *gn = NULL;
	size_t nb = 0, nn = 0, matched = 0, tagged = 0;
	int rc = 2;

	if (guest_keys(pd, pd->base, &gb, &nb) || guest_keys(pd, pd->cand, &gn, &nn)) {
		flb_msg(o->cmd, "%s", flb_store_error(pd->st));
		goto out;
	}
	for (size_t i = 0; i < nb; i++) {
		unsigned int boot = 0;

		tagged += gb[i].duet[0] != '\0';
		/* the boot: the first run of BASE with this id gives it */
		while (boot < i && strcmp(gb[boot].duet, gb[i].duet))
			boot++;
		for (size_t j = 0; gb[i].duet[0] && j < nn; j++)
			if (!strcmp(gb[i].duet, gn[j].duet) &&
			    strcmp(gb[i].side, gn[j].side) &&
			    !strcmp(gb[i].k, gn[j].k)) {
				if (add_round(pd, gb[i].id, gn[j].id, gb[i].swap,
					      boot)) {
					flb_msg(o->cmd, "out of memory");
					goto out;
				}
				matched++;
				break;
			}
	}
	for (size_t j = 0; j < nn; j++)
		tagged += gn[j].duet[0] != '\0';
	rc = 0;
	if (!tagged || matched != nb || matched != nn || !nb) {
		if (tagged)
			flb_msg(o->cmd, "note: %zu of %zu complete runs of '%s' and '%s' are duet rounds paired with each other (flushbench duet): not all are, so the analysis is unpaired",
				2 * matched, nb + nn, pd->base, pd->cand);
		pd->nrd = 0;
		rc = 1;
	}
out:
	free(gb);
	free(gn);
	return rc;
}

/* The windows of every round into the duets' pairs: 0, or 2. */
static int collect(struct paired *pd)
{
	const struct flb_cmp_opts *o = pd->o;
	double *d = NULL;
	size_t nd, capd = 0;

	for (size_t r = 0; r < pd->nrd; r++) {
		struct wins wa = { 0 }, wb = { 0 };
		const struct wins *b = &wa;
		int rc = 2;

		if (flb_store_timed(pd->st, pd->rd[r].ra, on_timed, &wa))
			goto fail;
		if (pd->rd[r].rb != pd->rd[r].ra) {
			if (flb_store_timed(pd->st, pd->rd[r].rb, on_timed, &wb))
				goto fail;
			b = &wb;
		}
		if (pd->guests) {
			/* every job of the round's first run that both ran */
			for (size_t i = 0; i < wa.n; i++) {
				const struct win *x = &wa.w[i], *y;

				if (!x->workload || !(y = job_first(b, x->job)) ||
				    strcmp(x->workload, y->workload))
					continue;	/* not the same job */
				if (!duet_get(pd, x->job, x->job, true))
					goto oom;
			}
		}
		for (size_t k = 0; k < pd->ndu; k++) {
			struct duet *du = &pd->du[k];
			const struct win *fa = job_first(&wa, du->ja);
			const struct win *fb = job_first(b, du->jb);

			if (!fa || !fb || strcmp(fa->workload, fb->workload))
				continue;
			if (!du->what_a[0]) {
				snprintf(du->workload, sizeof(du->workload), "%s",
					 fa->workload);
				snprintf(du->what_a, sizeof(du->what_a), "%s", fa->params);
				snprintf(du->what_b, sizeof(du->what_b), "%s", fb->params);
			}
			nd = 0;
			for (const struct win *x = fa; x < wa.w + wa.n &&
			     x->job == du->ja; x++) {
				const struct win *y = win_find(b, du->jb, x->seq);

				if (!y || !(x->v > 0) || !(y->v > 0))
					continue;
				if (!pd->guests) {
					if (pair_add(du, log(y->v / x->v),
						     pd->rd[r].boot, pd->rd[r].swap))
						goto oom;
					continue;
				}
				if (nd == capd) {
					double *t = realloc(d, (capd = capd ? 2 * capd : 64) *
							    sizeof(*d));

					if (!t)
						goto oom;
					d = t;
				}
				d[nd++] = log(y->v / x->v);
			}
			du->windows += pd->guests ? nd : 0;
			/*
			 * guests: the run pair's median of its windows, one
			 * value of its boot; flb_paired_rounds takes the
			 * median of a boot's values: the boot is the unit
			 */
			if (pd->guests && nd &&
			    pair_add(du, flb_median(d, nd), pd->rd[r].boot,
				     pd->rd[r].swap))
				goto oom;
		}
		wins_free(&wa);
		wins_free(&wb);
		continue;
oom:
		flb_msg(o->cmd, "out of memory");
		rc = 2;
		wins_free(&wa);
		wins_free(&wb);
		free(d);
		return rc;
fail:
		flb_msg(o->cmd, "%s", flb_store_error(pd->st));
		wins_free(&wa);
		wins_free(&wb);
		free(d);
		return rc;
	}
	free(d);
	return 0;
}

/* Test, print, and with gate the exit status (see flb_duet). */
/*
 * --format csv: one line per job (guests) or duet (native), the same
 * figures and marks as the table, for scripts (flushbench matrix's
 * seed-style table), each row's Holm p and mark as report() set them.
 */
static void report_csv(struct paired *pd)
{
	puts("workload,job_a,job_b,params_a,params_b,rounds,windows,change_pct,ci_lo_pct,ci_hi_pct,p_holm,p,mde_pct,mark,untested");
	for (size_t k = 0; k < pd->ndu; k++) {
		struct duet *du = &pd->du[k];
		char n[32];

		strip_side(du->what_a);
		strip_side(du->what_b);
		flb_csv_field(stdout, du->workload, false);
		snprintf(n, sizeof(n), "%u", du->ja);
		flb_csv_field(stdout, n, false);
		snprintf(n, sizeof(n), "%u", du->jb);
		flb_csv_field(stdout, n, false);
		flb_csv_field(stdout, du->what_a, false);
		flb_csv_field(stdout, du->what_b, false);
		flb_csv_num(stdout, du->r.rounds, false);
		flb_csv_num(stdout, pd->guests ? du->windows : du->r.pairs, false);
		if (!du->ok) {
			fputs(",,,,,,,", stdout);
			flb_csv_field(stdout, du->concurrent ?
				      "needs 3 rounds or more, both CPU assignments" :
				      "needs 2 rounds or more", true);
			continue;
		}
		flb_csv_num(stdout, 100 * expm1(du->r.est), false);
		flb_csv_num(stdout, 100 * expm1(du->r.lo), false);
		flb_csv_num(stdout, 100 * expm1(du->r.hi), false);
		flb_csv_num(stdout, du->p_holm, false);
		flb_csv_num(stdout, du->r.p, false);
		flb_csv_num(stdout, 100 * expm1(du->r.mde), false);
		flb_csv_field(stdout, du->mark == FLB_MARK_REGRESSED ? "R" :
			      du->mark == FLB_MARK_IMPROVED ? "I" : "", false);
		flb_csv_field(stdout, "", true);
	}
}

static int report(struct paired *pd, bool gate, bool allow)
{
	const struct flb_cmp_opts *o = pd->o;
	double *p = calloc(pd->ndu + 1, sizeof(double));
	double *adj = calloc(pd->ndu + 1, sizeof(double));
	size_t np = 0, bad = 0, unsure = 0, nboots = 0;
	const char *unit = pd->guests ? "job" : "duet";
	int rc = 2;

	if (!p || !adj) {
		flb_msg(o->cmd, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < pd->ndu; k++) {
		struct duet *du = &pd->du[k];
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
	/* Holm p and mark of each testable row, for the table and the csv alike */
	for (size_t k = 0, i = 0; k < pd->ndu; k++) {
		struct duet *du = &pd->du[k];

		if (!du->ok)
			continue;
		du->p_holm = adj[i++];
		if (du->p_holm <= o->alpha && fabs(du->r.est) >= log1p(o->min_effect))
			du->mark = du->r.est > 0 ? FLB_MARK_REGRESSED : FLB_MARK_IMPROVED;
	}
	if (o->format == FLB_FMT_CSV && !gate) {
		report_csv(pd);
		rc = 0;
		goto out;
	}
	if (pd->guests) {
		size_t boots = 0;

		for (size_t i = 0; i < pd->nrd; i++)
			boots = pd->rd[i].boot + 1 > boots ? pd->rd[i].boot + 1 : boots;
		for (size_t i = 0, seen = 0; i < boots; i++, seen = 0) {
			for (size_t j = 0; j < pd->nrd && !seen; j++)
				seen = pd->rd[j].boot == i;
			nboots += seen;
		}
		printf("Paired (duet, %zu rounds): '%s' against '%s', guests run together by\n"
		       "`flushbench duet`, window by window: per-window log ratio NEW/BASE, its median\n"
		       "per run pair (%zu pairs of runs), their median per round (a boot of both\n"
		       "guests), Student t over rounds (the CPU sets' swap as a factor when both\n"
		       "assignments ran); Holm over %zu jobs at alpha %g; a mark needs |change| >= %g%%.\n"
		       "Positive: '%s' takes more time per op (slower).\n\n",
		       nboots, pd->cand, pd->base, pd->nrd, np, o->alpha,
		       o->min_effect * 100, pd->cand);
	}
	else
		printf("Paired (duet, %zu rounds): the native duets of '%s', side b against side a; per-window\n"
		       "log ratio b/a, its median per round, Student t over rounds (the CPU sets' swap\n"
		       "as a factor when both assignments ran); Holm over %zu duets at alpha %g; a mark\n"
		       "needs |change| >= %g%%. Positive: b takes more time per op (slower).\n\n",
		       pd->nrd, o->duet, np, o->alpha, o->min_effect * 100);
	printf("| %s | %s | %s | rounds | %s | %s (ns/op) | %g%% CI | p Holm (raw) | MDE | mark |\n",
	       unit, pd->guests ? "BASE" : "side a", pd->guests ? "NEW" : "side b",
	       pd->guests ? "windows" : "pairs",
	       pd->guests ? "NEW vs BASE" : "b vs a", 100 * (1 - o->alpha));
	printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
	for (size_t k = 0; k < pd->ndu; k++) {
		struct duet *du = &pd->du[k];
		double ch, lo, hi, mde, lim = log1p(o->min_effect);
		char name[128];
		bool same;

		if (pd->guests)
			snprintf(name, sizeof(name), "%s (job %u)", du->workload, du->ja);
		else
			snprintf(name, sizeof(name), "%s (jobs %u, %u)", du->workload,
				 du->ja, du->jb);
		strip_side(du->what_a);
		strip_side(du->what_b);
		same = !strcmp(du->what_a, du->what_b);
		if (!du->ok) {
			printf("| %s | %s | %s | %zu | %zu | not testable: %s | | | | |\n",
			       name, du->what_a, same ? "(same)" : du->what_b, du->r.rounds,
			       pd->guests ? du->windows : du->r.pairs,
			       du->concurrent ?
			       "needs 3 rounds or more, both CPU assignments" :
			       "needs 2 rounds or more");
			unsure += gate;
			continue;
		}
		ch = 100 * expm1(du->r.est);
		lo = 100 * expm1(du->r.lo);
		hi = 100 * expm1(du->r.hi);
		mde = 100 * expm1(du->r.mde);
		bad += du->mark == FLB_MARK_REGRESSED;
		unsure += du->mark == FLB_MARK_NONE && !(du->r.mde <= lim * (1 + 1e-9));
		printf("| %s | %s | %s | %zu | %zu | %+.2f%% | [%+.2f%%, %+.2f%%] | %.3g (%.3g) | %.1f%% | %s |\n",
		       name, du->what_a, same ? "(same)" : du->what_b, du->r.rounds,
		       pd->guests ? du->windows : du->r.pairs, ch,
		       lo, hi, du->p_holm, du->r.p, mde,
		       du->mark == FLB_MARK_REGRESSED ? "(R)" :
		       du->mark == FLB_MARK_IMPROVED ? "(I)" : "");
	}
	rc = 0;
	if (gate) {
		if (bad) {
			printf("\nFAIL: %zu %s%s regressed (%s slower by at least %g%%)\n",
			       bad, unit, bad > 1 ? "s" : "",
			       pd->guests ? "NEW" : "side b", o->min_effect * 100);
			rc = 1;
		} else if (unsure && !allow) {
			printf("\nINCONCLUSIVE: %zu %s%s could not detect a regression of %g%% (MDE above it): more rounds\n",
			       unsure, unit, unsure > 1 ? "s" : "", o->min_effect * 100);
			rc = 3;
		} else {
			if (unsure)
				flb_msg(o->cmd, "warning: --allow-inconclusive: passing although %zu %s%s could not see a regression of %g%%",
					unsure, unit, unsure > 1 ? "s" : "", o->min_effect * 100);
			printf("\nPASS: no %s regressed\n", unit);
		}
	}
out:
	free(p);
	free(adj);
	return rc;
}

int flb_duet(const struct flb_cmp_opts *o, const char *base, const char *cand,
	     bool gate, bool allow)
{
	struct paired pd = { .o = o, .base = base, .cand = cand,
			     .guests = base != NULL };
	char err[512];
	int rc;

	if (flb_store_open(o->db, FLB_STORE_RO, &pd.st, err, sizeof(err))) {
		flb_msg(o->cmd, "%s", err);
		return 2;
	}
	rc = pd.guests ? guest_rounds(&pd) : native_rounds(&pd, o->duet);
	if (rc == 1) {
		rc = FLB_DUET_UNPAIRED;
		goto out;
	}
	if (!rc)
		rc = collect(&pd);
	if (!rc)
		rc = report(&pd, gate, allow);
out:
	for (size_t k = 0; k < pd.ndu; k++) {
		free(pd.du[k].d);
		free(pd.du[k].round);
		free(pd.du[k].swap);
	}
	free(pd.du);
	free(pd.rd);
	flb_store_close(pd.st);
	return rc;
}
