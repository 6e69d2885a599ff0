// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl-fuzz: random calls to /dev/flushbench in the guest (built static
 * by tests/kmod/guest.sh, run by in-guest.ash). Each call starts from a
 * valid struct of a random command and mutates one to four fields (the
 * header's size and version, reserved words, flags, counts, sizes,
 * addresses, enums) with values from an interesting set or at random;
 * one call in eight uses a random command number or direction. A 20 ms
 * interval timer interrupts calls that run long (the module returns
 * -EINTR). Every call must return 0 or one of the documented errors
 * (EINVAL, ENOTTY, EFAULT, E2BIG, EINTR, EBUSY, ENOMEM, EOPNOTSUPP: no
 * PMU for a TLBI call that asks for PMU cycles, EAGAIN: a batch that kept
 * moving CPU, ENODEV: a DMA device index nothing is bound at); dmesg is
 * checked by the caller. Prints one result line:
 *   calls=N ok=N einval=N enotty=N efault=N e2big=N eintr=N ebusy=N enomem=N
 *   eopnotsupp=N eagain=N enodev=N other=N secs=S
 * and exits 1 if any call returned something else.
 *
 * Usage: ioctl-fuzz CALLS MAX_SECONDS SEED
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "flushbench_uapi.h"

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static char *pages;	/* FLB_MAX_TLBI_PAGES pages of ours */
static long psz;

/* A value a field might be given: edges, caps, addresses, noise. */
static uint64_t interesting(void)
{
	const uint64_t v[] = {
		0, 1, 2, 3, 7, 64, 65, 4095, 4096, 4097, 65535, 65536, 65537,
		1ULL << 20, (1ULL << 30) + 1, 1ULL << 31, 1ULL << 32, ~0ULL, ~0ULL >> 1,
		0xffffff8000000000ULL, FLB_MAX_TLBI_ITERATIONS, FLB_MAX_TLBI_PAGES + 1,
		FLB_MAX_CHUNK_BYTES * 2, FLB_PPM, FLB_PPM + 1,
		FLB_REG_RWSEM + 1, FLB_MIN_CHURN_US - 1, FLB_MAX_CHURN_US + 1,
		(uintptr_t)pages, (uintptr_t)pages + 1, (uintptr_t)pages + 4096,
	};

	if (rnd() % 4 == 0)
		return rnd();
	return v[rnd() % (sizeof(v) / sizeof(v[0]))];
}

/* Valid structs with small, fast settings. */
static void tlbi_valid(struct flb_tlbi *t)
{
	memset(t, 0, sizeof(*t));
	t->hdr.size = sizeof(*t);
	t->hdr.version = FLB_UAPI_VERSION;
	t->addr = (uintptr_t)pages;
	t->pages = 1 + rnd() % 4;
	t->iterations = 1 + rnd() % 8;
	t->policy = rnd() % (FLB_TLBI_SPIN + 1);
	if (t->policy == FLB_TLBI_SPIN)
		t->spin = rnd() % 100;
	if (rnd() % 2)
		t->flags = FLB_TLBI_ROLLOVER;
	if (rnd() % 2) {	/* batched, with any clock (0..PMU cycles) */
		t->batch = 1 + rnd() % t->iterations;
		t->clock_req = rnd() % (FLB_CLOCK_PMU_CYCLES + 1);
	}
}

static void mr_valid(struct flb_memregion *m)
{
	memset(m, 0, sizeof(*m));
	m->hdr.size = sizeof(*m);
	m->hdr.version = FLB_UAPI_VERSION;
	m->bytes = 4096 << (rnd() % 4);
	m->requests = 1 + rnd() % 2;
	m->mode = rnd() % 2;
	m->gen_skip = rnd() % 3;
	m->global_ns = rnd() % 5000;
}

static void race_valid(struct flb_race *r)
{
	memset(r, 0, sizeof(*r));
	r->hdr.size = sizeof(*r);
	r->hdr.version = FLB_UAPI_VERSION;
	r->threads = 2;
	r->requests = 1 + rnd() % 3;
	r->registration = rnd() % (FLB_REG_RWSEM + 1);
	/* gen_skip only with direct calls; churn only with a registration */
	r->gen_skip = r->registration == FLB_REG_DIRECT ? rnd() % 3 : FLB_GEN_SKIP_OFF;
	if (r->registration != FLB_REG_DIRECT && rnd() % 2)
		r->churn_us = FLB_MIN_CHURN_US + rnd() % 1000;
	r->global_ns = 1 + rnd() % 5000;
}

/* Device 0 or 1 (ENODEV where none is bound), a few small batches. */
static void dma_valid(struct flb_dma *d)
{
	memset(d, 0, sizeof(*d));
	d->hdr.size = sizeof(*d);
	d->hdr.version = FLB_UAPI_VERSION;
	d->device = rnd() % 2;
	d->mode = rnd() % 2;
	d->bytes = 4096 << (rnd() % 4);
	d->iterations = 1 + rnd() % 8;
	d->batch = 1 + rnd() % 4;
	d->threads = 1;
}

/* Overwrite one random 8-byte word of the struct (the header included). */
static void mutate(void *s, size_t size)
{
	uint64_t *w = s;
	size_t n = size / 8, i = rnd() % n;

	if (i == 0 && rnd() % 2) {	/* the header word: size or version */
		struct flb_hdr *h = s;

		if (rnd() % 2)
			h->size = (uint32_t)interesting();
		else
			h->version = (uint32_t)interesting();
		return;
	}
	w[i] = interesting();
}

static void on_alarm(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	unsigned long calls = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	double max_s = argc > 2 ? atof(argv[2]) : 60;
	unsigned long n, ok = 0, einval = 0, enotty = 0, efault = 0, e2big = 0;
	unsigned long eintr = 0, ebusy = 0, enomem = 0, eopnotsupp = 0, eagain = 0, enodev = 0, other = 0;
	union {
		struct flb_info i;
		struct flb_tlbi t;
		struct flb_memregion m;
		struct flb_race r;
		struct flb_dma d;
		char raw[512];
	} u;
	struct itimerval it = { .it_interval = { 0, 20000 }, .it_value = { 0, 20000 } };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct timespec t0, t1;
	double secs = 0;
	int fd;

	rng = argc > 3 ? strtoull(argv[3], NULL, 0) : (uint64_t)time(NULL);
	psz = sysconf(_SC_PAGESIZE);
	pages = mmap(NULL, FLB_MAX_TLBI_PAGES * psz, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	fd = open(FLB_DEVICE_PATH, O_RDWR);
	if (pages == MAP_FAILED || fd < 0) {
		printf("setup failed: %s\n", strerror(errno));
		return 2;
	}
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: a long call ends in EINTR */
	setitimer(ITIMER_REAL, &it, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 0; n < calls && secs < max_s; n++) {
		unsigned long cmd;
		int k = rnd() % 5, muts = 1 + rnd() % 4, ret;
		size_t size;

		switch (k) {
		case 0:
			memset(&u, 0, sizeof(u));
			u.i.hdr.size = sizeof(u.i);
			u.i.hdr.version = FLB_UAPI_VERSION;
			cmd = FLB_IOC_INFO;
			size = sizeof(u.i);
			break;
		case 1:
			tlbi_valid(&u.t);
			cmd = FLB_IOC_TLBI;
			size = sizeof(u.t);
			break;
		case 2:
			mr_valid(&u.m);
			cmd = FLB_IOC_MEMREGION;
			size = sizeof(u.m);
			break;
		case 3:
			race_valid(&u.r);
			cmd = FLB_IOC_RACE;
			size = sizeof(u.r);
			break;
		default:
			dma_valid(&u.d);
			cmd = FLB_IOC_DMA;
			size = sizeof(u.d);
			break;
		}
		while (muts--)
			mutate(&u, size);
		if (rnd() % 8 == 0) {	/* another number, size or direction */
			unsigned int nr = rnd() % 8, sz = rnd() % 512;

			cmd = rnd() % 2 ? _IOC(_IOC_READ | _IOC_WRITE, FLB_IOC_MAGIC, nr, sz) :
					  _IOC(rnd() % 4, FLB_IOC_MAGIC, nr, sz);
		}
		ret = ioctl(fd, cmd, &u);
		if (!ret)
			ok++;
		else if (errno == EINVAL)
			einval++;
		else if (errno == ENOTTY)
			enotty++;
		else if (errno == EFAULT)
			efault++;
		else if (errno == E2BIG)
			e2big++;
		else if (errno == EINTR)
			eintr++;
		else if (errno == EBUSY)
			ebusy++;
		else if (errno == ENOMEM)
			enomem++;
		else if (errno == EOPNOTSUPP)
			eopnotsupp++;
		else if (errno == EAGAIN)
			eagain++;
		else if (errno == ENODEV)
			enodev++;
		else {
			other++;
			printf("# call %lu: cmd %#lx returned %s\n", n, cmd, strerror(errno));
		}
		if (!(n & 255)) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("calls=%lu ok=%lu einval=%lu enotty=%lu efault=%lu e2big=%lu eintr=%lu ebusy=%lu enomem=%lu eopnotsupp=%lu eagain=%lu enodev=%lu other=%lu secs=%.1f\n",
	       n, ok, einval, enotty, efault, e2big, eintr, ebusy, enomem, eopnotsupp, eagain,
	       enodev, other, secs);
	return other ? 1 : 0;
}
