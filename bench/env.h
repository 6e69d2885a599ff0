/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Environment of a run: key/value pairs captured once per run and stored
 * with it (kernel.release, kernel.preempt, virt, cpu.model, ...).
 */
#ifndef FB_ENV_H
#define FB_ENV_H

#include <stddef.h>

struct fb_kv {
	char *key;
	char *value;
};

struct fb_env {
	struct fb_kv *kv;
	size_t n;
};

/* Capture what this machine says about itself; 0 or -1 (out of memory). */
int fb_env_capture(struct fb_env *env);
/* Add or replace a key. 0 or -1. */
int fb_env_set(struct fb_env *env, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *fb_env_get(const struct fb_env *env, const char *key);
void fb_env_free(struct fb_env *env);

#endif
