// SPDX-License-Identifier: GPL-2.0
/* Opening /dev/flushbench for the tlbi and memregion workloads. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fb_kmod.h"

int fb_kmod_open(struct fb_job *job, struct fb_info *info)
{
	struct fb_info in = { .hdr = { sizeof(in), FB_UAPI_VERSION } };
	int fd = open(FB_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			fb_job_reason(job, "kernel module not loaded");
		else
			fb_job_reason(job, "open %s: %s", FB_DEVICE_PATH, strerror(errno));
		return -FB_SKIP;
	}
	if (ioctl(fd, FB_IOC_INFO, &in)) {
		fb_job_reason(job, "%s: info: %s (a module of another UAPI version?)",
			      FB_DEVICE_PATH, strerror(errno));
		close(fd);
		return -FB_FAIL;
	}
	if (info)
		*info = in;
	return fd;
}

int fb_kmod_ioctl(struct fb_job *job, int fd, unsigned long cmd, void *arg)
{
	while (ioctl(fd, cmd, arg)) {
		if (errno != EINTR || fb_job_stopping(job))
			return errno;
	}
	return 0;
}

int fb_kmod_dev_open(struct fb_job *job, const char *who, size_t map_len,
		     struct fb_kmod_dev *dev)
{
	dev->fd = fb_kmod_open(job, NULL);
	dev->map = NULL;
	dev->map_len = map_len;
	if (dev->fd < 0)
		return -dev->fd;
	if (!map_len)
		return FB_OK;
	dev->map = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (dev->map == MAP_FAILED) {
		fb_job_reason(job, "%s: mmap %zu bytes: %s", who, map_len, strerror(errno));
		dev->map = NULL;
		close(dev->fd);
		return FB_FAIL;
	}
	return FB_OK;
}

void fb_kmod_dev_close(struct fb_kmod_dev *dev)
{
	if (dev->map)
		munmap(dev->map, dev->map_len);
	close(dev->fd);
}
