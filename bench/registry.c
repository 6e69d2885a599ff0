// SPDX-License-Identifier: GPL-2.0
/* The workload registry, expanded from bench/workloads.def. */
#include <string.h>

#include "workload.h"

#define FB_WORKLOAD(n) extern const struct fb_workload fb_wl_##n;
#include "workloads.def"
#undef FB_WORKLOAD

const struct fb_workload *const fb_workloads[] = {
#define FB_WORKLOAD(n) &fb_wl_##n,
#include "workloads.def"
#undef FB_WORKLOAD
	NULL
};

const struct fb_workload *fb_workload_find(const char *name)
{
	for (const struct fb_workload *const *w = fb_workloads; *w; w++)
		if (!strcmp((*w)->name, name))
			return *w;
	return NULL;
}
