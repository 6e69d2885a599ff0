// SPDX-License-Identifier: GPL-2.0
/*
 * race: runs the module's gen_skip race detector (FLB_IOC_RACE) once and
 * prints "race gen_skip=G threads=K requests=R global_ns=N served=...
 * flushes=... skipped=... under_flushes=... max_batch=...".
 * Usage: race off|racy|batched THREADS REQUESTS GLOBAL_NS
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "flushbench_uapi.h"

int main(int argc, char **argv)
{
	static const char *const names[] = { "off", "racy", "batched" };
	struct flb_race r = { .hdr = { sizeof(r), FLB_UAPI_VERSION } };
	int fd;

	if (argc != 5)
		return 2;
	for (r.gen_skip = 0; r.gen_skip < 3 && strcmp(names[r.gen_skip], argv[1]);)
		r.gen_skip++;
	r.threads = strtoull(argv[2], NULL, 0);
	r.requests = strtoull(argv[3], NULL, 0);
	r.global_ns = strtoull(argv[4], NULL, 0);
	fd = open(FLB_DEVICE_PATH, O_RDWR);
	if (fd < 0 || ioctl(fd, FLB_IOC_RACE, &r)) {
		perror("race: " FLB_DEVICE_PATH);
		return 1;
	}
	printf("race gen_skip=%s threads=%llu requests=%llu global_ns=%llu served=%llu "
	       "flushes=%llu skipped=%llu under_flushes=%llu max_batch=%llu total_ms=%.1f\n",
	       argv[1], (unsigned long long)r.threads, (unsigned long long)r.requests,
	       (unsigned long long)r.global_ns, (unsigned long long)r.served,
	       (unsigned long long)r.flushes, (unsigned long long)r.skipped,
	       (unsigned long long)r.under_flushes, (unsigned long long)r.max_batch,
	       r.total_ns / 1e6);
	return 0;
}
