// SPDX-License-Identifier: GPL-2.0
/*
 * race: runs the module's race detector (FLB_IOC_RACE) once and prints
 * "race gen_skip=G threads=K requests=R global_ns=N registration=M
 * churn_us=C served=... flushes=... skipped=... under_flushes=...
 * max_batch=... max_wait_ns=... max_irq_late_ns=... stale_calls=...
 * unregistrations=... no_method=... total_ms=...".
 * Usage: race off|racy|batched THREADS REQUESTS GLOBAL_NS
 *             [direct|spinlock|cmpxchg|rcu|rwsem [CHURN_US]]
 * (an unknown name is passed on as the next value: the module answers EINVAL)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "flushbench_uapi.h"

#define U(x) ((unsigned long long)(x))

static const char *const skips[] = { "off", "racy", "batched" };
static const char *const regs[] = { "direct", "spinlock", "cmpxchg", "rcu", "rwsem" };

static __u64 lookup(const char *const *names, unsigned int n, const char *s)
{
	__u64 i;

	for (i = 0; i < n && strcmp(names[i], s); i++)
		;
	return i;
}

int main(int argc, char **argv)
{
	struct flb_race r = { .hdr = { sizeof(r), FLB_UAPI_VERSION } };
	const char *reg = argc > 5 ? argv[5] : "direct";
	int fd;

	if (argc < 5 || argc > 7)
		return 2;
	r.gen_skip = lookup(skips, 3, argv[1]);
	r.threads = strtoull(argv[2], NULL, 0);
	r.requests = strtoull(argv[3], NULL, 0);
	r.global_ns = strtoull(argv[4], NULL, 0);
	r.registration = lookup(regs, 5, reg);
	r.churn_us = argc > 6 ? strtoull(argv[6], NULL, 0) : 0;
	fd = open(FLB_DEVICE_PATH, O_RDWR);
	if (fd < 0 || ioctl(fd, FLB_IOC_RACE, &r)) {
		perror("race: " FLB_DEVICE_PATH);
		return 1;
	}
	printf("race gen_skip=%s threads=%llu requests=%llu global_ns=%llu registration=%s "
	       "churn_us=%llu served=%llu flushes=%llu skipped=%llu under_flushes=%llu "
	       "max_batch=%llu max_wait_ns=%llu max_irq_late_ns=%llu stale_calls=%llu "
	       "unregistrations=%llu no_method=%llu total_ms=%.1f\n",
	       argv[1], U(r.threads), U(r.requests), U(r.global_ns), reg, U(r.churn_us),
	       U(r.served), U(r.flushes), U(r.skipped), U(r.under_flushes), U(r.max_batch),
	       U(r.max_wait_ns), U(r.max_irq_late_ns), U(r.stale_calls),
	       U(r.unregistrations), U(r.no_method), r.total_ns / 1e6);
	return 0;
}
