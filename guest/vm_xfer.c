// SPDX-License-Identifier: GPL-2.0
/*
 * Bringing a file back from a guest over its serial console: base64 lines
 * between two markers, checked by size and SHA-256 (busybox has base64 and
 * sha256sum; the console is the one device every kernel has built in).
 * Debian's nettle does the SHA-256 and the base64.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>
#include <nettle/sha2.h>

#include "vm.h"

void flb_sha256(const void *data, size_t len, uint8_t out[32])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

/* The next line of [*p, end) without its CR/LF; NULL at the end. */
static const char *next_line(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *nl;
	size_t n;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', end - s);
	n = nl ? (size_t)(nl - s) : (size_t)(end - s);
	*p = nl ? nl + 1 : end;
	while (n && (s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	*len = n;
	return s;
}

#define FRAME_BEGIN "FB-VM-DB: begin "
#define FRAME_END "FB-VM-DB: end"

void flb_vm_printable(char *buf, size_t len, const char *s, size_t n)
{
	size_t o = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		char e[8];
		int el;

		if (c >= 0x20 && c < 0x7f && c != '\\')
			el = snprintf(e, sizeof(e), "%c", c);
		else
			el = snprintf(e, sizeof(e), "\\x%02x", c);
		/* this, and "..." when more follows (the last one left room) */
		if (o + el + (i + 1 < n ? 3 : 0) >= len) {
			snprintf(buf + o, len - o, "...");
			return;
		}
		memcpy(buf + o, e, el + 1);
		o += el;
	}
}

/* Whether [p, end) has an end marker line. */
static int has_end(const char *p, const char *end)
{
	const char *b;
	size_t n;

	while ((b = next_line(&p, end, &n)))
		if (n == strlen(FRAME_END) && !strncmp(b, FRAME_END, n))
			return 1;
	return 0;
}

int flb_vm_unframe(const char *log, size_t loglen, unsigned char **data,
		  size_t *len, char *why, size_t whylen)
{
	const char *p = log, *end = log + loglen, *l = NULL, *b;
	unsigned long long size = 0, room;
	char want[65], hex[65], head[160], shown[128];
	size_t ll = 0, frames = 0, line = 0, got0;
	int hn = 0;
	unsigned char *buf = NULL, sum[32];
	struct base64_decode_ctx b64;
	size_t n, got = 0, i, chunk;
	int ended = 0;

	/*
	 * One frame: two are ambiguous (which one did the guest mean?), and
	 * nothing prints a frame twice (guest/flb-frame runs once a boot)
	 */
	for (const char *q = p; (b = next_line(&q, end, &n));)
		if (n > strlen(FRAME_BEGIN) &&
		    !strncmp(b, FRAME_BEGIN, strlen(FRAME_BEGIN)) && !frames++) {
			l = b;
			ll = n;
			p = q;
		}
	if (!l) {
		snprintf(why, whylen, "the guest printed no results frame");
		return -1;
	}
	if (frames > 1) {
		char count[24];

		snprintf(count, sizeof(count), "%zu", frames);
		snprintf(why, whylen, "%s results frames on the console: refusing to guess which is the guest's",
			 frames == 2 ? "two" : count);
		return -1;
	}
	/* the line alone, terminated: the log need not be, nor end there */
	snprintf(head, sizeof(head), "%.*s", (int)(ll < sizeof(head) - 1 ? ll : sizeof(head) - 1), l);
	/* SIZE (digits), blanks, 64 hex digits: no sign, no run-together */
	if (!isdigit((unsigned char)head[strlen(FRAME_BEGIN)]) ||
	    sscanf(head + strlen(FRAME_BEGIN), "%llu%n", &size, &hn) != 1 ||
	    !isspace((unsigned char)head[strlen(FRAME_BEGIN) + hn]) ||
	    sscanf(head + strlen(FRAME_BEGIN) + hn, " %64[0-9a-f]", want) != 1 ||
	    strlen(want) != 64 || size > (1ULL << 34)) {
		flb_vm_printable(shown, 84, l, ll);
		snprintf(why, whylen, "malformed frame header '%s'", shown);
		return -1;
	}
	/*
	 * No more than the rest of the log can hold (3 bytes per 4 base64
	 * characters): a header naming 16 GiB costs what the log has, and
	 * such a frame is refused below as truncated or short.
	 */
	room = (unsigned long long)(end - p) / 4 * 3 + 3;
	buf = malloc(size < room ? size + 1 : room);
	if (!buf) {
		snprintf(why, whylen, "out of memory for %llu bytes", size);
		return -1;
	}
	base64_decode_init(&b64);
	while ((b = next_line(&p, end, &n))) {
		if (n == strlen(FRAME_END) && !strncmp(b, FRAME_END, n)) {
			ended = 1;
			break;
		}
		line++;
		got0 = got;
		for (i = 0; i < n; i += chunk) {
			uint8_t out[BASE64_DECODE_LENGTH(256)];
			size_t olen = sizeof(out);

			chunk = n - i < 256 ? n - i : 256;
			if (!base64_decode_update(&b64, &olen, out, chunk, b + i)) {
				flb_vm_printable(shown, 44, b, n);
				/* the guest stopped mid-frame, then other lines */
				if (!has_end(p, end))
					snprintf(why, whylen,
						 "truncated frame: %zu of %llu bytes, then '%s' and no end marker",
						 got0, size, shown);
				else
					snprintf(why, whylen,
						 "corrupt frame: its line %zu is not base64: '%s' (console noise?)",
						 line, shown);
				goto err_free;
			}
			if (olen > size - got || got + olen > room) {
				snprintf(why, whylen,
					 "frame longer than its %llu bytes", size);
				goto err_free;
			}
			memcpy(buf + got, out, olen);
			got += olen;
		}
	}
	if (!ended) {
		snprintf(why, whylen,
			 "truncated frame: %zu of %llu bytes, no end marker", got, size);
		goto err_free;
	}
	if (!base64_decode_final(&b64)) {
		snprintf(why, whylen, "corrupt frame: the base64 ends mid-group");
		goto err_free;
	}
	if (got != size) {
		snprintf(why, whylen, "frame has %zu bytes, header says %llu", got, size);
		goto err_free;
	}
	flb_sha256(buf, got, sum);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", sum[i]);
	if (strcmp(hex, want)) {
		snprintf(why, whylen, "the results frame's SHA-256 does not match: %.16s... of its %zu bytes, %.16s... on its begin line",
			 hex, got, want);
		goto err_free;
	}
	*data = buf;
	*len = got;
	return 0;

err_free:
	free(buf);
	return -1;
}
