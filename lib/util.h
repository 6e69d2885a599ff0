/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers every layer may use: reading a whole file. */
#ifndef FLB_UTIL_H
#define FLB_UTIL_H

#include <stddef.h>

/*
 * The whole of path (a regular file or a /proc, /sys entry), malloc'd and
 * NUL-terminated (the bytes may hold NULs of their own); its length in
 * *len when len is not NULL. NULL with errno set when it cannot be read.
 */
char *flb_slurp(const char *path, size_t *len);

#endif
