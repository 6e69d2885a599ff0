// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: turns event names into perf_event_open(2) file descriptors (or
 * /proc/interrupts rows) and reads them around each sample.  This is the
 * only file that talks to perf_event_open and libpfm4.
 *
 * A name resolves, in this order, as: a generic perf name (table below); a
 * tracepoint "subsys:event" through tracefs (tlb:tlb_flush also gives one
 * counter per flush reason, using a tracepoint filter); "interrupts" or
 * "irq:ROW" (deltas of the TLB-shootdown and IPI rows of /proc/interrupts);
 * else a libpfm4 event.  Whatever this machine cannot count is reported once
 * through the caller's unsupported() and dropped; the run goes on.
 */
#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "counters.h"
#include "options.h"
#include "util.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Generic perf names, as perf-list(1) spells them. */
#define HWC(cache, op, res)						\
	(PERF_COUNT_HW_CACHE_##cache | (PERF_COUNT_HW_CACHE_OP_##op << 8) |	\
	 (PERF_COUNT_HW_CACHE_RESULT_##res << 16))

static const struct generic_event {
	const char *name;
	uint32_t type;
	uint64_t config;
} generic_events[] = {
	{ "cycles",		PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "cpu-cycles",		PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions",	PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache-references",	PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES },
	{ "cache-misses",	PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ "branches",		PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branch-misses",	PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
	{ "ref-cycles",		PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES },
	{ "dTLB-loads",		PERF_TYPE_HW_CACHE, HWC(DTLB, READ, ACCESS) },
	{ "dTLB-load-misses",	PERF_TYPE_HW_CACHE, HWC(DTLB, READ, MISS) },
	{ "dTLB-stores",	PERF_TYPE_HW_CACHE, HWC(DTLB, WRITE, ACCESS) },
	{ "dTLB-store-misses",	PERF_TYPE_HW_CACHE, HWC(DTLB, WRITE, MISS) },
	{ "iTLB-loads",		PERF_TYPE_HW_CACHE, HWC(ITLB, READ, ACCESS) },
	{ "iTLB-load-misses",	PERF_TYPE_HW_CACHE, HWC(ITLB, READ, MISS) },
	{ "L1-dcache-loads",	PERF_TYPE_HW_CACHE, HWC(L1D, READ, ACCESS) },
	{ "L1-dcache-load-misses", PERF_TYPE_HW_CACHE, HWC(L1D, READ, MISS) },
	{ "task-clock",		PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "cpu-clock",		PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ "page-faults",	PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "minor-faults",	PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major-faults",	PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "context-switches",	PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations",	PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
};

/*
 * PMU event names of the other architecture we target: known (so a config
 * written for arm64 validates on an x86 development box and vice versa),
 * but only countable where libpfm4 finds them.
 */
static const struct foreign_event {
	const char *name;
	const char *pmu;
} foreign_events[] = {
#define ARM(n)	{ n, "an Arm PMUv3 common event (arm64)" }
	ARM("CPU_CYCLES"), ARM("INST_RETIRED"), ARM("L1D_TLB_REFILL"),
	ARM("L1I_TLB_REFILL"), ARM("L1D_TLB"), ARM("L1I_TLB"),
	ARM("L2D_TLB_REFILL"), ARM("L2D_TLB"), ARM("DTLB_WALK"),
	ARM("ITLB_WALK"), ARM("L1D_CACHE_REFILL"), ARM("L1D_CACHE"),
	ARM("L1I_CACHE_REFILL"), ARM("BR_MIS_PRED"), ARM("BR_RETIRED"),
	ARM("MEM_ACCESS"), ARM("BUS_ACCESS"), ARM("EXC_TAKEN"),
	ARM("STALL_FRONTEND"), ARM("STALL_BACKEND"),
#undef ARM
	{ "DTLB_LOAD_MISSES",	"an Intel x86 event" },
	{ "DTLB_STORE_MISSES",	"an Intel x86 event" },
	{ "ITLB_MISSES",	"an Intel x86 event" },
	{ "L1_DTLB_MISS",	"an AMD x86 event" },
	{ "L2_DTLB_MISS",	"an AMD x86 event" },
	{ "L1_ITLB_MISS_L2_ITLB_HIT", "an AMD x86 event" },
	{ "L1_ITLB_MISS_L2_ITLB_MISS", "an AMD x86 event" },
};

/* enum tlb_flush_reason of arch/x86/include/asm/tlbflush.h / mm_types.h */
static const char *const tlb_flush_reasons[] = {
	"task_switch", "remote_shootdown", "local_shootdown",
	"local_mm_shootdown", "remote_send_ipi", "remote_wrong_cpu",
};
#define TLB_FLUSH		"tlb:tlb_flush"
#define TLB_FLUSH_OLD_REASONS	5	/* assumed when the format is unreadable */

/* /proc/interrupts rows worth counting: x86 labels, arm64 IPI descriptions. */
static const char *const irq_x86_rows[] = { "TLB", "CAL", "RES", "IWI" };
static const char *const irq_known_descs[] = {
	"Rescheduling interrupts", "Function call interrupts",
	"CPU stop interrupts", "CPU stop (for crash dump) interrupts",
	"Timer broadcast interrupts", "IRQ work interrupts",
	"CPU wake-up interrupts", "CPU backtrace interrupts",
	"KGDB roundup interrupts",
};
#define IRQ_PREFIX	"irq:"

enum flb_kind { EV_PERF, EV_IRQ };

struct flb_counter {
	char *name;
	enum flb_kind kind;
	int *fd;			/* EV_PERF: one per entry of cpus[] */
	uint64_t base[3];		/* EV_PERF: count, enabled, running at start */
	unsigned long long irq_start;	/* EV_IRQ */
	bool irq_seen;			/* EV_IRQ: row found by the last read */
	double value;
};

struct flb_counters {
	struct flb_counter *ev;
	size_t n, cap;
	int *cpus;			/* -1 alone for FLB_SCOPE_PROCESS */
	pid_t *tids;			/* or, for another process, its threads */
	size_t ncpus;			/* entries of cpus[] (and tids[]) */
	enum flb_counter_scope scope;
	flb_unsupported_fn unsupported;
	void *arg;
};

/* What a name resolved to. */
enum flb_res {
	RES_UNKNOWN,		/* not an event name: why says so */
	RES_UNCOUNTABLE,	/* an event, but not countable here: why says so */
	RES_PERF,		/* attr (and filter) ready for perf_event_open */
	RES_TLB_FLUSH,		/* tlb:tlb_flush: total plus one per reason */
	RES_IRQ_ALL,		/* "interrupts" */
	RES_IRQ_ROW,		/* irq:ROW, ROW a label or an IPI description */
};

struct flb_resolved {
	enum flb_res res;
	struct perf_event_attr attr;
	char filter[32];		/* "" for none */
	char why[512];
};

/* ---- small helpers ------------------------------------------------------- */

/* The text of path into buf (cut at len): its length, or -errno. */
static int read_text(const char *path, char *buf, size_t len)
{
	char *s = flb_slurp(path, NULL);

	if (!s)
		return -errno;
	snprintf(buf, len, "%s", s);
	free(s);
	return (int)strlen(buf);
}

/* Keep in best the candidate nearest to name, if near enough to be a typo. */
static void suggest(const char *name, const char *cand, const char **best,
		    size_t *dist)
{
	size_t d = flb_edit_distance(name, cand);

	if (d < *dist && d <= 1 + strlen(cand) / 4) {
		*dist = d;
		*best = cand;
	}
}

static const char *tracefs(void);
static bool tracepoint_syntax(const char *name, size_t *colon);

/* The known name nearest to name, in buf; NULL if none is near. */
static const char *did_you_mean(const char *name, char *buf, size_t len)
{
	const char *best = NULL;
	size_t dist = (size_t)-1;
	struct dirent *de;
	size_t i, colon;
	char path[512];
	DIR *d;

	for (i = 0; i < ARRAY_SIZE(generic_events); i++)
		suggest(name, generic_events[i].name, &best, &dist);
	for (i = 0; i < ARRAY_SIZE(foreign_events); i++)
		suggest(name, foreign_events[i].name, &best, &dist);
	suggest(name, "interrupts", &best, &dist);
	suggest(name, TLB_FLUSH, &best, &dist);
	if (best)
		snprintf(buf, len, "%s", best);
	/* the events of the same tracepoint subsystem */
	if (!tracepoint_syntax(name, &colon) || !tracefs())
		return best ? buf : NULL;
	snprintf(path, sizeof(path), "%s/%.*s", tracefs(), (int)colon, name);
	d = opendir(path);
	while (d && (de = readdir(d)))
		if (de->d_type == DT_DIR && de->d_name[0] != '.' &&
		    flb_edit_distance(name + colon + 1, de->d_name) < dist) {
			suggest(name + colon + 1, de->d_name, &best, &dist);
			if (best == de->d_name)
				snprintf(buf, len, "%.*s:%.64s", (int)colon, name, best);
		}
	if (d)
		closedir(d);
	return best ? buf : NULL;
}

/* ---- tracefs ------------------------------------------------------------- */

static const char *tracefs_events;	/* ".../events", or NULL */
static char tracefs_why[160];

static void tracefs_find(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing/events",
		"/sys/kernel/debug/tracing/events",
	};
	struct stat st;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		if (!stat(dirs[i], &st) && S_ISDIR(st.st_mode))
			goto found;
	/* Not mounted: mount it where it belongs, if we are allowed to. */
	if (!mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) &&
	    !stat(dirs[0], &st)) {
		i = 0;
		goto found;
	}
	err = errno;
	snprintf(tracefs_why, sizeof(tracefs_why),
		 "tracefs is not mounted and mounting it on /sys/kernel/tracing failed: %s%s",
		 strerror(err), err == EPERM ? " (run as root)" : "");
	return;
found:
	tracefs_events = dirs[i];
}

static const char *tracefs(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, tracefs_find);
	return tracefs_events;
}

/* A tracepoint name is "subsys:event" in lower case, letters, digits and _. */
static bool tracepoint_syntax(const char *name, size_t *colon)
{
	const char *c = strchr(name, ':');
	const char *p;

	if (!c || c == name || !c[1] || strchr(c + 1, ':'))
		return false;
	for (p = name; *p; p++)
		if (p != c && !islower((unsigned char)*p) &&
		    !isdigit((unsigned char)*p) && *p != '_')
			return false;
	*colon = c - name;
	return true;
}

/* 0 and the id of tracepoint subsys:event, or -errno. */
static int tracepoint_id(const char *name, size_t colon, uint64_t *id)
{
	char path[512], buf[32];
	int n;

	snprintf(path, sizeof(path), "%s/%.*s/%s/id", tracefs(), (int)colon,
		 name, name + colon + 1);
	n = read_text(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	*id = strtoull(buf, NULL, 10);
	return 0;
}

/*
 * Reason values tlb:tlb_flush prints symbolically ("{ 1, "remote shootdown" }"
 * in its format); a bit per value.  The first five when the format is
 * unreadable.
 */
static unsigned int tlb_flush_reason_mask(void)
{
	char path[512], buf[4096], *p;
	unsigned int mask = 0;

	snprintf(path, sizeof(path), "%s/tlb/tlb_flush/format", tracefs());
	if (read_text(path, buf, sizeof(buf)) > 0 &&
	    (p = strstr(buf, "__print_symbolic(REC->reason"))) {
		while ((p = strchr(p, '{'))) {
			unsigned long v = strtoul(p + 1, &p, 10);

			if (v < 32)
				mask |= 1u << v;
		}
	}
	return mask ? mask : (1u << TLB_FLUSH_OLD_REASONS) - 1;
}

static void tracepoint_attr(struct flb_resolved *r, uint64_t id)
{
	r->res = RES_PERF;
	r->attr.type = PERF_TYPE_TRACEPOINT;
	r->attr.config = id;
	r->attr.sample_period = 1;
}

/* tlb:tlb_flush and tlb:tlb_flush:REASON; false if name is neither. */
static bool resolve_tlb_flush(const char *name, struct flb_resolved *r)
{
	size_t len = strlen(TLB_FLUSH), i;
	uint64_t id;
	int err;

	if (strncmp(name, TLB_FLUSH, len) || (name[len] && name[len] != ':'))
		return false;
	for (i = 0; name[len] && i < ARRAY_SIZE(tlb_flush_reasons); i++)
		if (!strcmp(name + len + 1, tlb_flush_reasons[i]))
			break;
	if (i == ARRAY_SIZE(tlb_flush_reasons)) {
		snprintf(r->why, sizeof(r->why),
			 "unknown tlb:tlb_flush reason '%s' (reasons: task_switch, remote_shootdown, local_shootdown, local_mm_shootdown, remote_send_ipi, remote_wrong_cpu)",
			 name + len + 1);
		return true;
	}
	r->res = RES_UNCOUNTABLE;
	if (!tracefs()) {
		snprintf(r->why, sizeof(r->why), "%s", tracefs_why);
		return true;
	}
	err = tracepoint_id(TLB_FLUSH, 3, &id);
	if (err) {
		snprintf(r->why, sizeof(r->why),
			 "no tracepoint tlb/tlb_flush in %s: %s (it exists on x86 kernels only)",
			 tracefs(), strerror(-err));
		return true;
	}
	tracepoint_attr(r, id);
	if (!name[len])
		r->res = RES_TLB_FLUSH;
	else
		snprintf(r->filter, sizeof(r->filter), "reason == %zu", i);
	return true;
}

/* ---- /proc/interrupts ---------------------------------------------------- */

/*
 * Split a /proc/interrupts line "LABEL: n n ... description" into its label,
 * the sum of its per-CPU counts and its description.  Modifies line.
 */
static bool irq_parse_line(char *line, const char **label,
			   unsigned long long *sum, const char **desc)
{
	char *p = strchr(line, ':'), *end;

	if (!p)
		return false;
	*p++ = '\0';
	while (isspace((unsigned char)*line))
		line++;
	*label = line;
	*sum = 0;
	for (;;) {
		unsigned long long v;

		while (isspace((unsigned char)*p))
			p++;
		if (!isdigit((unsigned char)*p))
			break;
		v = strtoull(p, &end, 10);
		*sum += v;
		p = end;
	}
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		*--end = '\0';
	*desc = p;
	return true;
}

static bool irq_row_wanted(const char *label, const char *desc)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(irq_x86_rows); i++)
		if (!strcmp(label, irq_x86_rows[i]))
			return true;
	/* arm64, riscv: IPI0..IPIn, known by their description */
	return !strncmp(label, "IPI", 3) && isdigit((unsigned char)label[3]) &&
	       *desc;
}

/* The counter name of a row: "irq:TLB" on x86, "irq:DESCRIPTION" for IPIn. */
static void irq_row_name(const char *label, const char *desc, char *buf,
			 size_t len)
{
	snprintf(buf, len, IRQ_PREFIX "%s", strncmp(label, "IPI", 3) ? label : desc);
}

/* 0 and the counter name and sum of a counted row, else -1.  Modifies line. */
static int irq_line(char *line, char *name, size_t len, unsigned long long *sum)
{
	const char *label, *desc;

	if (!irq_parse_line(line, &label, sum, &desc) ||
	    !irq_row_wanted(label, desc))
		return -1;
	irq_row_name(label, desc, name, len);
	return 0;
}

int flb_counters_irq_line(const char *line, char *name, size_t len,
			 unsigned long long *sum)
{
	char *copy = strdup(line);
	int ret;

	if (!copy)
		return -1;
	ret = irq_line(copy, name, len, sum);
	free(copy);
	return ret;
}

typedef void (*irq_row_fn)(void *arg, const char *name, unsigned long long sum);

/* Call fn for each wanted row of /proc/interrupts; -errno if unreadable. */
static int irq_for_each_row(irq_row_fn fn, void *arg)
{
	FILE *f = fopen("/proc/interrupts", "re");
	char *line = NULL, name[128];
	size_t cap = 0;
	int err;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		unsigned long long sum;

		if (!irq_line(line, name, sizeof(name), &sum))
			fn(arg, name, sum);
	}
	err = ferror(f) ? -EIO : 0;
	free(line);
	fclose(f);
	return err;
}

struct irq_find {
	const char *name;
	bool found;
};

static void irq_find_row(void *arg, const char *name, unsigned long long sum)
{
	struct irq_find *f = arg;

	(void)sum;
	if (!strcmp(f->name, name))
		f->found = true;
}

/* "interrupts" and "irq:ROW"; false if name is neither. */
static bool resolve_irq(const char *name, struct flb_resolved *r)
{
	const char *row = name + strlen(IRQ_PREFIX);
	struct irq_find f = { .name = name };
	size_t dummy, i;
	int err;

	if (!strcmp(name, "interrupts")) {
		r->res = RES_IRQ_ALL;
		return true;
	}
	/* irq:lower_case is a tracepoint (irq:irq_handler_entry) */
	if (strncmp(name, IRQ_PREFIX, strlen(IRQ_PREFIX)) ||
	    tracepoint_syntax(name, &dummy))
		return false;
	err = irq_for_each_row(irq_find_row, &f);
	if (f.found) {
		r->res = RES_IRQ_ROW;
		return true;
	}
	for (i = 0; i < ARRAY_SIZE(irq_x86_rows); i++)
		if (!strcmp(row, irq_x86_rows[i]))
			r->res = RES_UNCOUNTABLE;
	for (i = 0; i < ARRAY_SIZE(irq_known_descs); i++)
		if (!strcmp(row, irq_known_descs[i]))
			r->res = RES_UNCOUNTABLE;
	if (r->res == RES_UNCOUNTABLE)
		snprintf(r->why, sizeof(r->why),
			 "/proc/interrupts has no row '%s' on this kernel%s%s",
			 row, err ? ": " : "", err ? strerror(-err) : "");
	else
		snprintf(r->why, sizeof(r->why),
			 "no row '%s' in /proc/interrupts (x86 rows: TLB, CAL, RES, IWI; arm64: the IPI description, e.g. 'irq:Function call interrupts')",
			 row);
	return true;
}

/* ---- libpfm4 ------------------------------------------------------------- */

static int pfm_init_err = PFM_ERR_NOINIT;

static void pfm_init_once(void)
{
	pfm_init_err = pfm_initialize();
}

/* The PMUs libpfm4 found here, for messages. */
static void pfm_pmu_list(char *buf, size_t len)
{
	pfm_pmu_info_t info;
	size_t used = 0;
	int i;

	buf[0] = '\0';
	pfm_for_all_pmus(i) {
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		if (pfm_get_pmu_info(i, &info) != PFM_SUCCESS || !info.is_present)
			continue;
		used += snprintf(buf + used, len - used, "%s%s",
				 used ? ", " : "", info.name);
		if (used >= len)
			break;
	}
}

/* The foreign_events entry of name ("[pmu::]EVENT[:umask...]"), or NULL. */
static const struct foreign_event *foreign_event(const char *name)
{
	const char *p = strstr(name, "::");
	size_t len, i;

	name = p ? p + 2 : name;
	len = strcspn(name, ":");
	for (i = 0; i < ARRAY_SIZE(foreign_events); i++)
		if (strlen(foreign_events[i].name) == len &&
		    !strncasecmp(name, foreign_events[i].name, len))
			return &foreign_events[i];
	return NULL;
}

static void resolve_pfm(const char *name, struct flb_resolved *r)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const struct foreign_event *fe;
	pfm_perf_encode_arg_t arg;
	char pmus[160];
	int err;

	pthread_once(&once, pfm_init_once);
	if (pfm_init_err != PFM_SUCCESS) {
		r->res = foreign_event(name) ? RES_UNCOUNTABLE : RES_UNKNOWN;
		snprintf(r->why, sizeof(r->why),
			 "'%s' is no generic perf name or tracepoint, and libpfm4 failed to initialise: %s",
			 name, pfm_strerror(pfm_init_err));
		return;
	}
	memset(&arg, 0, sizeof(arg));
	arg.size = sizeof(arg);
	arg.attr = &r->attr;
	err = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3,
					PFM_OS_PERF_EVENT_EXT, &arg);
	if (err == PFM_SUCCESS) {
		r->res = RES_PERF;
		return;
	}
	pfm_pmu_list(pmus, sizeof(pmus));
	fe = foreign_event(name);
	r->res = fe ? RES_UNCOUNTABLE : RES_UNKNOWN;
	snprintf(r->why, sizeof(r->why), "libpfm4: %s for this CPU's PMUs (%s)%s%s",
		 pfm_strerror(err), pmus, fe ? "; it is " : "", fe ? fe->pmu : "");
}

/* ---- name resolution ----------------------------------------------------- */

static void resolve(const char *name, struct flb_resolved *r)
{
	size_t colon, i;
	uint64_t id;

	memset(r, 0, sizeof(*r));
	r->res = RES_UNKNOWN;
	for (i = 0; i < ARRAY_SIZE(generic_events); i++) {
		if (strcasecmp(name, generic_events[i].name))
			continue;
		r->res = RES_PERF;
		r->attr.type = generic_events[i].type;
		r->attr.config = generic_events[i].config;
		return;
	}
	if (resolve_tlb_flush(name, r) || resolve_irq(name, r))
		return;
	if (tracepoint_syntax(name, &colon)) {
		if (!tracefs()) {
			r->res = RES_UNCOUNTABLE;
			snprintf(r->why, sizeof(r->why), "%s", tracefs_why);
			return;
		}
		if (!tracepoint_id(name, colon, &id)) {
			tracepoint_attr(r, id);
			return;
		}
	}
	resolve_pfm(name, r);
	if (r->res == RES_UNKNOWN && tracepoint_syntax(name, &colon))
		snprintf(r->why, sizeof(r->why),
			 "no tracepoint %.*s/%s in %s, nor a libpfm4 event",
			 (int)colon, name, name + colon + 1, tracefs());
}

/* Resolve name; if it is unknown, say so in r->why with a did-you-mean. */
static void resolve_explained(const char *name, struct flb_resolved *r)
{
	char known[128], detail[sizeof(r->why)];
	const char *hint;

	resolve(name, r);
	if (r->res != RES_UNKNOWN)
		return;
	hint = did_you_mean(name, known, sizeof(known));
	snprintf(detail, sizeof(detail), "%s", r->why);
	snprintf(r->why, sizeof(r->why), "unknown event '%.64s': %.300s%s%.64s%s", name,
		 detail, hint ? " (did you mean '" : "", hint ? hint : "",
		 hint ? "'?)" : "");
}

int flb_counters_validate(const char *name, char *why, size_t len)
{
	struct flb_resolved r;

	if (!name || !*name) {
		snprintf(why, len, "empty event name");
		return -1;
	}
	resolve_explained(name, &r);
	if (r.res != RES_UNKNOWN)
		return 0;
	snprintf(why, len, "%s", r.why);
	return -1;
}

/* ---- opening ------------------------------------------------------------- */

static int online_cpus(int **cpus, size_t *n)
{
	char buf[1024], *p;
	size_t cap = 0;
	int *v = NULL;

	*n = 0;
	if (read_text("/sys/devices/system/cpu/online", buf, sizeof(buf)) <= 0) {
		long nr = sysconf(_SC_NPROCESSORS_ONLN);

		snprintf(buf, sizeof(buf), "0-%ld", nr > 0 ? nr - 1 : 0);
	}
	for (p = buf; *p && *p != '\n';) {
		long lo = strtol(p, &p, 10), hi = lo, c;

		if (*p == '-')
			hi = strtol(p + 1, &p, 10);
		for (c = lo; c <= hi; c++) {
			if (*n == cap) {
				int *nv = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));

				if (!nv) {
					free(v);
					return -ENOMEM;
				}
				v = nv;
			}
			v[(*n)++] = c;
		}
		if (*p == ',')
			p++;
	}
	*cpus = v;
	return *n ? 0 : -ENOENT;
}

static bool perf_hw_type(uint32_t type)
{
	return type == PERF_TYPE_HARDWARE || type == PERF_TYPE_HW_CACHE ||
	       type == PERF_TYPE_RAW || type >= PERF_TYPE_MAX;
}

/* Why perf_event_open failed with err, and what might help. */
static void open_hint(const struct perf_event_attr *attr, int err, char *why,
		      size_t len)
{
	char devs[256] = "", buf[16];
	size_t used = 0;
	struct dirent *de;
	DIR *d;

	if ((err == ENOENT || err == EOPNOTSUPP || err == ENODEV) &&
	    perf_hw_type(attr->type)) {
		d = opendir("/sys/bus/event_source/devices");
		while (d && (de = readdir(d)))
			if (de->d_name[0] != '.' && used < sizeof(devs))
				used += snprintf(devs + used, sizeof(devs) - used,
						 " %s", de->d_name);
		if (d)
			closedir(d);
		snprintf(why, len,
			 "perf_event_open: %s: no hardware PMU counts it here (a guest without a virtual PMU?); event sources:%s",
			 strerror(err), devs);
	} else if (err == EACCES || err == EPERM) {
		if (read_text("/proc/sys/kernel/perf_event_paranoid", buf, sizeof(buf)) > 0)
			buf[strcspn(buf, "\n")] = '\0';
		else
			strcpy(buf, "?");
		snprintf(why, len,
			 "perf_event_open: %s: kernel.perf_event_paranoid is %s; run as root or lower it",
			 strerror(err), buf);
	} else if (err == EMFILE) {
		snprintf(why, len, "perf_event_open: %s: raise the open-file limit (ulimit -n)",
			 strerror(err));
	} else {
		snprintf(why, len, "perf_event_open: %s: the kernel rejects this event (type %u, config %#llx)",
			 strerror(err), attr->type, (unsigned long long)attr->config);
	}
}

/* Append counter name: 0 and *ep, 1 if already there (count it once), -ENOMEM. */
static int counter_add(struct flb_counters *c, const char *name,
		       enum flb_kind kind, struct flb_counter **ep)
{
	struct flb_counter *e;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->ev[i].name, name))
			return 1;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 8;

		e = realloc(c->ev, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		c->ev = e;
		c->cap = cap;
	}
	e = &c->ev[c->n];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->name = strdup(name);
	if (!e->name)
		return -ENOMEM;
	c->n++;
	*ep = e;
	return 0;
}

static void counter_drop_last(struct flb_counters *c)
{
	struct flb_counter *e = &c->ev[--c->n];

	free(e->fd);
	free(e->name);
}

static void close_fds(int *fd, size_t n)
{
	while (n--)
		if (fd[n] >= 0)
			close(fd[n]);
}

/*
 * Open attr (with filter, if any) on every CPU of c's scope.  0, -ENOMEM,
 * or another -errno with why filled in.
 */
static int counter_open_perf(struct flb_counters *c, const char *name,
			     struct perf_event_attr *attr, const char *filter,
			     char *why, size_t len)
{
	struct flb_counter *e;
	size_t i;
	int err;

	err = counter_add(c, name, EV_PERF, &e);
	if (err)
		return err < 0 ? err : 0;
	e->fd = malloc(c->ncpus * sizeof(*e->fd));
	if (!e->fd) {
		counter_drop_last(c);
		return -ENOMEM;
	}
	attr->size = sizeof(*attr);
	attr->disabled = 1;
	attr->inherit = c->scope == FLB_SCOPE_PROCESS;
	attr->read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
			    PERF_FORMAT_TOTAL_TIME_RUNNING;
	for (i = 0; i < c->ncpus; i++) {
		e->fd[i] = syscall(SYS_perf_event_open, attr,
				   c->tids ? c->tids[i] :
				   c->scope == FLB_SCOPE_PROCESS ? 0 : -1,
				   c->cpus[i], -1, PERF_FLAG_FD_CLOEXEC);
		if (e->fd[i] < 0 && c->tids && errno == ESRCH)
			continue;	/* a thread that has just exited */
		if (e->fd[i] < 0) {
			err = errno;
			open_hint(attr, err, why, len);
			goto err_close;
		}
		if (*filter && ioctl(e->fd[i], PERF_EVENT_IOC_SET_FILTER, filter)) {
			err = errno;
			snprintf(why, len, "PERF_EVENT_IOC_SET_FILTER \"%s\": %s",
				 filter, strerror(err));
			i++;
			goto err_close;
		}
	}
	return 0;
err_close:
	close_fds(e->fd, i);
	counter_drop_last(c);
	return -err;
}

static int open_tlb_flush(struct flb_counters *c, struct flb_resolved *r,
			  char *why, size_t len)
{
	unsigned int mask = tlb_flush_reason_mask();
	char name[64], first_why[256];
	size_t i, total_only;
	int err;

	err = counter_open_perf(c, TLB_FLUSH, &r->attr, "", why, len);
	if (err)
		return err;
	total_only = c->n;
	for (i = 0; i < ARRAY_SIZE(tlb_flush_reasons); i++) {
		if (!(mask & (1u << i)))
			continue;
		snprintf(name, sizeof(name), TLB_FLUSH ":%s", tlb_flush_reasons[i]);
		snprintf(r->filter, sizeof(r->filter), "reason == %zu", i);
		err = counter_open_perf(c, name, &r->attr, r->filter,
					first_why, sizeof(first_why));
		if (err == -ENOMEM)
			return err;
		if (err)
			goto err_reasons;
	}
	return 0;
err_reasons:
	/* Keep the total alone rather than an incomplete split. */
	while (c->n > total_only) {
		close_fds(c->ev[c->n - 1].fd, c->ncpus);
		counter_drop_last(c);
	}
	c->unsupported(c->arg, TLB_FLUSH ":*", first_why);
	return 0;
}

struct irq_add {
	struct flb_counters *c;
	const char *only;	/* NULL: every wanted row */
	size_t added;
	int err;
};

static void irq_add_row(void *arg, const char *name, unsigned long long sum)
{
	struct irq_add *a = arg;
	struct flb_counter *e;

	(void)sum;
	if (a->only && strcmp(a->only, name))
		return;
	a->added++;
	if (counter_add(a->c, name, EV_IRQ, &e) < 0)
		a->err = -ENOMEM;
}

static int open_irq(struct flb_counters *c, const char *only, char *why,
		    size_t len)
{
	struct irq_add a = { .c = c, .only = only };
	int err = irq_for_each_row(irq_add_row, &a);

	if (a.err)
		return a.err;
	if (err)
		snprintf(why, len, "cannot read /proc/interrupts: %s", strerror(-err));
	else if (!a.added)
		snprintf(why, len, "/proc/interrupts has no TLB-shootdown or IPI rows on this kernel");
	return err ? err : a.added ? 0 : -ENOENT;
}

static int counter_open(struct flb_counters *c, const char *name)
{
	struct flb_resolved r;
	char why[512];
	int err;

	resolve_explained(name, &r);
	switch (r.res) {
	case RES_UNKNOWN:
	case RES_UNCOUNTABLE:
		snprintf(why, sizeof(why), "%s", r.why);
		err = -ENOENT;
		break;
	case RES_PERF:
		err = counter_open_perf(c, name, &r.attr, r.filter, why, sizeof(why));
		break;
	case RES_TLB_FLUSH:
		err = open_tlb_flush(c, &r, why, sizeof(why));
		break;
	case RES_IRQ_ALL:
	case RES_IRQ_ROW:
		err = open_irq(c, r.res == RES_IRQ_ROW ? name : NULL, why,
			       sizeof(why));
		break;
	default:
		err = -EINVAL;
		snprintf(why, sizeof(why), "internal error: resolution %d", r.res);
	}
	if (err == -ENOMEM)
		return err;
	if (err)
		c->unsupported(c->arg, name, why);
	return 0;
}

static int tid_add(struct flb_counters *c, pid_t tid, size_t *cap)
{
	if (c->ncpus == *cap) {
		size_t nc = *cap ? 2 * *cap : 8;
		pid_t *t = realloc(c->tids, nc * sizeof(*t));
		int *cp = realloc(c->cpus, nc * sizeof(*cp));

		if (t)
			c->tids = t;
		if (cp)
			c->cpus = cp;
		if (!t || !cp)
			return -ENOMEM;
		*cap = nc;
	}
	c->tids[c->ncpus] = tid;
	c->cpus[c->ncpus++] = -1;
	return 0;
}

/*
 * The child processes of thread tid of pid, read from
 * /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN), appended to kids.
 * -ENOENT when this kernel has no such file.
 */
static int thread_children(pid_t pid, pid_t tid, pid_t **kids, size_t *nkids,
			   size_t *cap)
{
	char path[96], buf[4096], *p, *end;
	int len;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid,
		 (int)tid);
	len = read_text(path, buf, sizeof(buf));
	if (len == -ENOENT) {
		/* gone, or a kernel without the file: -ENOENT only then */
		snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)pid,
			 (int)tid);
		return access(path, F_OK) ? 0 : -ENOENT;
	}
	if (len < 0)
		return len == -ESRCH ? 0 : len;
	for (p = buf; *p; p = end) {
		long k = strtol(p, &end, 10);

		if (end == p)
			break;
		if (k <= 0)
			continue;
		if (*nkids == *cap) {
			size_t nc = *cap ? 2 * *cap : 8;
			pid_t *t = realloc(*kids, nc * sizeof(*t));

			if (!t)
				return -ENOMEM;
			*kids = t;
			*cap = nc;
		}
		(*kids)[(*nkids)++] = (pid_t)k;
	}
	return 0;
}

/*
 * Every thread of process pid and of its descendant processes into
 * c->tids (c->cpus all -1): the runner's counters on a job's worker,
 * whose setup may have started threads and processes (kv-server). A task
 * that exits while this reads is left out.
 */
static int task_tree(struct flb_counters *c, pid_t pid)
{
	pid_t *procs = malloc(8 * sizeof(*procs));
	size_t nprocs = 1, pcap = 8, cap = 0;
	bool nokids = false;
	int err = 0;

	if (!procs)
		return -ENOMEM;
	procs[0] = pid;
	for (size_t p = 0; p < nprocs && !err && nprocs < 4096; p++) {
		char dir[64];
		struct dirent *d;
		DIR *dp;

		snprintf(dir, sizeof(dir), "/proc/%d/task", (int)procs[p]);
		dp = opendir(dir);
		if (!dp) {
			if (!p)
				err = -errno;
			continue;	/* a descendant that has just exited */
		}
		while (!err && (d = readdir(dp))) {
			long tid = strtol(d->d_name, NULL, 10);

			if (tid <= 0)
				continue;
			err = tid_add(c, (pid_t)tid, &cap);
			if (!err && !nokids)
				err = thread_children(procs[p], (pid_t)tid, &procs,
						      &nprocs, &pcap);
			if (err == -ENOENT) {
				/* no .../children here: the threads of pid only */
				nokids = true;
				err = 0;
			}
		}
		closedir(dp);
	}
	free(procs);
	return err ? err : c->ncpus ? 0 : -ESRCH;
}

static void unsupported_ignore(void *arg, const char *name, const char *why)
{
	(void)arg, (void)name, (void)why;
}

struct flb_counters *flb_counters_open(const char *const *names, size_t n,
				     enum flb_counter_scope scope,
				     flb_unsupported_fn unsupported, void *arg)
{
	return flb_counters_open_task(names, n, scope, 0, unsupported, arg);
}

struct flb_counters *flb_counters_open_task(const char *const *names, size_t n,
					  enum flb_counter_scope scope, pid_t pid,
					  flb_unsupported_fn unsupported,
					  void *arg)
{
	struct flb_counters *c = calloc(1, sizeof(*c));
	size_t i;

	if (!c)
		return NULL;
	c->scope = scope;
	c->unsupported = unsupported ? unsupported : unsupported_ignore;
	c->arg = arg;
	if (scope == FLB_SCOPE_SYSTEM) {
		if (online_cpus(&c->cpus, &c->ncpus))
			goto err_free;
	} else if (pid > 0) {
		if (task_tree(c, pid))
			goto err_free;
	} else {
		c->cpus = malloc(sizeof(*c->cpus));
		if (!c->cpus)
			goto err_free;
		c->cpus[0] = -1;
		c->ncpus = 1;
	}
	for (i = 0; i < n; i++)
		if (counter_open(c, names[i]))
			goto err_free;
	return c;
err_free:
	flb_counters_close(c);
	return NULL;
}

/* ---- counting ------------------------------------------------------------ */

struct irq_snap {
	struct flb_counters *c;
	bool start;
};

static void irq_snap_row(void *arg, const char *name, unsigned long long sum)
{
	struct irq_snap *s = arg;
	size_t i;

	for (i = 0; i < s->c->n; i++) {
		struct flb_counter *e = &s->c->ev[i];

		if (e->kind != EV_IRQ || strcmp(e->name, name))
			continue;
		e->irq_seen = true;
		if (s->start)
			e->irq_start = sum;
		else
			e->value = sum >= e->irq_start ? sum - e->irq_start : 0;
	}
}

static void irq_snapshot(struct flb_counters *c, bool start)
{
	struct irq_snap s = { .c = c, .start = start };
	bool any = false;
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->ev[i].kind != EV_IRQ)
			continue;
		c->ev[i].irq_seen = false;
		any = true;
	}
	if (!any)
		return;
	irq_for_each_row(irq_snap_row, &s);
	for (i = 0; i < c->n; i++)
		if (!start && c->ev[i].kind == EV_IRQ && !c->ev[i].irq_seen)
			c->ev[i].value = NAN;
}

/* Sum of count, time enabled, time running over the CPUs of e. */
static int counter_read(const struct flb_counters *c, const struct flb_counter *e,
			uint64_t sum[3])
{
	uint64_t v[3];
	size_t i;

	sum[0] = sum[1] = sum[2] = 0;
	for (i = 0; i < c->ncpus; i++) {
		if (e->fd[i] < 0)
			continue;	/* its thread was gone when opened */
		errno = 0;
		if (read(e->fd[i], v, sizeof(v)) != sizeof(v))
			return -errno ? -errno : -EIO;
		sum[0] += v[0];
		sum[1] += v[1];
		sum[2] += v[2];
	}
	return 0;
}

static void counter_ioctl(const struct flb_counters *c, unsigned long req)
{
	size_t i, j;

	for (i = 0; i < c->n; i++)
		for (j = 0; c->ev[i].kind == EV_PERF && j < c->ncpus; j++)
			if (c->ev[i].fd[j] >= 0)
				ioctl(c->ev[i].fd[j], req, 0);
}

/*
 * Reset, then read a baseline anyway: a reset zeroes the count but not the
 * enabled/running times (needed to scale), and what it does to the counts
 * of inherited children has varied, so an interval is the difference of
 * two reads.
 */
int flb_counters_start(struct flb_counters *c)
{
	size_t i;
	int err = 0;

	irq_snapshot(c, true);
	counter_ioctl(c, PERF_EVENT_IOC_RESET);
	for (i = 0; i < c->n; i++)
		if (c->ev[i].kind == EV_PERF && counter_read(c, &c->ev[i], c->ev[i].base))
			err = -1;
	counter_ioctl(c, PERF_EVENT_IOC_ENABLE);
	return err;
}

int flb_counters_stop(struct flb_counters *c)
{
	uint64_t now[3], count, enabled, running;
	size_t i;
	int err = 0;

	counter_ioctl(c, PERF_EVENT_IOC_DISABLE);
	for (i = 0; i < c->n; i++) {
		struct flb_counter *e = &c->ev[i];

		if (e->kind != EV_PERF)
			continue;
		if (counter_read(c, e, now)) {
			e->value = NAN;
			err = -1;
			continue;
		}
		count = now[0] - e->base[0];
		enabled = now[1] - e->base[1];
		running = now[2] - e->base[2];
		if (running == enabled)
			e->value = count;
		else if (running)	/* multiplexed: scale */
			e->value = (double)count * enabled / running;
		else			/* enabled but never scheduled */
			e->value = NAN;
	}
	irq_snapshot(c, false);
	return err;
}

size_t flb_counters_count(const struct flb_counters *c)
{
	return c ? c->n : 0;
}

void flb_counters_value(const struct flb_counters *c, size_t i,
		       const char **name, double *value)
{
	*name = c->ev[i].name;
	*value = c->ev[i].value;
}

void flb_counters_close(struct flb_counters *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++) {
		if (c->ev[i].kind == EV_PERF)
			close_fds(c->ev[i].fd, c->ncpus);
		free(c->ev[i].fd);
		free(c->ev[i].name);
	}
	free(c->ev);
	free(c->cpus);
	free(c->tids);
	free(c);
}
