// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the guest results frame decoder, guest/vm.h
 * flb_vm_unframe (console bytes -> a store's bytes). Two modes by the
 * first byte:
 *  - 0x01: the rest is a payload, framed here as the guest frames it
 *    (base64 at 76 columns, CR/LF, console noise around): it must come
 *    back byte for byte;
 *  - else the whole input is the console log, handed over as exactly its
 *    bytes (no terminating NUL). A success must come from a log with one
 *    begin line (two frames are refused: which one is the guest's?) and
 *    return the bytes whose size and SHA-256 it names (recomputed with
 *    flb_sha256); a rejection must say why, in printable characters, and
 *    leave *data untouched and nothing allocated (LeakSanitizer).
 */
#include <ctype.h>

#include "vm.h"
#include "fuzz.h"

#define BEGIN "FB-VM-DB: begin "

static void b64(const uint8_t *in, size_t n, char *out)
{
	static const char a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t col = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);

		*out++ = a[v >> 18];
		*out++ = a[(v >> 12) & 63];
		*out++ = i + 1 < n ? a[(v >> 6) & 63] : '=';
		*out++ = i + 2 < n ? a[v & 63] : '=';
		if ((col += 4) == 76) {
			*out++ = '\r';
			*out++ = '\n';
			col = 0;
		}
	}
	if (col) {
		*out++ = '\r';
		*out++ = '\n';
	}
	*out = '\0';
}

static void hexsum(const uint8_t *p, size_t n, char hex[65])
{
	uint8_t sum[32];

	flb_sha256(p, n, sum);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", sum[i]);
}

static void framed(const uint8_t *p, size_t n)
{
	size_t cap = 256 + n / 3 * 4 + 8 + n / 57 * 2 + 16;
	char *log = malloc(cap), hex[65], *w;
	unsigned char *out = NULL;
	size_t len = 0;
	char why[256];

	hexsum(p, n, hex);
	w = log + sprintf(log, "[    1.0] noise\r\nFB-VM-DB: begun 1 %s\r\n" BEGIN "%zu %s\r\n",
			  hex, n, hex);
	b64(p, n, w);
	w += strlen(w);
	w += sprintf(w, "FB-VM-DB: end\r\nreboot: Power down\r\n");
	if (flb_vm_unframe(log, (size_t)(w - log), &out, &len, why, sizeof(why)))
		fz_fail("unframe: a good frame of %zu bytes was refused: %s", n, why);
	if (len != n || (n && memcmp(out, p, n)))
		fz_fail("unframe: a good frame of %zu bytes came back as %zu other bytes",
			n, len);
	free(out);
	free(log);
}

/* The size and hex SHA-256 of the one begin line of log: 0, or -1. */
static int one_begin(const char *log, size_t n, unsigned long long *size,
		     char hex[65])
{
	const char *p = log, *end = log + n, *l = NULL;
	size_t ll = 0, bl = strlen(BEGIN), lines = 0;
	char line[256], *e;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		while (len && (p[len - 1] == '\r' || p[len - 1] == '\n'))
			len--;
		if (len > bl && !memcmp(p, BEGIN, bl)) {
			l = p;
			ll = len;
			lines++;
		}
		p = nl ? nl + 1 : end;
	}
	if (lines != 1)
		return -1;
	snprintf(line, sizeof(line), "%.*s", (int)(ll - bl < 200 ? ll - bl : 200), l + bl);
	/* SIZE, blanks, 64 hex digits */
	*size = strtoull(line, &e, 10);
	if (e == line || !isspace((unsigned char)*e))
		return -1;
	while (isspace((unsigned char)*e))
		e++;
	snprintf(hex, 65, "%.64s", e);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char sentinel, *out = &sentinel;
	size_t len = 12345;
	unsigned long long want;
	char why[256] = "", hex[65], got[65];

	if (size && data[0] == 1) {
		framed(data + 1, size - 1);
		return 0;
	}
	if (flb_vm_unframe((const char *)data, size, &out, &len, why, sizeof(why))) {
		if (out != &sentinel || len != 12345)
			fz_fail("unframe: a rejection changed *data or *len");
		if (!why[0])
			fz_fail("unframe: a rejection without a reason");
		for (const char *c = why; *c; c++)
			if (*c < 0x20 || *c > 0x7e)
				fz_fail("unframe: byte 0x%02x in its reason", (unsigned char)*c);
		return 0;
	}
	if (one_begin((const char *)data, size, &want, hex))
		fz_fail("unframe: accepted a log without one readable begin line");
	hexsum(out, len, got);
	if (len != want || strcmp(hex, got))
		fz_fail("unframe: returned %zu bytes (sha256 %.16s), the begin line names %llu (%.16s)",
			len, got, want, hex);
	free(out);
	return 0;
}
