/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers every layer may use: a whole file, this program's directory. */
#ifndef FLB_UTIL_H
#define FLB_UTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * The whole of path (a regular file or a /proc, /sys entry), malloc'd and
 * NUL-terminated (the bytes may hold NULs of their own); its length in
 * *len when len is not NULL. NULL with errno set when it cannot be read.
 */
char *flb_slurp(const char *path, size_t *len);
/* The directory of this program's executable into dir: 0, or -1 (errno). */
int flb_exe_dir(char *dir, size_t len);
/* CLOCK_MONOTONIC in seconds. */
double flb_mono_s(void);
/* splitmix64: small, seedable, the same sequence everywhere. */
uint64_t flb_splitmix64(uint64_t *state);
/*
 * In a child just forked by parent (before exec): get sig when parent
 * dies, so that a SIGKILLed command does not leave its commands, guests
 * or QEMUs running on (and writing to its store). The setting survives
 * exec. If parent is already gone, _exit(128 + sig) at once.
 */
void flb_die_with_parent(int parent, int sig);

#endif
