/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Environment of a run: key/value pairs captured once per run and stored
 * with it (kernel.release, kernel.preempt, virt, cpu.model, ...).
 */
#ifndef FLB_ENV_H
#define FLB_ENV_H

#include <stddef.h>

struct flb_kv {
	char *key;
	char *value;
};

struct flb_env {
	struct flb_kv *kv;
	size_t n;
};

/* Capture what this machine says about itself; 0 or -1 (out of memory). */
int flb_env_capture(struct flb_env *env);
/* Add or replace a key. 0 or -1. */
int flb_env_set(struct flb_env *env, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *flb_env_get(const struct flb_env *env, const char *key);
void flb_env_free(struct flb_env *env);

/* The pure parsers behind flb_env_capture, exposed for the unit tests. */

/*
 * The active choice of a list where it is marked, as in sysfs/debugfs:
 * "always [madvise] never" with '[' ']', "none (voluntary) full" with
 * '(' ')'.  0 and the choice in buf, or -1 if none is marked.
 */
int flb_env_parse_active(const char *text, char open, char close, char *buf,
			size_t len);
/*
 * The preemption model: the active one of sched_preempt (the text of
 * /sys/kernel/debug/sched/preempt, or NULL); else "preempt=" of cmdline
 * (or NULL) on a PREEMPT_DYNAMIC kernel; else PREEMPT_RT, PREEMPT_DYNAMIC
 * or PREEMPT from the version string (uname -v); else "unknown".  Writes the
 * model to buf and returns where it came from.
 */
const char *flb_env_parse_preempt(const char *sched_preempt, const char *version,
				 const char *cmdline, char *buf, size_t len);
/* Hypervisor name of a cpuid 0x40000000 signature (12 bytes), else NULL. */
const char *flb_env_hypervisor_cpuid(const char *sig);
/* Hypervisor name from DMI sys_vendor and product_name (either NULL), else NULL. */
const char *flb_env_hypervisor_dmi(const char *vendor, const char *product);

#endif
