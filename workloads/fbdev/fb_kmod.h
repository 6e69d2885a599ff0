/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the workloads that drive kmod/ (tlbi, memregion): opening
 * /dev/flushbench with the skip/fail rules, and the metric helpers.
 */
#ifndef FB_KMOD_H
#define FB_KMOD_H

#include <stdint.h>

#include "flushbench_uapi.h"
#include "workload.h"

/*
 * Open the device and check it speaks FB_UAPI_VERSION. Returns the fd, or
 * -FB_SKIP ("kernel module not loaded", no permission) or -FB_FAIL after
 * fb_job_reason(). info may be NULL.
 */
int fb_kmod_open(struct fb_job *job, struct fb_info *info);

/* The device, and memory of our own the module works on. */
struct fb_kmod_dev {
	int fd;
	void *map;		/* NULL, or map_len bytes, populated */
	size_t map_len;
};

/*
 * fb_kmod_open() plus map_len (0: none) bytes of anonymous memory. Returns
 * FB_OK, or FB_SKIP / FB_FAIL after fb_job_reason() naming who.
 */
int fb_kmod_dev_open(struct fb_job *job, const char *who, size_t map_len,
		     struct fb_kmod_dev *dev);
void fb_kmod_dev_close(struct fb_kmod_dev *dev);

/* The ioctl, retried on EINTR when the run is not stopping. 0 or errno. */
int fb_kmod_ioctl(struct fb_job *job, int fd, unsigned long cmd, void *arg);

#endif
