/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters: the only user of perf_event_open(2) and libpfm4.
 *
 * Event names: generic perf names (task-clock, page-faults, context-switches,
 * cpu-migrations, cycles, instructions, dTLB-load-misses, ...), libpfm4 names
 * (L1D_TLB_REFILL, DTLB_WALK, ...), tracepoints as "subsys:event"
 * (tlb:tlb_flush, which also yields one counter per reason), and
 * "interrupts" (the TLB-shootdown and IPI rows of /proc/interrupts, read
 * before and after each interval).
 */
#ifndef FLB_COUNTERS_H
#define FLB_COUNTERS_H

#include <stddef.h>
#include <sys/types.h>

enum flb_counter_scope {
	FLB_SCOPE_PROCESS,	/* this thread (or a process's threads), and threads/children created after open */
	FLB_SCOPE_SYSTEM,	/* every CPU, every task */
};

/* 0 if the name is a known event (countable here or not); else -1 and why. */
int flb_counters_validate(const char *name, char *why, size_t len);

struct flb_counters;
typedef void (*flb_unsupported_fn)(void *arg, const char *name, const char *why);

/*
 * Open the named events, disabled. An event this machine cannot count is
 * reported once through unsupported() and left out; NULL only on a
 * program error (out of memory).
 */
struct flb_counters *flb_counters_open(const char *const *names, size_t n,
				     enum flb_counter_scope scope,
				     flb_unsupported_fn unsupported, void *arg);
/*
 * The same on another process (FLB_SCOPE_PROCESS, pid > 0): on each thread
 * of it and of its descendant processes now (/proc/PID/task/TID/children),
 * with inherit, so threads and children they make after the open count
 * too: the runner's counters on a job's worker process and what its setup
 * started (threads, kv-server).
 */
struct flb_counters *flb_counters_open_task(const char *const *names, size_t n,
					  enum flb_counter_scope scope, pid_t pid,
					  flb_unsupported_fn unsupported,
					  void *arg);
int flb_counters_start(struct flb_counters *c);	/* reset + enable */
int flb_counters_stop(struct flb_counters *c);	/* disable + read */
size_t flb_counters_count(const struct flb_counters *c);
/*
 * Value i of the last start..stop interval (scaled when multiplexed); NaN
 * when it could not be measured (the event never got on a counter, a read
 * failed, an interrupt row disappeared).  "interrupts"/"irq:*" counters are
 * machine-wide whatever the scope.
 */
void flb_counters_value(const struct flb_counters *c, size_t i,
		       const char **name, double *value);
void flb_counters_close(struct flb_counters *c);

/*
 * For tests: the counter name ("irq:TLB", "irq:Function call interrupts")
 * and per-CPU sum of a /proc/interrupts line; -1 if the row is not counted.
 */
int flb_counters_irq_line(const char *line, char *name, size_t len,
			 unsigned long long *sum);

#endif
