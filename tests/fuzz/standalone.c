// SPDX-License-Identifier: GPL-2.0
/*
 * A randomized stand-in for libFuzzer, linked into the fuzz targets when
 * clang has no libFuzzer (tests/fuzz/module.mk): it replays the inputs of
 * the directories it is given, then mutates them (bit flips, byte runs,
 * insertions, deletions, splices of two inputs) until -max_total_time=S
 * (or -runs=N). A file argument is run once (to replay a crash). It takes
 * libFuzzer's other -flags and ignores them, and ends with libFuzzer's
 * "Done N runs in S second(s)". On a crash (sanitizer report, abort) the
 * input is written to <-artifact_prefix>crash-standalone.
 */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include <sanitizer/common_interface_defs.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define MAX_SEEDS 1024

struct input { uint8_t *p; size_t n; };

static struct input seeds[MAX_SEEDS];
static size_t nseeds, max_len = 4096;
static const uint8_t *cur;
static size_t cur_n;
static char artifact[4096] = "./crash-standalone";

static void save_input(void)
{
	int fd = open(artifact, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		if (cur_n && write(fd, cur, cur_n) < 0)
			(void)0;
		close(fd);
	}
	/* async-signal-safe enough: write(2) only */
	if (write(2, "standalone: input written to ", 29) < 0 ||
	    write(2, artifact, strlen(artifact)) < 0 || write(2, "\n", 1) < 0)
		(void)0;
}

static void on_signal(int sig)
{
	save_input();
	signal(sig, SIG_DFL);
	raise(sig);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int load(const char *path, struct input *in)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;

	if (!f)
		return -1;
	if (fstat(fileno(f), &sb) || !S_ISREG(sb.st_mode)) {
		fclose(f);
		return -1;
	}
	in->p = malloc(sb.st_size ? sb.st_size : 1);
	in->n = fread(in->p, 1, sb.st_size, f);
	fclose(f);
	return 0;
}

static void run(const uint8_t *p, size_t n)
{
	/* a copy of exactly n bytes, as libFuzzer gives: overreads show */
	uint8_t *c = malloc(n ? n : 1);

	memcpy(c, p, n);
	cur = c;
	cur_n = n;
	LLVMFuzzerTestOneInput(c, n);
	free(c);
}

/* One mutation of in (of at most max_len bytes) into out. */
static size_t mutate(const struct input *in, uint8_t *out)
{
	size_t n = in->n < max_len ? in->n : max_len, k = 1 + rnd() % 4;

	memcpy(out, in->p, n);
	while (k--) {
		size_t at = n ? rnd() % n : 0, len = 1 + rnd() % 16;
		static const char *const tokens[] = {
			"\n", ":", " ", "- ", "[", "]", "{", "}", ",", "0", "1",
			"-1", "4096", "64K", "18446744073709551616", "0x", "1e99",
			"\r\n", "\"", "'", "&a", "*a", "!!", "#", "\t", "~", ".5",
		};

		switch (rnd() % 7) {
		case 0:	/* flip a bit */
			if (n)
				out[at] ^= 1u << (rnd() % 8);
			break;
		case 1:	/* random bytes */
			for (size_t i = at; i < n && i < at + len; i++)
				out[i] = (uint8_t)rnd();
			break;
		case 2:	/* delete */
			if (len > n - at)
				len = n - at;
			memmove(out + at, out + at + len, n - at - len);
			n -= len;
			break;
		case 3: {	/* insert a token */
			const char *t = tokens[rnd() % (sizeof(tokens) / sizeof(*tokens))];
			size_t tl = strlen(t);

			if (n + tl > max_len)
				break;
			memmove(out + at + tl, out + at, n - at);
			memcpy(out + at, t, tl);
			n += tl;
			break;
		}
		case 4: {	/* duplicate a run */
			if (len > n - at)
				len = n - at;
			if (n + len > max_len)
				break;
			memmove(out + at + len, out + at, n - at);
			n += len;
			break;
		}
		case 5: {	/* splice another input's bytes in */
			const struct input *o = &seeds[rnd() % nseeds];
			size_t from = o->n ? rnd() % o->n : 0;

			if (len > o->n - from)
				len = o->n - from;
			if (len > n - at)
				len = n - at;
			memcpy(out + at, o->p + from, len);
			break;
		}
		default:	/* truncate */
			n = at;
			break;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	double secs = 15;
	uint64_t runs = 0, max_runs = 0;
	struct timespec t0, t;
	uint8_t *buf;
	int files = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		DIR *d;
		struct dirent *de;

		if (!strncmp(a, "-max_total_time=", 16)) {
			secs = atof(a + 16);
		} else if (!strncmp(a, "-runs=", 6)) {
			max_runs = strtoull(a + 6, NULL, 10);
		} else if (!strncmp(a, "-seed=", 6)) {
			rng = strtoull(a + 6, NULL, 10) | 1;
		} else if (!strncmp(a, "-max_len=", 9)) {
			max_len = strtoull(a + 9, NULL, 10);
		} else if (!strncmp(a, "-artifact_prefix=", 17)) {
			snprintf(artifact, sizeof(artifact), "%scrash-standalone", a + 17);
		} else if (a[0] == '-') {
			continue;
		} else if ((d = opendir(a))) {
			while ((de = readdir(d)) && nseeds < MAX_SEEDS) {
				char p[4096];

				if (de->d_name[0] == '.')
					continue;
				snprintf(p, sizeof(p), "%s/%s", a, de->d_name);
				if (!load(p, &seeds[nseeds]))
					nseeds++;
			}
			closedir(d);
		} else {
			struct input in;

			if (load(a, &in)) {
				perror(a);
				return 2;
			}
			fprintf(stderr, "Running: %s\n", a);
			run(in.p, in.n);
			free(in.p);
			files++;
		}
	}
	if (files)
		return 0;
	__sanitizer_set_death_callback(save_input);
	signal(SIGABRT, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	fprintf(stderr, "standalone randomized test (no libFuzzer): %zu seeds, %.0f s\n",
		nseeds, secs);
	if (!nseeds) {
		seeds[0].p = calloc(1, 1);
		nseeds = 1;
	}
	for (size_t i = 0; i < nseeds; i++) {
		if (seeds[i].n > max_len)
			max_len = seeds[i].n;
		run(seeds[i].p, seeds[i].n);
		runs++;
	}
	buf = malloc(max_len + 64);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((max_runs && runs >= max_runs) ||
		    (!max_runs && (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 >= secs))
			break;
		run(buf, mutate(&seeds[rnd() % nseeds], buf));
		runs++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	fprintf(stderr, "Done %llu runs in %ld second(s)\n", (unsigned long long)runs,
		(long)(t.tv_sec - t0.tv_sec));
	free(buf);
	for (size_t i = 0; i < nseeds; i++)
		free(seeds[i].p);
	return 0;
}
