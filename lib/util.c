// SPDX-License-Identifier: GPL-2.0
/* Small helpers every layer may use (see util.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

char *flb_slurp(const char *path, size_t *len)
{
	size_t n = 0, cap = 0, r;
	char *buf = NULL, *nb;
	FILE *f = fopen(path, "re");
	int err;

	if (!f)
		return NULL;
	do {
		/* /proc and /sys files have no size: read until EOF */
		if (cap - n < 4096 + 1) {
			cap = cap ? 2 * cap : 8192;
			nb = realloc(buf, cap);
			if (!nb) {
				err = ENOMEM;
				goto err_close;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r);
	if (ferror(f)) {
		err = errno ? errno : EIO;
		goto err_close;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;

err_close:
	free(buf);
	fclose(f);
	errno = err;
	return NULL;
}

int flb_exe_dir(char *dir, size_t len)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	if ((size_t)snprintf(dir, len, "%s", exe) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

double flb_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint64_t flb_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void flb_die_with_parent(int parent, int sig)
{
	prctl(PR_SET_PDEATHSIG, sig);
	/* the parent died before prctl: nobody would send sig */
	if (getppid() != parent)
		_exit(128 + sig);
}
