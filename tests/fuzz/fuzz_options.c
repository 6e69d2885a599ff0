// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: lib/options.h, the one parser of option values (configs,
 * matrices, the command line). The first byte picks what is parsed, the
 * rest is the text. Properties:
 *  - a plain integer (decimal digits, or 0x and hex digits) parses to
 *    exactly its value, and one past 2^64 - 1 is rejected, not wrapped;
 *  - a size or duration written DIGITS[UNIT] parses to exactly DIGITS
 *    times the unit, or is rejected when that is above 2^63;
 *  - a parsed value is within the option's range, formats to a text that
 *    parses back to it (flb_opt_format), and a rejection says why,
 *    starting with the option's name;
 *  - the edit distance of did-you-mean is symmetric and bounded.
 */
#include <ctype.h>
#include <strings.h>

#include "options.h"
#include "fuzz.h"

struct vals {
	uint64_t v;
	bool b;
	int e;
	char s[FLB_STR_MAX];
};

static const char *const choices[] = { "none", "same-core", "spread", "cpus", NULL };

static const struct flb_option opts[] = {
	{ .name = "u64", .type = FLB_OPT_U64, .offset = FLB_OFF(struct vals, v), .max = UINT64_MAX },
	{ .name = "size", .type = FLB_OPT_SIZE, .offset = FLB_OFF(struct vals, v), .max = UINT64_MAX },
	{ .name = "ns", .type = FLB_OPT_NS, .offset = FLB_OFF(struct vals, v), .max = UINT64_MAX },
	{ .name = "samples", .type = FLB_OPT_U64, .offset = FLB_OFF(struct vals, v), .min = 1, .max = 1000 },
	{ .name = "rss", .type = FLB_OPT_SIZE, .offset = FLB_OFF(struct vals, v), .min = 4096, .max = 1ull << 40 },
	{ .name = "duration", .type = FLB_OPT_NS, .offset = FLB_OFF(struct vals, v), .min = 1000, .max = 3600000000000ull },
	{ .name = "flag", .type = FLB_OPT_BOOL, .offset = FLB_OFF(struct vals, b) },
	{ .name = "placement", .type = FLB_OPT_ENUM, .offset = FLB_OFF(struct vals, e), .choices = choices },
	{ .name = "name", .type = FLB_OPT_STR, .offset = FLB_OFF(struct vals, s) },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static const struct { const char *u; uint64_t m; } size_units[] = {
	{ "", 1 }, { "b", 1 }, { "k", 1ull << 10 }, { "kb", 1ull << 10 }, { "kib", 1ull << 10 },
	{ "m", 1ull << 20 }, { "mb", 1ull << 20 }, { "mib", 1ull << 20 },
	{ "g", 1ull << 30 }, { "gb", 1ull << 30 }, { "gib", 1ull << 30 },
	{ "t", 1ull << 40 }, { "tb", 1ull << 40 }, { "tib", 1ull << 40 }, { NULL, 0 },
}, ns_units[] = {
	{ "", 1 }, { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
	{ "m", 60000000000ull }, { "min", 60000000000ull }, { "h", 3600000000000ull }, { NULL, 0 },
};

/*
 * The value of s if it is DIGITS (or 0xHEX when hex) then a unit of
 * units (NULL: none): 1 and *v, 0 if it overflows 64 bits, -1 if s is
 * not of that form.
 */
static int reference(const char *s, bool hex, const void *units_, uint64_t *v)
{
	const struct { const char *u; uint64_t m; } *units = units_;
	unsigned base = 10;
	bool over = false;
	const char *p = s;
	uint64_t x = 0;

	if (hex && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!isxdigit((unsigned char)*p) || (base == 10 && !isdigit((unsigned char)*p)))
		return -1;
	for (; base == 16 ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p); p++) {
		unsigned d = isdigit((unsigned char)*p) ? *p - '0' :
			     (unsigned)(tolower((unsigned char)*p) - 'a' + 10);

		if (__builtin_mul_overflow(x, base, &x) || __builtin_add_overflow(x, d, &x))
			over = true;
	}
	if (!units) {
		if (*p)
			return -1;
		*v = x;
		return over ? 0 : 1;
	}
	for (int i = 0; units[i].u; i++) {
		if (!strcasecmp(p, units[i].u)) {
			if (over || __builtin_mul_overflow(x, units[i].m, v))
				return 0;
			return 1;
		}
	}
	return -1;
}

static void check_u64(const char *t)
{
	uint64_t v = 0x5a5a5a5a5a5a5a5aull, want;
	int rc = flb_opt_parse_u64(t, &v), ref = reference(t, true, NULL, &want);

	if (ref == 1 && (rc || v != want))
		fz_fail("parse_u64('%s'): rc %d value %llu, want %llu", t, rc,
			(unsigned long long)v, (unsigned long long)want);
	if (ref == 0 && !rc)
		fz_fail("parse_u64('%s'): overflows 64 bits but gave %llu", t,
			(unsigned long long)v);
}

static void check_option(const struct flb_option *o, const char *t)
{
	struct vals a, b;
	char why[256] = "", text[256], why2[256];
	uint64_t want = 0;
	int rc, ref = -1;

	memset(&a, 0xa5, sizeof(a));
	rc = flb_opt_parse(o, t, &a, why, sizeof(why));
	if (rc && (strncmp(why, o->name, strlen(o->name)) || why[strlen(o->name)] != ':'))
		fz_fail("%s('%s') rejected with '%s'", o->name, t, why);
	if (rc && rc != -1)
		fz_fail("%s('%s') returned %d", o->name, t, rc);
	if (o->type == FLB_OPT_U64)
		ref = reference(t, true, NULL, &want);
	else if (o->type == FLB_OPT_SIZE)
		ref = reference(t, false, size_units, &want);
	else if (o->type == FLB_OPT_NS)
		ref = reference(t, false, ns_units, &want);
	if (o->type == FLB_OPT_SIZE || o->type == FLB_OPT_NS) {
		/* the parser's limit: above 2^63 is not a size or duration */
		if (ref == 1 && want > (1ull << 63))
			ref = 0;
	}
	if (ref == 1 && want >= o->min && want <= o->max && (rc || a.v != want))
		fz_fail("%s('%s'): rc %d value %llu, want %llu (%s)", o->name, t, rc,
			(unsigned long long)a.v, (unsigned long long)want, why);
	if (ref == 1 && (want < o->min || want > o->max) && !rc)
		fz_fail("%s('%s'): %llu accepted outside [%llu, %llu]", o->name, t,
			(unsigned long long)want, (unsigned long long)o->min,
			(unsigned long long)o->max);
	if (ref == 0 && !rc)
		fz_fail("%s('%s'): overflows but gave %llu", o->name, t,
			(unsigned long long)a.v);
	if (rc)
		return;
	switch (o->type) {
	case FLB_OPT_U64:
	case FLB_OPT_SIZE:
	case FLB_OPT_NS:
		if (a.v < o->min || a.v > o->max)
			fz_fail("%s('%s'): %llu outside the range", o->name, t,
				(unsigned long long)a.v);
		break;
	case FLB_OPT_ENUM:
		if (a.e < 0 || a.e >= 4 || strcmp(choices[a.e], t))
			fz_fail("%s('%s'): choice %d", o->name, t, a.e);
		break;
	case FLB_OPT_STR:
		if (strcmp(a.s, t))
			fz_fail("%s('%s'): stored '%s'", o->name, t, a.s);
		break;
	case FLB_OPT_BOOL:
		break;
	}
	/* what it formats to parses back to the same value */
	flb_opt_format(o, &a, text, sizeof(text));
	memcpy(&b, &a, sizeof(b));
	memset(&b.v, 0xa5, sizeof(b.v));
	if (flb_opt_parse(o, text, &b, why2, sizeof(why2)))
		fz_fail("%s('%s') formats to '%s', which does not parse: %s",
			o->name, t, text, why2);
	if (memcmp(&a, &b, sizeof(a)))
		fz_fail("%s('%s') formats to '%s', which parses to another value",
			o->name, t, text);
}

static void check_distance(const char *t)
{
	const char *nl = strchr(t, '\n');
	char a[128];
	size_t la, lb, d, e;

	if (!nl || (size_t)(nl - t) >= sizeof(a))
		return;
	memcpy(a, t, nl - t);
	a[nl - t] = '\0';
	la = strlen(a);
	lb = strlen(nl + 1);
	d = flb_edit_distance(a, nl + 1);
	e = flb_edit_distance(nl + 1, a);
	if (d != e)
		fz_fail("edit distance not symmetric: %zu, %zu", d, e);
	if (la >= 63 || lb >= 63) {
		if (d != (size_t)-1)
			fz_fail("edit distance of a long name is %zu", d);
		return;
	}
	if (d > (la > lb ? la : lb) || d < (la > lb ? la - lb : lb - la))
		fz_fail("edit distance %zu out of bounds for lengths %zu, %zu", d, la, lb);
	{
		const char *names[] = { a };
		const char *near = flb_did_you_mean(nl + 1, names, 1);

		if (near && near != a)
			fz_fail("did you mean gave a name not offered");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *t;
	unsigned sel;

	if (!size || size > 512)
		return 0;
	sel = data[0] % (NOPTS + 2);
	t = fz_strndup(data + 1, size - 1);
	if (sel == NOPTS)
		check_u64(t);
	else if (sel == NOPTS + 1)
		check_distance(t);
	else
		check_option(&opts[sel], t);
	free(t);
	return 0;
}
