/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RESP2 pieces shared by kv-server, kv-bench and the redis_like workload:
 * a growable byte buffer, the reply/command encoders, and the server's
 * resumable request parser (multibulk and inline), which never allocates
 * more than the bytes it has been given justify.
 */
#ifndef KV_RESP_H
#define KV_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kv_buf {
	char *data;
	size_t len, cap;
};

/* Out of memory is fatal in the server and the client, as in Redis. */
void *kv_xrealloc(void *p, size_t n);
void kv_buf_reserve(struct kv_buf *b, size_t extra);
void kv_buf_add(struct kv_buf *b, const void *p, size_t n);
void kv_buf_free(struct kv_buf *b);
/* Drop the first n bytes. */
void kv_buf_consume(struct kv_buf *b, size_t n);
/* Give memory back when a buffer is mostly empty (after a burst). */
void kv_buf_shrink(struct kv_buf *b);

/* Replies. */
void resp_add_status(struct kv_buf *b, const char *s);	/* "+s\r\n" */
void resp_add_error(struct kv_buf *b, const char *fmt, ...)	/* "-...\r\n" */
	__attribute__((format(printf, 2, 3)));
void resp_add_int(struct kv_buf *b, long long v);
void resp_add_bulk(struct kv_buf *b, const void *p, size_t n);
void resp_add_nil(struct kv_buf *b);
void resp_add_array(struct kv_buf *b, long long n);
/* Commands (client side): "*argc\r\n$len\r\narg\r\n..." header pieces. */
static inline void resp_add_bulk_hdr(struct kv_buf *b, size_t n);

/* Strict decimal: optional '-', digits, no spaces; false on overflow. */
bool kv_str2ll(const char *s, size_t n, long long *out);
/* Decimal of v into p (>= 21 bytes); returns the length. */
size_t kv_ll2str(char *p, long long v);

/* ---- request parser ---- */

struct resp_limits {
	size_t max_bulk;	/* largest argument (Redis: proto-max-bulk-len) */
	long long max_args;	/* largest multibulk count */
	size_t max_inline;	/* longest inline line or length header */
};

struct resp_arg {
	size_t off, len;	/* into the caller's buffer */
};

/*
 * Parser state for one connection. Offsets are into the caller's buffer,
 * which may be reallocated between calls but must keep its unconsumed bytes
 * at the same offsets (use resp_req_shift after dropping a prefix).
 */
struct resp_req {
	struct resp_arg *argv;	/* (out) the command once RESP_DONE */
	size_t argc, argv_cap;
	size_t start;		/* first byte of the current command */
	size_t pos;		/* next byte to parse */
	long long multibulk;	/* args still to read; 0: between commands */
	long long bulklen;	/* length of the next argument; -1: header next */
	char err[80];		/* why, after RESP_ERR */
};

enum { RESP_ERR = -1, RESP_MORE = 0, RESP_DONE = 1 };

void resp_req_init(struct resp_req *r);
void resp_req_free(struct resp_req *r);
/*
 * Parse from r->pos in buf[0..len). RESP_DONE: r->argv/argc hold a command
 * and r->pos is just past it; call resp_req_next before parsing on.
 * RESP_MORE: need more bytes. RESP_ERR: r->err says why (a "Protocol
 * error: ..." line); the connection should be closed after replying.
 */
int resp_parse(struct resp_req *r, const char *buf, size_t len,
	       const struct resp_limits *lim);
/* Forget the command just handled; the next starts at r->pos. */
void resp_req_next(struct resp_req *r);
/* The caller dropped the first n (<= r->start) bytes of its buffer. */
void resp_req_shift(struct resp_req *r, size_t n);

static inline void resp_add_bulk_hdr(struct kv_buf *b, size_t n)
{
	char tmp[32];
	size_t l;

	tmp[0] = '$';
	l = 1 + kv_ll2str(tmp + 1, (long long)n);
	tmp[l++] = '\r';
	tmp[l++] = '\n';
	kv_buf_add(b, tmp, l);
}

#endif
