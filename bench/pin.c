// SPDX-License-Identifier: GPL-2.0
/*
 * Placement: the only user of hwloc (see pin.h).
 *
 * The topology is loaded once, restricted to the CPUs this process may use
 * (the cgroup cpuset hwloc reports, intersected with the affinity of the
 * thread that first calls in: call flb_pin_init() before pinning anything).
 * From it we keep a flat list of usable cores, each with its usable PUs, its
 * placement domain (package, or cluster on arm64) and a spread order; every
 * policy is then plain array work. Binding (flb_pin_self) is not here: it
 * needs no topology, and lives in bench/affinity.c so that the worker
 * (bench/worker.c) binds its tasks without linking hwloc.
 */
#include <errno.h>
#include <hwloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pin.h"
#include "options.h"

/* On arm64 same-package means same cluster when hwloc shows one. */
#if defined(__aarch64__)
static const bool want_cluster = true;
#else
static const bool want_cluster = false;
#endif

const char *const flb_placement_names[] = {
	[FLB_PLACE_NONE] = "none",
	[FLB_PLACE_SAME_CORE] = "same-core",
	[FLB_PLACE_SAME_PACKAGE] = "same-package",
	[FLB_PLACE_SPREAD] = "spread",
	[FLB_PLACE_CPUS] = "cpus",
	NULL
};

struct pin_core {
	int *pus;		/* usable PUs (OS index), logical order */
	unsigned int npus;
	unsigned int domain;	/* index into domains[] */
};

struct pin_domain {
	hwloc_obj_t obj;	/* a package, or a cluster group on arm64 */
	unsigned int npus;	/* usable PUs below it */
};

static struct {
	hwloc_topology_t topo;
	hwloc_bitmap_t allowed;	/* usable PUs */
	struct pin_core *cores;
	unsigned int ncores;
	unsigned int *spread;	/* core indices, spread order */
	struct pin_domain *domains;
	unsigned int ndomains;
	unsigned int max_core_pus;
	char why[256];		/* why init failed */
	char summary[512];
	int ret;
} pin;

static pthread_once_t pin_once = PTHREAD_ONCE_INIT;

/* The core a PU belongs to, or the PU itself where hwloc shows no cores. */
static hwloc_obj_t core_of(hwloc_obj_t pu)
{
	hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(pin.topo,
							  HWLOC_OBJ_CORE, pu);

	return core ? core : pu;
}

static hwloc_obj_t domain_of(hwloc_obj_t core)
{
	for (hwloc_obj_t p = core->parent; p; p = p->parent) {
		if (want_cluster && p->type == HWLOC_OBJ_GROUP)
			return p;
		if (p->type == HWLOC_OBJ_PACKAGE)
			return p;
	}
	return hwloc_get_root_obj(pin.topo);
}

static unsigned int domain_index(hwloc_obj_t obj)
{
	unsigned int i;

	for (i = 0; i < pin.ndomains; i++)
		if (pin.domains[i].obj == obj)
			return i;
	pin.domains[i].obj = obj;
	pin.domains[i].npus = 0;
	pin.ndomains++;
	return i;
}

/* Index + 1 of a core in pin.cores, kept in hwloc's userdata. */
static unsigned int core_index(hwloc_obj_t core)
{
	return (unsigned int)(uintptr_t)core->userdata;
}

/* Build pin.cores and pin.domains from the usable PUs, in logical order. */
static int collect_cores(void)
{
	unsigned int npus = hwloc_bitmap_weight(pin.allowed);
	hwloc_obj_t pu = NULL;

	pin.cores = calloc(npus, sizeof(*pin.cores));
	pin.domains = calloc(npus, sizeof(*pin.domains));
	if (!pin.cores || !pin.domains)
		return -ENOMEM;
	while ((pu = hwloc_get_next_obj_by_type(pin.topo, HWLOC_OBJ_PU, pu))) {
		hwloc_obj_t core;
		struct pin_core *c;

		if (!hwloc_bitmap_isset(pin.allowed, pu->os_index))
			continue;
		core = core_of(pu);
		if (!core_index(core)) {
			c = &pin.cores[pin.ncores++];
			core->userdata = (void *)(uintptr_t)pin.ncores;
			c->pus = calloc(npus, sizeof(int));
			if (!c->pus)
				return -ENOMEM;
			c->domain = domain_index(domain_of(core));
		}
		c = &pin.cores[core_index(core) - 1];
		c->pus[c->npus++] = pu->os_index;
		pin.domains[c->domain].npus++;
		if (c->npus > pin.max_core_pus)
			pin.max_core_pus = c->npus;
	}
	return 0;
}

/*
 * Append to out the usable cores below obj so that consecutive entries sit
 * in different children of every level (packages first, then dies, caches,
 * ...): the first n entries are n cores as far apart as the tree allows.
 */
static int spread_order(hwloc_obj_t obj, unsigned int *out, unsigned int *n)
{
	unsigned int **lists, *lens, *pos, total = 0, i;
	int ret = 0;

	*n = 0;
	if (core_index(obj)) {
		out[(*n)++] = core_index(obj) - 1;
		return 0;
	}
	if (!obj->arity)
		return 0;
	lists = calloc(obj->arity, sizeof(*lists));
	lens = calloc(obj->arity, sizeof(*lens));
	pos = calloc(obj->arity, sizeof(*pos));
	if (!lists || !lens || !pos) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < obj->arity; i++) {
		lists[i] = calloc(pin.ncores, sizeof(**lists));
		if (!lists[i]) {
			ret = -ENOMEM;
			goto out_free;
		}
		ret = spread_order(obj->children[i], lists[i], &lens[i]);
		if (ret)
			goto out_free;
		total += lens[i];
	}
	while (*n < total)
		for (i = 0; i < obj->arity; i++)
			if (pos[i] < lens[i])
				out[(*n)++] = lists[i][pos[i]++];
out_free:
	for (i = 0; lists && i < obj->arity; i++)
		free(lists[i]);
	free(lists);
	free(lens);
	free(pos);
	return ret;
}

static void append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used >= len - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static void count(char *buf, size_t len, hwloc_obj_type_t type,
		  const char *one, const char *many)
{
	int n = hwloc_get_nbobjs_by_type(pin.topo, type);

	if (n > 0)
		append(buf, len, "%s%d %s", buf[0] ? ", " : "", n,
		       n == 1 ? one : many);
}

static void summarize(void)
{
	static const hwloc_obj_type_t caches[] = {
		HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L1ICACHE, HWLOC_OBJ_L2CACHE,
		HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L5CACHE,
	};
	char *s = pin.summary, name[32], size[32];
	size_t len = sizeof(pin.summary);
	const char *sep = "; ";

	s[0] = '\0';
	count(s, len, HWLOC_OBJ_PACKAGE, "package", "packages");
	count(s, len, HWLOC_OBJ_DIE, "die", "dies");
	if (want_cluster)
		count(s, len, HWLOC_OBJ_GROUP, "cluster", "clusters");
	count(s, len, HWLOC_OBJ_CORE, "core", "cores");
	count(s, len, HWLOC_OBJ_PU, "PU", "PUs");
	count(s, len, HWLOC_OBJ_NUMANODE, "NUMA node", "NUMA nodes");
	for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
		int n = hwloc_get_nbobjs_by_type(pin.topo, caches[i]);
		hwloc_obj_t c = hwloc_get_obj_by_type(pin.topo, caches[i], 0);

		if (n <= 0 || !c)
			continue;
		hwloc_obj_type_snprintf(name, sizeof(name), c, 0);
		flb_size_str(size, sizeof(size), c->attr->cache.size);
		append(s, len, "%s%s %s x%d", sep, name, size, n);
		sep = ", ";
	}
	if (hwloc_bitmap_weight(pin.allowed) !=
	    hwloc_get_nbobjs_by_type(pin.topo, HWLOC_OBJ_PU)) {
		char *list;

		hwloc_bitmap_list_asprintf(&list, pin.allowed);
		append(s, len, "; usable CPUs %s", list ? list : "?");
		free(list);
	}
}

static int load(void)
{
	hwloc_bitmap_t bound;
	int err;

	if (hwloc_topology_init(&pin.topo)) {
		snprintf(pin.why, sizeof(pin.why), "hwloc_topology_init: %s",
			 strerror(errno));
		return -1;
	}
	if (hwloc_topology_load(pin.topo)) {
		snprintf(pin.why, sizeof(pin.why), "hwloc_topology_load: %s",
			 strerror(errno));
		return -1;
	}
	pin.allowed = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(pin.topo));
	bound = hwloc_bitmap_alloc();
	if (!pin.allowed || !bound)
		goto err_nomem;
	if (!hwloc_get_cpubind(pin.topo, bound, HWLOC_CPUBIND_THREAD))
		hwloc_bitmap_and(pin.allowed, pin.allowed, bound);
	hwloc_bitmap_free(bound);
	if (hwloc_bitmap_iszero(pin.allowed)) {
		snprintf(pin.why, sizeof(pin.why),
			 "no usable CPU (cpuset and affinity do not intersect)");
		return -1;
	}
	err = collect_cores();
	if (err)
		goto err_errno;
	pin.spread = calloc(pin.ncores, sizeof(*pin.spread));
	if (!pin.spread)
		goto err_nomem;
	err = spread_order(hwloc_get_root_obj(pin.topo), pin.spread,
			   &(unsigned int){ 0 });
	if (err)
		goto err_errno;
	summarize();
	return 0;
err_nomem:
	err = -ENOMEM;
err_errno:
	snprintf(pin.why, sizeof(pin.why), "reading the topology: %s",
		 strerror(-err));
	return -1;
}

static void load_once(void)
{
	pin.ret = load();
}

static int pin_ready(void)
{
	pthread_once(&pin_once, load_once);
	return pin.ret;
}

int flb_pin_init(void)
{
	if (pin_ready()) {
		fprintf(stderr, "pin: %s\n", pin.why);
		return -1;
	}
	return 0;
}

unsigned int flb_pin_ncpus(void)
{
	return pin_ready() ? 0 : hwloc_bitmap_weight(pin.allowed);
}

int flb_pin_cpu_ok(int cpu)
{
	return cpu >= 0 && !pin_ready() && hwloc_bitmap_isset(pin.allowed, cpu);
}

/* Why cpu cannot be used, for a message. */
static void cpu_why(int cpu, char *why, size_t len)
{
	char *list = NULL;

	hwloc_bitmap_list_asprintf(&list, pin.allowed);
	if (cpu < 0 || !hwloc_bitmap_isset(hwloc_topology_get_complete_cpuset(pin.topo), cpu))
		snprintf(why, len, "cpu %d does not exist on this machine (usable CPUs: %s)",
			 cpu, list ? list : "?");
	else
		snprintf(why, len, "cpu %d is not allowed for this process (usable CPUs: %s)",
			 cpu, list ? list : "?");
	free(list);
}

static int assign_cpus(const int *cpus, size_t ncpus, unsigned int ntasks,
		       int *out, char *why, size_t len)
{
	if (ncpus < ntasks) {
		snprintf(why, len, "cpus lists %zu CPU%s for %u tasks", ncpus,
			 ncpus == 1 ? "" : "s", ntasks);
		return -1;
	}
	for (unsigned int i = 0; i < ntasks; i++) {
		if (!flb_pin_cpu_ok(cpus[i])) {
			cpu_why(cpus[i], why, len);
			return -1;
		}
		out[i] = cpus[i];
	}
	return 0;
}

static int assign_same_core(unsigned int ntasks, int *out, char *why, size_t len)
{
	for (unsigned int c = 0; c < pin.ncores; c++) {
		if (pin.cores[c].npus < ntasks)
			continue;
		for (unsigned int i = 0; i < ntasks; i++)
			out[i] = pin.cores[c].pus[i];
		return 0;
	}
	if (pin.max_core_pus == 1)
		snprintf(why, len,
			 "same-core needs %u hardware threads of one core, this machine has no SMT (1 per core)",
			 ntasks);
	else
		snprintf(why, len,
			 "same-core needs %u hardware threads of one core, cores here have at most %u",
			 ntasks, pin.max_core_pus);
	return -1;
}

/* Distinct cores of the domain first, then their further threads. */
static int assign_same_package(unsigned int ntasks, int *out, char *why,
			       size_t len)
{
	unsigned int best = 0;
	const char *what = "package";

	for (unsigned int d = 0; d < pin.ndomains; d++) {
		unsigned int n = 0;

		if (pin.domains[d].obj->type == HWLOC_OBJ_GROUP)
			what = "cluster";
		if (pin.domains[d].npus > best)
			best = pin.domains[d].npus;
		if (pin.domains[d].npus < ntasks)
			continue;
		for (unsigned int t = 0; n < ntasks && t < pin.max_core_pus; t++)
			for (unsigned int c = 0; n < ntasks && c < pin.ncores; c++)
				if (pin.cores[c].domain == d && t < pin.cores[c].npus)
					out[n++] = pin.cores[c].pus[t];
		return 0;
	}
	snprintf(why, len, "same-package needs %u CPUs in one %s, the largest %s here has %u",
		 ntasks, what, what, best);
	return -1;
}

static int assign_spread(unsigned int ntasks, int *out, char *why, size_t len)
{
	if (ntasks > pin.ncores) {
		if ((int)pin.ncores < hwloc_get_nbobjs_by_type(pin.topo, HWLOC_OBJ_CORE))
			snprintf(why, len, "spread needs %u distinct cores, %u %s usable here",
				 ntasks, pin.ncores, pin.ncores == 1 ? "is" : "are");
		else
			snprintf(why, len, "spread needs %u distinct cores, this machine has %u",
				 ntasks, pin.ncores);
		return -1;
	}
	for (unsigned int i = 0; i < ntasks; i++)
		out[i] = pin.cores[pin.spread[i]].pus[0];
	return 0;
}

int flb_pin_assign(enum flb_placement p, const int *cpus, size_t ncpus,
		  unsigned int ntasks, int *out, char *why, size_t len)
{
	if (p == FLB_PLACE_NONE) {
		for (unsigned int i = 0; i < ntasks; i++)
			out[i] = -1;
		return 0;
	}
	if (pin_ready()) {
		snprintf(why, len, "no topology: %s", pin.why);
		return -1;
	}
	switch (p) {
	case FLB_PLACE_SAME_CORE:
		return assign_same_core(ntasks, out, why, len);
	case FLB_PLACE_SAME_PACKAGE:
		return assign_same_package(ntasks, out, why, len);
	case FLB_PLACE_SPREAD:
		return assign_spread(ntasks, out, why, len);
	case FLB_PLACE_CPUS:
		return assign_cpus(cpus, ncpus, ntasks, out, why, len);
	default:
		snprintf(why, len, "unknown placement %d", (int)p);
		return -1;
	}
}

const char *flb_pin_topology(void)
{
	if (pin_ready())
		return "unknown (no hwloc topology)";
	return pin.summary;
}
