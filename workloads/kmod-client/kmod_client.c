// SPDX-License-Identifier: GPL-2.0
/* Opening /dev/flushbench for the tlbi and memregion workloads. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kmod_client.h"

int flb_kmod_open(struct flb_job *job, struct flb_info *info)
{
	struct flb_info in = { .hdr = { sizeof(in), FLB_UAPI_VERSION } };
	int fd = open(FLB_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			flb_job_reason(job, "kernel module not loaded");
		else
			flb_job_reason(job, "open %s: %s", FLB_DEVICE_PATH, strerror(errno));
		return -FLB_SKIP;
	}
	if (ioctl(fd, FLB_IOC_INFO, &in)) {
		flb_job_reason(job, "%s: info: %s (a module of another UAPI version?)",
			      FLB_DEVICE_PATH, strerror(errno));
		close(fd);
		return -FLB_FAIL;
	}
	if (info)
		*info = in;
	return fd;
}

int flb_kmod_ioctl(struct flb_job *job, int fd, unsigned long cmd, void *arg)
{
	while (ioctl(fd, cmd, arg)) {
		if (errno != EINTR || flb_job_stopping(job))
			return errno;
	}
	return 0;
}

int flb_kmod_dev_open(struct flb_job *job, const char *who, size_t map_len,
		     struct flb_kmod_dev *dev)
{
	dev->fd = flb_kmod_open(job, &dev->info);
	dev->map = NULL;
	dev->map_len = map_len;
	if (dev->fd < 0)
		return -dev->fd;
	if (!map_len)
		return FLB_OK;
	dev->map = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (dev->map == MAP_FAILED) {
		flb_job_reason(job, "%s: mmap %zu bytes: %s", who, map_len, strerror(errno));
		dev->map = NULL;
		close(dev->fd);
		return FLB_FAIL;
	}
	return FLB_OK;
}

void flb_kmod_dev_close(struct flb_kmod_dev *dev)
{
	if (dev->map)
		munmap(dev->map, dev->map_len);
	close(dev->fd);
}
