// SPDX-License-Identifier: GPL-2.0
/*
 * Suite loader: YAML (libyaml document API) -> validated, expanded jobs.
 * Keys map through option tables (bench/workload.h); one function turns a
 * libyaml mark and a message into "file:line:column: message".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <yaml.h>

#include "config.h"

static const char *const placement_choices[] = {
	"none", "same-core", "same-package", "spread", "cpus", NULL
};

static const char *const scope_choices[] = { "process", "system", NULL };

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
	  NULL, "extra real CPU work added to every op, in ns (a known "
	  "regression for testing the analysis; free when 0)", NULL },
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

/* ------------------------------------------------------------------ */
/* loading */

struct loader {
	const char *path;
	FILE *err;
	yaml_document_t doc;
	int errors;
	enum { IMPOSSIBLE_ERROR, IMPOSSIBLE_SKIP } impossible;
	struct flb_job_settings defaults;
	struct flb_suite *suite;
	const char *const *only;
	size_t nonly;
	bool *only_seen;
	const char *arch;
};

static void errat(struct loader *l, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void errat(struct loader *l, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	fprintf(l->err, "%s:%zu:%zu: ", l->path,
		n ? n->start_mark.line + 1 : 1, n ? n->start_mark.column + 1 : 1);
	va_start(ap, fmt);
	vfprintf(l->err, fmt, ap);
	va_end(ap);
	fputc('\n', l->err);
	l->errors++;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ?
		(const char *)n->data.scalar.value : NULL;
}

static const char *node_kind(const yaml_node_t *n)
{
	return n->type == YAML_MAPPING_NODE ? "a mapping" :
	       n->type == YAML_SEQUENCE_NODE ? "a list" : "a value";
}

static yaml_node_t *node(struct loader *l, int id)
{
	return yaml_document_get_node(&l->doc, id);
}

/* Set option o in base from scalar node v; report errors at v. */
static int set_option(struct loader *l, const struct flb_option *o,
		      yaml_node_t *v, void *base)
{
	char why[512];
	const char *s = scalar(v);

	if (!s) {
		errat(l, v, "%s: expected %s, found %s", o->name,
		      flb_opt_type_noun(o->type), node_kind(v));
		return -1;
	}
	if (flb_opt_parse(o, s, base, why, sizeof(why))) {
		errat(l, v, "%s", why);
		return -1;
	}
	return 0;
}

static const struct flb_option *find_option(const struct flb_option *t,
					   const char *name)
{
	for (; t && t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

/* Report an unknown key with a suggestion from the given tables and extras. */
static void unknown_key(struct loader *l, yaml_node_t *k, const char *where,
			const struct flb_option *t1, const struct flb_option *t2,
			const char *const *extra)
{
	const char *names[256];
	size_t n = 0;
	const char *near;

	for (; t1 && t1->name && n < 200; t1++)
		names[n++] = t1->name;
	for (; t2 && t2->name && n < 240; t2++)
		names[n++] = t2->name;
	for (; extra && *extra && n < 256; extra++)
		names[n++] = *extra;
	near = flb_did_you_mean(scalar(k), names, n);
	if (near)
		errat(l, k, "unknown key '%s' in %s (did you mean '%s'?)",
		      scalar(k), where, near);
	else
		errat(l, k, "unknown key '%s' in %s", scalar(k), where);
}

/* Walk a mapping; returns -1 (after reporting) on a non-scalar or duplicate key. */
#define for_each_pair(l, map, p) \
	for (yaml_node_pair_t *p = (map)->data.mapping.pairs.start; \
	     p < (map)->data.mapping.pairs.top; p++)

static int check_keys(struct loader *l, yaml_node_t *map)
{
	int bad = 0;

	for_each_pair(l, map, p) {
		yaml_node_t *k = node(l, p->key);

		if (!scalar(k)) {
			errat(l, k, "keys must be plain names, found %s",
			      node_kind(k));
			bad = -1;
			continue;
		}
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
			if (scalar(node(l, q->key)) &&
			    !strcmp(scalar(node(l, q->key)), scalar(k))) {
				errat(l, k, "duplicate key '%s' (first at line %zu)",
				      scalar(k), node(l, q->key)->start_mark.line + 1);
				bad = -1;
			}
		}
	}
	return bad;
}

static int parse_cpus(struct loader *l, yaml_node_t *v,
		      struct flb_job_settings *set)
{
	set->ncpus = 0;
	if (v->type != YAML_SEQUENCE_NODE) {
		errat(l, v, "cpus: expected a list of CPU numbers, found %s",
		      node_kind(v));
		return -1;
	}
	for (yaml_node_item_t *it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top; it++) {
		yaml_node_t *c = node(l, *it);
		uint64_t cpu;

		if (!scalar(c) || flb_opt_parse_u64(scalar(c), &cpu) || cpu >= 65536) {
			errat(l, c, "cpus: '%s' is not a CPU number",
			      scalar(c) ? scalar(c) : node_kind(c));
			return -1;
		}
		if (set->ncpus == FLB_MAX_CPUS) {
			errat(l, c, "cpus: more than %d CPUs", FLB_MAX_CPUS);
			return -1;
		}
		set->cpus[set->ncpus++] = (int)cpu;
	}
	if (!set->ncpus) {
		errat(l, v, "cpus: the list is empty");
		return -1;
	}
	set->placement = FLB_PLACE_CPUS;
	return 0;
}

static void add_event(struct loader *l, yaml_node_t *e)
{
	char why[256];
	const char *s = scalar(e);

	if (!s) {
		errat(l, e, "counters: expected an event name, found %s",
		      node_kind(e));
		return;
	}
	if (flb_counters_validate(s, why, sizeof(why))) {
		errat(l, e, "counters: %s", why);
		return;
	}
	for (size_t i = 0; i < l->suite->nevents; i++)
		if (!strcmp(l->suite->events[i], s))
			return;
	if (l->suite->nevents == FLB_MAX_EVENTS) {
		errat(l, e, "counters: more than %d events", FLB_MAX_EVENTS);
		return;
	}
	l->suite->events[l->suite->nevents++] = strdup(s);
}

static void parse_counters(struct loader *l, yaml_node_t *v)
{
	static const char *const keys[] = {
		"events", "scope", "x86_64", "arm64", NULL
	};

	if (v->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = v->data.sequence.items.start;
		     it < v->data.sequence.items.top; it++)
			add_event(l, node(l, *it));
		return;
	}
	if (v->type != YAML_MAPPING_NODE) {
		errat(l, v, "counters: expected a list of events or a mapping "
		      "(events, scope, x86_64, arm64), found %s", node_kind(v));
		return;
	}
	if (check_keys(l, v))
		return;
	for_each_pair(l, v, p) {
		yaml_node_t *k = node(l, p->key), *val = node(l, p->value);
		const char *key = scalar(k);
		bool mine;

		if (!strcmp(key, "scope")) {
			static const struct flb_option o = {
				"scope", FLB_OPT_ENUM, 0, 0, 0, "process",
				scope_choices, NULL, NULL
			};
			int scope;

			if (!set_option(l, &o, val, &scope))
				l->suite->scope = scope;
			continue;
		}
		if (strcmp(key, "events") && strcmp(key, "x86_64") &&
		    strcmp(key, "arm64")) {
			const char *near = flb_did_you_mean(key, keys, 4);

			errat(l, k, "unknown key '%s' in counters%s%s%s", key,
			      near ? " (did you mean '" : "", near ? near : "",
			      near ? "'?)" : "");
			continue;
		}
		if (val->type != YAML_SEQUENCE_NODE) {
			errat(l, val, "counters: %s: expected a list of events, "
			      "found %s", key, node_kind(val));
			continue;
		}
		/* events of another architecture are kept, not validated here */
		mine = !strcmp(key, "events") || !strcmp(key, l->arch);
		for (yaml_node_item_t *it = val->data.sequence.items.start;
		     it < val->data.sequence.items.top; it++) {
			yaml_node_t *e = node(l, *it);

			if (mine)
				add_event(l, e);
			else if (!scalar(e))
				errat(l, e, "counters: expected an event name, "
				      "found %s", node_kind(e));
		}
	}
}

/* One axis of a job's sweep: a key and its values (one, or a list). */
struct axis {
	const struct flb_option *opt;	/* NULL for cpus */
	bool setting;			/* job setting, not a workload param */
	yaml_node_t *key;
	yaml_node_t **vals;
	size_t nvals;
};

static int append(struct loader *l, const void *src)
{
	struct flb_suite *s = l->suite;
	struct flb_jobspec *j;

	j = realloc(s->jobs, (s->njobs + 1) * sizeof(*j));
	if (!j) {
		fprintf(l->err, "%s: out of memory\n", l->path);
		l->errors++;
		return -1;
	}
	s->jobs = j;
	memcpy(&j[s->njobs++], src, sizeof(*j));
	return 0;
}

static void place(struct loader *l, struct flb_jobspec *js, yaml_node_t *at)
{
	char why[200];

	js->ntasks = js->wl->ntasks ? js->wl->ntasks(js->params) : 1;
	if (!js->ntasks)
		js->ntasks = 1;
	js->cpus = calloc(js->ntasks, sizeof(int));
	if (!js->cpus) {
		errat(l, at, "out of memory");
		return;
	}
	if (flb_pin_assign(js->set.placement, js->set.cpus, js->set.ncpus,
			  js->ntasks, js->cpus, why, sizeof(why)) == 0)
		return;
	if (l->impossible == IMPOSSIBLE_SKIP)
		snprintf(js->skip, sizeof(js->skip), "placement impossible here: %s",
			 why);
	else
		errat(l, at, "%s: impossible placement: %s "
		      "(set `impossible: skip` to record a skip row instead)",
		      js->wl->name, why);
}

static char *identity(const struct flb_jobspec *js)
{
	char *buf = NULL, val[FLB_STR_MAX + 32];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (const struct flb_option *o = js->wl->options; o && o->name; o++) {
		flb_opt_format(o, js->params, val, sizeof(val));
		fprintf(f, "%s=%s ", o->name, val);
	}
	fprintf(f, "placement=%s", placement_choices[js->set.placement]);
	if (js->set.placement == FLB_PLACE_CPUS) {
		for (int i = 0; i < js->set.ncpus; i++)
			fprintf(f, "%c%d", i ? ',' : ':', js->set.cpus[i]);
	}
	fclose(f);
	return buf;
}

/* Expand the cartesian product of axes[i..] into jobs. */
static void expand(struct loader *l, struct flb_jobspec *js, struct axis *ax,
		   size_t nax, size_t i, yaml_node_t *at)
{
	if (l->errors)
		return;
	if (i == nax) {
		struct flb_jobspec copy = *js;

		copy.params = malloc(js->wl->params_size ? js->wl->params_size : 1);
		if (!copy.params) {
			errat(l, at, "out of memory");
			return;
		}
		memcpy(copy.params, js->params, js->wl->params_size);
		if (js->set.placement == FLB_PLACE_CPUS && !js->set.ncpus) {
			errat(l, at, "placement: cpus needs a `cpus: [list]`");
			return;
		}
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

		if (!ax[i].opt) {
			if (parse_cpus(l, val, &js->set))
				return;
		} else if (set_option(l, ax[i].opt, val,
				      ax[i].setting ? (void *)&js->set : js->params)) {
			return;
		}
		expand(l, js, ax, nax, i + 1, at);
	}
}

static void apply_defaults(struct loader *l, const struct flb_option *t,
			   void *base, yaml_node_t *at)
{
	char why[256];

	for (; t && t->name; t++) {
		if (t->def && flb_opt_parse(t, t->def, base, why, sizeof(why)))
			errat(l, at, "internal error: default of %s", why);
	}
}

static void parse_job(struct loader *l, yaml_node_t *j)
{
	static const char *const extra[] = { "workload", "cpus", NULL };
	struct flb_jobspec js = { 0 };
	struct axis ax[64];
	size_t nax = 0;
	yaml_node_t *wlnode = NULL;
	const char *name;

	if (j->type != YAML_MAPPING_NODE) {
		errat(l, j, "a job must be a mapping with a 'workload' key, "
		      "found %s", node_kind(j));
		return;
	}
	if (check_keys(l, j))
		return;
	for_each_pair(l, j, p)
		if (!strcmp(scalar(node(l, p->key)), "workload"))
			wlnode = node(l, p->value);
	if (!wlnode) {
		errat(l, j, "job has no 'workload' key");
		return;
	}
	name = scalar(wlnode);
	js.wl = name ? flb_workload_find(name) : NULL;
	if (!js.wl) {
		const char *names[64];
		size_t n = 0;
		const char *near;

		for (const struct flb_workload *const *w = flb_workloads;
		     *w && n < 64; w++)
			names[n++] = (*w)->name;
		near = name ? flb_did_you_mean(name, names, n) : NULL;
		errat(l, wlnode, "unknown workload '%s'%s%s%s (see `flushbench list`)",
		      name ? name : node_kind(wlnode),
		      near ? " (did you mean '" : "", near ? near : "",
		      near ? "'?)" : "");
		return;
	}
	if (js.wl->version != FLB_WORKLOAD_VERSION) {
		errat(l, wlnode, "workload '%s' has contract version %u, the "
		      "runner speaks %u", name, js.wl->version,
		      FLB_WORKLOAD_VERSION);
		return;
	}
	js.set = l->defaults;
	js.params = calloc(1, js.wl->params_size ? js.wl->params_size : 1);
	if (!js.params) {
		errat(l, j, "out of memory");
		return;
	}
	apply_defaults(l, js.wl->options, js.params, wlnode);

	for_each_pair(l, j, p) {
		yaml_node_t *k = node(l, p->key), *v = node(l, p->value);
		const char *key = scalar(k);
		struct axis *a = &ax[nax];

		if (!strcmp(key, "workload"))
			continue;
		a->key = k;
		a->opt = find_option(js.wl->options, key);
		a->setting = false;
		if (!a->opt) {
			a->opt = find_option(flb_job_options, key);
			a->setting = true;
		}
		if (!a->opt && strcmp(key, "cpus")) {
			char where[80];

			snprintf(where, sizeof(where), "a %s job", name);
			unknown_key(l, k, where, js.wl->options, flb_job_options,
				    extra);
			continue;
		}
		if (nax == 64) {
			errat(l, k, "more than 64 keys in one job");
			break;
		}
		/* cpus: [0, 1] is one value; cpus: [[0], [1]] sweeps */
		if (v->type == YAML_SEQUENCE_NODE &&
		    (a->opt || (v->data.sequence.items.start < v->data.sequence.items.top &&
				node(l, *v->data.sequence.items.start)->type ==
				YAML_SEQUENCE_NODE))) {
			size_t n = v->data.sequence.items.top -
				   v->data.sequence.items.start;

			if (!n) {
				errat(l, v, "%s: empty list of values", key);
				continue;
			}
			a->vals = calloc(n, sizeof(*a->vals));
			if (!a->vals) {
				errat(l, v, "out of memory");
				continue;
			}
			for (size_t i = 0; i < n; i++)
				a->vals[i] = node(l, v->data.sequence.items.start[i]);
			a->nvals = n;
		} else {
			a->vals = calloc(1, sizeof(*a->vals));
			if (!a->vals) {
				errat(l, v, "out of memory");
				continue;
			}
			a->vals[0] = v;
			a->nvals = 1;
		}
		nax++;
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
	yaml_node_t *jobs = NULL;

	if (!root) {
		errat(l, NULL, "empty suite: expected a mapping with a 'jobs' list");
		return;
	}
	if (root->type != YAML_MAPPING_NODE) {
		errat(l, root, "a suite must be a mapping with a 'jobs' list, "
		      "found %s", node_kind(root));
		return;
	}
	if (check_keys(l, root))
		return;
	/* `impossible` first: it changes how jobs are checked */
	for_each_pair(l, root, p) {
		if (!strcmp(scalar(node(l, p->key)), "impossible")) {
			static const char *const ch[] = { "error", "skip", NULL };
			static const struct flb_option o = {
				"impossible", FLB_OPT_ENUM, 0, 0, 0, "error", ch,
				NULL, NULL
			};
			int v = 0;

			if (!set_option(l, &o, node(l, p->value), &v))
				l->impossible = v;
		}
	}
	for_each_pair(l, root, p) {
		yaml_node_t *k = node(l, p->key), *v = node(l, p->value);
		const char *key = scalar(k);
		const struct flb_option *o = find_option(flb_job_options, key);
		const struct flb_option *so = find_option(flb_suite_options, key);

		if (o || so) {
			if (v->type == YAML_SEQUENCE_NODE)
				errat(l, v, "%s: a suite-level setting takes one "
				      "value%s", key, o ? " (sweep it inside a job)" : "");
			else if (o)
				set_option(l, o, v, &l->defaults);
			else
				set_option(l, so, v, &l->suite->set);
		} else if (!strcmp(key, "cpus")) {
			parse_cpus(l, v, &l->defaults);
		} else if (!strcmp(key, "counters")) {
			parse_counters(l, v);
		} else if (!strcmp(key, "jobs")) {
			jobs = v;
		} else if (!strcmp(key, "name") || !strcmp(key, "description")) {
			if (!scalar(v))
				errat(l, v, "%s: expected text, found %s", key,
				      node_kind(v));
		} else if (strcmp(key, "impossible")) {
			unknown_key(l, k, "the suite", flb_job_options,
				    flb_suite_options, extra);
		}
	}
	if (!jobs) {
		errat(l, root, "the suite has no 'jobs' list");
		return;
	}
	if (jobs->type != YAML_SEQUENCE_NODE) {
		errat(l, jobs, "jobs: expected a list of jobs, found %s",
		      node_kind(jobs));
		return;
	}
	for (yaml_node_item_t *it = jobs->data.sequence.items.start;
	     it < jobs->data.sequence.items.top; it++)
		parse_job(l, node(l, *it));
	if (!l->errors && !l->only && !l->suite->njobs)
		errat(l, jobs, "jobs: the list is empty");
}

static char *resolve_text(const struct flb_suite *s)
{
	char *buf = NULL, val[FLB_STR_MAX + 32];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f, "counters:\n  scope: %s\n  events: [", scope_choices[s->scope]);
	for (size_t i = 0; i < s->nevents; i++)
		fprintf(f, "%s%s", i ? ", " : "", s->events[i]);
	fprintf(f, "]\njobs:\n");
	for (size_t i = 0; i < s->njobs; i++) {
		const struct flb_jobspec *j = &s->jobs[i];

		fprintf(f, "  - workload: %s\n", j->wl->name);
		for (const struct flb_option *o = j->wl->options; o && o->name; o++) {
			flb_opt_format(o, j->params, val, sizeof(val));
			fprintf(f, "    %s: %s\n", o->name, val);
		}
		for (const struct flb_option *o = flb_job_options; o->name; o++) {
			flb_opt_format(o, &j->set, val, sizeof(val));
			fprintf(f, "    %s: %s\n", o->name, val);
		}
		if (j->set.placement == FLB_PLACE_CPUS) {
			fprintf(f, "    cpus: [");
			for (int c = 0; c < j->set.ncpus; c++)
				fprintf(f, "%s%d", c ? ", " : "", j->set.cpus[c]);
			fprintf(f, "]\n");
		}
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
	struct loader l = { .path = path, .err = err, .suite = suite,
			    .only = only, .nonly = nonly };
	yaml_parser_t parser;
	struct utsname u;
	FILE *f;
	int ret = -1;

	memset(suite, 0, sizeof(*suite));
	suite->path = strdup(path);
	uname(&u);
	l.arch = !strcmp(u.machine, "aarch64") ? "arm64" : u.machine;
	if (flb_pin_init())
		return -1;
	apply_defaults(&l, flb_job_options, &l.defaults, NULL);
	apply_defaults(&l, flb_suite_options, &suite->set, NULL);
	if (only) {
		l.only_seen = calloc(nonly ? nonly : 1, sizeof(bool));
		for (size_t i = 0; i < nonly; i++) {
			if (!flb_workload_find(only[i])) {
				fprintf(err, "unknown workload '%s' in --only "
					"(see `flushbench list`)\n", only[i]);
				l.errors++;
			}
		}
	}
	f = fopen(path, "r");
	if (!f) {
		fprintf(err, "%s: cannot read: %s\n", path, strerror(errno));
		free(l.only_seen);
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &l.doc)) {
		fprintf(err, "%s:%zu:%zu: YAML syntax error: %s%s%s\n", path,
			parser.problem_mark.line + 1,
			parser.problem_mark.column + 1,
			parser.problem ? parser.problem : "unknown",
			parser.context ? " " : "",
			parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		fclose(f);
		free(l.only_seen);
		return -1;
	}
	parse_suite(&l, yaml_document_get_root_node(&l.doc));
	for (size_t i = 0; only && i < nonly && !l.errors; i++) {
		if (!l.only_seen[i]) {
			fprintf(err, "%s: no job of workload '%s' (from --only)\n",
				path, only[i]);
			l.errors++;
		}
	}
	yaml_document_delete(&l.doc);
	yaml_parser_delete(&parser);
	fclose(f);
	free(l.only_seen);
	if (l.errors)
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
