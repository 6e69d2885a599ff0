// SPDX-License-Identifier: GPL-2.0
/*
 * Suite loader: YAML -> validated, expanded jobs. Keys map through option
 * tables (bench/workload.h), walked with lib/yamlwalk.c, which turns a
 * node and a message into "file:line:column: message".
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "config.h"
#include "yamlwalk.h"

static const char *const placement_choices[] = {
	"none", "same-core", "same-package", "spread", "cpus", NULL
};

static const char *const scope_choices[] = { "process", "system", NULL };
static const char *const count_mode_choices[] = { "separate", "inline", NULL };

#define JS(f) FLB_OFF(struct flb_job_settings, f)
const struct flb_option flb_job_options[] = {
	{ "samples", FLB_OPT_U64, JS(samples), 1, 100000, "10", NULL,
	  "measured samples per job (after warm-up)", NULL },
	{ "warmup", FLB_OPT_U64, JS(warmup), 0, 1000, "2", NULL,
	  "samples run and discarded before measuring", NULL },
	{ "duration", FLB_OPT_NS, JS(duration_ns), 1000000, 600000000000ull,
	  "200ms", NULL,
	  "target time per sample; the op count is calibrated once, in warm-up",
	  NULL },
	{ "ops", FLB_OPT_U64, JS(ops), 0, 1000000000000ull, "0", NULL,
	  "fixed operations per sample (0: calibrate from duration)", NULL },
	{ "extra_work_ns", FLB_OPT_U64, JS(extra_work_ns), 0, 1000000000, "0",
	  NULL, "extra real CPU work added to every op, in ns of wall time "
	  "(a known regression for testing the analysis; free when 0)", NULL },
	{ "extra_work_loops", FLB_OPT_U64, JS(extra_work_loops), 0,
	  100000000000ull, "0", NULL,
	  "extra CPU work added to every op, in iterations of a dependent "
	  "multiply-add chain: it scales with the CPU's speed as a patch's "
	  "added instructions do (free when 0)", NULL },
	{ "placement", FLB_OPT_ENUM, JS(placement), 0, 0, "spread",
	  placement_choices,
	  "where tasks run: none, same-core, same-package, spread, or cpus "
	  "(with a cpus: [list])", NULL },
	FLB_OPTION_END
};

#define SS(f) FLB_OFF(struct flb_suite_settings, f)
const struct flb_option flb_suite_options[] = {
	{ "repeat", FLB_OPT_U64, SS(repeat), 1, 1000, "1", NULL,
	  "rounds: from 2, `flushbench run` runs the suite this many times, "
	  "each job in a fresh process, in a shuffled order; each round is a "
	  "run of its own (--repeat overrides)", NULL },
	FLB_OPTION_END
};

/* The settings of the suite's `counters:` mapping, beside its event lists. */
#define CS(f) FLB_OFF(struct flb_count_settings, f)
const struct flb_option flb_count_options[] = {
	{ "scope", FLB_OPT_ENUM, CS(scope), 0, 0, "process", scope_choices,
	  "process: the job's tasks and their children; system: every CPU",
	  NULL },
	{ "mode", FLB_OPT_ENUM, CS(mode), 0, 0, "separate", count_mode_choices,
	  "separate: counters in counting samples of their own, timed "
	  "samples with no perf event open; inline: counters on every timed "
	  "sample (they perturb its time)", NULL },
	{ "every", FLB_OPT_U64, CS(every), 1, 1000, "5", NULL,
	  "separate mode: one counting sample per this many timed samples "
	  "(at least one per job)", NULL },
	FLB_OPTION_END
};

uint64_t flb_counting_samples(const struct flb_suite *s, uint64_t samples)
{
	if (!s->nevents || s->count.mode != FLB_COUNT_SEPARATE)
		return 0;
	return (samples + s->count.every - 1) / s->count.every;
}

/* ------------------------------------------------------------------ */
/* loading */

bool flb_config_impossible_skip;

struct loader {
	struct flb_yw yw;	/* the file, its messages and their count */
	enum { IMPOSSIBLE_ERROR, IMPOSSIBLE_SKIP } impossible;
	struct flb_job_settings defaults;
	struct flb_suite *suite;
	const char *const *only;
	size_t nonly;
	bool *only_seen;
	const char *arch;
};

static int parse_cpus(struct loader *l, yaml_node_t *v,
		      struct flb_job_settings *set)
{
	struct flb_yw *w = &l->yw;

	set->ncpus = 0;
	if (v->type != YAML_SEQUENCE_NODE) {
		flb_yw_err(w, v, "cpus: expected a list of CPU numbers, found %s",
			   flb_yw_kind(v));
		return -1;
	}
	flb_yw_for_each_item(v, it) {
		yaml_node_t *c = flb_yw_node(w, *it);
		const char *s = flb_yw_scalar(c);
		uint64_t cpu;

		if (!s || flb_opt_parse_u64(s, &cpu) || cpu >= 65536) {
			flb_yw_err(w, c, "cpus: '%s' is not a CPU number",
				   s ? s : flb_yw_kind(c));
			return -1;
		}
		if (set->ncpus == FLB_MAX_CPUS) {
			flb_yw_err(w, c, "cpus: more than %d CPUs", FLB_MAX_CPUS);
			return -1;
		}
		set->cpus[set->ncpus++] = (int)cpu;
	}
	if (!set->ncpus) {
		flb_yw_err(w, v, "cpus: the list is empty");
		return -1;
	}
	set->placement = FLB_PLACE_CPUS;
	return 0;
}

static void add_event(struct loader *l, yaml_node_t *e)
{
	struct flb_yw *w = &l->yw;
	char why[256];
	const char *s = flb_yw_scalar(e);

	if (!s) {
		flb_yw_err(w, e, "counters: expected an event name, found %s",
			   flb_yw_kind(e));
		return;
	}
	if (flb_counters_validate(s, why, sizeof(why))) {
		flb_yw_err(w, e, "counters: %s", why);
		return;
	}
	for (size_t i = 0; i < l->suite->nevents; i++)
		if (!strcmp(l->suite->events[i], s))
			return;
	if (l->suite->nevents == FLB_MAX_EVENTS) {
		flb_yw_err(w, e, "counters: more than %d events", FLB_MAX_EVENTS);
		return;
	}
	l->suite->events[l->suite->nevents++] = strdup(s);
}

static void parse_counters(struct loader *l, yaml_node_t *v)
{
	static const char *const lists[] = { "events", "x86_64", "arm64", NULL };
	struct flb_yw *w = &l->yw;

	if (v->type == YAML_SEQUENCE_NODE) {
		flb_yw_for_each_item(v, it)
			add_event(l, flb_yw_node(w, *it));
		return;
	}
	if (v->type != YAML_MAPPING_NODE) {
		flb_yw_err(w, v, "counters: expected a list of events or a "
			   "mapping (events, x86_64, arm64, scope, mode, every), "
			   "found %s", flb_yw_kind(v));
		return;
	}
	if (flb_yw_check_keys(w, v))
		return;
	flb_yw_for_each_pair(v, p) {
		yaml_node_t *k = flb_yw_node(w, p->key);
		yaml_node_t *val = flb_yw_node(w, p->value);
		const char *key = flb_yw_scalar(k);
		const struct flb_option *o = flb_yw_find(flb_count_options, key);
		bool mine;

		if (o) {
			flb_yw_set(w, o, val, &l->suite->count);
			continue;
		}
		if (strcmp(key, "events") && strcmp(key, "x86_64") &&
		    strcmp(key, "arm64")) {
			flb_yw_unknown(w, k, "counters", flb_count_options, NULL,
				       lists);
			continue;
		}
		if (val->type != YAML_SEQUENCE_NODE) {
			flb_yw_err(w, val, "counters: %s: expected a list of events, "
				   "found %s", key, flb_yw_kind(val));
			continue;
		}
		/* events of another architecture are kept, not validated here */
		mine = !strcmp(key, "events") || !strcmp(key, l->arch);
		flb_yw_for_each_item(val, it) {
			yaml_node_t *e = flb_yw_node(w, *it);

			if (mine)
				add_event(l, e);
			else if (!flb_yw_scalar(e))
				flb_yw_err(w, e, "counters: expected an event name, "
					   "found %s", flb_yw_kind(e));
		}
	}
}

/* One axis of a job's sweep: a key and its values (one, or a list). */
struct axis {
	const struct flb_option *opt;	/* NULL for cpus */
	bool setting;			/* job setting, not a workload param */
	bool duet;			/* the duet's key: its two values are the sides */
	yaml_node_t *key;
	yaml_node_t **vals;
	size_t nvals;
};

static int append(struct loader *l, const void *src)
{
	struct flb_yw *w = &l->yw;
	struct flb_suite *s = l->suite;
	struct flb_jobspec *j;

	j = realloc(s->jobs, (s->njobs + 1) * sizeof(*j));
	if (!j) {
		fprintf(w->err, "%s: out of memory\n", w->path);
		w->errors++;
		return -1;
	}
	s->jobs = j;
	memcpy(&j[s->njobs++], src, sizeof(*j));
	return 0;
}

static void place(struct loader *l, struct flb_jobspec *js, yaml_node_t *at)
{
	struct flb_yw *w = &l->yw;
	char why[200];

	js->ntasks = js->wl->ntasks ? js->wl->ntasks(js->params) : 1;
	if (!js->ntasks)
		js->ntasks = 1;
	js->cpus = calloc(js->ntasks, sizeof(int));
	if (!js->cpus) {
		flb_yw_err(w, at, "out of memory");
		return;
	}
	if (js->duet) {
		/*
		 * Both sides' tasks placed as one job of twice the tasks: side
		 * a takes the first half, b the second. When that is not
		 * possible, they share one placement and alternate.
		 */
		int *both = calloc(2 * js->ntasks, sizeof(int));

		if (!both) {
			flb_yw_err(w, at, "out of memory");
			return;
		}
		js->duet_alternate = js->set.placement == FLB_PLACE_NONE ||
			flb_pin_assign(js->set.placement, js->set.cpus,
				       js->set.ncpus, 2 * js->ntasks, both, why,
				       sizeof(why));
		if (!js->duet_alternate)
			memcpy(js->cpus, both + (js->duet == 'b' ? js->ntasks : 0),
			       js->ntasks * sizeof(int));
		free(both);
		if (!js->duet_alternate)
			return;
	}
	if (flb_pin_assign(js->set.placement, js->set.cpus, js->set.ncpus,
			  js->ntasks, js->cpus, why, sizeof(why)) == 0)
		return;
	if (l->impossible == IMPOSSIBLE_SKIP)
		snprintf(js->skip, sizeof(js->skip), "placement impossible here: %s",
			 why);
	else
		flb_yw_err(w, at, "%s: impossible placement: %s "
			   "(set `impossible: skip` to record a skip row instead)",
			   js->wl->name, why);
}

/* Each field of table t in base as config text, through fmt (name, value). */
static void put_options(FILE *f, const struct flb_option *t, const void *base,
			const char *fmt)
{
	char val[FLB_STR_MAX + 32];

	for (; t && t->name; t++) {
		flb_opt_format(t, base, val, sizeof(val));
		fprintf(f, fmt, t->name, val);
	}
}

static char *identity(const struct flb_jobspec *js)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	put_options(f, js->wl->options, js->params, "%s=%s ");
	fprintf(f, "placement=%s", placement_choices[js->set.placement]);
	if (js->set.placement == FLB_PLACE_CPUS) {
		for (int i = 0; i < js->set.ncpus; i++)
			fprintf(f, "%c%d", i ? ',' : ':', js->set.cpus[i]);
	}
	if (js->duet_setting) {
		/* a job setting is not in the identity: the duet's key must be */
		char val[FLB_STR_MAX + 32];

		flb_opt_format(js->duet_setting, &js->set, val, sizeof(val));
		fprintf(f, " %s=%s", js->duet_setting->name, val);
	}
	if (js->duet)
		fprintf(f, " duet=%c", js->duet);
	fclose(f);
	return buf;
}

/* Expand the cartesian product of axes[i..] into jobs. */
static void expand(struct loader *l, struct flb_jobspec *js, struct axis *ax,
		   size_t nax, size_t i, yaml_node_t *at)
{
	struct flb_yw *w = &l->yw;

	if (w->errors)
		return;
	if (i == nax) {
		struct flb_jobspec copy = *js;

		if (js->set.placement == FLB_PLACE_CPUS && !js->set.ncpus) {
			flb_yw_err(w, at, "placement: cpus needs a `cpus: [list]`");
			return;
		}
		copy.params = malloc(js->wl->params_size ? js->wl->params_size : 1);
		if (!copy.params) {
			flb_yw_err(w, at, "out of memory");
			return;
		}
		memcpy(copy.params, js->params, js->wl->params_size);
		copy.line = (int)at->start_mark.line + 1;
		copy.col = (int)at->start_mark.column + 1;
		place(l, &copy, at);
		copy.params_text = identity(&copy);
		if (append(l, &copy)) {
			free(copy.params);
			free(copy.cpus);
			free(copy.params_text);
		}
		return;
	}
	for (size_t v = 0; v < ax[i].nvals; v++) {
		yaml_node_t *val = ax[i].vals[v];

		if (ax[i].duet) {
			js->duet = v ? 'b' : 'a';
			js->duet_setting = ax[i].setting ? ax[i].opt : NULL;
		}
		if (!ax[i].opt) {
			if (parse_cpus(l, val, &js->set))
				return;
		} else if (flb_yw_set(w, ax[i].opt, val,
				      ax[i].setting ? (void *)&js->set : js->params)) {
			return;
		}
		expand(l, js, ax, nax, i + 1, at);
	}
}

/*
 * duet: {KEY: [A, B]}: the job's two sides, the same job but for KEY (a
 * parameter of the workload or a job setting other than the placement).
 */
static void parse_duet(struct loader *l, const struct flb_jobspec *js,
		       yaml_node_t *v, struct axis *a)
{
	struct flb_yw *w = &l->yw;
	yaml_node_t *k, *vals;
	const char *key;

	if (v->type != YAML_MAPPING_NODE ||
	    v->data.mapping.pairs.top - v->data.mapping.pairs.start != 1) {
		flb_yw_err(w, v, "duet: expected one key and its two values, "
			   "as duet: {policy: [local, broadcast]}");
		return;
	}
	k = flb_yw_node(w, v->data.mapping.pairs.start->key);
	vals = flb_yw_node(w, v->data.mapping.pairs.start->value);
	key = flb_yw_scalar(k);
	a->opt = key ? flb_yw_find(js->wl->options, key) : NULL;
	a->setting = !a->opt;
	if (!a->opt && key)
		a->opt = flb_yw_find(flb_job_options, key);
	if (!a->opt || !strcmp(key, "placement")) {
		char where[80];

		snprintf(where, sizeof(where), "the duet of a %s job", js->wl->name);
		if (a->opt)
			flb_yw_err(w, k, "duet: the sides cannot differ in "
				   "placement (they get a CPU set each)");
		else
			flb_yw_unknown(w, k, where, js->wl->options,
				       flb_job_options, NULL);
		a->opt = NULL;
		return;
	}
	if (vals->type != YAML_SEQUENCE_NODE ||
	    vals->data.sequence.items.top - vals->data.sequence.items.start != 2) {
		flb_yw_err(w, vals, "duet: %s: expected two values, [A, B]", key);
		a->opt = NULL;
		return;
	}
	a->vals = calloc(2, sizeof(*a->vals));
	if (!a->vals) {
		flb_yw_err(w, vals, "out of memory");
		return;
	}
	a->vals[0] = flb_yw_node(w, vals->data.sequence.items.start[0]);
	a->vals[1] = flb_yw_node(w, vals->data.sequence.items.start[1]);
	a->nvals = 2;
	a->key = k;
	a->duet = true;
}

static void parse_job(struct loader *l, yaml_node_t *j)
{
	static const char *const extra[] = { "workload", "cpus", "duet", NULL };
	struct flb_yw *w = &l->yw;
	struct flb_jobspec js = { 0 };
	struct axis ax[64], duet = { 0 };
	size_t nax = 0;
	yaml_node_t *wlnode = NULL;
	const char *name;

	if (j->type != YAML_MAPPING_NODE) {
		flb_yw_err(w, j, "a job must be a mapping with a 'workload' key, "
			   "found %s", flb_yw_kind(j));
		return;
	}
	if (flb_yw_check_keys(w, j))
		return;
	flb_yw_for_each_pair(j, p)
		if (!strcmp(flb_yw_scalar(flb_yw_node(w, p->key)), "workload"))
			wlnode = flb_yw_node(w, p->value);
	if (!wlnode) {
		flb_yw_err(w, j, "job has no 'workload' key");
		return;
	}
	name = flb_yw_scalar(wlnode);
	js.wl = name ? flb_workload_find(name) : NULL;
	if (!js.wl) {
		const char *names[64];
		size_t n = 0;
		const char *near;

		for (const struct flb_workload *const *w = flb_workloads;
		     *w && n < 64; w++)
			names[n++] = (*w)->name;
		near = name ? flb_did_you_mean(name, names, n) : NULL;
		flb_yw_err(w, wlnode, "unknown workload '%s'%s%s%s (see `flushbench list`)",
			   name ? name : flb_yw_kind(wlnode),
			   near ? " (did you mean '" : "", near ? near : "",
			   near ? "'?)" : "");
		return;
	}
	if (js.wl->version != FLB_WORKLOAD_VERSION) {
		flb_yw_err(w, wlnode, "workload '%s' has contract version %u, the "
			   "runner speaks %u", name, js.wl->version,
			   FLB_WORKLOAD_VERSION);
		return;
	}
	js.set = l->defaults;
	js.params = calloc(1, js.wl->params_size ? js.wl->params_size : 1);
	if (!js.params) {
		flb_yw_err(w, j, "out of memory");
		return;
	}
	flb_yw_defaults(w, js.wl->options, js.params, wlnode);

	flb_yw_for_each_pair(j, p) {
		yaml_node_t *k = flb_yw_node(w, p->key);
		yaml_node_t *v = flb_yw_node(w, p->value);
		const char *key = flb_yw_scalar(k);
		struct axis *a = &ax[nax];

		if (!strcmp(key, "workload"))
			continue;
		if (!strcmp(key, "duet")) {
			parse_duet(l, &js, v, &duet);
			continue;
		}
		a->key = k;
		a->opt = flb_yw_find(js.wl->options, key);
		a->setting = false;
		a->duet = false;
		if (!a->opt) {
			a->opt = flb_yw_find(flb_job_options, key);
			a->setting = true;
		}
		if (!a->opt && strcmp(key, "cpus")) {
			char where[80];

			snprintf(where, sizeof(where), "a %s job", name);
			flb_yw_unknown(w, k, where, js.wl->options, flb_job_options,
				       extra);
			continue;
		}
		if (nax == 64) {
			flb_yw_err(w, k, "more than 64 keys in one job");
			break;
		}
		/* cpus: [0, 1] is one value; cpus: [[0], [1]] sweeps */
		if (v->type == YAML_SEQUENCE_NODE &&
		    (a->opt || (v->data.sequence.items.start < v->data.sequence.items.top &&
				flb_yw_node(w, *v->data.sequence.items.start)->type ==
				YAML_SEQUENCE_NODE))) {
			size_t n = v->data.sequence.items.top -
				   v->data.sequence.items.start;

			if (!n) {
				flb_yw_err(w, v, "%s: empty list of values", key);
				continue;
			}
			a->vals = calloc(n, sizeof(*a->vals));
			if (!a->vals) {
				flb_yw_err(w, v, "out of memory");
				continue;
			}
			for (size_t i = 0; i < n; i++)
				a->vals[i] = flb_yw_node(w, v->data.sequence.items.start[i]);
			a->nvals = n;
		} else {
			a->vals = calloc(1, sizeof(*a->vals));
			if (!a->vals) {
				flb_yw_err(w, v, "out of memory");
				continue;
			}
			a->vals[0] = v;
			a->nvals = 1;
		}
		nax++;
	}
	/* the duet's axis last: its two sides are adjacent jobs */
	for (size_t i = 0; i < nax && duet.nvals == 2; i++) {
		if (ax[i].opt == duet.opt) {
			flb_yw_err(w, ax[i].key, "%s: set here and in the job's "
				   "duet: one or the other", duet.opt->name);
			free(duet.vals);
			duet.nvals = 0;
		}
	}
	if (duet.nvals == 2) {
		if (nax == 64)
			flb_yw_err(w, duet.key, "more than 64 keys in one job");
		else
			ax[nax++] = duet;
	}
	if (l->only) {
		bool want = false;

		for (size_t i = 0; i < l->nonly; i++) {
			if (!strcmp(l->only[i], name)) {
				want = true;
				l->only_seen[i] = true;
			}
		}
		if (!want) {
			/* still validate, but keep no jobs */
			size_t before = l->suite->njobs;

			expand(l, &js, ax, nax, 0, j);
			while (l->suite->njobs > before) {
				struct flb_jobspec *d = &l->suite->jobs[--l->suite->njobs];

				free(d->params);
				free(d->cpus);
				free(d->params_text);
			}
			goto out;
		}
	}
	expand(l, &js, ax, nax, 0, j);
out:
	for (size_t i = 0; i < nax; i++)
		free(ax[i].vals);
	free(js.params);
}

static void parse_suite(struct loader *l, yaml_node_t *root)
{
	static const char *const extra[] = {
		"jobs", "counters", "impossible", "name", "description", "cpus",
		NULL
	};
	struct flb_yw *w = &l->yw;
	yaml_node_t *jobs = NULL;

	if (!root) {
		flb_yw_err(w, NULL, "empty suite: expected a mapping with a 'jobs' list");
		return;
	}
	if (root->type != YAML_MAPPING_NODE) {
		flb_yw_err(w, root, "a suite must be a mapping with a 'jobs' list, "
			   "found %s", flb_yw_kind(root));
		return;
	}
	if (flb_yw_check_keys(w, root))
		return;
	/* `impossible` first: it changes how jobs are checked */
	flb_yw_for_each_pair(root, p) {
		if (!strcmp(flb_yw_scalar(flb_yw_node(w, p->key)), "impossible")) {
			static const char *const ch[] = { "error", "skip", NULL };
			static const struct flb_option o = {
				"impossible", FLB_OPT_ENUM, 0, 0, 0, "error", ch,
				NULL, NULL
			};
			int v = 0;

			if (!flb_yw_set(w, &o, flb_yw_node(w, p->value), &v))
				l->impossible = v;
		}
	}
	if (flb_config_impossible_skip)
		l->impossible = IMPOSSIBLE_SKIP;
	flb_yw_for_each_pair(root, p) {
		yaml_node_t *k = flb_yw_node(w, p->key);
		yaml_node_t *v = flb_yw_node(w, p->value);
		const char *key = flb_yw_scalar(k);
		const struct flb_option *o = flb_yw_find(flb_job_options, key);
		const struct flb_option *so = flb_yw_find(flb_suite_options, key);

		if (o || so) {
			if (v->type == YAML_SEQUENCE_NODE)
				flb_yw_err(w, v, "%s: a suite-level setting "
					   "takes one value%s", key,
					   o ? " (sweep it inside a job)" : "");
			else if (o)
				flb_yw_set(w, o, v, &l->defaults);
			else
				flb_yw_set(w, so, v, &l->suite->set);
		} else if (!strcmp(key, "cpus")) {
			parse_cpus(l, v, &l->defaults);
		} else if (!strcmp(key, "counters")) {
			parse_counters(l, v);
		} else if (!strcmp(key, "jobs")) {
			jobs = v;
		} else if (!strcmp(key, "name") || !strcmp(key, "description")) {
			if (!flb_yw_scalar(v))
				flb_yw_err(w, v, "%s: expected text, found %s", key,
					   flb_yw_kind(v));
		} else if (strcmp(key, "impossible")) {
			flb_yw_unknown(w, k, "the suite", flb_job_options,
				       flb_suite_options, extra);
		}
	}
	if (!jobs) {
		flb_yw_err(w, root, "the suite has no 'jobs' list");
		return;
	}
	if (jobs->type != YAML_SEQUENCE_NODE) {
		flb_yw_err(w, jobs, "jobs: expected a list of jobs, found %s",
			   flb_yw_kind(jobs));
		return;
	}
	flb_yw_for_each_item(jobs, it)
		parse_job(l, flb_yw_node(w, *it));
	if (!w->errors && !l->only && !l->suite->njobs)
		flb_yw_err(w, jobs, "jobs: the list is empty");
}

static char *resolve_text(const struct flb_suite *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f, "counters:\n  scope: %s\n  mode: %s\n",
		scope_choices[s->count.scope], count_mode_choices[s->count.mode]);
	if (s->count.mode == FLB_COUNT_SEPARATE)
		fprintf(f, "  every: %" PRIu64 "\n", s->count.every);
	fprintf(f, "  events: [");
	for (size_t i = 0; i < s->nevents; i++)
		fprintf(f, "%s%s", i ? ", " : "", s->events[i]);
	fprintf(f, "]\njobs:\n");
	for (size_t i = 0; i < s->njobs; i++) {
		const struct flb_jobspec *j = &s->jobs[i];

		fprintf(f, "  - workload: %s\n", j->wl->name);
		put_options(f, j->wl->options, j->params, "    %s: %s\n");
		put_options(f, flb_job_options, &j->set, "    %s: %s\n");
		if (j->set.placement == FLB_PLACE_CPUS) {
			fprintf(f, "    cpus: [");
			for (int c = 0; c < j->set.ncpus; c++)
				fprintf(f, "%s%d", c ? ", " : "", j->set.cpus[c]);
			fprintf(f, "]\n");
		}
		if (j->duet)
			fprintf(f, "    # duet side %c%s\n", j->duet,
				j->duet_alternate ? ", alternating with the other" :
				", on a CPU set of its own");
		if (j->skip[0])
			fprintf(f, "    # skipped: %s\n", j->skip);
	}
	fclose(f);
	return buf;
}

static void hash_text(const char *s, char out[17])
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	snprintf(out, 17, "%016" PRIx64, h);
}

int flb_config_load(const char *path, const char *const *only, size_t nonly,
		   struct flb_suite *suite, FILE *err)
{
	struct loader l = { .yw = { .path = path, .err = err }, .suite = suite,
			    .only = only, .nonly = nonly };
	struct utsname u;
	int ret = -1;

	memset(suite, 0, sizeof(*suite));
	suite->path = strdup(path);
	uname(&u);
	l.arch = !strcmp(u.machine, "aarch64") ? "arm64" : u.machine;
	if (flb_pin_init())
		return -1;
	flb_yw_defaults(&l.yw, flb_job_options, &l.defaults, NULL);
	flb_yw_defaults(&l.yw, flb_suite_options, &suite->set, NULL);
	flb_yw_defaults(&l.yw, flb_count_options, &suite->count, NULL);
	if (only) {
		l.only_seen = calloc(nonly ? nonly : 1, sizeof(bool));
		for (size_t i = 0; i < nonly; i++) {
			if (!flb_workload_find(only[i])) {
				fprintf(err, "unknown workload '%s' in --only "
					"(see `flushbench list`)\n", only[i]);
				l.yw.errors++;
			}
		}
	}
	if (flb_yw_load(&l.yw, path, err)) {
		free(l.only_seen);
		goto out;
	}
	parse_suite(&l, flb_yw_root(&l.yw));
	for (size_t i = 0; only && i < nonly && !l.yw.errors; i++) {
		if (!l.only_seen[i]) {
			fprintf(err, "%s: no job of workload '%s' (from --only)\n",
				path, only[i]);
			l.yw.errors++;
		}
	}
	flb_yw_free(&l.yw);
	free(l.only_seen);
	if (l.yw.errors)
		goto out;
	suite->resolved = resolve_text(suite);
	if (!suite->resolved) {
		fprintf(err, "%s: out of memory\n", path);
		goto out;
	}
	hash_text(suite->resolved, suite->hash);
	ret = 0;
out:
	if (ret)
		flb_config_free(suite);
	return ret;
}

void flb_config_free(struct flb_suite *s)
{
	for (size_t i = 0; i < s->njobs; i++) {
		free(s->jobs[i].params);
		free(s->jobs[i].cpus);
		free(s->jobs[i].params_text);
	}
	for (size_t i = 0; i < s->nevents; i++)
		free(s->events[i]);
	free(s->jobs);
	free(s->resolved);
	free(s->path);
	memset(s, 0, sizeof(*s));
}
