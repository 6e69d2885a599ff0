// SPDX-License-Identifier: GPL-2.0
/* The workload registry, expanded from bench/workloads.def. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "util.h"
#include "workload.h"

#define FLB_WORKLOAD(n) extern const struct flb_workload flb_wl_##n;
#include "workloads.def"
#undef FLB_WORKLOAD

const struct flb_workload *const flb_workloads[] = {
#define FLB_WORKLOAD(n) &flb_wl_##n,
#include "workloads.def"
#undef FLB_WORKLOAD
	NULL
};

const struct flb_workload *flb_workload_find(const char *name)
{
	for (const struct flb_workload *const *w = flb_workloads; *w; w++)
		if (!strcmp((*w)->name, name))
			return *w;
	return NULL;
}

const char *flb_workload_primary(const char *name)
{
	const struct flb_workload *w = flb_workload_find(name);

	return w && w->primary ? w->primary : "ns_per_op";
}

int flb_helper_path(const char *helper, char *path, size_t len)
{
	const char *name = strrchr(helper, '/'), *env;
	char var[64] = "FLUSHBENCH_", dir[PATH_MAX];
	size_t v = strlen(var);

	name = name ? name + 1 : helper;
	for (const char *c = name; *c && v + 1 < sizeof(var); c++)
		var[v++] = *c == '-' ? '_' : toupper((unsigned char)*c);
	var[v] = '\0';
	env = getenv(var);
	if (env && *env) {
		snprintf(path, len, "%s", env);
		return access(path, X_OK);
	}
	if (!flb_exe_dir(dir, sizeof(dir))) {
		if ((size_t)snprintf(path, len, "%s/%s", dir, name) < len &&
		    !access(path, X_OK))
			return 0;
		if ((size_t)snprintf(path, len, "%s/%s", dir, helper) < len &&
		    !access(path, X_OK))
			return 0;
	}
	/* a program of the tree that is not flushbench (tests/run.sh sets it) */
	env = getenv("FLUSHBENCH_TOP");
	if (env && *env) {
		if ((size_t)snprintf(path, len, "%s/%s", env, helper) >= len)
			return -1;
		return access(path, X_OK);
	}
	return -1;
}

/* The canonical text of o's default ("" when it has none or it is bad). */
static void default_text(const struct flb_option *o, size_t size, char *buf,
			 size_t len)
{
	void *d = calloc(1, size ? size : 1);
	char why[64];

	buf[0] = '\0';
	if (d && o->def && !flb_opt_parse(o, o->def, d, why, sizeof(why)))
		flb_opt_format(o, d, buf, len);
	free(d);
}

static const struct flb_option *option_named(const struct flb_workload *w,
					     const char *name, size_t n)
{
	for (const struct flb_option *o = w ? w->options : NULL; o && o->name; o++)
		if (strlen(o->name) == n && !strncmp(o->name, name, n))
			return o;
	return NULL;
}

void flb_params_class(const char *name, const char *params, char *buf,
		     size_t len)
{
	const struct flb_workload *w = flb_workload_find(name);
	char def[FLB_STR_MAX + 32];
	size_t used = 0;

	buf[0] = '\0';
	for (const char *p = params; p && *p;) {
		const char *end = strchr(p, ' '), *eq;
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const struct flb_option *o;

		eq = memchr(p, '=', n);
		if (eq) {
			size_t kl = (size_t)(eq - p), vl = n - kl - 1;

			o = option_named(w, p, kl);
			if (o)
				default_text(o, w->params_size, def, sizeof(def));
			if (o ? strlen(def) != vl || strncmp(def, eq + 1, vl) :
			    !(kl == 9 && !strncmp(p, "placement", 9) &&
			      vl == 6 && !strncmp(eq + 1, "spread", 6)))
				used += snprintf(buf + used, used < len ? len - used : 0,
						 "%s%c%.*s: %.*s", used ? " " : "",
						 toupper((unsigned char)*p),
						 (int)kl - 1, p + 1, (int)vl, eq + 1);
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	if (used >= len && len)
		buf[len - 1] = '\0';
}

const struct flb_catalog flb_workload_catalog = {
	.primary = flb_workload_primary,
	.params_class = flb_params_class,
};
