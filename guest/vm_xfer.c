// SPDX-License-Identifier: GPL-2.0
/*
 * Bringing a file back from a guest over its serial console: base64 lines
 * between two markers, checked by size and SHA-256 (busybox has base64 and
 * sha256sum; the console is the one device every kernel has built in).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++)
		w[i] = w[i - 16] + w[i - 7] +
		       (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
		     ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
		     ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

void flb_sha256(const void *data, size_t len, uint8_t out[32])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const uint8_t *p = data;
	uint8_t tail[128] = { 0 };
	size_t left = len % 64, ntail = left < 56 ? 64 : 128;
	uint64_t bits = (uint64_t)len * 8;
	size_t i;

	for (i = 0; i + 64 <= len; i += 64)
		sha256_block(h, p + i);
	memcpy(tail, p + i, left);
	tail[left] = 0x80;
	for (i = 0; i < 8; i++)
		tail[ntail - 1 - i] = bits >> (8 * i);
	for (i = 0; i < ntail; i += 64)
		sha256_block(h, tail + i);
	for (i = 0; i < 32; i++)
		out[i] = h[i / 4] >> (24 - 8 * (i % 4));
}

static int b64_val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
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

int flb_vm_unframe(const char *log, size_t loglen, unsigned char **data,
		  size_t *len, char *why, size_t whylen)
{
	const char *p = log, *end = log + loglen, *l = NULL, *b;
	unsigned long long size = 0;
	char want[65], hex[65];
	unsigned char *buf = NULL, sum[32];
	size_t n, got = 0, i;
	unsigned int acc = 0, nbits = 0;
	int ended = 0;

	/* the last frame wins (a retried dump would follow a broken one) */
	for (const char *q = p; (b = next_line(&q, end, &n));)
		if (n > strlen(FRAME_BEGIN) &&
		    !strncmp(b, FRAME_BEGIN, strlen(FRAME_BEGIN))) {
			l = b;
			p = q;
		}
	if (!l) {
		snprintf(why, whylen, "the guest printed no results frame");
		return -1;
	}
	if (sscanf(l + strlen(FRAME_BEGIN), "%llu %64[0-9a-f]", &size, want) != 2 ||
	    strlen(want) != 64 || size > (1ULL << 34)) {
		snprintf(why, whylen, "malformed frame header '%.*s'", 80, l);
		return -1;
	}
	buf = malloc(size + 3);
	if (!buf) {
		snprintf(why, whylen, "out of memory for %llu bytes", size);
		return -1;
	}
	while ((b = next_line(&p, end, &n))) {
		if (n == strlen(FRAME_END) && !strncmp(b, FRAME_END, n)) {
			ended = 1;
			break;
		}
		for (i = 0; i < n; i++) {
			int v = b64_val((unsigned char)b[i]);

			if (b[i] == '=')
				break;
			if (v < 0) {
				snprintf(why, whylen,
					 "corrupt frame: '%.40s' is not base64 (console noise?)",
					 b);
				goto err_free;
			}
			acc = acc << 6 | v;
			nbits += 6;
			if (nbits >= 8) {
				nbits -= 8;
				if (got >= size) {
					snprintf(why, whylen,
						 "frame longer than its %llu bytes", size);
					goto err_free;
				}
				buf[got++] = acc >> nbits;
			}
		}
	}
	if (!ended) {
		snprintf(why, whylen,
			 "truncated frame: %zu of %llu bytes, no end marker", got, size);
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
		snprintf(why, whylen, "checksum mismatch: got %.16s..., want %.16s...",
			 hex, want);
		goto err_free;
	}
	*data = buf;
	*len = got;
	return 0;

err_free:
	free(buf);
	return -1;
}
