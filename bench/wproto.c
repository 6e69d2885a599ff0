// SPDX-License-Identifier: GPL-2.0
/* The worker protocol's lines and words (see wproto.h). */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wproto.h"

static int64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int flb_wline_get(struct flb_wline *l, char *line, int timeout_ms)
{
	int64_t end = timeout_ms < 0 ? -1 : mono_ms() + timeout_ms;

	for (;;) {
		char *nl = memchr(l->buf, '\n', l->len);
		struct pollfd p = { .fd = l->fd, .events = POLLIN };
		ssize_t n;
		int wait = -1;

		if (nl) {
			size_t k = (size_t)(nl - l->buf);

			memcpy(line, l->buf, k);
			line[k] = '\0';
			memmove(l->buf, nl + 1, l->len - k - 1);
			l->len -= k + 1;
			return 0;
		}
		if (l->len == sizeof(l->buf))
			return -E2BIG;
		if (end >= 0) {
			int64_t left = end - mono_ms();

			if (left <= 0)
				return -ETIMEDOUT;
			wait = left > 200 ? 200 : (int)left;
		}
		n = poll(&p, 1, wait);
		if (n < 0)
			return -errno;
		if (!n) {
			/* a slice: the caller may have a stop to pass on */
			if (end >= 0 && mono_ms() >= end)
				return -ETIMEDOUT;
			return -EINTR;
		}
		n = read(l->fd, l->buf + l->len, sizeof(l->buf) - l->len);
		if (n < 0)
			return -errno;
		if (!n)
			return l->len ? -EPROTO : -EPIPE;
		l->len += (size_t)n;
	}
}

int flb_wproto_put(int fd, const char *fmt, ...)
{
	char buf[FLB_WPROTO_LINE];
	va_list ap;
	size_t len, off = 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf) - 1)
		return -E2BIG;
	len = (size_t)n;
	buf[len++] = '\n';
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		off += (size_t)w;
	}
	return 0;
}

void flb_wproto_escape(const char *in, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (!len)
		return;
	if (!*in) {
		snprintf(out, len, "%%");
		return;
	}
	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (c > ' ' && c < 127 && c != '%') {
			if (o + 1 >= len)
				break;
			out[o++] = (char)c;
			continue;
		}
		if (o + 3 >= len)
			break;
		out[o++] = '%';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	out[o] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int flb_wproto_unescape(const char *in, char *out, size_t len)
{
	size_t o = 0;

	if (!strcmp(in, "%")) {
		if (!len)
			return -1;
		out[0] = '\0';
		return 0;
	}
	if (!*in)
		return -1;
	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (o + 1 >= len)
			return -1;
		if (c == '%') {
			int h = hexval(in[1]), l = h < 0 ? -1 : hexval(in[2]);

			if (l < 0 || (h == 0 && l == 0))
				return -1;
			out[o++] = (char)(h << 4 | l);
			in += 2;
			continue;
		}
		if (c <= ' ' || c >= 127)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

int flb_wproto_split(char *line, char **w, int max)
{
	int n = 0;
	char *p = line;

	if (!*p)
		return 0;
	for (;;) {
		char *sp = strchr(p, ' ');

		if (n == max || sp == p || !*p)
			return -1;
		w[n++] = p;
		if (!sp)
			return n;
		*sp = '\0';
		p = sp + 1;
	}
}

int flb_wproto_u64(const char *w, uint64_t *v)
{
	uint64_t x = 0;

	if (!*w || (w[0] == '0' && w[1]))
		return -1;
	for (; *w; w++) {
		if (*w < '0' || *w > '9' || x > (UINT64_MAX - (uint64_t)(*w - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*w - '0');
	}
	*v = x;
	return 0;
}
