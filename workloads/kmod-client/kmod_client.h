/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the workloads that drive kmod/ (tlbi, memregion): opening
 * /dev/flushbench with the skip/fail rules, and the metric helpers.
 */
#ifndef FLB_KMOD_H
#define FLB_KMOD_H

#include <stdint.h>

#include "flushbench_uapi.h"
#include "workload.h"

/*
 * Open the device and check it speaks FLB_UAPI_VERSION. Returns the fd, or
 * -FLB_SKIP ("kernel module not loaded", no permission) or -FLB_FAIL after
 * flb_job_reason(). info may be NULL.
 */
int flb_kmod_open(struct flb_job *job, struct flb_info *info);

/* The device, and memory of our own the module works on. */
struct flb_kmod_dev {
	int fd;
	struct flb_info info;	/* FLB_IOC_INFO at open */
	void *map;		/* NULL, or map_len bytes, populated */
	size_t map_len;
};

/*
 * flb_kmod_open() plus map_len (0: none) bytes of anonymous memory. Returns
 * FLB_OK, or FLB_SKIP / FLB_FAIL after flb_job_reason() naming who.
 */
int flb_kmod_dev_open(struct flb_job *job, const char *who, size_t map_len,
		     struct flb_kmod_dev *dev);
void flb_kmod_dev_close(struct flb_kmod_dev *dev);

/* The ioctl, retried on EINTR when the run is not stopping. 0 or errno. */
int flb_kmod_ioctl(struct flb_job *job, int fd, unsigned long cmd, void *arg);

#endif
