// SPDX-License-Identifier: GPL-2.0
/*
 * RESP2 encoder and the server's request parser. The parser is resumable
 * (state survives between reads, so a command arriving byte by byte costs
 * O(bytes), not O(bytes^2)) and strict: a bulk argument must end in CRLF
 * exactly where its length says, so a wrong length is a protocol error, not
 * a silently misframed stream. It is fuzzed by tests/redis/fuzz_resp.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resp.h"

void *kv_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fprintf(stderr, "kv: out of memory allocating %zu bytes\n", n);
		abort();
	}
	return q;
}

void kv_buf_reserve(struct kv_buf *b, size_t extra)
{
	size_t cap;

	if (b->cap - b->len >= extra)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len < extra)
		cap *= 2;
	b->data = kv_xrealloc(b->data, cap);
	b->cap = cap;
}

void kv_buf_add(struct kv_buf *b, const void *p, size_t n)
{
	kv_buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void kv_buf_free(struct kv_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void kv_buf_consume(struct kv_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

void kv_buf_shrink(struct kv_buf *b)
{
	size_t cap = 16384;

	if (b->cap <= 65536 || b->len * 4 > b->cap)
		return;
	while (cap < b->len * 2)
		cap *= 2;
	if (!b->len) {
		kv_buf_free(b);
		return;
	}
	b->data = kv_xrealloc(b->data, cap);
	b->cap = cap;
}

size_t kv_ll2str(char *p, long long v)
{
	char tmp[24];
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
	size_t n = 0, l = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		p[l++] = '-';
	while (n)
		p[l++] = tmp[--n];
	return l;
}

bool kv_str2ll(const char *s, size_t n, long long *out)
{
	unsigned long long v = 0, lim;
	bool neg = false;
	size_t i = 0;

	if (n && s[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == n || n - i > 20)
		return false;
	if (s[i] == '0' && n - i > 1)
		return false;	/* no leading zeros, like Redis */
	lim = neg ? (unsigned long long)INT64_MAX + 1 : (unsigned long long)INT64_MAX;
	for (; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (lim - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (neg && v == 0)
		return false;	/* "-0" */
	*out = neg ? (long long)(0 - v) : (long long)v;
	return true;
}

static void add_line(struct kv_buf *b, char type, const char *s, size_t n)
{
	kv_buf_reserve(b, n + 3);
	b->data[b->len++] = type;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len++] = '\r';
	b->data[b->len++] = '\n';
}

void resp_add_status(struct kv_buf *b, const char *s)
{
	add_line(b, '+', s, strlen(s));
}

void resp_add_error(struct kv_buf *b, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	/* a reply line must not contain CR or LF */
	for (int i = 0; i < n; i++)
		if (msg[i] == '\r' || msg[i] == '\n')
			msg[i] = ' ';
	add_line(b, '-', msg, (size_t)n);
}

static void add_num(struct kv_buf *b, char type, long long v)
{
	char tmp[24];

	add_line(b, type, tmp, kv_ll2str(tmp, v));
}

void resp_add_int(struct kv_buf *b, long long v)
{
	add_num(b, ':', v);
}

void resp_add_array(struct kv_buf *b, long long n)
{
	add_num(b, '*', n);
}

void resp_add_nil(struct kv_buf *b)
{
	kv_buf_add(b, "$-1\r\n", 5);
}

void resp_add_bulk(struct kv_buf *b, const void *p, size_t n)
{
	resp_add_bulk_hdr(b, n);
	kv_buf_reserve(b, n + 2);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len++] = '\r';
	b->data[b->len++] = '\n';
}

/* ---- request parser ---- */

void resp_req_init(struct resp_req *r)
{
	memset(r, 0, sizeof(*r));
	r->bulklen = -1;
}

void resp_req_free(struct resp_req *r)
{
	free(r->argv);
	resp_req_init(r);
}

void resp_req_next(struct resp_req *r)
{
	r->argc = 0;
	r->multibulk = 0;
	r->bulklen = -1;
	r->start = r->pos;
}

void resp_req_shift(struct resp_req *r, size_t n)
{
	r->start -= n;
	r->pos -= n;
	for (size_t i = 0; i < r->argc; i++)
		r->argv[i].off -= n;
}

static int perr(struct resp_req *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int perr(struct resp_req *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return RESP_ERR;
}

static void push_arg(struct resp_req *r, size_t off, size_t len)
{
	if (r->argc == r->argv_cap) {
		r->argv_cap = r->argv_cap ? r->argv_cap * 2 : 8;
		r->argv = kv_xrealloc(r->argv, r->argv_cap * sizeof(*r->argv));
	}
	r->argv[r->argc].off = off;
	r->argv[r->argc].len = len;
	r->argc++;
}

/*
 * A "<type><number>\r\n" header at r->pos. RESP_DONE with *v set and r->pos
 * past it, RESP_MORE, or RESP_ERR (multi: a "*" header, else "$").
 */
static int parse_header(struct resp_req *r, const char *buf, size_t len,
			const struct resp_limits *lim, bool multi,
			long long *v)
{
	const char *p = buf + r->pos;
	const char *cr = memchr(p, '\r', len - r->pos);

	if (!cr) {
		if (len - r->pos > lim->max_inline)
			return perr(r, "Protocol error: too big %s count string",
				    multi ? "mbulk" : "bulk");
		return RESP_MORE;
	}
	if ((size_t)(cr - p) > lim->max_inline)	/* as if it came in pieces */
		return perr(r, "Protocol error: too big %s count string",
			    multi ? "mbulk" : "bulk");
	if ((size_t)(cr - buf) + 1 >= len)
		return RESP_MORE;	/* the \n has not arrived */
	if (cr[1] != '\n' || !kv_str2ll(p + 1, (size_t)(cr - p - 1), v))
		return perr(r, "Protocol error: invalid %s length",
			    multi ? "multibulk" : "bulk");
	r->pos = (size_t)(cr - buf) + 2;
	return RESP_DONE;
}

static int parse_inline(struct resp_req *r, const char *buf, size_t len,
			const struct resp_limits *lim)
{
	const char *p = buf + r->pos;
	const char *nl = memchr(p, '\n', len - r->pos);
	size_t end, i;

	if (!nl) {
		if (len - r->pos > lim->max_inline)
			return perr(r, "Protocol error: too big inline request");
		return RESP_MORE;
	}
	end = (size_t)(nl - buf);
	if (end - r->pos > lim->max_inline)
		return perr(r, "Protocol error: too big inline request");
	i = r->pos;
	r->pos = end + 1;
	if (end > i && buf[end - 1] == '\r')
		end--;
	while (i < end) {
		size_t s;

		while (i < end && (buf[i] == ' ' || buf[i] == '\t'))
			i++;
		if (i == end)
			break;
		s = i;
		while (i < end && buf[i] != ' ' && buf[i] != '\t')
			i++;
		if ((long long)r->argc >= lim->max_args)
			return perr(r, "Protocol error: too many inline arguments");
		push_arg(r, s, i - s);
	}
	return RESP_DONE;	/* argc 0: an empty line, skipped like Redis */
}

int resp_parse(struct resp_req *r, const char *buf, size_t len,
	       const struct resp_limits *lim)
{
	long long v;
	int rc;

	for (;;) {
		if (r->pos >= len)
			return RESP_MORE;
		if (r->multibulk == 0) {
			r->start = r->pos;
			if (buf[r->pos] != '*') {
				rc = parse_inline(r, buf, len, lim);
				if (rc == RESP_DONE && !r->argc)
					continue;
				return rc;
			}
			rc = parse_header(r, buf, len, lim, true, &v);
			if (rc != RESP_DONE)
				return rc;
			if (v > lim->max_args)
				return perr(r, "Protocol error: invalid multibulk length");
			if (v <= 0) {		/* "*0" or "*-1": empty command */
				r->start = r->pos;
				continue;
			}
			r->multibulk = v;
			r->bulklen = -1;
		}
		while (r->multibulk > 0) {
			if (r->bulklen < 0) {
				if (r->pos >= len)
					return RESP_MORE;
				if (buf[r->pos] != '$') {
					unsigned char c = (unsigned char)buf[r->pos];

					return perr(r, c >= 32 && c < 127 ?
						    "Protocol error: expected '$', got '%c'" :
						    "Protocol error: expected '$', got byte %u",
						    c);
				}
				rc = parse_header(r, buf, len, lim, false, &v);
				if (rc != RESP_DONE)
					return rc;
				if (v < 0 || (unsigned long long)v > lim->max_bulk)
					return perr(r, "Protocol error: invalid bulk length");
				r->bulklen = v;
			}
			if (len - r->pos < (size_t)r->bulklen + 2)
				return RESP_MORE;
			if (buf[r->pos + r->bulklen] != '\r' ||
			    buf[r->pos + r->bulklen + 1] != '\n')
				return perr(r, "Protocol error: bulk of %lld bytes not followed by CRLF",
					    r->bulklen);
			push_arg(r, r->pos, (size_t)r->bulklen);
			r->pos += (size_t)r->bulklen + 2;
			r->bulklen = -1;
			r->multibulk--;
		}
		return RESP_DONE;
	}
}
