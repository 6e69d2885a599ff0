// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl-test: every command of /dev/flushbench with good and bad input, in
 * the guest (built static for its arch by tests/kmod/guest.sh). Prints TAP
 * lines ("ok - ...", "not ok - ... # why") and exits 1 if any failed.
 * Covers: each command, wrong size and version words, non-zero reserved
 * and flags, unknown commands (-ENOTTY), caps (-E2BIG), zero and
 * unaligned arguments (-EINVAL), firmware retries, -EINTR on a signal,
 * out fields zeroed, and concurrent callers. Ends with the plan "1..N".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "flushbench_uapi.h"

static int fd = -1, failures, results;
static char *pages;	/* FLB_MAX_TLBI_PAGES + 1 pages of our own */
static char *noaccess;	/* a PROT_NONE page of ours */
static long psz;

static void report(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(int ok, const char *name, const char *fmt, ...)
{
	char why[256] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
	}
	results++;
	if (ok) {
		printf("ok - %s\n", name);
	} else {
		printf("not ok - %s # %s\n", name, why);
		failures++;
	}
	fflush(stdout);
}

/* ioctl must fail with want (0: succeed). */
static int expect(const char *name, unsigned long cmd, void *arg, int want)
{
	int ret = ioctl(fd, cmd, arg), err = ret ? errno : 0;

	report(err == want, name, "got %s, want %s", err ? strerror(err) : "success",
	       want ? strerror(want) : "success");
	return err == want;
}

#define HDR(s) { .size = sizeof(s), .version = FLB_UAPI_VERSION }

static struct flb_tlbi tlbi_ok(void)
{
	struct flb_tlbi t = { .hdr = HDR(t), .addr = (uintptr_t)pages,
			     .pages = 1, .iterations = 200 };
	return t;
}

static struct flb_memregion mr_ok(void)
{
	struct flb_memregion m = { .hdr = HDR(m), .bytes = 1 << 20,
				  .requests = 2 };
	return m;
}

static struct flb_race race_ok(void)
{
	struct flb_race r = { .hdr = HDR(r), .threads = 4, .requests = 50,
			     .global_ns = 200000 };
	return r;
}

/* Wrong size word, wrong version, each reserved word, flags. */
#define BAD_HEADER(kind, cmd, mk) do {				\
	struct flb_##kind s = mk;					\
	s.hdr.size -= 8;						\
	expect(#kind ": size word too small -> EINVAL", cmd, &s, EINVAL); \
	s = mk; s.hdr.size += 8;					\
	expect(#kind ": size word too large -> EINVAL", cmd, &s, EINVAL); \
	s = mk; s.hdr.size = 0;						\
	expect(#kind ": size word 0 -> EINVAL", cmd, &s, EINVAL);	\
	s = mk; s.hdr.version = FLB_UAPI_VERSION + 1;			\
	expect(#kind ": unknown version -> EINVAL", cmd, &s, EINVAL);	\
	for (size_t i = 0; i < sizeof(s.reserved) / sizeof(s.reserved[0]); i++) { \
		char n[96];						\
		s = mk; s.reserved[i] = 1ULL << (i * 16);		\
		snprintf(n, sizeof(n), #kind ": reserved[%zu] non-zero -> EINVAL", i); \
		expect(n, cmd, &s, EINVAL);				\
	}								\
} while (0)
#define BAD_FLAGS(kind, cmd, mk) do {					\
	struct flb_##kind s = mk;					\
	s.flags = 1ULL << 63;						\
	expect(#kind ": unknown flag -> EINVAL", cmd, &s, EINVAL);	\
} while (0)

/*
 * A hardware PMU is registered: an event source with a cycles event
 * (arm64: armv8_pmuv3_0/events/cpu_cycles, a dynamic type; x86: cpu/events/cpu-cycles).
 */
static int hw_pmu_present(void)
{
	DIR *d = opendir("/sys/bus/event_source/devices");
	struct dirent *e;
	char path[600];
	int found = 0;

	while (d && (e = readdir(d)) && !found) {
		snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/events/cpu_cycles",
			 e->d_name);
		found = !access(path, F_OK);
		snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/events/cpu-cycles",
			 e->d_name);
		found |= !access(path, F_OK);
	}
	if (d)
		closedir(d);
	return found;
}

static __u64 info_caps;

static void test_info(void)
{
	struct flb_info in = { .hdr = HDR(in) }, bad;
	struct stat st = { 0 };

	report(!fstat(fd, &st) && S_ISCHR(st.st_mode) &&
	       (st.st_mode & 0777) == 0600, "device is a char device, mode 0600",
	       "mode %o", st.st_mode & 0777);
	if (expect("info", FLB_IOC_INFO, &in, 0)) {
		report(in.ncpus >= 1 && in.page_size == (__u64)psz &&
		       in.cache_line >= 16 && in.counter_hz > 0 &&
		       in.hypervisor >= FLB_HYP_NONE && in.hypervisor <= FLB_HYP_UNKNOWN,
		       "info fields are sane", "ncpus %llu page %llu line %llu hz %llu hyp %llu",
		       (unsigned long long)in.ncpus, (unsigned long long)in.page_size,
		       (unsigned long long)in.cache_line,
		       (unsigned long long)in.counter_hz, (unsigned long long)in.hypervisor);
#if defined(__aarch64__)
		report(in.arch == FLB_ARCH_ARM64, "info arch is arm64", "arch %llu",
		       (unsigned long long)in.arch);
#else
		report(in.arch == FLB_ARCH_X86_64, "info arch is x86_64", "arch %llu",
		       (unsigned long long)in.arch);
#endif
		info_caps = in.caps;
		report(!!(in.caps & FLB_CAP_PMU_CYCLES) == hw_pmu_present(),
		       "info: PMU_CYCLES exactly where sysfs has a hardware PMU",
		       "caps %#llx, hardware PMU %d", (unsigned long long)in.caps,
		       hw_pmu_present());
		printf("# info: arch %llu caps %#llx ncpus %llu line %llu counter %llu Hz\n",
		       (unsigned long long)in.arch, (unsigned long long)in.caps,
		       (unsigned long long)in.ncpus, (unsigned long long)in.cache_line,
		       (unsigned long long)in.counter_hz);
	}
	BAD_HEADER(info, FLB_IOC_INFO, in);
	bad = in;
	expect("unknown command number -> ENOTTY",
	       _IOWR(FLB_IOC_MAGIC, 0x7f, struct flb_info), &bad, ENOTTY);
	expect("known number, other size -> ENOTTY",
	       _IOWR(FLB_IOC_MAGIC, 0x00, struct flb_hdr), &bad, ENOTTY);
	expect("other magic -> ENOTTY", _IOWR('x', 0x00, struct flb_info), &bad, ENOTTY);
	expect("_IOR instead of _IOWR -> ENOTTY",
	       _IOR(FLB_IOC_MAGIC, 0x00, struct flb_info), &bad, ENOTTY);
	expect("NULL argument -> EFAULT", FLB_IOC_INFO, NULL, EFAULT);
}

static void check_lat(const char *name, const struct flb_tlbi *t)
{
	report(t->ns.min <= t->ns.median && t->ns.median <= t->ns.p99 &&
	       t->ns.p99 <= t->ns.max && t->ticks.min <= t->ticks.max &&
	       t->chose_local + t->chose_broadcast == t->iterations &&
	       !t->out_reserved[0] && !t->out_reserved[3],
	       name, "min %llu med %llu p99 %llu max %llu local %llu bcast %llu",
	       (unsigned long long)t->ns.min, (unsigned long long)t->ns.median,
	       (unsigned long long)t->ns.p99, (unsigned long long)t->ns.max,
	       (unsigned long long)t->chose_local,
	       (unsigned long long)t->chose_broadcast);
}

/*
 * A broadcast invalidation (tlbi vale1is per page + one dsb ish; x86: one
 * IPI round to the CPUs of the mm) costs more per page than a local one
 * (tlbi vale1; invlpg): QEMU TCG runs the broadcast as synchronised work on
 * every vCPU. A thread of ours spins on another CPU meanwhile, so that the
 * mm is live there (x86 sends its IPI only to the mm's CPUs, as
 * flush_tlb_mm_range() does). ROUNDS pairs of calls, local and broadcast
 * in turn; the median over the rounds of each call's median ns per
 * invalidated page. The margins are below the smallest ratio measured on
 * this host (see the commit message).
 */
#define COST_ROUNDS	5
#define COST_PAGES	16
#if defined(__aarch64__)
#define COST_MARGIN	1.3
#else
#define COST_MARGIN	1.5
#endif

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static volatile int spin_stop, spin_running;
static pthread_t spin_th;
static int spin_cpu = -1, spin_on;

static void *spinner(void *arg)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(*(int *)arg, &set);
	sched_setaffinity(0, sizeof(set), &set);
	spin_running = 1;
	/*
	 * pause/yield as the workloads' spinners do: under TCG a vCPU in a
	 * bare loop takes an IPI only at its next timer tick (4 ms here)
	 */
	while (!spin_stop) {
#if defined(__x86_64__)
		__builtin_ia32_pause();
#elif defined(__aarch64__)
		__asm__ volatile("yield");
#endif
	}
	return NULL;
}

/* A thread of ours spinning on another CPU than ours: the mm is live there. */
static void spin_start(void)
{
	spin_cpu = -1;
	for (int c = 0; c < sysconf(_SC_NPROCESSORS_ONLN) && spin_cpu < 0; c++)
		if (c != sched_getcpu())
			spin_cpu = c;
	spin_stop = 0;
	spin_running = 0;
	spin_on = spin_cpu >= 0 && !pthread_create(&spin_th, NULL, spinner, &spin_cpu);
	/* until it runs there (up to 1 s): the mm is then live on that CPU */
	for (int i = 0; spin_on && !spin_running && i < 1000; i++)
		usleep(1000);
}

static void spin_end(void)
{
	spin_stop = 1;
	if (spin_on)
		pthread_join(spin_th, NULL);
	spin_on = 0;
}

static void test_tlbi_cost(void)
{
	double nsp[2][COST_ROUNDS], local, bcast;
	struct flb_tlbi t;
	char n[160];

	spin_start();
	for (int r = 0; r < COST_ROUNDS; r++) {
		for (int p = FLB_TLBI_LOCAL; p <= FLB_TLBI_BROADCAST; p++) {
			t = tlbi_ok();
			t.policy = p;
			t.pages = COST_PAGES;
			t.iterations = 2000;
			if (ioctl(fd, FLB_IOC_TLBI, &t)) {
				report(0, "tlbi cost: local and broadcast calls", "%s",
				       strerror(errno));
				goto out;
			}
			nsp[p][r] = (double)t.ns.median / COST_PAGES;
		}
		printf("# tlbi cost round %d: local %.1f broadcast %.1f ns/page, ratio %.2f\n",
		       r, nsp[0][r], nsp[1][r], nsp[1][r] / nsp[0][r]);
	}
	qsort(nsp[0], COST_ROUNDS, sizeof(double), cmp_double);
	qsort(nsp[1], COST_ROUNDS, sizeof(double), cmp_double);
	local = nsp[0][COST_ROUNDS / 2];
	bcast = nsp[1][COST_ROUNDS / 2];
	snprintf(n, sizeof(n), "tlbi cost: broadcast %.1f ns/page >= %.1f x local %.1f ns/page (ratio %.2f)",
		 bcast, COST_MARGIN, local, bcast / local);
	report(local > 0 && bcast >= COST_MARGIN * local, n, "ratio %.2f", bcast / local);
out:
	spin_end();
}

static const char *const pol[] = {
	"local", "broadcast", "auto-v2", "auto-ishst", "auto-recheck", "auto-retry",
	"auto-noerratum", "spin"
};

/* One TLBI call of policy p; false (and a failed result) if it failed. */
static int tlbi_call(const char *name, struct flb_tlbi *t)
{
	int ok = !ioctl(fd, FLB_IOC_TLBI, t);

	if (!ok)
		report(0, name, "FLB_IOC_TLBI: %s", strerror(errno));
	return ok;
}

#define TLBI_COUNTS(t) "local %llu broadcast %llu upgraded %llu retries %llu " \
	"migrations %llu active %lld cpus %llu", \
	(unsigned long long)(t).chose_local, (unsigned long long)(t).chose_broadcast, \
	(unsigned long long)(t).upgraded, (unsigned long long)(t).retries, \
	(unsigned long long)(t).migrations, (long long)(t).active_cpu, \
	(unsigned long long)(t).tracked_cpus

/*
 * The tracker per process (mm), as the patch's mm->context.active_cpu:
 * pinned, every auto policy goes local from a rollover on, and stays so
 * across calls; a thread of ours running on another CPU makes it
 * "multiple" and every auto policy broadcasts, also after the thread
 * has gone, until the next rollover.
 */
static void test_tlbi_tracker(int self)
{
	struct flb_tlbi t;
	char n[160];

	for (int p = FLB_TLBI_AUTO_V2; p <= FLB_TLBI_AUTO_NOERRATUM; p++) {
		t = tlbi_ok();
		t.policy = p;
		t.flags = FLB_TLBI_ROLLOVER;
		snprintf(n, sizeof(n), "tracker: %s, pinned after a rollover: all local, the tracker names our CPU",
			 pol[p]);
		if (tlbi_call(n, &t)) {
			int want_local = !(p == FLB_TLBI_AUTO_NOERRATUM && t.repeat_tlbi);

			report(t.chose_local == (want_local ? t.iterations : 0) &&
			       t.migrations == 0 && t.active_cpu == (__u64)self &&
			       t.tracked_cpus == 1, n, TLBI_COUNTS(t));
		}
		t = tlbi_ok();
		t.policy = p;
		snprintf(n, sizeof(n), "tracker: %s, the next call (no rollover): still local",
			 pol[p]);
		if (tlbi_call(n, &t))
			report(t.chose_local == t.iterations || t.repeat_tlbi, n, TLBI_COUNTS(t));
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		results++;
		printf("ok - tracker: a thread on another CPU # SKIP one CPU\n");
		return;
	}
	spin_start();
	for (int p = FLB_TLBI_AUTO_V2; p <= FLB_TLBI_AUTO_NOERRATUM; p++) {
		t = tlbi_ok();
		t.policy = p;
		snprintf(n, sizeof(n), "tracker: %s with a thread of ours on CPU %d: all broadcast",
			 pol[p], spin_cpu);
		if (tlbi_call(n, &t))
			report(spin_running && t.chose_broadcast == t.iterations &&
			       t.active_cpu == FLB_TRACKER_MULTIPLE && t.tracked_cpus >= 2,
			       n, TLBI_COUNTS(t));
	}
	t = tlbi_ok();
	t.policy = FLB_TLBI_AUTO_V2;
	t.flags = FLB_TLBI_ROLLOVER;
	snprintf(n, sizeof(n), "tracker: a rollover while the thread runs on CPU %d: still broadcast",
		 spin_cpu);
	if (tlbi_call(n, &t))
		report(t.chose_broadcast == t.iterations &&
		       t.active_cpu == FLB_TRACKER_MULTIPLE, n, TLBI_COUNTS(t));
	spin_end();
	t = tlbi_ok();
	t.policy = FLB_TLBI_AUTO_V2;
	snprintf(n, sizeof(n), "tracker: the thread gone, no rollover: still multiple, all broadcast");
	if (tlbi_call(n, &t))
		report(t.chose_broadcast == t.iterations &&
		       t.active_cpu == FLB_TRACKER_MULTIPLE, n, TLBI_COUNTS(t));
	t = tlbi_ok();
	t.policy = FLB_TLBI_AUTO_V2;
	t.flags = FLB_TLBI_ROLLOVER;
	snprintf(n, sizeof(n), "tracker: the thread gone, a rollover: local again");
	if (tlbi_call(n, &t))
		report(t.chose_local == t.iterations && t.active_cpu == (__u64)self,
		       n, TLBI_COUNTS(t));
}

/*
 * Moves: the module moves us to the next CPU at iteration 50 (and every
 * 50). Between operations, every auto policy goes local for the first 50
 * and broadcast after (the tracker is "multiple" from the first move).
 * Inside the operation (between the decision and the TLBI; only policies
 * that do not disable migration): auto-recheck does the first moved
 * operation locally, sees "multiple" on its re-read and upgrades it to a
 * broadcast; auto-retry sees the switch and redoes it as a broadcast.
 */
static void test_tlbi_moves(void)
{
	struct flb_tlbi t;
	char n[160];

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		results++;
		printf("ok - tlbi moves # SKIP one CPU\n");
		return;
	}
	for (int p = FLB_TLBI_AUTO_V2; p <= FLB_TLBI_AUTO_RETRY; p++) {
		for (int inside = 0; inside < 2; inside++) {
			int rc = p == FLB_TLBI_AUTO_RECHECK, rt = p == FLB_TLBI_AUTO_RETRY;

			if (inside && !rc && !rt)
				continue;
			t = tlbi_ok();
			t.policy = p;
			t.migrate_every = 50;
			t.flags = FLB_TLBI_ROLLOVER | (inside ? FLB_TLBI_MOVE_INSIDE : 0);
			snprintf(n, sizeof(n), "tlbi %s, moved at 50 %s: local 50, broadcast 150%s",
				 pol[p], inside ? "inside the operation" : "between operations",
				 inside ? (rc ? ", 1 upgraded" : ", 1 retried") : "");
			if (!tlbi_call(n, &t))
				continue;
			report(t.migrations >= 1 && t.chose_local == 50 &&
			       t.chose_broadcast == t.iterations - 50 &&
			       t.upgraded == (unsigned)(inside && rc) &&
			       t.retries == (unsigned)(inside && rt) &&
			       t.migrate_pair_ns > 0 && t.active_cpu == FLB_TRACKER_MULTIPLE,
			       n, TLBI_COUNTS(t));
		}
	}
}

/*
 * The clock of batched timing, checked against ktime in the same call:
 * the passes of a batched chain (1024 steps an operation, 32 batches of
 * 1024), summed by the clock (timed_ns), must account for 90-102% of the
 * call's ktime (total_ns; the rest is the loop between batches). Both
 * see the same seconds, so the host's speed cancels; a wrong rate (the
 * PMU's, measured at open) or conversion does not.
 *
 * And what the issue asked: does batched timing measure what a chain
 * timed alone says? N more steps of a chain, batched 1024 at a time less
 * an empty-loop baseline, against N steps by the slope of a long chain
 * (65536 steps) timed alone, in 9 interleaved rounds, within 10%. Tested
 * natively and under KVM (FLB_IOC_INFO hypervisor none or kvm); skipped,
 * with the figure, elsewhere: under TCG on this shared host it does not
 * hold still. arm64 at N = 16
 * (about a tick): 0.97-1.07 in quiet runs, but the chain's 20 ns drowned
 * in the loop's own 60-150 ns an operation when the host was loaded (one
 * round -0.4, another 4); N = 64 in a loaded hour: per-round medians
 * 1.17-1.20 for both clocks. x86 (N = 128): 1.04-1.15 from boot to boot
 * of one build, also against the same short chains timed alone. The
 * emulator's speed for one loop in two contexts, not the clock: hardware
 * (or KVM) is where this ratio means something.
 */
static int spin_batched(int steps, __u64 clock, double *ns_op, struct flb_tlbi *out)
{
	struct flb_tlbi t = tlbi_ok();

	t.policy = FLB_TLBI_SPIN;
	t.spin = steps;
	t.batch = 1024;
	t.iterations = 32 * 1024;
	t.clock_req = clock;
	if (!tlbi_call("tlbi clock: a chain, batched", &t))
		return 0;
	if (t.batches != 32 || t.clock != clock || !t.clock_hz) {
		report(0, "tlbi clock: 32 batches, timed by the clock asked for",
		       "batches %llu clock %llu (asked %llu) hz %llu",
		       (unsigned long long)t.batches, (unsigned long long)t.clock,
		       (unsigned long long)clock, (unsigned long long)t.clock_hz);
		return 0;
	}
	if (t.redone)
		printf("# tlbi clock: %llu batches timed again (a pass moved CPU)\n",
		       (unsigned long long)t.redone);
	*ns_op = t.batch_ps.median / 1000.0;
	if (out)
		*out = t;
	return 1;
}

#define CLOCK_ROUNDS 9

static const char *clock_name(__u64 c)
{
	return c == FLB_CLOCK_PMU_CYCLES ? "PMU cycles" : c == FLB_CLOCK_TSC ? "TSC" :
	       c == FLB_CLOCK_CNTVCT ? "CNTVCT" : "?";
}

static void test_tlbi_clock(__u64 clock)
{
	struct flb_info in = { .hdr = HDR(in) };
	double ratio[CLOCK_ROUNDS], kt[CLOCK_ROUNDS], c = 0, e1 = 0, e2 = 0, tick_ns, est;
	double cmin = 1e30, e1min = 1e30, e2min = 1e30;
	struct flb_tlbi t;
	char n[300];
#if defined(__aarch64__)
	int steps = 16;
#else
	int steps = 128;
#endif

	if (ioctl(fd, FLB_IOC_INFO, &in) || !in.counter_hz) {
		report(0, "tlbi clock: info", "%s", strerror(errno));
		return;
	}
	tick_ns = 1e9 / in.counter_hz;
	for (int r = 0; r < CLOCK_ROUNDS; r++) {
		t = tlbi_ok();
		t.policy = FLB_TLBI_SPIN;
		t.spin = 65536;
		t.iterations = 20;
		if (!tlbi_call("tlbi clock: a long chain timed alone", &t))
			return;
		c = t.ticks.median * tick_ns / 65536;	/* ns a step, by the counter */
		kt[r] = c > 0 ? t.ns.median / 65536.0 / c : 0;	/* ktime / counter */
		if (!spin_batched(steps, clock, &e1, NULL) ||
		    !spin_batched(2 * steps, clock, &e2, NULL))
			return;
		ratio[r] = c > 0 ? (e2 - e1) / (steps * c) : 0;
		cmin = c < cmin ? c : cmin;
		e1min = e1 < e1min ? e1 : e1min;
		e2min = e2 < e2min ? e2 : e2min;
		printf("# tlbi clock round %d: a step alone %.3f ns (ktime/counter %.4f); batched: %d steps %.3f ns, %d steps %.3f ns: %.3f ns a step, ratio %.3f; tick %.2f ns\n",
		       r, c, kt[r], steps, e1, 2 * steps, e2, (e2 - e1) / steps, ratio[r],
		       tick_ns);
	}
	qsort(ratio, CLOCK_ROUNDS, sizeof(double), cmp_double);
	qsort(kt, CLOCK_ROUNDS, sizeof(double), cmp_double);
	est = cmin > 0 ? (e2min - e1min) / (steps * cmin) : 0;
	snprintf(n, sizeof(n), "tlbi clock %s: %d steps batched within 10%% of %d steps by a long chain (ratio %.3f, each figure at its least disturbed of %d rounds; per-round %.3f .. %.3f, median %.3f; a counter tick is %.2f ns)",
		 clock_name(clock), steps, steps, est, CLOCK_ROUNDS, ratio[0],
		 ratio[CLOCK_ROUNDS - 1], ratio[CLOCK_ROUNDS / 2], tick_ns);
	if (in.hypervisor == FLB_HYP_NONE || in.hypervisor == FLB_HYP_KVM) {
		report(fabs(est - 1) <= 0.10, n, "hypervisor %llu",
		       (unsigned long long)in.hypervisor);
	} else {
		/* TCG here: x86 "other", arm64 "unknown" (see above) */
		results++;
		printf("ok - %s # SKIP not native or KVM (hypervisor %llu): under emulation a loop's speed depends on its context\n",
		       n, (unsigned long long)in.hypervisor);
	}
	if (spin_batched(1024, clock, &e1, &t)) {
		double f = t.total_ns ? (double)t.timed_ns / t.total_ns : 0;

		snprintf(n, sizeof(n), "tlbi clock %s: the batched passes by the clock are 90-102%% of the call by ktime (%.3f: %llu of %llu ns)",
			 clock_name(clock), f, (unsigned long long)t.timed_ns,
			 (unsigned long long)t.total_ns);
		report(f >= 0.90 && f <= 1.02, n, "clock_hz %llu", (unsigned long long)t.clock_hz);
	}
	if (clock == FLB_CLOCK_PMU_CYCLES)	/* alone: always the counter */
		return;
	snprintf(n, sizeof(n), "tlbi clock %s: a long chain by the counter within 2%% of ktime (median ratio %.4f of %d rounds)",
		 clock_name(clock), kt[CLOCK_ROUNDS / 2], CLOCK_ROUNDS);
	report(fabs(kt[CLOCK_ROUNDS / 2] - 1) <= 0.02, n, "ratios %.4f .. %.4f", kt[0],
	       kt[CLOCK_ROUNDS - 1]);
}

/*
 * The clock of batched timing: by default PMU cycles on arm64 where the
 * module can have them (FLB_CAP_PMU_CYCLES), else the architected counter;
 * asking for the PMU where there is none is -EOPNOTSUPP, never a silent
 * fallback; each clock offered passes the chain check.
 */
static void test_tlbi_clocks(void)
{
#if defined(__aarch64__)
	__u64 arch = FLB_CLOCK_CNTVCT, other = FLB_CLOCK_TSC;
	int prefer_pmu = 1;
#else
	__u64 arch = FLB_CLOCK_TSC, other = FLB_CLOCK_CNTVCT;
	int prefer_pmu = 0;
#endif
	int pmu = !!(info_caps & FLB_CAP_PMU_CYCLES);
	__u64 want = prefer_pmu && pmu ? FLB_CLOCK_PMU_CYCLES : arch;
	struct flb_tlbi t = tlbi_ok();

	t.policy = FLB_TLBI_LOCAL;
	t.batch = 50;
	if (tlbi_call("tlbi batched, default clock", &t))
		report(t.clock == want && t.clock_hz >= 10000000 && t.clock_hz <= 100000000000ULL,
		       want == FLB_CLOCK_PMU_CYCLES ?
		       "tlbi batched: PMU cycles by default (the PMU is there), its rate measured" :
		       "tlbi batched: the architected counter by default",
		       "clock %s hz %llu", clock_name(t.clock), (unsigned long long)t.clock_hz);
	t = tlbi_ok(); t.batch = 50; t.clock_req = FLB_CLOCK_PMU_CYCLES;
	if (pmu) {
		if (tlbi_call("tlbi batched, PMU cycles asked for", &t))
			report(t.clock == FLB_CLOCK_PMU_CYCLES, "tlbi batched: PMU cycles when asked for",
			       "clock %s", clock_name(t.clock));
	} else {
		expect("tlbi PMU cycles asked for without a PMU -> EOPNOTSUPP", FLB_IOC_TLBI, &t,
		       EOPNOTSUPP);
	}
	t = tlbi_ok(); t.clock_req = FLB_CLOCK_PMU_CYCLES;
	expect("tlbi PMU cycles for operations timed alone -> EINVAL", FLB_IOC_TLBI, &t, EINVAL);
	t = tlbi_ok(); t.batch = 50; t.clock_req = other;
	expect("tlbi the other arch's clock -> EINVAL", FLB_IOC_TLBI, &t, EINVAL);
	t = tlbi_ok(); t.batch = 50; t.clock_req = FLB_CLOCK_PMU_CYCLES + 1;
	expect("tlbi unknown clock -> EINVAL", FLB_IOC_TLBI, &t, EINVAL);
	test_tlbi_clock(arch);
	if (pmu)
		test_tlbi_clock(FLB_CLOCK_PMU_CYCLES);
}

static void test_tlbi(void)
{
	struct flb_tlbi t;
	cpu_set_t one;
	char n[96];
	int self = sched_getcpu();

	CPU_ZERO(&one);
	CPU_SET(self, &one);
	sched_setaffinity(0, sizeof(one), &one);
	for (int p = 0; p <= FLB_TLBI_AUTO_NOERRATUM; p++) {
		t = tlbi_ok();
		t.policy = p;
		t.flags = FLB_TLBI_ROLLOVER;
		memset(&t.out, 0xaa, sizeof(t.out));	/* must come back zeroed/filled */
		snprintf(n, sizeof(n), "tlbi %s", pol[p]);
		if (!expect(n, FLB_IOC_TLBI, &t, 0))
			continue;
		snprintf(n, sizeof(n), "tlbi %s: distribution and counts", pol[p]);
		check_lat(n, &t);
	}
	test_tlbi_tracker(self);
	test_tlbi_moves();
	test_tlbi_clocks();
	t = tlbi_ok();
	t.policy = FLB_TLBI_LOCAL;
	t.batch = 100;
	t.iterations = 1000;
	if (expect("tlbi local, batched by 100", FLB_IOC_TLBI, &t, 0))
		report(t.batches == 10 && t.chose_local == 1000 && t.baseline_ps > 0 &&
		       t.path_migrate_ps == 0 &&
		       t.batch_ps.min <= t.batch_ps.median && t.batch_ps.median <= t.batch_ps.max,
		       "tlbi local, batched: 10 batches, every operation counted, a baseline",
		       "batches %llu local %llu baseline %lld ps median %lld ps",
		       (unsigned long long)t.batches, (unsigned long long)t.chose_local,
		       (long long)t.baseline_ps, (long long)t.batch_ps.median);
	/* auto-v2 disables migration: its pair is timed beside the batches */
	t = tlbi_ok();
	t.policy = FLB_TLBI_AUTO_V2;
	t.flags = FLB_TLBI_ROLLOVER;
	t.batch = 100;
	t.iterations = 1000;
	if (expect("tlbi auto-v2, batched by 100", FLB_IOC_TLBI, &t, 0))
		report(t.batches == 10 && t.chose_local == 1000 && t.path_migrate_ps > 0,
		       "tlbi auto-v2, batched: all local, the migrate pair timed in the path",
		       "batches %llu local %llu path pair %lld ps (alone %llu ns)",
		       (unsigned long long)t.batches, (unsigned long long)t.chose_local,
		       (long long)t.path_migrate_ps, (unsigned long long)t.migrate_pair_ns);
	CPU_ZERO(&one);
	CPU_SET(self, &one);
	sched_setaffinity(0, sizeof(one), &one);
	test_tlbi_cost();
	t = tlbi_ok();
	t.pages = FLB_MAX_TLBI_PAGES;
	t.iterations = 10;
	expect("tlbi max pages", FLB_IOC_TLBI, &t, 0);

	BAD_HEADER(tlbi, FLB_IOC_TLBI, tlbi_ok());
	t = tlbi_ok(); t.flags = FLB_TLBI_FLAGS + 1;
	expect("tlbi: unknown flag -> EINVAL", FLB_IOC_TLBI, &t, EINVAL);
	t = tlbi_ok(); t.flags = FLB_TLBI_MOVE_INSIDE; t.policy = FLB_TLBI_AUTO_RECHECK;
	expect("tlbi move inside without migrate_every -> EINVAL", FLB_IOC_TLBI, &t, EINVAL);
	t = tlbi_ok(); t.flags = FLB_TLBI_MOVE_INSIDE; t.policy = FLB_TLBI_AUTO_V2;
	t.migrate_every = 50;
	expect("tlbi move inside under migrate_disable (auto-v2) -> EINVAL", FLB_IOC_TLBI, &t,
	       EINVAL);
	t = tlbi_ok(); t.iterations = 0;
	expect("tlbi 0 iterations -> EINVAL", FLB_IOC_TLBI, &t, EINVAL);
	t = tlbi_ok(); t.iterations = FLB_MAX_TLBI_ITERATIONS + 1;
	expect("tlbi iterations above cap -> E2BIG", FLB_IOC_TLBI, &t, E2BIG);
	t = tlbi_ok(); t.pages = 0;
	expect("tlbi 0 pages -> EINVAL", FLB_IOC_TLBI, &t, EINVAL);
	t = tlbi_ok(); t.pages = FLB_MAX_TLBI_PAGES + 1;
	expect("tlbi pages above cap -> E2BIG", FLB_IOC_TLBI, &t, E2BIG);
	t = tlbi_ok(); t.addr += 8;
	expect("tlbi unaligned address -> EINVAL", FLB_IOC_TLBI, &t, EINVAL);
	t = tlbi_ok(); t.addr = 0;
	expect("tlbi address 0 -> EINVAL", FLB_IOC_TLBI, &t, EINVAL);
	t = tlbi_ok(); t.addr = 0xffffff8000000000ULL;
	expect("tlbi kernel address -> EFAULT", FLB_IOC_TLBI, &t, EFAULT);
	t = tlbi_ok(); t.addr = (uintptr_t)noaccess;
	expect("tlbi PROT_NONE pages -> EFAULT", FLB_IOC_TLBI, &t, EFAULT);
	t = tlbi_ok(); t.spin = 10;
	expect("tlbi spin steps with a TLBI policy -> EINVAL", FLB_IOC_TLBI, &t, EINVAL);
	t = tlbi_ok(); t.policy = FLB_TLBI_SPIN; t.spin = FLB_MAX_SPIN + 1;
	expect("tlbi spin above cap -> E2BIG", FLB_IOC_TLBI, &t, E2BIG);
	t = tlbi_ok(); t.batch = FLB_MAX_TLBI_BATCH + 1; t.iterations = FLB_MAX_TLBI_BATCH + 1;
	expect("tlbi batch above cap -> E2BIG", FLB_IOC_TLBI, &t, E2BIG);
	t = tlbi_ok(); t.batch = t.iterations + 1;
	expect("tlbi batch above iterations -> EINVAL", FLB_IOC_TLBI, &t, EINVAL);
	t = tlbi_ok(); t.batch = 10; t.migrate_every = 50;
	expect("tlbi batched with moves -> EINVAL", FLB_IOC_TLBI, &t, EINVAL);
	t = tlbi_ok(); t.policy = FLB_TLBI_SPIN + 1;
	expect("tlbi unknown policy -> EINVAL", FLB_IOC_TLBI, &t, EINVAL);
	t = tlbi_ok(); t.migrate_every = t.iterations + 1;
	expect("tlbi migrate_every above iterations -> EINVAL", FLB_IOC_TLBI, &t, EINVAL);
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/*
 * Thread 001: interrupts held off for each provider call (FLB_MR_IRQSAVE,
 * the posted spinlock_irqsave) against chunked with interrupts on. The
 * module buffer, 64 MiB chunks, 2 requests; 3 rounds, alternating. The
 * hrtimer probe must be later with interrupts off (median of the rounds)
 * and by about a chunk: at least half the median longest chunk.
 */
static void test_memregion_irqsave(void)
{
	double late[2][3], chunk[3];
	struct flb_memregion m;
	char n[200];

	for (int r = 0; r < 3; r++) {
		for (int irq = 0; irq < 2; irq++) {
			m = mr_ok();
			m.bytes = FLB_MAX_CHUNK_BYTES;
			m.chunk = FLB_MAX_CHUNK_BYTES;
			m.flags = irq ? FLB_MR_IRQSAVE : 0;
			if (ioctl(fd, FLB_IOC_MEMREGION, &m)) {
				report(0, "memregion irqsave: the calls", "%s", strerror(errno));
				return;
			}
			late[irq][r] = m.max_irq_late_ns;
			if (irq)
				chunk[r] = m.max_chunk_ns;
		}
		printf("# memregion irqsave round %d: probe late %.0f us chunked, %.0f us irqsave (chunk %.0f us)\n",
		       r, late[0][r] / 1e3, late[1][r] / 1e3, chunk[r] / 1e3);
	}
	qsort(late[0], 3, sizeof(double), cmp_double);
	qsort(late[1], 3, sizeof(double), cmp_double);
	qsort(chunk, 3, sizeof(double), cmp_double);
	snprintf(n, sizeof(n), "memregion: interrupts held off per chunk show in the probe: %.0f us late against %.0f us chunked (chunk %.0f us)",
		 late[1][1] / 1e3, late[0][1] / 1e3, chunk[1] / 1e3);
	report(late[1][1] > late[0][1] && late[1][1] >= 0.5 * chunk[1], n, "medians of 3");
	m = mr_ok(); m.flags = FLB_MR_IRQSAVE; m.mode = FLB_MR_GLOBAL;
	expect("memregion irqsave in global mode -> EINVAL", FLB_IOC_MEMREGION, &m, EINVAL);
	m = mr_ok(); m.flags = FLB_MR_IRQSAVE; m.max_retries = 1;
	expect("memregion irqsave with retries -> EINVAL", FLB_IOC_MEMREGION, &m, EINVAL);
}

static void test_memregion(void)
{
	struct flb_memregion m;
	struct sigaction sa;
	struct itimerval it = { .it_value = { .tv_usec = 200000 } };
	char *user;

	m = mr_ok();
	memset(&m.out, 0xaa, sizeof(m.out));
	if (expect("memregion range, module buffer", FLB_IOC_MEMREGION, &m, 0))
		report(m.served == 2 && m.flushes == 2 && m.bytes_flushed == 2 << 20 &&
		       m.chunks == 2 && !m.error && !m.out_reserved[0],
		       "memregion range: counts", "served %llu flushes %llu bytes %llu chunks %llu",
		       (unsigned long long)m.served, (unsigned long long)m.flushes,
		       (unsigned long long)m.bytes_flushed, (unsigned long long)m.chunks);
	user = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	m = mr_ok();
	m.addr = (uintptr_t)user;
	m.bytes = 4 << 20;
	m.chunk = 256 << 10;
	if (expect("memregion range, pinned user pages", FLB_IOC_MEMREGION, &m, 0))
		report(m.bytes_flushed == 8 << 20 && m.chunks == 32,
		       "memregion user: 16 chunks per request", "bytes %llu chunks %llu",
		       (unsigned long long)m.bytes_flushed, (unsigned long long)m.chunks);
	for (int g = 0; g <= FLB_GEN_SKIP_BATCHED; g++) {
		char n[64], c[96];

		m = mr_ok();
		m.mode = FLB_MR_GLOBAL;
		m.gen_skip = g;
		m.global_ns = 100000;
		snprintf(n, sizeof(n), "memregion global, gen_skip %d", g);
		/* one caller: no other flush to share, whatever gen_skip says */
		snprintf(c, sizeof(c), "memregion global, gen_skip %d, one caller: 2 flushes, none skipped",
			 g);
		if (expect(n, FLB_IOC_MEMREGION, &m, 0))
			report(m.served == 2 && m.flushes == 2 && !m.skipped && !m.failed, c,
			       "served %llu flushes %llu skipped %llu failed %llu",
			       (unsigned long long)m.served, (unsigned long long)m.flushes,
			       (unsigned long long)m.skipped, (unsigned long long)m.failed);
	}
	m = mr_ok();
	m.busy_ppm = FLB_PPM;
	m.max_retries = 3;
	m.backoff_us = 10;
	if (expect("memregion firmware always BUSY", FLB_IOC_MEMREGION, &m, 0))
		report(m.failed == 2 && m.error == EBUSY && m.retries == 6 && m.busy == 8 &&
		       !m.served, "memregion BUSY: bounded retries, -EBUSY reported",
		       "failed %llu error %llu retries %llu busy %llu",
		       (unsigned long long)m.failed, (unsigned long long)m.error,
		       (unsigned long long)m.retries, (unsigned long long)m.busy);
	m = mr_ok();
	m.mode = FLB_MR_GLOBAL;
	m.ratelimit_ppm = FLB_PPM;
	m.max_retries = 2;
	if (expect("memregion firmware always RATE_LIMITED", FLB_IOC_MEMREGION, &m, 0))
		report(m.failed == 2 && m.error == EAGAIN && m.retries == 4 &&
		       m.ratelimited == 6, "memregion RATE_LIMITED: -EAGAIN reported",
		       "failed %llu error %llu retries %llu",
		       (unsigned long long)m.failed, (unsigned long long)m.error,
		       (unsigned long long)m.retries);
	m = mr_ok();
	m.busy_ppm = 300000;
	m.ratelimit_ppm = 200000;
	m.max_retries = FLB_MAX_FW_RETRIES;
	m.requests = 20;
	m.chunk = 256 << 10;
	if (expect("memregion firmware sometimes busy", FLB_IOC_MEMREGION, &m, 0))
		report(m.served == 20 && m.retries > 0, "memregion: retries recover",
		       "served %llu retries %llu", (unsigned long long)m.served,
		       (unsigned long long)m.retries);

	BAD_HEADER(memregion, FLB_IOC_MEMREGION, mr_ok());
	BAD_FLAGS(memregion, FLB_IOC_MEMREGION, mr_ok());
	m = mr_ok(); m.bytes = 0;
	expect("memregion size 0 -> EINVAL", FLB_IOC_MEMREGION, &m, EINVAL);
	m = mr_ok(); m.requests = 0;
	expect("memregion 0 requests -> EINVAL", FLB_IOC_MEMREGION, &m, EINVAL);
	m = mr_ok(); m.bytes = FLB_MAX_MEMREGION_BYTES + 1;
	expect("memregion size above cap -> E2BIG", FLB_IOC_MEMREGION, &m, E2BIG);
	m = mr_ok(); m.requests = FLB_MAX_MEMREGION_REQS + 1;
	expect("memregion requests above cap -> E2BIG", FLB_IOC_MEMREGION, &m, E2BIG);
	m = mr_ok(); m.addr = (uintptr_t)user + 64;
	expect("memregion unaligned user address -> EINVAL", FLB_IOC_MEMREGION, &m, EINVAL);
	m = mr_ok(); m.chunk = 3 * 4096;
	expect("memregion chunk not a power of two -> EINVAL", FLB_IOC_MEMREGION, &m, EINVAL);
	m = mr_ok(); m.chunk = FLB_MAX_CHUNK_BYTES * 2;
	expect("memregion chunk above cap -> E2BIG", FLB_IOC_MEMREGION, &m, E2BIG);
	m = mr_ok(); m.mode = 2;
	expect("memregion unknown mode -> EINVAL", FLB_IOC_MEMREGION, &m, EINVAL);
	m = mr_ok(); m.gen_skip = 3;
	expect("memregion unknown gen_skip -> EINVAL", FLB_IOC_MEMREGION, &m, EINVAL);
	m = mr_ok(); m.busy_ppm = 600000; m.ratelimit_ppm = 600000;
	expect("memregion probabilities above 1 -> EINVAL", FLB_IOC_MEMREGION, &m, EINVAL);
	m = mr_ok(); m.max_retries = FLB_MAX_FW_RETRIES + 1;
	expect("memregion retries above cap -> E2BIG", FLB_IOC_MEMREGION, &m, E2BIG);
	m = mr_ok(); m.global_ns = FLB_MAX_GLOBAL_NS + 1;
	expect("memregion global_ns above cap -> E2BIG", FLB_IOC_MEMREGION, &m, E2BIG);
	m = mr_ok(); m.addr = 0xffffff8000000000ULL;
	expect("memregion kernel address -> EFAULT", FLB_IOC_MEMREGION, &m, EFAULT);

	/* A long flush (1024 x 100 ms) is cut short by a signal. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	m = mr_ok();
	m.mode = FLB_MR_GLOBAL;
	m.global_ns = FLB_MAX_GLOBAL_NS;
	m.requests = FLB_MAX_MEMREGION_REQS;
	setitimer(ITIMER_REAL, &it, NULL);
	expect("memregion long flush interrupted by a signal -> EINTR",
	       FLB_IOC_MEMREGION, &m, EINTR);
	m = mr_ok();
	m.addr = (uintptr_t)user;
	m.bytes = 4 << 20;
	m.chunk = 4096;
	m.requests = FLB_MAX_MEMREGION_REQS;
	it.it_value.tv_usec = 100000;
	setitimer(ITIMER_REAL, &it, NULL);
	expect("memregion long range flush interrupted -> EINTR",
	       FLB_IOC_MEMREGION, &m, EINTR);
	munmap(user, 4 << 20);
}

static void test_race(void)
{
	struct flb_race r;

	r = race_ok();
	r.gen_skip = FLB_GEN_SKIP_OFF;
	if (expect("race off", FLB_IOC_RACE, &r, 0))
		report(r.under_flushes == 0 && r.served == 200 && r.flushes == 200,
		       "race off: no under-flush, one flush per request",
		       "under %llu served %llu flushes %llu",
		       (unsigned long long)r.under_flushes, (unsigned long long)r.served,
		       (unsigned long long)r.flushes);
	BAD_HEADER(race, FLB_IOC_RACE, race_ok());
	BAD_FLAGS(race, FLB_IOC_RACE, race_ok());
	r = race_ok(); r.threads = 1;
	expect("race 1 thread -> EINVAL", FLB_IOC_RACE, &r, EINVAL);
	r = race_ok(); r.threads = FLB_MAX_RACE_THREADS + 1;
	expect("race threads above cap -> E2BIG", FLB_IOC_RACE, &r, E2BIG);
	r = race_ok(); r.requests = 0;
	expect("race 0 requests -> EINVAL", FLB_IOC_RACE, &r, EINVAL);
	r = race_ok(); r.global_ns = 0;
	expect("race 0 global_ns -> EINVAL", FLB_IOC_RACE, &r, EINVAL);
	r = race_ok(); r.threads = 64; r.requests = 10000; r.global_ns = 1000000;
	expect("race longer than 30 s worst case -> E2BIG", FLB_IOC_RACE, &r, E2BIG);
	r = race_ok(); r.gen_skip = 3;
	expect("race unknown gen_skip -> EINVAL", FLB_IOC_RACE, &r, EINVAL);

	/* registration modes: every request runs the method; no churn, none stale */
	for (int g = FLB_REG_SPINLOCK; g <= FLB_REG_RWSEM; g++) {
		static const char *const names[] = { "direct", "spinlock", "cmpxchg", "rcu", "rwsem" };
		char n[128];

		r = race_ok(); r.registration = g;
		snprintf(n, sizeof(n), "race registration %s", names[g]);
		if (!expect(n, FLB_IOC_RACE, &r, 0))
			continue;
		snprintf(n, sizeof(n), "race registration %s: 200 served, 200 flushes, none stale, lateness measured",
			 names[g]);
		report(r.served == 200 && r.flushes == 200 && !r.no_method && !r.stale_calls &&
		       !r.under_flushes && !r.unregistrations && !r.skipped &&
		       (g != FLB_REG_SPINLOCK || r.max_wait_ns > 0) &&
		       r.max_irq_late_ns > 0 && !r.out_reserved[0], n,
		       "served %llu flushes %llu no_method %llu stale %llu under %llu unreg %llu wait %llu late %llu",
		       (unsigned long long)r.served, (unsigned long long)r.flushes,
		       (unsigned long long)r.no_method, (unsigned long long)r.stale_calls,
		       (unsigned long long)r.under_flushes, (unsigned long long)r.unregistrations,
		       (unsigned long long)r.max_wait_ns, (unsigned long long)r.max_irq_late_ns);
		/* 50 x 1 ms calls: the registrar gets a CPU within the run */
		r = race_ok(); r.registration = g; r.global_ns = 1000000;
		r.churn_us = FLB_MIN_CHURN_US;
		snprintf(n, sizeof(n), "race registration %s, churn every %llu us", names[g],
			 (unsigned long long)FLB_MIN_CHURN_US);
		if (!expect(n, FLB_IOC_RACE, &r, 0))
			continue;
		snprintf(n, sizeof(n), "race registration %s, churn: every request answered, cycles counted",
			 names[g]);
		report(r.served == 200 && r.flushes + r.no_method == 200 && r.unregistrations > 0 &&
		       !r.under_flushes, n,
		       "served %llu flushes %llu no_method %llu unreg %llu under %llu",
		       (unsigned long long)r.served, (unsigned long long)r.flushes,
		       (unsigned long long)r.no_method, (unsigned long long)r.unregistrations,
		       (unsigned long long)r.under_flushes);
	}
	r = race_ok(); r.registration = FLB_REG_RWSEM + 1;
	expect("race unknown registration -> EINVAL", FLB_IOC_RACE, &r, EINVAL);
	r = race_ok(); r.registration = ~0ULL;
	expect("race registration all ones -> EINVAL", FLB_IOC_RACE, &r, EINVAL);
	r = race_ok(); r.registration = FLB_REG_SPINLOCK; r.gen_skip = FLB_GEN_SKIP_RACY;
	expect("race registration spinlock with gen_skip racy -> EINVAL", FLB_IOC_RACE, &r, EINVAL);
	r = race_ok(); r.registration = FLB_REG_RCU; r.gen_skip = FLB_GEN_SKIP_BATCHED;
	expect("race registration rcu with gen_skip batched -> EINVAL", FLB_IOC_RACE, &r, EINVAL);
	r = race_ok(); r.churn_us = 1000;
	expect("race churn with registration direct -> EINVAL", FLB_IOC_RACE, &r, EINVAL);
	r = race_ok(); r.registration = FLB_REG_CMPXCHG; r.churn_us = FLB_MIN_CHURN_US - 1;
	expect("race churn below its minimum -> EINVAL", FLB_IOC_RACE, &r, EINVAL);
	r = race_ok(); r.registration = FLB_REG_CMPXCHG; r.churn_us = FLB_MAX_CHURN_US + 1;
	expect("race churn above its cap -> E2BIG", FLB_IOC_RACE, &r, E2BIG);
	/* two threads on two CPUs (the guests have 2): one waits for the other's call */
	r = race_ok(); r.registration = FLB_REG_SPINLOCK; r.requests = 1; r.threads = 2;
	r.global_ns = FLB_MAX_IRQOFF_NS / 2 + 1;
	expect("race spinlock, 2 CPUs x global_ns above FLB_MAX_IRQOFF_NS -> E2BIG", FLB_IOC_RACE, &r, E2BIG);
}

/*
 * gen_skip through FLB_IOC_MEMREGION itself: 4 threads, each with its own
 * file (a file serialises its calls), 50 global requests of 200 us each.
 * Off never skips; batched skips and never under-flushes; racy
 * under-flushes (in one of up to 5 rounds at least).
 */
struct mrc_arg {
	__u64 gen_skip;
	struct flb_memregion m;
	int err;
};

static void *mrc_worker(void *p)
{
	struct mrc_arg *a = p;
	int f = open(FLB_DEVICE_PATH, O_RDWR);

	a->m = mr_ok();
	a->m.mode = FLB_MR_GLOBAL;
	a->m.gen_skip = a->gen_skip;
	a->m.global_ns = 200000;
	a->m.requests = 50;
	a->err = f < 0 ? errno : ioctl(f, FLB_IOC_MEMREGION, &a->m) ? errno : 0;
	if (f >= 0)
		close(f);
	return NULL;
}

static void test_memregion_callers(void)
{
	static const char *const names[] = { "off", "racy", "batched" };
	char n[200];

	for (int g = FLB_GEN_SKIP_OFF; g <= FLB_GEN_SKIP_BATCHED; g++) {
		unsigned long long served = 0, skipped = 0, under = 0, rounds = 0;
		int bad = 0, found = 0;

		for (int r = 0; r < 5 && !(g == FLB_GEN_SKIP_RACY && found); r++) {
			struct mrc_arg a[4];
			pthread_t th[4];
			unsigned long long sv = 0, sk = 0, un = 0;

			for (int i = 0; i < 4; i++) {
				a[i].gen_skip = g;
				if (pthread_create(&th[i], NULL, mrc_worker, &a[i]))
					bad++;
			}
			for (int i = 0; i < 4; i++) {
				pthread_join(th[i], NULL);
				bad += a[i].err != 0;
				sv += a[i].m.served;
				sk += a[i].m.skipped;
				un += a[i].m.under_flushes;
			}
			printf("# memregion callers %s round %d: served %llu skipped %llu under-flushes %llu\n",
			       names[g], r, sv, sk, un);
			bad += sv != 200;
			served += sv;
			skipped += sk;
			under += un;
			found += un > 0;
			rounds++;
		}
		switch (g) {
		case FLB_GEN_SKIP_OFF:
			snprintf(n, sizeof(n), "memregion, 4 callers, gen_skip off: every request flushes (%llu rounds)", rounds);
			report(!bad && !skipped && !under, n, "bad %d skipped %llu under %llu", bad, skipped, under);
			break;
		case FLB_GEN_SKIP_RACY:
			snprintf(n, sizeof(n), "memregion, 4 callers, gen_skip racy: under-flushes found (%llu in %llu rounds)", under, rounds);
			report(!bad && under > 0, n, "bad %d skipped %llu under %llu", bad, skipped, under);
			break;
		default:
			snprintf(n, sizeof(n), "memregion, 4 callers, gen_skip batched: %llu skipped, no under-flush (%llu rounds)", skipped, rounds);
			report(!bad && skipped > 0 && !under, n, "bad %d skipped %llu under %llu", bad, skipped, under);
			break;
		}
	}
}

/* Concurrent callers: TLBI, memregion (global, batched) and race at once. */
static int conc_errors;
static pthread_mutex_t conc_lock = PTHREAD_MUTEX_INITIALIZER;

static void *conc_worker(void *arg)
{
	long id = (long)arg;

	for (int i = 0; i < 20; i++) {
		struct flb_tlbi t = tlbi_ok();
		struct flb_memregion m = mr_ok();
		struct flb_race r = race_ok();
		int bad = 0;

		t.policy = (id + i) % 3;
		t.iterations = 50;
		bad |= ioctl(fd, FLB_IOC_TLBI, &t) != 0;
		m.mode = FLB_MR_GLOBAL;
		m.gen_skip = FLB_GEN_SKIP_BATCHED;
		m.global_ns = 50000;
		bad |= ioctl(fd, FLB_IOC_MEMREGION, &m) != 0 || m.served != m.requests;
		if (i % 10 == 0) {
			r.requests = 10;
			bad |= ioctl(fd, FLB_IOC_RACE, &r) != 0;
		}
		if (bad) {
			pthread_mutex_lock(&conc_lock);
			conc_errors++;
			pthread_mutex_unlock(&conc_lock);
		}
	}
	return NULL;
}

static void test_concurrent(void)
{
	pthread_t th[4];
	cpu_set_t all;
	int n = 0;

	CPU_ZERO(&all);
	for (int c = 0; c < CPU_SETSIZE && c < 64; c++)
		CPU_SET(c, &all);
	sched_setaffinity(0, sizeof(all), &all);
	for (long i = 0; i < 4; i++)
		n += !pthread_create(&th[i], NULL, conc_worker, (void *)i);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	report(n == 4 && !conc_errors, "4 concurrent callers",
	       "%d threads started, %d failed calls", n, conc_errors);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The module at its limits, where a missing resched point shows: the
 * host's in-guest.ash boots with watchdog_thresh=1 (a soft lockup is
 * reported after 2 s without a schedule) and checks dmesg afterwards.
 * Per call: the most pages, bytes, chunk, retries, backoff and global_ns
 * the caps allow, and TLBI iterations up to the cap or about 5 s a call;
 * the number of calls is kept small where the maximum would take minutes
 * under TCG (a lockup shows within one call of more than 2 s).
 */
static void test_limits(void)
{
	static const char *const pol[] = { "local", "broadcast" };
	struct flb_memregion m;
	struct flb_tlbi t;
	char n[160];
	double t0;

	spin_start();
	for (int p = FLB_TLBI_LOCAL; p <= FLB_TLBI_BROADCAST; p++) {
		double per;

		/*
		 * As many iterations as take about 5 s (up to the cap): more
		 * than a soft lockup needs, and bounded when IPIs wait for
		 * the host to run the other vCPU (x86 under TCG on a busy host)
		 */
		t = tlbi_ok();
		t.policy = p;
		t.pages = FLB_MAX_TLBI_PAGES;
		t.iterations = 256;
		t0 = now_s();
		if (ioctl(fd, FLB_IOC_TLBI, &t))
			per = 1;
		else
			per = (now_s() - t0) / 256;
		t.iterations = per > 0 ? 5.0 / per : FLB_MAX_TLBI_ITERATIONS;
		if (t.iterations > FLB_MAX_TLBI_ITERATIONS || !t.iterations)
			t.iterations = FLB_MAX_TLBI_ITERATIONS;
		if (t.iterations < 256)
			t.iterations = 256;
		t0 = now_s();
		snprintf(n, sizeof(n), "limits: tlbi %s, %llu x %llu pages", pol[p],
			 (unsigned long long)t.iterations, (unsigned long long)t.pages);
		expect(n, FLB_IOC_TLBI, &t, 0);
		printf("# limits: tlbi %s %llu x %llu pages in %.1f s\n", pol[p],
		       (unsigned long long)t.iterations, (unsigned long long)t.pages,
		       now_s() - t0);
	}
	spin_end();
	m = mr_ok();
	m.bytes = FLB_MAX_MEMREGION_BYTES;
	m.chunk = FLB_MAX_CHUNK_BYTES;
	m.requests = 1;
	t0 = now_s();
	if (expect("limits: memregion range, 1 GiB in 64 MiB chunks", FLB_IOC_MEMREGION, &m, 0))
		printf("# limits: memregion range 1 GiB in %.1f s, longest chunk %llu ns\n",
		       now_s() - t0, (unsigned long long)m.max_chunk_ns);
	else if (errno == ENOMEM)
		printf("# limits: no 1 GiB for the module buffer in this guest\n");
	m = mr_ok();
	m.mode = FLB_MR_GLOBAL;
	m.global_ns = FLB_MAX_GLOBAL_NS;
	m.busy_ppm = 500000;
	m.max_retries = FLB_MAX_FW_RETRIES;
	m.backoff_us = FLB_MAX_BACKOFF_US;
	m.requests = 16;
	t0 = now_s();
	expect("limits: memregion global, 100 ms a flush, busy half the time, 16 retries of 10 ms",
	       FLB_IOC_MEMREGION, &m, 0);
	printf("# limits: memregion global busy: %llu served, %llu failed, %llu retries in %.1f s\n",
	       (unsigned long long)m.served, (unsigned long long)m.failed,
	       (unsigned long long)m.retries, now_s() - t0);
}

/*
 * A second caller on the same file waits for the first's memregion call
 * killably: SIGKILL ends it at once, not after the first call (which
 * takes 3 s here).
 */
static void test_killable(void)
{
	struct flb_memregion m = mr_ok();
	int st = 0, pipefd[2];
	double t0, waited = -1;
	pid_t child, first;

	if (pipe(pipefd)) {
		report(0, "memregion: a second caller waits killably", "pipe: %s",
		       strerror(errno));
		return;
	}
	m.mode = FLB_MR_GLOBAL;
	m.global_ns = FLB_MAX_GLOBAL_NS;
	m.requests = 30;
	first = fork();
	if (first == 0) {	/* holds the file's lock for about 3 s */
		close(pipefd[0]);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(2);
		_exit(ioctl(fd, FLB_IOC_MEMREGION, &m) ? 1 : 0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &st, 1) != 1)
		st = 0;
	close(pipefd[0]);
	usleep(300000);		/* the first is in its call */
	child = fork();
	if (child == 0) {	/* waits on the lock */
		m.requests = 1;
		_exit(ioctl(fd, FLB_IOC_MEMREGION, &m) ? 1 : 0);
	}
	usleep(300000);
	t0 = now_s();
	kill(child, SIGKILL);
	if (waitpid(child, &st, 0) == child)
		waited = now_s() - t0;
	report(waited >= 0 && waited < 1.0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	       "memregion: a second caller on the file, waiting for its lock, dies at SIGKILL at once",
	       "waited %.2f s, status %#x", waited, st);
	kill(first, SIGKILL);
	waitpid(first, &st, 0);
}

/* The bound PCI devices (/sys/bus/pci/drivers/flushbench/<BDF>): how many. */
static int dma_devices(void)
{
	DIR *d = opendir("/sys/bus/pci/drivers/flushbench");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strchr(e->d_name, ':'))
			n++;
	closedir(d);
	return n;
}

static struct flb_dma dma_ok(void)
{
	struct flb_dma d = { .hdr = HDR(d), .bytes = psz, .iterations = 64,
			    .batch = 16, .threads = 1 };
	return d;
}

static struct flb_dma_check dma_check_ok(void)
{
	struct flb_dma_check c = { .hdr = HDR(c) };
	return c;
}

static int lat_ordered(const struct flb_lat *l)
{
	return l->min > 0 && l->min <= l->median && l->median <= l->p99 && l->p99 <= l->max;
}

/*
 * FLB_IOC_DMA and FLB_IOC_DMA_CHECK: bad arguments before any device is
 * looked up, -ENODEV for an index nothing is bound at, and a good call on
 * device 0 when one is bound (tests/kmod/guest.sh boots with edu behind
 * an IOMMU): every operation done, the distributions ordered.
 */
static void test_dma(void)
{
	int ndev = dma_devices(), ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct flb_dma d;
	struct flb_dma_check c;
	char n[128];

	BAD_HEADER(dma, FLB_IOC_DMA, dma_ok());
	BAD_FLAGS(dma, FLB_IOC_DMA, dma_ok());
	BAD_HEADER(dma_check, FLB_IOC_DMA_CHECK, dma_check_ok());
	BAD_FLAGS(dma_check, FLB_IOC_DMA_CHECK, dma_check_ok());
	d = dma_ok(); d.mode = FLB_DMA_SG + 1;
	expect("dma: unknown mode -> EINVAL", FLB_IOC_DMA, &d, EINVAL);
	d = dma_ok(); d.bytes = 0;
	expect("dma: bytes 0 -> EINVAL", FLB_IOC_DMA, &d, EINVAL);
	d = dma_ok(); d.bytes = psz + 512;
	expect("dma: bytes not a page multiple -> EINVAL", FLB_IOC_DMA, &d, EINVAL);
	d = dma_ok(); d.bytes = FLB_MAX_DMA_BYTES + psz;
	expect("dma: bytes above the cap -> E2BIG", FLB_IOC_DMA, &d, E2BIG);
	d = dma_ok(); d.iterations = 0;
	expect("dma: iterations 0 -> EINVAL", FLB_IOC_DMA, &d, EINVAL);
	d = dma_ok(); d.iterations = FLB_MAX_DMA_ITERATIONS + 1;
	expect("dma: iterations above the cap -> E2BIG", FLB_IOC_DMA, &d, E2BIG);
	d = dma_ok(); d.batch = 0;
	expect("dma: batch 0 -> EINVAL", FLB_IOC_DMA, &d, EINVAL);
	d = dma_ok(); d.batch = FLB_MAX_DMA_BATCH + 1;
	expect("dma: batch above the cap -> E2BIG", FLB_IOC_DMA, &d, E2BIG);
	d = dma_ok(); d.threads = 0;
	expect("dma: threads 0 -> EINVAL", FLB_IOC_DMA, &d, EINVAL);
	d = dma_ok(); d.threads = FLB_MAX_DMA_THREADS + 1;
	expect("dma: threads above the cap -> E2BIG", FLB_IOC_DMA, &d, E2BIG);
	if (ncpu < (int)FLB_MAX_DMA_THREADS) {
		d = dma_ok(); d.threads = ncpu + 1;
		expect("dma: more threads than online CPUs -> EINVAL", FLB_IOC_DMA, &d, EINVAL);
	}
	d = dma_ok(); d.device = ndev;
	snprintf(n, sizeof(n), "dma: device %d, %d bound -> ENODEV", ndev, ndev);
	expect(n, FLB_IOC_DMA, &d, ENODEV);
	c = dma_check_ok(); c.device = ndev;
	snprintf(n, sizeof(n), "dma check: device %d, %d bound -> ENODEV", ndev, ndev);
	expect(n, FLB_IOC_DMA_CHECK, &c, ENODEV);
	if (!ndev) {
		printf("# dma: no device bound to flushbench: the good calls are not run\n");
		return;
	}
	for (int mode = FLB_DMA_SINGLE; mode <= FLB_DMA_SG; mode++) {
		const char *mn = mode == FLB_DMA_SG ? "sg" : "single";

		d = dma_ok();
		d.mode = mode;
		d.bytes = 16 * psz;
		d.threads = ncpu;
		d.iterations = 100;	/* 6 batches of 16 and one of 4 per thread */
		memset(&d.out, 0xa5, sizeof(d.out));
		snprintf(n, sizeof(n), "dma %s 16 pages, %d threads, 100 x batch 16: succeeds", mn, ncpu);
		if (!expect(n, FLB_IOC_DMA, &d, 0))
			continue;
		report(d.ops == 100ULL * ncpu && d.batches == 7ULL * ncpu,
		       "dma: every operation of every thread done, in batches",
		       "ops %llu batches %llu", (unsigned long long)d.ops,
		       (unsigned long long)d.batches);
		report(lat_ordered(&d.map_ns) && lat_ordered(&d.unmap_ns),
		       "dma: map and unmap distributions non-zero and ordered",
		       "map %llu/%llu/%llu/%llu unmap %llu/%llu/%llu/%llu",
		       (unsigned long long)d.map_ns.min, (unsigned long long)d.map_ns.median,
		       (unsigned long long)d.map_ns.p99, (unsigned long long)d.map_ns.max,
		       (unsigned long long)d.unmap_ns.min, (unsigned long long)d.unmap_ns.median,
		       (unsigned long long)d.unmap_ns.p99, (unsigned long long)d.unmap_ns.max);
		report(d.domain >= FLB_DMA_DIRECT && d.domain <= FLB_DMA_OTHER &&
		       d.total_ns > 0 && !d.out_reserved[0] && !d.out_reserved[3],
		       "dma: domain named, total time, out_reserved zero",
		       "domain %llu total %llu", (unsigned long long)d.domain,
		       (unsigned long long)d.total_ns);
		if (mode == FLB_DMA_SG)
			report(d.domain == FLB_DMA_STRICT || d.domain == FLB_DMA_LAZY ?
			       d.nents == 1 : d.nents >= 1,
			       "dma sg: one segment behind a translating IOMMU (it merges the pages)",
			       "nents %llu, domain %llu", (unsigned long long)d.nents,
			       (unsigned long long)d.domain);
		else
			report(d.nents == 0, "dma single: nents 0", "nents %llu",
			       (unsigned long long)d.nents);
	}
	d = dma_ok();
	d.bytes = FLB_MAX_DMA_BYTES;
	d.batch = FLB_MAX_DMA_BATCH;
	d.iterations = FLB_MAX_DMA_BATCH;
	expect("dma: limits: 256 mappings of 2 MiB in one batch", FLB_IOC_DMA, &d, 0);
}

int main(void)
{
	psz = sysconf(_SC_PAGESIZE);
	fd = open(FLB_DEVICE_PATH, O_RDWR);
	if (fd < 0) {
		printf("not ok - open %s # %s\n", FLB_DEVICE_PATH, strerror(errno));
		return 1;
	}
	pages = mmap(NULL, (FLB_MAX_TLBI_PAGES + 1) * psz, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (pages == MAP_FAILED) {
		printf("not ok - mmap # %s\n", strerror(errno));
		return 1;
	}
	noaccess = mmap(NULL, psz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (noaccess == MAP_FAILED) {
		printf("not ok - mmap # %s\n", strerror(errno));
		return 1;
	}
	test_info();
	test_tlbi();
	test_memregion();
	test_memregion_irqsave();
	test_memregion_callers();
	test_race();
	test_dma();
	test_concurrent();
	test_killable();
	test_limits();
	close(fd);
	printf("# ioctl-test: %d failed\n1..%d\n", failures, results);
	return failures ? 1 : 0;
}
