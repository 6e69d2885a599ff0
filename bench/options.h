/* SPDX-License-Identifier: GPL-2.0 */
/* Option values <-> text, for the loader, `flushbench list` and small drivers. */
#ifndef FB_OPTIONS_H
#define FB_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "workload.h"

/* Parse text into o's field of base (range and ->check applied); 0, or -1 and why. */
int fb_opt_parse(const struct fb_option *o, const char *text, void *base,
		 char *why, size_t len);
/* o's field of base as a config would write it ("64M", "20us", "true"). */
void fb_opt_format(const struct fb_option *o, const void *base, char *buf,
		   size_t len);
/* A plain non-negative integer (decimal or 0x); 0 or -1. */
int fb_opt_parse_u64(const char *s, uint64_t *v);
/* "a size (4096, 4K, 64M, 1G)", ...: what a value of type t must be. */
const char *fb_opt_type_noun(enum fb_opt_type t);
/* The closest of names[] to s, or NULL if nothing is close. */
const char *fb_did_you_mean(const char *s, const char *const *names, size_t n);

#endif
