/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the fuzz targets of tests/fuzz/ (header only: each target is
 * one file). A target is LLVMFuzzerTestOneInput(); libFuzzer drives it,
 * or standalone.c when clang has no libFuzzer. A property that does not
 * hold is reported on stderr and abort()s: libFuzzer keeps the input.
 */
#ifndef FLB_FUZZ_H
#define FLB_FUZZ_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void __attribute__((noreturn, format(printf, 1, 2)))
fz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz property failed: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/*
 * A file of this process for the input (TMPDIR or /tmp, made once, removed
 * at exit), with suffix (".yaml", ".db"): the loaders take a path.
 */
static char fz_path_buf[4096];

static inline void fz_unlink_path(void)
{
	unlink(fz_path_buf);
}

static inline const char *fz_tmp_path(const char *suffix)
{
	if (!fz_path_buf[0]) {
		const char *tmp = getenv("TMPDIR");
		int fd;

		snprintf(fz_path_buf, sizeof(fz_path_buf), "%s/flb-fuzz-XXXXXX%s",
			 tmp && *tmp ? tmp : "/tmp", suffix);
		fd = mkstemps(fz_path_buf, (int)strlen(suffix));
		if (fd < 0) {
			perror(fz_path_buf);
			exit(2);
		}
		close(fd);
		atexit(fz_unlink_path);
	}
	return fz_path_buf;
}

/* Write size bytes to path (replacing it). */
static inline void fz_write(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f)) {
		perror(path);
		exit(2);
	}
}

/* A loader's input and where its messages go. */
struct fz_load {
	const char *path;	/* the input, written to this process's file */
	FILE *err;		/* messages, into msgs (open_memstream) */
	char *msgs;
	size_t mlen;
};

/* Write the input to a file of suffix and open the message stream. */
static inline void fz_load_begin(struct fz_load *l, const char *suffix,
				 const uint8_t *data, size_t size)
{
	l->path = fz_tmp_path(suffix);
	l->msgs = NULL;
	l->mlen = 0;
	l->err = open_memstream(&l->msgs, &l->mlen);
	if (!l->err)
		abort();
	fz_write(l->path, data, size);
}

/* Close the message stream (msgs is then complete) and free it. */
static inline void fz_load_end(struct fz_load *l)
{
	if (l->err)
		fclose(l->err);
	l->err = NULL;
	free(l->msgs);
	l->msgs = NULL;
}

/*
 * The loaders' error contract: every line of msgs is "PATH:LINE:COL: ..."
 * (LINE, COL >= 1), and there is at least one.
 */
static inline void fz_check_positions(const char *who, const char *path,
				      const char *msgs)
{
	size_t pl = strlen(path);
	const char *l = msgs;

	if (!msgs || !*msgs)
		fz_fail("%s: failed without a message", who);
	while (*l) {
		const char *eol = strchr(l, '\n'), *p = l + pl;
		unsigned long line, col;
		char *e;

		if (!eol)
			eol = l + strlen(l);
		if (strncmp(l, path, pl) || *p != ':')
			fz_fail("%s: a message does not name the file: '%.*s'", who,
				(int)(eol - l), l);
		line = strtoul(p + 1, &e, 10);
		if (e == p + 1 || *e != ':' || !line)
			fz_fail("%s: a message has no :LINE:COL: '%.*s'", who,
				(int)(eol - l), l);
		p = e;
		col = strtoul(p + 1, &e, 10);
		if (e == p + 1 || *e != ':' || !col)
			fz_fail("%s: a message has no :LINE:COL: '%.*s'", who,
				(int)(eol - l), l);
		l = *eol ? eol + 1 : eol;
	}
}

/* data as a NUL-terminated string (malloc'd; the caller frees it). */
static inline char *fz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
