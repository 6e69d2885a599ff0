/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * flushbench_uapi.h - the one interface between the flushbench module and
 * userspace (the tlbi and memregion workloads, tests/kmod/ioctl-test.c).
 *
 * Device: /dev/flushbench (misc, mode 0600). Every command is _IOWR on one
 * struct that starts with the header word { size, version }: size is
 * sizeof() the struct as the caller compiled it, version is
 * FB_UAPI_VERSION. Fields are documented (in) or (out). The module copies
 * the whole struct in, checks it, zeroes every (out) field, runs the
 * command and copies the whole struct back, also when the command itself
 * reports a failure in an (out) field.
 *
 * Errors: -ENOTTY unknown command; -EINVAL wrong size or version, a
 * reserved field or unknown flag that is not zero, a zero size or count,
 * an unaligned address, an unknown enum value; -E2BIG a count or size above
 * its FB_MAX_* cap; -EFAULT an address userspace cannot access; -EINTR a
 * signal arrived during a long command (partial results are not returned).
 */
#ifndef _UAPI_FLUSHBENCH_H
#define _UAPI_FLUSHBENCH_H

#include <linux/ioctl.h>
#include <linux/stddef.h>
#include <linux/types.h>

#define FB_UAPI_VERSION		1
#define FB_DEVICE_PATH		"/dev/flushbench"

/* Caps (the module answers -E2BIG above them). */
#define FB_MAX_TLBI_ITERATIONS	65536ULL
#define FB_MAX_TLBI_PAGES	64ULL
#define FB_MAX_MEMREGION_BYTES	(1ULL << 30)
#define FB_MAX_MEMREGION_REQS	1024ULL
#define FB_MAX_CHUNK_BYTES	(64ULL << 20)
#define FB_MAX_FW_RETRIES	16ULL
#define FB_MAX_BACKOFF_US	10000ULL
#define FB_MAX_GLOBAL_NS	100000000ULL	/* 100 ms */
#define FB_MAX_RACE_THREADS	64ULL
#define FB_MAX_RACE_REQUESTS	10000ULL
#define FB_PPM			1000000ULL	/* probabilities: parts per million */

/* The header word every command struct starts with. */
struct fb_hdr {
	__u32 size;		/* (in) sizeof the command struct */
	__u32 version;		/* (in) FB_UAPI_VERSION */
};

/* ---- FB_IOC_INFO: what this module and machine offer ---- */
enum fb_arch { FB_ARCH_X86_64 = 1, FB_ARCH_ARM64 = 2 };

#define FB_CAP_REPEAT_TLBI	(1ULL << 0)	/* ARM64_WORKAROUND_REPEAT_TLBI active */
#define FB_CAP_CLFLUSHOPT	(1ULL << 1)	/* x86 range mode uses clflushopt */
#define FB_CAP_KPTI		(1ULL << 2)	/* user ASID/PCID is flushed too */
#define FB_CAP_WBINVD		(1ULL << 3)	/* global mode is a real wbinvd */
#define FB_CAP_PREEMPT_NOTIFIERS (1ULL << 4)	/* auto tracks moves as they happen */

struct fb_info {
	struct fb_hdr hdr;
	__u64 arch;		/* (out) enum fb_arch */
	__u64 caps;		/* (out) FB_CAP_* */
	__u64 ncpus;		/* (out) online CPUs */
	__u64 cache_line;	/* (out) smallest D-cache line, bytes */
	__u64 counter_hz;	/* (out) tick rate of the *_ticks fields */
	__u64 page_size;	/* (out) */
	__u64 reserved[4];	/* (in) must be zero */
};

/* ---- FB_IOC_TLBI: invalidate the caller's own pages N times ---- */
enum fb_tlbi_policy {
	FB_TLBI_LOCAL = 0,	/* arm64 tlbi vale1 + dsb nsh; x86 invlpg */
	FB_TLBI_BROADCAST = 1,	/* arm64 tlbi vale1is + dsb ish; x86 IPI to all */
	FB_TLBI_AUTO = 2,	/* local while the task ran on this CPU only */
};

enum fb_tlbi_barrier {
	FB_BARRIER_ISH = 0,	/* dsb(ish) then re-read the tracking word */
	FB_BARRIER_ISHST = 1,	/* dsb(ishst) then re-read the tracking word */
};

struct fb_lat {
	__u64 min;
	__u64 median;
	__u64 p99;
	__u64 max;
};

struct fb_tlbi {
	struct fb_hdr hdr;
	__u64 addr;		/* (in) page-aligned start of the caller's pages */
	__u64 pages;		/* (in) pages invalidated per iteration, 1..FB_MAX_TLBI_PAGES */
	__u64 iterations;	/* (in) 1..FB_MAX_TLBI_ITERATIONS */
	__u64 policy;		/* (in) enum fb_tlbi_policy */
	__u64 barrier;		/* (in) enum fb_tlbi_barrier */
	__u64 migrate_every;	/* (in) 0, or move to another CPU every N iterations */
	__u64 flags;		/* (in) must be zero */
	__u64 reserved[4];	/* (in) must be zero */

	/* (out) every field of the group below; zeroed by the module */
	__struct_group(fb_tlbi_out, out, /* no attrs */,
		struct fb_lat ns;	/* (out) per-invalidation time, ns */
		struct fb_lat ticks;	/* (out) the same in counter ticks (FB_IOC_INFO counter_hz) */
		__u64 total_ns;		/* (out) time of the whole loop */
		__u64 chose_local;	/* (out) invalidations done locally */
		__u64 chose_broadcast;	/* (out) invalidations broadcast */
		__u64 migrations;	/* (out) CPU changes the tracker saw */
		__u64 migrate_pair_ns;	/* (out) median cost of migrate_disable+enable alone */
		__u64 repeat_tlbi;	/* (out) 1 if the REPEAT_TLBI workaround doubled each TLBI */
		__u64 out_reserved[4];	/* (out) zero */
	);
};

/* ---- FB_IOC_MEMREGION: clean+invalidate a memory region ---- */
enum fb_mr_mode {
	FB_MR_RANGE = 0,	/* by VA: arm64 dc civac loop, x86 clflushopt */
	FB_MR_GLOBAL = 1,	/* x86 wbinvd_on_all_cpus; arm64 emulated firmware */
};

enum fb_gen_skip {
	FB_GEN_SKIP_OFF = 0,	/* every request flushes */
	FB_GEN_SKIP_RACY = 1,	/* skip if the flush generation moved (thread 000) */
	FB_GEN_SKIP_BATCHED = 2,	/* skip only for a flush that began after arrival */
};

struct fb_memregion {
	struct fb_hdr hdr;
	__u64 addr;		/* (in) 0: a module-owned buffer; else page-aligned user memory (pinned) */
	__u64 bytes;		/* (in) region size, 1..FB_MAX_MEMREGION_BYTES */
	__u64 requests;		/* (in) flush requests made in this call, 1..FB_MAX_MEMREGION_REQS */
	__u64 mode;		/* (in) enum fb_mr_mode */
	__u64 gen_skip;		/* (in) enum fb_gen_skip (global mode only) */
	__u64 chunk;		/* (in) a power of two, PAGE_SIZE..FB_MAX_CHUNK_BYTES; 0: 1 MiB (written back) */
	__u64 busy_ppm;		/* (in) firmware answers BUSY with this probability */
	__u64 ratelimit_ppm;	/* (in) firmware answers RATE_LIMITED with this probability */
	__u64 max_retries;	/* (in) retries per firmware call, 0..FB_MAX_FW_RETRIES */
	__u64 backoff_us;	/* (in) first backoff, doubled each retry, 0..FB_MAX_BACKOFF_US */
	__u64 global_ns;	/* (in) simulated duration of one global operation, 0..FB_MAX_GLOBAL_NS */
	__u64 flags;		/* (in) must be zero */
	__u64 reserved[4];	/* (in) must be zero */

	__struct_group(fb_memregion_out, out, /* no attrs */,
		__u64 total_ns;		/* (out) time of all requests */
		__u64 bytes_flushed;	/* (out) bytes cleaned by range operations */
		__u64 flushes;		/* (out) firmware/CPU flush operations that succeeded */
		__u64 served;		/* (out) requests completed without error */
		__u64 skipped;		/* (out) requests served by another request's flush */
		__u64 failed;		/* (out) requests that ran out of retries */
		__u64 busy;		/* (out) BUSY answers */
		__u64 ratelimited;	/* (out) RATE_LIMITED answers */
		__u64 retries;		/* (out) firmware calls repeated */
		__u64 error;		/* (out) 0, or the positive errno of the last failed request */
		__u64 chunks;		/* (out) chunks (cond_resched points) */
		__u64 max_chunk_ns;	/* (out) longest stretch without a resched point */
		__u64 out_reserved[4];	/* (out) zero */
	);
};

/* ---- FB_IOC_RACE: the gen_skip race detector ---- */
struct fb_race {
	struct fb_hdr hdr;
	__u64 threads;		/* (in) kernel threads, 2..FB_MAX_RACE_THREADS, spread over CPUs */
	__u64 requests;		/* (in) requests per thread, 1..FB_MAX_RACE_REQUESTS */
	__u64 gen_skip;		/* (in) enum fb_gen_skip */
	__u64 global_ns;	/* (in) duration of one simulated global flush, 1..FB_MAX_GLOBAL_NS */
	__u64 flags;		/* (in) must be zero */
	__u64 reserved[4];	/* (in) must be zero */

	__struct_group(fb_race_out, out, /* no attrs */,
		__u64 total_ns;		/* (out) */
		__u64 served;		/* (out) requests served (threads * requests) */
		__u64 flushes;		/* (out) global flushes issued */
		__u64 skipped;		/* (out) requests that skipped their own flush */
		__u64 under_flushes;	/* (out) requests served by a flush that began before their write */
		__u64 max_batch;	/* (out) most requests one flush served */
		__u64 out_reserved[4];	/* (out) zero */
	);
};

#define FB_IOC_MAGIC		0xFB
#define FB_IOC_INFO		_IOWR(FB_IOC_MAGIC, 0x00, struct fb_info)
#define FB_IOC_TLBI		_IOWR(FB_IOC_MAGIC, 0x01, struct fb_tlbi)
#define FB_IOC_MEMREGION	_IOWR(FB_IOC_MAGIC, 0x02, struct fb_memregion)
#define FB_IOC_RACE		_IOWR(FB_IOC_MAGIC, 0x03, struct fb_race)

#endif /* _UAPI_FLUSHBENCH_H */
